package namenode

import (
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// Transition is one change of a detector's view of a node.
type Transition struct {
	At       time.Duration
	Node     string
	From, To State
	Reason   string
	// Detector made the decision; Watching is true when that detector only
	// watches (its verdict changed nothing in the NameNode).
	Detector string
	Watching bool
	// ReportedAt, for a death by a detector whose reports read DEAD
	// before its scan acts (DeathReporter: the hdfs detector), is when
	// dfsadmin -report and NumDeadDataNodes would first say DEAD; 0
	// otherwise.
	ReportedAt time.Duration
}

// Ready is what the NameNode wants done.
type Ready struct {
	// Messages to deliver to DataNodes: replies to registrations and
	// heartbeats (every heartbeat is a call that gets a reply).
	Messages []proto.Message
	// Transitions decided since the last Advance, in order.
	Transitions []Transition
	// Admin lists the changes of nodes' decommission and maintenance
	// states since the last Advance, in order.
	Admin []AdminChange
	// Wake is when the next scan is due.
	Wake time.Duration
}

// NodeInfo is the NameNode's record of one DataNode, as dfsadmin -report
// lists it. The NameNode builds it on demand (Node, Nodes) from a more
// compact registry (nodes.go).
type NodeInfo struct {
	ID    string
	State State
	// Admin is the node's decommission or maintenance state.
	Admin              AdminState
	LastHeard          time.Duration
	HeartbeatsReceived int64
	LifelinesReceived  int64
	Stats              proto.Stats
}

// ErrUnknownNode is returned for a node the NameNode has never registered.
var ErrUnknownNode = errors.New("namenode: unknown datanode")

// watcher is one detector with its scan schedule. view holds the states a
// watching detector believes in; the acting detector's view is the
// registry's own (record.state).
type watcher struct {
	det  Detector
	next time.Duration
	view []State
}

// NameNode is the NameNode's liveness state and, with blocks enabled, its
// block map.
type NameNode struct {
	cfg   Config
	w     []watcher // w[0] acts
	nodes []record
	// last is each node's last contact, shared with the detectors that
	// judge by it alone (MissedCount, HDFS; newDetector).
	last  lastHeard
	count [Dead + 1]int // nodes per state
	index idIndex
	// same is every node's stats while stats is nil (setStats).
	same  proto.Stats
	stats []proto.Stats
	// lifelines counts each node's lifelines; nil until the first.
	lifelines []int64

	outbox      []proto.Message
	transitions []Transition

	adm admin // decommission and maintenance (admin.go)
	// failedStorage holds blocks whose replicas were on a failed volume,
	// to queue at the next heartbeat check.
	failedStorage []int32
	// numStale is the stale nodes the acting detector's last heartbeat
	// check counted (DatanodeManager.numStaleNodes).
	numStale int
	// quietUntil is a time before which no live node can turn stale or
	// dead to the acting detector (0: unknown); see scanGap.
	quietUntil time.Duration
	// xceivers and inService sum the load of the nodes in service, live
	// or stale (HeartbeatManager's stats; inLoad).
	xceivers  int64
	inService int

	// The block layer (blocks.go, placement.go, replication.go).
	now      time.Duration
	topo     topology
	bm       blockMap
	work     []nodeWork
	invNodes []int32 // nodes with deletions not yet handed out
	queues   [queueLevels]fifo
	pending  map[int32]*pendingBlock
	pendFIFO []pendingEntry
	pendHead int
	timedOut []int32 // blocks whose pending work timed out, to queue again
	nextRepl time.Duration
	nextPend time.Duration // the pending timeout check
	safe     bool
	// safeReached is when the safe mode threshold was reached (−1: not yet).
	safeReached time.Duration
	bstats      BlockStats
}

// New returns a NameNode whose detectors first scan one of their intervals
// after time zero. cfg is checked (Validate) and copied.
func New(cfg Config) (*NameNode, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Detectors = slices.Clone(cfg.Detectors)
	n := &NameNode{cfg: cfg, index: idIndex{seed: maphash.MakeSeed()}}
	n.reserve(cfg.DataNodes)
	n.adm.next = cfg.Admin.Interval
	for _, spec := range cfg.Detectors {
		d := newDetector(&n.cfg, spec, &n.last)
		n.w = append(n.w, watcher{det: d, next: d.Every()})
	}
	if b := &n.cfg.Blocks; b.Enable {
		n.bm = blockMap{rf: b.Replication, stride: b.Replication + 2}
		n.bm.grow(b.Blocks)
		for k := range n.bm.flags {
			n.bm.flags[k] = flagUnder | flagMissing
		}
		n.bm.under = b.Blocks
		n.bm.missing = b.Blocks
		n.pending = map[int32]*pendingBlock{}
		n.nextRepl = b.ReplicationInterval
		n.safe = b.Blocks > 0
		n.safeReached = -1
	}
	return n, nil
}

// Detectors names the detectors, the acting one first.
func (n *NameNode) Detectors() []string {
	names := make([]string, len(n.w))
	for k, w := range n.w {
		names[k] = w.det.Name()
	}
	return names
}

// Step handles a message from a DataNode or the HDFS client.
func (n *NameNode) Step(now time.Duration, m proto.Message) {
	switch m.Type {
	case proto.TypeRegister:
		n.register(now, m)
	case proto.TypeHeartbeat:
		n.heartbeat(now, m)
	case proto.TypeLifeline:
		n.lifeline(now, m)
	case proto.TypeBlockReport:
		n.now = now
		n.blockReport(now, m)
	case proto.TypeBlockReceived:
		n.now = now
		n.blockReceived(now, m)
	case proto.TypeErrorReport:
		n.now = now
		n.errorReport(now, m)
	default:
		if m.Type.FromClient() {
			n.client(now, m)
		}
	}
}

// lookup finds a node by the handle its message echoes, or by name.
func (n *NameNode) lookup(m *proto.Message) (int, bool) { return n.find(m.Handle, m.Node) }

func (n *NameNode) find(handle uint32, id string) (int, bool) {
	if h := int(handle) - 1; h >= 0 && h < len(n.nodes) && n.nodes[h].id == id {
		return h, true
	}
	return n.byID(id)
}

func (n *NameNode) register(now time.Duration, m proto.Message) {
	i, ok := n.byID(m.Node)
	if !ok {
		i = n.add(m.Node)
		if n.cfg.Blocks.Enable {
			rack := n.cfg.Blocks.Racks[m.Node]
			if rack == "" {
				rack = DefaultRack
			}
			n.topo.add(rack)
			n.work = append(n.work, nodeWork{})
			n.bm.byNode = append(n.bm.byNode, nil)
		}
		for k := 1; k < len(n.w); k++ {
			n.w[k].view = append(n.w[k].view, Unregistered)
		}
	}
	n.setStats(i, m.Stats)
	n.nodes[i].reported = false
	// Registration counts as a heartbeat, as in HDFS; a node that was live
	// re-registers in place (same storage, new process). Every detector
	// starts the node's history afresh.
	n.last[i] = now
	for k := range n.w {
		n.w[k].det.Registered(i, now)
		if k > 0 {
			n.watch(now, k, i, Live, "registered")
		}
	}
	switch n.nodes[i].state {
	case Unregistered:
		n.change(now, i, Live, "registered")
	case Dead:
		n.change(now, i, Live, "re-registered after REGISTER command")
	case Stale:
		n.change(now, i, Live, "registered again while stale")
	}
	n.outbox = append(n.outbox, proto.Message{Type: proto.TypeRegisterReply, Node: m.Node, Handle: uint32(i + 1)})
}

func (n *NameNode) heartbeat(now time.Duration, m proto.Message) {
	i, ok := n.lookup(&m)
	if ok {
		n.nodes[i].beats++
	}
	if !ok || n.nodes[i].state == Dead {
		// HDFS answers an unknown or dead node with exactly one REGISTER
		// per heartbeat; its stats are not taken.
		n.outbox = append(n.outbox, proto.Message{
			Type:     proto.TypeHeartbeatReply,
			Node:     m.Node,
			Seq:      m.Seq,
			Commands: registerCommand,
		})
		return
	}
	n.refresh(now, i, m.Stats, "heartbeat")
	n.outbox = append(n.outbox, proto.Message{Type: proto.TypeHeartbeatReply, Node: m.Node, Seq: m.Seq,
		Commands: n.commands(i, m.Stats.Xmits)})
}

// registerCommand is shared by every REGISTER reply; nobody mutates it.
var registerCommand = []proto.Command{{Action: proto.ActionRegister}}

// lifeline keeps a registered node alive like a heartbeat, but carries no
// commands and gets no reply. It never revives a node declared dead: that
// takes a registration (HDFS-9239).
func (n *NameNode) lifeline(now time.Duration, m proto.Message) {
	i, ok := n.lookup(&m)
	if !ok || n.nodes[i].state == Dead {
		return
	}
	if n.lifelines == nil {
		n.lifelines = make([]int64, len(n.nodes), cap(n.nodes))
	}
	n.lifelines[i]++
	n.refresh(now, i, m.Stats, "lifeline")
}

// refresh records that node i was heard from.
func (n *NameNode) refresh(now time.Duration, i int, st proto.Stats, what string) {
	silent := now - n.last[i]
	n.last[i] = now
	for k := range n.w {
		n.w[k].det.Heard(i, now)
	}
	n.setStats(i, st)
	if n.nodes[i].state == Stale {
		n.change(now, i, Live, fmt.Sprintf("%s received after %s of silence", what, vtime.Seconds(silent)))
	}
	for k := 1; k < len(n.w); k++ {
		if v := n.w[k].view[i]; v == Stale || v == Dead {
			n.watch(now, k, i, Live, fmt.Sprintf("%s received after %s of silence", what, vtime.Seconds(silent)))
		}
	}
}

// Tick runs the scans that are due. A runtime that ticks late (a paused
// process) gets one scan per detector, and the next is due on the original
// cadence.
func (n *NameNode) Tick(now time.Duration) {
	n.now = now
	if n.safe && n.safeReached >= 0 {
		n.checkSafeMode(now)
	}
	if n.cfg.Blocks.Enable && now >= n.nextPend {
		every := n.pendingPeriod()
		n.nextPend += (now-n.nextPend)/every*every + every
		n.pendingCheck(now)
	}
	if n.cfg.Blocks.Enable && now >= n.nextRepl {
		every := n.cfg.Blocks.ReplicationInterval
		n.nextRepl += (now-n.nextRepl)/every*every + every
		if !n.safe {
			n.redundancyRound(now)
		}
	}
	if now >= n.adm.next {
		// scheduleWithFixedDelay: the next run an interval after this one.
		n.adm.next = now + n.cfg.Admin.Interval
		n.adminRun(now)
	}
	for k := range n.w {
		w := &n.w[k]
		if now < w.next {
			continue
		}
		every := w.det.Every()
		w.next += (now-w.next)/every*every + every
		if h, ok := w.det.(*HDFS); ok {
			h.safeMode = n.safe
		}
		check := w.det.BeginScan(now)
		if k == 0 {
			// A scan no node can have crossed a bound by changes nothing:
			// it is skipped (quiet.go).
			quiet := n.count[Stale] == 0 && now < n.quietUntil
			if !quiet {
				n.scan(now)
			}
			if check {
				n.heartbeatCheck(now, quiet)
			}
		} else {
			n.scanWatching(now, k)
		}
	}
}

// heartbeatCheck is what HDFS's heartbeat check does besides removing
// dead nodes: it recounts the stale nodes, which write avoidance reads
// until the next check.
// With quiet, no node is stale now (see quietUntil), so none is counted.
func (n *NameNode) heartbeatCheck(now time.Duration, quiet bool) {
	// The replicas of failed storages left the map when the node said so;
	// their blocks are queued now, as removeBlocksAssociatedTo(storage)
	// does in the check.
	for _, b := range n.failedStorage {
		n.maybeQueue(b)
	}
	n.failedStorage = n.failedStorage[:0]
	n.numStale = 0
	if quiet {
		return
	}
	for i := range n.nodes {
		if s := n.nodes[i].state; (s == Live || s == Stale) && n.staleAt(i, now) {
			n.numStale++
		}
	}
}

func (n *NameNode) scan(now time.Duration) {
	det := n.w[0].det
	gap, bounded := n.scanGap()
	until := now + gap
	for i := range n.nodes {
		from := n.nodes[i].state
		if from == Dead || from == Unregistered {
			continue
		}
		to := det.Judge(i, now)
		if to != from {
			n.change(now, i, to, det.Reason(i, now, to))
		}
		if bounded && to == Live {
			until = min(until, n.last[i]+gap)
		}
	}
	n.quietUntil = 0
	if bounded {
		n.quietUntil = until
	}
}

// scanWatching judges every registered node for a watching detector, dead
// ones included: the acting detector's verdict does not bind it.
func (n *NameNode) scanWatching(now time.Duration, k int) {
	det := n.w[k].det
	for i, v := range n.w[k].view {
		if v == Unregistered {
			continue
		}
		if to := det.Judge(i, now); to != v {
			n.watch(now, k, i, to, det.Reason(i, now, to))
		}
	}
}

// watch records a watching detector's change of mind about node i.
func (n *NameNode) watch(now time.Duration, k, i int, to State, reason string) {
	w := &n.w[k]
	from := w.view[i]
	if from == to {
		return
	}
	w.view[i] = to
	if from == Unregistered {
		return // a first registration is the acting detector's to record
	}
	tr := Transition{At: now, Node: n.nodes[i].id, From: from, To: to, Reason: reason, Detector: w.det.Name(), Watching: true}
	if r, ok := w.det.(DeathReporter); ok && to == Dead {
		tr.ReportedAt = r.ReportedDeadAt(i)
	}
	n.transitions = append(n.transitions, tr)
}

func (n *NameNode) change(now time.Duration, i int, to State, reason string) {
	nd := &n.nodes[i]
	tr := Transition{At: now, Node: nd.id, From: nd.state, To: to, Reason: reason, Detector: n.w[0].det.Name()}
	if r, ok := n.w[0].det.(DeathReporter); ok && to == Dead {
		tr.ReportedAt = r.ReportedDeadAt(i)
	}
	n.transitions = append(n.transitions, tr)
	n.count[nd.state]--
	n.count[to]++
	from, was := nd.state, n.inLoad(i)
	nd.state = to
	n.moveLoad(i, was)
	if n.cfg.Blocks.Enable {
		up := func(s State) bool { return s != Dead && s != Unregistered }
		if up(from) != up(to) {
			n.topo.alive(i, up(to))
		}
		if to == Dead {
			n.now = now
			n.dropNode(i)
		}
	}
}

// Count is how many registered nodes are in state s.
func (n *NameNode) Count(s State) int {
	if s > Dead {
		return 0
	}
	return n.count[s]
}

// Ready returns what the NameNode wants done; valid until Advance.
func (n *NameNode) Ready() Ready {
	wake := n.w[0].next
	for _, w := range n.w[1:] {
		wake = min(wake, w.next)
	}
	if n.cfg.Blocks.Enable {
		wake = min(wake, n.nextRepl, n.nextPend)
	}
	if len(n.adm.tracked)+len(n.adm.queue) > 0 {
		wake = min(wake, n.adm.next)
	}
	return Ready{Messages: n.outbox, Transitions: n.transitions, Admin: n.adm.changes, Wake: wake}
}

// Advance tells the NameNode its outputs were taken.
func (n *NameNode) Advance() {
	n.outbox = n.outbox[:0]
	n.transitions = n.transitions[:0]
	n.adm.changes = n.adm.changes[:0]
}

// Node returns the record of one DataNode.
func (n *NameNode) Node(id string) (NodeInfo, error) {
	i, ok := n.byID(id)
	if !ok {
		return NodeInfo{}, fmt.Errorf("%w %q", ErrUnknownNode, id)
	}
	return n.info(i), nil
}

// Nodes returns every registered DataNode in registration order. The slice
// is a copy.
func (n *NameNode) Nodes() []NodeInfo {
	if len(n.nodes) == 0 {
		return nil
	}
	out := make([]NodeInfo, len(n.nodes))
	for i := range out {
		out[i] = n.info(i)
	}
	return out
}
