package namenode

// State is the NameNode's view of a DataNode.
type State uint8

// States. Unregistered is the state before a node's first registration.
const (
	Unregistered State = iota
	Live
	Stale
	Dead
)

var stateNames = [...]string{Unregistered: "", Live: "live", Stale: "stale", Dead: "dead"}

// String is the name used in reports and JSON: "live", "stale", "dead", and
// "" for Unregistered.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "invalid"
}
