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

// AdminState is a node's administrative state (HDFS's AdminStates), set by
// an operator and moved on by the admin monitor.
type AdminState uint8

// Admin states. InService is NORMAL.
const (
	InService AdminState = iota
	Decommissioning
	Decommissioned
	EnteringMaintenance
	InMaintenance
)

var adminNames = [...]string{InService: "", Decommissioning: "decommissioning", Decommissioned: "decommissioned",
	EnteringMaintenance: "entering_maintenance", InMaintenance: "in_maintenance"}

// String is the name used in reports and JSON: "" for in service,
// "decommissioning", "decommissioned", "entering_maintenance",
// "in_maintenance".
func (a AdminState) String() string {
	if int(a) < len(adminNames) {
		return adminNames[a]
	}
	return "invalid"
}
