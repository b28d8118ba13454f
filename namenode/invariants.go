package namenode

import (
	"fmt"
	"slices"
	"time"
)

// CheckInvariants checks the NameNode's own bookkeeping of nodes, for
// runtimes that check a run's invariants on every event (hbsim run
// --check-invariants and the tests): the per-state node counts and the
// in-service load sums.
func (n *NameNode) CheckInvariants() error {
	var count [Dead + 1]int
	inService, xceivers := 0, int64(0)
	for i := range n.nodes {
		count[n.nodes[i].state]++
		if n.inLoad(i) {
			inService++
			xceivers += int64(n.statsOf(i).Xceivers)
		}
	}
	if count != n.count {
		return fmt.Errorf("namenode: node counts %v, recounted %v", n.count, count)
	}
	if inService != n.inService || xceivers != n.xceivers {
		return fmt.Errorf("namenode: %d nodes in service with %d xceivers, recounted %d with %d",
			n.inService, n.xceivers, inService, xceivers)
	}
	return nil
}

// CheckBlockInvariants checks the block map, a walk over every replica:
// its two indexes agree, its under-replicated and missing counts match a
// recount, no replica sits on a dead node (unless it is in maintenance),
// and no pending transfer targets a node that already holds its block.
func (n *NameNode) CheckBlockInvariants() error {
	if !n.cfg.Blocks.Enable {
		return nil
	}
	m := &n.bm
	under, missing := 0, 0
	for b := range m.cnt {
		reps := m.replicas(int32(b))
		for k, i := range reps {
			if i < 0 || int(i) >= len(n.nodes) {
				return fmt.Errorf("namenode: block %d lists node %d", b, i)
			}
			for _, j := range reps[:k] {
				if i == j {
					return fmt.Errorf("namenode: block %d lists %s twice", b, n.nodes[i].id)
				}
			}
			// A node that dies in maintenance keeps its replicas in the
			// map (dropNode): no re-replication storm.
			if s, a := n.nodes[i].state, n.nodes[i].admin; (s == Dead || s == Unregistered) &&
				a != EnteringMaintenance && a != InMaintenance {
				return fmt.Errorf("namenode: block %d has a replica on %s, which is %v", b, n.nodes[i].id, s)
			}
		}
		if m.counted(int32(b)) {
			// HDFS's counting: replicas on nodes out of service are not
			// live (decommissioning ones included), and maintenance lowers
			// what is required.
			c := n.countReplicas(int32(b))
			under += btoi(c.live < n.required(c))
			missing += btoi(c.live == 0 && c.outOfService() == 0)
		}
	}
	if under != m.under || missing != m.missing {
		return fmt.Errorf("namenode: %d under-replicated and %d missing blocks counted, %d and %d in the map",
			m.under, m.missing, under, missing)
	}
	// byNode is pruned lazily: it may list blocks a node no longer holds,
	// but never lacks one it does. So node i's list holds every replica
	// of i exactly when the distinct blocks it lists that i holds are as
	// many as i's replicas: counted without sorting, seen[b] marking the
	// last node whose list named b.
	held := make([]int, len(n.nodes))
	for b := range m.cnt {
		for _, i := range m.replicas(int32(b)) {
			held[i]++
		}
	}
	seen := make([]int32, len(m.cnt))
	for i, list := range m.byNode {
		listed := 0
		for _, b := range list {
			if seen[b] != int32(i)+1 && m.has(b, int32(i)) {
				seen[b] = int32(i) + 1
				listed++
			}
		}
		if listed != held[i] {
			return fmt.Errorf("namenode: %s holds %d replicas in the block map, but its list names %d of them", n.nodes[i].id, held[i], listed)
		}
	}
	for b, p := range n.pending {
		for k, t := range p.targets {
			if slices.Contains(p.targets[:k], t) {
				return fmt.Errorf("namenode: block %d has %s twice among its pending targets", b, n.nodes[t].id)
			}
			if int(b) < len(m.cnt) && m.has(b, t) {
				return fmt.Errorf("namenode: a transfer of block %d to %s is pending, but %s already holds it", b, n.nodes[t].id, n.nodes[t].id)
			}
		}
	}
	return nil
}

// DeathBound is the least silence after which the acting detector may
// declare node id dead, if the detector states one (missed-count and hdfs
// do; phi's depends on the history it learnt).
func (n *NameNode) DeathBound(id string) (time.Duration, bool) {
	i, ok := n.byID(id)
	if !ok {
		return 0, false
	}
	b, ok := n.w[0].det.(interface{ DeadAfter(i int) time.Duration })
	if !ok {
		return 0, false
	}
	return b.DeadAfter(i), true
}

// DeadAfter is the silence that makes a node dead: Threshold intervals.
func (d *MissedCount) DeadAfter(int) time.Duration {
	return time.Duration(d.Threshold) * d.Interval
}

// DeadAfter is HDFS's expiry: a node silent for more than it is dead.
func (d *HDFS) DeadAfter(int) time.Duration { return HDFSExpiry(d.Interval, d.Recheck) }

// Missing reports whether block b has no replica in the block map.
func (n *NameNode) Missing(b int64) bool {
	return n.cfg.Blocks.Enable && b >= 0 && int(b) < len(n.bm.cnt) && n.bm.cnt[b] == 0
}

// AppendReplicaNodes appends to dst the nodes holding block b in the
// map, as positions in Nodes' list: an invariant checker walking every
// replica cannot afford a slice of names per block.
func (n *NameNode) AppendReplicaNodes(dst []int32, b int64) []int32 {
	if !n.cfg.Blocks.Enable || b < 0 || b >= int64(len(n.bm.cnt)) {
		return dst
	}
	return append(dst, n.bm.replicas(int32(b))...)
}
