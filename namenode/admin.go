package namenode

import (
	"fmt"
	"slices"
	"time"

	"github.com/hbsim/hbsim/pkg/vtime"
)

// AdminChange is one change of a node's administrative state.
type AdminChange struct {
	At       time.Duration
	Node     string
	From, To AdminState
	Reason   string
}

// admin is DatanodeAdminManager with its default monitor: nodes an
// operator starts decommissioning or putting in maintenance wait in a
// queue, up to MaxTrackedNodes are tracked, and every Interval the monitor
// checks the tracked nodes' blocks, schedules what is under-replicated,
// and moves a node on once none of its blocks needs it.
type admin struct {
	next    time.Duration // the monitor's next run
	queue   []int32       // nodes waiting to be tracked (pendingNodes)
	tracked []tracked     // by node index (outOfServiceNodeBlocks)
	iterKey int32         // the last node checked; the next run goes on after it
	changes []AdminChange
	// expiry is the end of maintenance of each node given one; nil
	// until the first.
	expiry map[int32]time.Duration
}

// tracked is one node under the monitor, with the blocks it holds that are
// not yet sufficiently replicated elsewhere; nil until its first full scan.
type tracked struct {
	node   int32
	blocks []int32
	full   bool
}

// adminNode finds a node by id for an operator's request.
func (n *NameNode) adminNode(id string) (int, error) {
	i, ok := n.byID(id)
	if !ok {
		return 0, fmt.Errorf("%w %q", ErrUnknownNode, id)
	}
	return i, nil
}

// setAdmin moves node i to state to and brings the counts of its blocks
// and of the in-service load up to date.
func (n *NameNode) setAdmin(now time.Duration, i int, to AdminState, reason string) {
	nd := &n.nodes[i]
	if nd.admin == to {
		return
	}
	n.adm.changes = append(n.adm.changes, AdminChange{At: now, Node: nd.id, From: nd.admin, To: to, Reason: reason})
	was := n.inLoad(i)
	nd.admin = to
	n.moveLoad(i, was)
	if n.cfg.Blocks.Enable {
		for _, b := range n.liveBlocks(i) {
			n.recount(b)
		}
	}
}

func (n *NameNode) alive(i int) bool {
	s := n.nodes[i].state
	return s == Live || s == Stale
}

// Decommission starts decommissioning node id, as adding it to
// dfs.hosts.exclude and running dfsadmin -refreshNodes does
// (DatanodeAdminManager.startDecommission): a dead node is decommissioned
// at once; a live one is decommissioning, its replicas no longer count as
// live, and the monitor tracks it until every block it holds has its
// replication elsewhere.
func (n *NameNode) Decommission(now time.Duration, id string) error {
	i, err := n.adminNode(id)
	if err != nil {
		return err
	}
	n.now = now
	switch a := n.nodes[i].admin; {
	case a == Decommissioning || a == Decommissioned:
		return nil
	case !n.alive(i):
		n.setAdmin(now, i, Decommissioned, "decommissioned at once: the node is dead")
	default:
		n.setAdmin(now, i, Decommissioning, "decommission requested")
		n.track(int32(i))
	}
	return nil
}

// StartMaintenance puts node id in maintenance until until (0: no end),
// as the combined host file's maintenance state does
// (DatanodeAdminManager.startMaintenance): a dead or decommissioned node,
// or any node when the maintenance minimum replication is 0, is in
// maintenance at once; a live one is entering maintenance until every
// block it holds keeps that many live replicas elsewhere. The monitor
// ends the maintenance at its first run past until.
func (n *NameNode) StartMaintenance(now time.Duration, id string, until time.Duration) error {
	i, err := n.adminNode(id)
	if err != nil {
		return err
	}
	n.now = now
	if n.adm.expiry == nil {
		n.adm.expiry = map[int32]time.Duration{}
	}
	n.adm.expiry[int32(i)] = until
	switch a := n.nodes[i].admin; {
	case a == EnteringMaintenance || a == InMaintenance:
		return nil
	case !n.alive(i):
		n.setAdmin(now, i, InMaintenance, "in maintenance at once: the node is dead")
	case a == Decommissioned:
		n.setAdmin(now, i, InMaintenance, "in maintenance at once: the node is decommissioned")
	case n.cfg.Admin.MaintenanceMinReplication == 0:
		n.setAdmin(now, i, InMaintenance, "in maintenance at once: dfs.namenode.maintenance.replication.min is 0")
	default:
		n.setAdmin(now, i, EnteringMaintenance, "maintenance requested")
	}
	n.track(int32(i)) // tracked in maintenance too, for the expiry
	return nil
}

// Recommission puts node id back in service, ending a decommission or a
// maintenance, as removing it from the exclude or maintenance list does
// (stopDecommission, stopMaintenance). A live node's blocks may now have
// excess replicas, which are deleted; a dead node leaving maintenance
// loses the replicas the maintenance kept, and they are re-replicated.
func (n *NameNode) Recommission(now time.Duration, id string) error {
	i, err := n.adminNode(id)
	if err != nil {
		return err
	}
	n.now = now
	n.endAdmin(now, i, "recommissioned")
	return nil
}

func (n *NameNode) endAdmin(now time.Duration, i int, reason string) {
	a := n.nodes[i].admin
	if a == InService {
		return
	}
	n.untrack(int32(i))
	delete(n.adm.expiry, int32(i))
	n.setAdmin(now, i, InService, reason)
	if !n.cfg.Blocks.Enable {
		return
	}
	maintenance := a == EnteringMaintenance || a == InMaintenance
	if maintenance && !n.alive(i) {
		n.dropReplicas(i, false)
		return
	}
	for _, b := range n.liveBlocks(i) {
		n.checkExcess(b)
		n.maybeQueue(b)
	}
}

// track queues node i for the monitor (startTrackingNode).
func (n *NameNode) track(i int32) {
	if slices.Contains(n.adm.queue, i) || slices.ContainsFunc(n.adm.tracked, func(t tracked) bool { return t.node == i }) {
		return
	}
	n.adm.queue = append(n.adm.queue, i)
	// The monitor ran every Interval all along, with nothing to do; its
	// next run is the next on that schedule.
	if every := n.cfg.Admin.Interval; n.adm.next < n.now {
		n.adm.next += (n.now - n.adm.next + every - 1) / every * every
	}
}

// untrack stops tracking node i (stopTrackingNode).
func (n *NameNode) untrack(i int32) {
	n.adm.queue = slices.DeleteFunc(n.adm.queue, func(x int32) bool { return x == i })
	n.adm.tracked = slices.DeleteFunc(n.adm.tracked, func(t tracked) bool { return t.node == i })
}

// adminRun is one run of DatanodeAdminDefaultMonitor: queued nodes are
// tracked up to MaxTrackedNodes, then the tracked nodes are checked in
// turn from after the last one checked, until BlocksPerInterval blocks
// have been checked in this run.
func (n *NameNode) adminRun(now time.Duration) {
	a := &n.adm
	for len(a.queue) > 0 && (n.cfg.Admin.MaxTrackedNodes == 0 || len(a.tracked) < n.cfg.Admin.MaxTrackedNodes) {
		i := a.queue[0]
		a.queue = a.queue[1:]
		k, _ := slices.BinarySearchFunc(a.tracked, i, func(t tracked, x int32) int { return int(t.node - x) })
		a.tracked = slices.Insert(a.tracked, k, tracked{node: i})
	}
	if len(a.tracked) == 0 {
		return
	}
	start, _ := slices.BinarySearchFunc(a.tracked, a.iterKey+1, func(t tracked, x int32) int { return int(t.node - x) })
	checked := 0
	order := make([]int32, 0, len(a.tracked))
	for k := range a.tracked {
		order = append(order, a.tracked[(start+k)%len(a.tracked)].node)
	}
	for _, i := range order {
		if checked >= n.cfg.Admin.BlocksPerInterval {
			break
		}
		a.iterKey = i
		checked += n.adminCheck(now, int(i))
	}
}

// adminCheck checks one tracked node and returns how many blocks it
// looked at.
func (n *NameNode) adminCheck(now time.Duration, i int) int {
	a := &n.adm
	k := slices.IndexFunc(a.tracked, func(t tracked) bool { return int(t.node) == i })
	if k < 0 {
		return 0
	}
	state := n.nodes[i].admin
	if end := a.expiry[int32(i)]; (state == EnteringMaintenance || state == InMaintenance) && end > 0 && now >= end {
		n.endAdmin(now, i, "maintenance expired at "+vtime.Format(end))
		return 0
	}
	if state == InMaintenance {
		return 0
	}
	t := &a.tracked[k]
	checked := 0
	if !t.full {
		t.blocks, checked = n.insufficient(i, n.liveBlocks(i))
		t.full = true
	} else {
		t.blocks, checked = n.insufficient(i, t.blocks)
		if len(t.blocks) == 0 {
			var again int
			t.blocks, again = n.insufficient(i, n.liveBlocks(i)) // re-check with the full block map
			checked += again
		}
	}
	if len(t.blocks) > 0 || !n.healthyForAdmin(i) {
		return checked
	}
	switch state {
	case Decommissioning:
		n.setAdmin(now, i, Decommissioned, "every block it held has its replication elsewhere")
		n.untrack(int32(i))
	case EnteringMaintenance:
		n.setAdmin(now, i, InMaintenance, fmt.Sprintf("every block it holds keeps %d live replicas elsewhere",
			n.cfg.Admin.MaintenanceMinReplication))
	}
	return checked
}

// insufficient is processBlocksInternal: it schedules every block of
// blocks that needs it and returns those whose replication still holds
// node i back, with how many blocks it checked. Blocks node i no longer
// holds are dropped.
func (n *NameNode) insufficient(i int, blocks []int32) ([]int32, int) {
	if !n.cfg.Blocks.Enable {
		return nil, 0
	}
	var out []int32
	node := int32(i)
	for _, b := range blocks {
		if !n.bm.has(b, node) || !n.bm.counted(b) {
			continue
		}
		n.maybeQueue(b)
		if !n.sufficient(b, n.nodes[i].admin) {
			out = append(out, b)
		}
	}
	return out, len(blocks)
}

// sufficient is DatanodeAdminManager.isSufficient: the block has enough
// live replicas (with the rack spread), or, decommissioning, as many live
// ones as its replication, or, entering maintenance, the maintenance
// minimum.
func (n *NameNode) sufficient(b int32, state AdminState) bool {
	c := n.countReplicas(b)
	if n.enough(b, c, 0) {
		return true
	}
	switch state {
	case Decommissioning:
		return n.required(c) > c.live && c.live >= n.bm.rf
	case EnteringMaintenance:
		return c.live >= n.cfg.Admin.MaintenanceMinReplication
	}
	return false
}

// healthyForAdmin is BlockManager.isNodeHealthyForDecommissionOrMaintenance:
// the node sent a block report since it registered, and is alive, or is
// dead while no block at all is under-replicated or pending.
func (n *NameNode) healthyForAdmin(i int) bool {
	if n.cfg.Blocks.Enable && !n.nodes[i].reported {
		return false
	}
	return n.alive(i) || (n.bm.under == 0 && len(n.pending) == 0)
}
