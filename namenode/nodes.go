package namenode

import (
	"hash/maphash"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// The registry keeps each DataNode in as few bytes as a world of a
// million nodes allows (issue 10): a 32-byte record, the last contact
// (shared with the detectors that judge by it alone), a 4-byte slot or two
// in the id index, and nothing else unless the run uses it. Stats are held
// once while every node reports the same ones (no block layer: a node's
// capacity and use stay as configured), lifeline counts only once a
// lifeline arrives, maintenance expiries only for nodes in maintenance.
// NodeInfo, the record dfsadmin -report lists, is built on demand.

// record is one DataNode's entry: the part of NodeInfo every node has.
type record struct {
	id    string
	beats int64 // heartbeats received
	state State
	admin AdminState
	// reported says the node sent a block report since it registered
	// (DatanodeDescriptor.checkBlockReportReceived).
	reported bool
}

// lastHeard is each node's last contact: a registration, heartbeat or
// lifeline.
type lastHeard []time.Duration

// set records node i's contact at now. The NameNode has grown it for
// every node it knows; a detector used on its own (tests) grows it.
func (l *lastHeard) set(i int, now time.Duration) {
	for len(*l) <= i {
		*l = append(*l, 0)
	}
	(*l)[i] = now
}

// info is node i's NodeInfo.
func (n *NameNode) info(i int) NodeInfo {
	nd := &n.nodes[i]
	info := NodeInfo{ID: nd.id, State: nd.state, Admin: nd.admin, LastHeard: n.last[i],
		HeartbeatsReceived: nd.beats, Stats: n.statsOf(i)}
	if n.lifelines != nil {
		info.LifelinesReceived = n.lifelines[i]
	}
	return info
}

// reserve sizes the registry for k nodes (Config.DataNodes).
func (n *NameNode) reserve(k int) {
	if k == 0 {
		return
	}
	n.nodes = make([]record, 0, k)
	n.last = make(lastHeard, 0, k)
	n.index.slots = make([]int32, n.index.size(k))
}

// add appends a record for a node registering for the first time, in
// state Unregistered, with every per-node structure grown to match.
func (n *NameNode) add(id string) int {
	i := len(n.nodes)
	n.nodes = append(n.nodes, record{id: id})
	n.last = append(n.last, 0)
	if n.stats != nil {
		n.stats = append(n.stats, proto.Stats{})
	}
	if n.lifelines != nil {
		n.lifelines = append(n.lifelines, 0)
	}
	n.index.add(n.nodes, i)
	n.count[Unregistered]++
	return i
}

// byID finds a node by its id.
func (n *NameNode) byID(id string) (int, bool) { return n.index.find(n.nodes, id) }

// statsOf is the stats node i last reported.
func (n *NameNode) statsOf(i int) proto.Stats {
	if n.stats == nil {
		return n.same
	}
	return n.stats[i]
}

// setStats records the stats node i reported, and its part in the
// in-service load. Stats move to a slice of their own the first time two
// nodes differ, and stay there.
func (n *NameNode) setStats(i int, st proto.Stats) {
	old := n.statsOf(i)
	if st == old {
		return
	}
	if n.inLoad(i) {
		n.xceivers += int64(st.Xceivers) - int64(old.Xceivers)
	}
	switch {
	case n.stats != nil:
		n.stats[i] = st
	case len(n.nodes) == 1:
		n.same = st // the only node: its stats are every node's
	default:
		n.stats = make([]proto.Stats, len(n.nodes), cap(n.nodes))
		for k := range n.stats {
			n.stats[k] = n.same
		}
		n.stats[i] = st
	}
}

// inLoad says node i counts in the in-service load (HeartbeatManager's
// stats): live or stale, and in service.
func (n *NameNode) inLoad(i int) bool {
	nd := &n.nodes[i]
	return (nd.state == Live || nd.state == Stale) && nd.admin == InService
}

// moveLoad brings the in-service load up to date after node i's state or
// admin state changed; was is whether it counted before.
func (n *NameNode) moveLoad(i int, was bool) {
	in := n.inLoad(i)
	if in == was {
		return
	}
	d := 1
	if !in {
		d = -1
	}
	n.inService += d
	n.xceivers += int64(d) * int64(n.statsOf(i).Xceivers)
}

// idIndex maps DataNode ids to node numbers: an open-addressing table of
// node numbers + 1 (0: empty), probed linearly from the id's hash and
// doubled when three quarters full. An id is compared with its node's
// record, so the table holds no key: 5 to 11 bytes a node, where a
// map[string]int takes about 44 (Go 1.26's swiss map: a 24-byte slot, a
// control byte, and room to grow; map[string]int32 pads to the same
// slot). The seed, like a Go map's, is random so that no set of ids can
// be chosen to collide; nothing the NameNode decides depends on it.
type idIndex struct {
	seed  maphash.Seed
	slots []int32
}

func (x *idIndex) home(id string) int {
	return int(maphash.String(x.seed, id) & uint64(len(x.slots)-1))
}

// find returns the number of the node with this id among nodes.
func (x *idIndex) find(nodes []record, id string) (int, bool) {
	if len(x.slots) == 0 {
		return 0, false
	}
	mask := len(x.slots) - 1
	for k := x.home(id); ; k = (k + 1) & mask {
		v := x.slots[k]
		if v == 0 {
			return 0, false
		}
		if nodes[v-1].id == id {
			return int(v - 1), true
		}
	}
}

// size is the table's size for k nodes: the least power of two, from 16,
// that holds them at most three quarters full.
func (x *idIndex) size(k int) int {
	s := 16
	for 4*k > 3*s {
		s *= 2
	}
	return s
}

// add indexes node i, the last of nodes; its id is not indexed yet.
func (x *idIndex) add(nodes []record, i int) {
	if 4*len(nodes) > 3*len(x.slots) {
		x.slots = make([]int32, x.size(len(nodes)))
		for k := range i {
			x.put(nodes, k)
		}
	}
	x.put(nodes, i)
}

func (x *idIndex) put(nodes []record, i int) {
	mask := len(x.slots) - 1
	k := x.home(nodes[i].id)
	for x.slots[k] != 0 {
		k = (k + 1) & mask
	}
	x.slots[k] = int32(i + 1)
}
