package namenode

import (
	"math"
	"slices"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/rng"
)

// Priority queues of HDFS's LowRedundancyBlocks.
const (
	queueHighest        = 0 // one replica left, or only out-of-service ones
	queueVeryLow        = 1 // live × 3 < expected
	queueLow            = 2 // the rest of the under-replicated
	queueBadlySpread    = 3 // enough replicas, too few racks
	queueCorrupt        = 4 // nothing to copy from; never scheduled
	queueLevels         = 5
	pendingRecheckLimit = 5 * time.Minute // PendingReconstructionBlocks' DEFAULT_RECHECK_INTERVAL
)

// nodeWork is what waits for a node: transfer tasks for its next heartbeat
// replies (DatanodeDescriptor.replicateBlocks), replicas to delete not yet
// handed out (InvalidateBlocks) and handed out (the descriptor's
// invalidateBlocks, which replies drain).
type nodeWork struct {
	xfer    []task
	inv     []int32
	invQ    []int32
	invList bool // listed in NameNode.invNodes
}

// task is one block to copy from the node to a pipeline of targets
// (HDFS's BlockTargetPair).
type task struct {
	block   int32
	targets []int32
}

// fifo is one priority level of the low-redundancy queues.
type fifo struct {
	items []int32
	head  int
}

func (q *fifo) push(b int32) { q.items = append(q.items, b) }

func (q *fifo) len() int { return len(q.items) - q.head }

func (q *fifo) pop() int32 {
	b := q.items[q.head]
	q.head++
	if q.head > 1024 && q.head*2 > len(q.items) {
		q.items = append(q.items[:0], q.items[q.head:]...)
		q.head = 0
	}
	return b
}

// pendingBlock is a block's scheduled work awaiting the targets' IBRs
// (PendingReconstructionBlocks.PendingBlockInfo): its timestamp is reset
// whenever targets are added.
type pendingBlock struct {
	at      time.Duration
	targets []int32
}

// pendingEntry is a (block, timestamp) in scheduling order, for the
// timeout check; it is stale if the block's timestamp has moved on.
type pendingEntry struct {
	block int32
	at    time.Duration
}

// priority is LowRedundancyBlocks.getPriorityContiguous for cur usable
// replicas (live plus pending), out out-of-service ones, and expected.
func priority(cur, out, expected int) int {
	switch {
	case cur >= expected:
		return queueBadlySpread
	case cur == 0 && out > 0:
		return queueHighest
	case cur == 0:
		return queueCorrupt
	case cur == 1:
		return queueHighest
	case cur*3 < expected:
		return queueVeryLow
	}
	return queueLow
}

// placement is BlockPlacementPolicyDefault.verifyBlockPlacement for block
// b plus extra nodes: whether its replicas on nodes not decommissioning or
// decommissioned span enough racks (two, or every rack there is), and how
// many more replicas that takes. A cluster that was never on more than
// one rack is always satisfied.
func (n *NameNode) placement(b int32, extra []int32) (ok bool, more int) {
	if !n.topo.everMultiRack {
		return true, 0
	}
	var seen [24]int32
	racks := seen[:0]
	add := func(x int32) {
		if a := n.nodes[x].admin; a == Decommissioning || a == Decommissioned {
			return
		}
		if r := n.topo.rackOf[x]; !slices.Contains(racks, r) {
			racks = append(racks, r)
		}
	}
	for _, x := range n.bm.replicas(b) {
		add(x)
	}
	for _, x := range extra {
		add(x)
	}
	want := min(2, n.bm.rf)
	if len(racks) >= want || len(racks) >= n.topo.liveRacks {
		return true, 0
	}
	return false, want - len(racks)
}

// enough is BlockManager.hasEnoughEffectiveReplicas.
func (n *NameNode) enough(b int32, c replicaCounts, pending int) bool {
	if c.live+pending < n.required(c) {
		return false
	}
	if pending > 0 {
		return true
	}
	ok, _ := n.placement(b, nil)
	return ok
}

// maybeQueue puts block b in the low-redundancy queue of its priority if
// it needs work (updateNeededReconstructions), or takes it out. A queue
// entry whose block has since moved level or left is skipped when popped.
func (n *NameNode) maybeQueue(b int32) {
	m := &n.bm
	if n.safe || !m.counted(b) {
		return
	}
	c := n.countReplicas(b)
	pend := n.pendingCount(b)
	if n.enough(b, c, pend) {
		m.flags[b] &^= flagLevel
		return
	}
	lvl := priority(c.live+pend, c.outOfService(), m.rf)
	if int(m.flags[b]&flagLevel) == lvl+1 {
		return
	}
	m.flags[b] = m.flags[b]&^flagLevel | uint8(lvl+1)
	n.queues[lvl].push(b)
}

// redundancyRound is one pass of HDFS's RedundancyMonitor outside safe
// mode: computeDatanodeWork (reconstruction of up to WorkMultiplier × live
// nodes blocks, then deletion work for InvalidateWorkPct of the live nodes),
// then processPendingReconstructions (blocks whose pending work timed out
// go back to the queues).
func (n *NameNode) redundancyRound(now time.Duration) {
	live := n.count[Live] + n.count[Stale]
	n.computeReconstruction(now, live*n.cfg.Blocks.WorkMultiplier)
	n.computeInvalidation(now, int(math.Ceil(float64(live)*n.cfg.Blocks.InvalidateWorkPct)))
	for _, b := range n.timedOut {
		n.maybeQueue(b)
	}
	n.timedOut = n.timedOut[:0]
}

// computeReconstruction is computeBlockReconstructionWork: it takes up to
// budget blocks from the queues, highest priority first, each level from
// where the last round stopped (LowRedundancyBlocks' bookmarks; the corrupt
// level is never taken), and schedules each. A block that still needs work
// goes back behind the others of its level.
func (n *NameNode) computeReconstruction(now time.Duration, budget int) {
	m := &n.bm
	for lvl := 0; lvl < queueCorrupt && budget > 0; lvl++ {
		q := &n.queues[lvl]
		for k := q.len(); k > 0 && budget > 0; k-- {
			b := q.pop()
			if int(m.flags[b]&flagLevel) != lvl+1 {
				continue // moved level or left the queues since
			}
			budget--
			if n.scheduleBlock(b, lvl, now) {
				m.flags[b] &^= flagLevel
			} else {
				q.push(b)
			}
		}
	}
}

// scheduleBlock is scheduleReconstruction, ReplicationWork.chooseTargets
// and validateReconstructionWork for one block: a source, then one task to
// every target needed, pipelined, with the nodes holding the block and its
// pending targets excluded. It reports whether the block leaves the
// queues (enough work scheduled, or none needed).
func (n *NameNode) scheduleBlock(b int32, lvl int, now time.Duration) bool {
	m := &n.bm
	if !m.counted(b) {
		return true
	}
	src := n.chooseSource(b, lvl, now)
	if src < 0 {
		return false // cannot be reconstructed from any node now
	}
	c := n.countReplicas(b)
	required := n.required(c)
	pend := n.pendingCount(b)
	if n.enough(b, c, pend) {
		return true
	}
	var need int
	if c.live < required {
		need = required - c.live - pend
	} else {
		_, need = n.placement(b, nil) // needed on a new rack
	}
	var chosen, excluded [24]int32
	ch, ex := chosen[:0], excluded[:0]
	for _, x := range m.replicas(b) {
		ex = append(ex, x)
		if n.replicaState(x) == InService {
			ch = append(ch, x)
		}
	}
	if p := n.pending[b]; p != nil {
		ex = append(ex, p.targets...)
	}
	targets := n.chooseTargets(now, b, need, ch, ex, src, false)
	if len(targets) == 0 {
		return false
	}
	if c.live >= required {
		// Rack repair: the new replicas must improve the spread.
		_, before := n.placement(b, nil)
		if ok, after := n.placement(b, targets); !ok && after >= before {
			return false
		}
	}
	n.work[src].xfer = append(n.work[src].xfer, task{block: b, targets: targets})
	n.addPending(b, targets, now)
	n.bstats.Scheduled += int64(len(targets))
	return c.live+pend+len(targets) >= required
}

// chooseSource is chooseSourceDatanodes for a replicated block: replicas
// on nodes in maintenance (and dead entering it) are never used, a
// decommissioned one only when no other replica is live; a node whose
// queue holds MaxStreams tasks is skipped unless the block is in the
// highest priority queue or the node is decommissioning or entering
// maintenance, and one at MaxStreamsHardLimit always. The first candidate
// is taken and each later one replaces it on a coin toss, as HDFS does
// (so not uniformly). Staleness is not looked at: a silent node not yet
// dead can be chosen, and its task then waits for the pending timeout.
func (n *NameNode) chooseSource(b int32, lvl int, now time.Duration) int32 {
	d := n.draws(rng.Sources, uint64(b), now)
	src, decommissioned := int32(-1), int32(-1)
	live := 0
	for _, x := range n.bm.replicas(b) {
		state := n.replicaState(x)
		switch state {
		case InMaintenance:
			continue
		case Decommissioned:
			if decommissioned < 0 || d.coin() {
				decommissioned = x
			}
			continue
		case InService:
			live++
		}
		queued := len(n.work[x].xfer)
		exempt := lvl == queueHighest || state == Decommissioning || state == EnteringMaintenance
		if !exempt && queued >= n.cfg.Blocks.MaxStreams || queued >= n.cfg.Blocks.MaxStreamsHardLimit {
			continue
		}
		if src < 0 || d.coin() {
			src = x
		}
	}
	if src < 0 && live == 0 {
		return decommissioned
	}
	return src
}

// addPending records targets as pending for block b and restarts its
// timestamp (PendingReconstructionBlocks.increment).
func (n *NameNode) addPending(b int32, targets []int32, now time.Duration) {
	p := n.pending[b]
	if p == nil {
		p = &pendingBlock{}
		n.pending[b] = p
	}
	p.at = now
	for _, t := range targets {
		if !slices.Contains(p.targets, t) {
			p.targets = append(p.targets, t)
		}
	}
	n.pendFIFO = append(n.pendFIFO, pendingEntry{block: b, at: now})
}

func (n *NameNode) pendingCount(b int32) int {
	if p := n.pending[b]; p != nil {
		return len(p.targets)
	}
	return 0
}

// pendingDone takes target i off block b's pending work, as an IBR from
// it does (PendingReconstructionBlocks.decrement); it reports whether i
// was pending.
func (n *NameNode) pendingDone(b, i int32) bool {
	p := n.pending[b]
	if p == nil {
		return false
	}
	k := slices.Index(p.targets, i)
	if k < 0 {
		return false
	}
	p.targets = slices.Delete(p.targets, k, k+1)
	if len(p.targets) == 0 {
		delete(n.pending, b)
	}
	return true
}

// pendingCheck is PendingReconstructionMonitor's check, which runs at
// start and then every min(5m, PendingTimeout): a block whose pending
// work is older than the timeout loses it all and is queued again by the
// next redundancy round. Blocks time out 1 to 2 timeouts after they were
// last scheduled (300s to 600s at HDFS's defaults).
func (n *NameNode) pendingCheck(now time.Duration) {
	timeout := n.cfg.Blocks.PendingTimeout
	for n.pendHead < len(n.pendFIFO) {
		e := n.pendFIFO[n.pendHead]
		if now <= e.at+timeout {
			break
		}
		n.pendHead++
		if p := n.pending[e.block]; p != nil && p.at == e.at {
			delete(n.pending, e.block)
			n.timedOut = append(n.timedOut, e.block)
			n.bstats.Timeouts++
		}
	}
	if n.pendHead > 1024 && n.pendHead*2 > len(n.pendFIFO) {
		n.pendFIFO = append(n.pendFIFO[:0], n.pendFIFO[n.pendHead:]...)
		n.pendHead = 0
	}
}

// pendingPeriod is PendingReconstructionMonitor's period.
func (n *NameNode) pendingPeriod() time.Duration {
	return min(pendingRecheckLimit, n.cfg.Blocks.PendingTimeout)
}

// invalidate queues the deletion of node i's replica of block b
// (InvalidateBlocks.add); a round hands it out.
func (n *NameNode) invalidate(i, b int32) {
	w := &n.work[i]
	w.inv = append(w.inv, b)
	n.bstats.Invalidated++
	if !w.invList {
		w.invList = true
		n.invNodes = append(n.invNodes, i)
	}
}

// removeInvalidationNode forgets node i's deletions not yet handed out
// (InvalidateBlocks.remove, when the node is removed).
func (n *NameNode) removeInvalidationNode(i int32) {
	if n.work[i].invList {
		n.invNodes = slices.DeleteFunc(n.invNodes, func(x int32) bool { return x == i })
	}
}

// computeInvalidation is computeInvalidateWork: the nodes with deletions
// waiting, in a random order, hand up to the invalidate limit each to
// their next heartbeat replies, until nodes of them have had some.
func (n *NameNode) computeInvalidation(now time.Duration, nodes int) {
	if len(n.invNodes) == 0 || nodes <= 0 {
		return
	}
	d := n.draws(rng.Invalidation, 0, now)
	list := n.invNodes
	for k := len(list) - 1; k > 0; k-- {
		j := d.intN(k + 1)
		list[k], list[j] = list[j], list[k]
	}
	limit := n.cfg.invalidateLimit()
	kept := list[:0]
	for k, i := range list {
		w := &n.work[i]
		if nodes > 0 {
			moved := min(limit, len(w.inv))
			w.invQ = append(w.invQ, w.inv[:moved]...)
			w.inv = w.inv[:copy(w.inv, w.inv[moved:])]
			if moved > 0 {
				nodes--
			}
		}
		if len(w.inv) > 0 {
			kept = append(kept, list[k])
		} else {
			w.invList = false
		}
	}
	n.invNodes = kept
}

// commands hands node i its queued work in a heartbeat reply, in
// DatanodeManager.handleHeartbeat's order and limits: at most MaxStreams −
// xmits transfer tasks, each one block with its whole pipeline, then at
// most the invalidate limit of deletions. nil (no allocation) when there
// is none.
// hasCommands reports whether node i's next heartbeat reply carries work.
func (n *NameNode) hasCommands(i int) bool {
	if !n.cfg.Blocks.Enable || n.safe {
		return false
	}
	w := &n.work[i]
	return len(w.xfer)+len(w.invQ) > 0
}

func (n *NameNode) commands(i int, xmits int32) []proto.Command {
	if !n.hasCommands(i) {
		return nil // the common reply
	}
	w := &n.work[i]
	nx := min(max(n.cfg.Blocks.MaxStreams-int(xmits), 0), len(w.xfer))
	ni := min(n.cfg.invalidateLimit(), len(w.invQ))
	if nx+ni == 0 {
		return nil
	}
	cmds := make([]proto.Command, 0, nx+ni)
	for _, t := range w.xfer[:nx] {
		if n.bm.flags[t.block]&flagGone != 0 {
			continue // deleted since: HDFS drops NO_ACK blocks here
		}
		ids := n.ids(t.targets)
		cmds = append(cmds, proto.Command{Action: proto.ActionTransfer, Block: int64(t.block), Target: ids[0], Targets: ids})
	}
	w.xfer = w.xfer[:copy(w.xfer, w.xfer[nx:])]
	for _, b := range w.invQ[:ni] {
		cmds = append(cmds, proto.Command{Action: proto.ActionInvalidate, Block: int64(b)})
	}
	w.invQ = w.invQ[:copy(w.invQ, w.invQ[ni:])]
	return cmds
}
