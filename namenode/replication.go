package namenode

import (
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/rng"
)

// nodeWork is what waits for a node's next heartbeat reply: transfers it
// should make and replicas it should delete (HDFS's per-descriptor
// replicateBlocks and invalidateBlocks).
type nodeWork struct {
	xfer []transfer
	inv  []int32
}

type transfer struct {
	block, target int32
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

// pendingEntry is one scheduled transfer awaiting its IBR.
type pendingEntry struct {
	key uint64
	at  time.Duration
}

func pendKey(b, target int32) uint64 { return uint64(uint32(b))<<32 | uint64(uint32(target)) }

// priority is HDFS's LowRedundancyBlocks level: 0 for one live replica, 1
// for live × 3 < wanted, 2 for the rest.
func priority(live, want int) int {
	switch {
	case live == 1:
		return 0
	case live*3 < want:
		return 1
	}
	return 2
}

// maybeQueue puts block b in the low-redundancy queue of its priority if
// it needs more replicas than it has and has scheduled. A block already
// queued at a higher priority stays there; at a lower one it is queued
// again (the stale entry is skipped when popped).
func (n *NameNode) maybeQueue(b int32) {
	m := &n.bm
	if n.safe || !m.counted(b) {
		return
	}
	c := int(m.cnt[b])
	if c == 0 || c+int(m.pend[b]) >= m.rf {
		return
	}
	lvl := priority(c, m.rf)
	if q := int(m.flags[b] & flagLevel); q != 0 && q-1 <= lvl {
		return
	}
	m.flags[b] = m.flags[b]&^flagLevel | uint8(lvl+1)
	n.queues[lvl].push(b)
}

// replicationRound is one pass of HDFS's RedundancyMonitor: expire pending
// work, then schedule up to WorkMultiplier × live nodes blocks, highest
// priority first, each from a random live non-stale source with spare
// streams to targets chosen by the placement policy.
func (n *NameNode) replicationRound(now time.Duration) {
	n.expirePending(now)
	live := n.count[Live] + n.count[Stale]
	budget := n.cfg.Blocks.WorkMultiplier * live
	var deferred []int32
	m := &n.bm
	for lvl := 0; lvl < len(n.queues) && budget > 0; lvl++ {
		q := &n.queues[lvl]
		for budget > 0 && q.len() > 0 {
			b := q.pop()
			if int(m.flags[b]&flagLevel) != lvl+1 {
				continue // superseded by a higher priority entry
			}
			m.flags[b] &^= flagLevel
			budget--
			c := int(m.cnt[b])
			if !m.counted(b) || c == 0 || c+int(m.pend[b]) >= m.rf {
				continue
			}
			src := n.chooseSource(b, lvl == 0, now)
			if src < 0 {
				deferred = append(deferred, b)
				continue
			}
			ts := n.chooseTargets(now, b, m.rf-c-int(m.pend[b]), m.replicas(b), src, true, false)
			if len(ts) == 0 {
				deferred = append(deferred, b)
				continue
			}
			for _, t := range ts {
				n.work[src].xfer = append(n.work[src].xfer, transfer{block: b, target: t})
				k := pendKey(b, t)
				n.pending[k] = now
				n.pendFIFO = append(n.pendFIFO, pendingEntry{key: k, at: now})
				m.pend[b]++
				n.bstats.Scheduled++
			}
			if c+int(m.pend[b]) < m.rf {
				deferred = append(deferred, b)
			}
		}
	}
	for _, b := range deferred {
		n.maybeQueue(b)
	}
}

// chooseSource picks a random replica holder that is live, not stale, and
// has fewer than MaxStreams transfers queued (MaxStreamsHardLimit for a
// block with one replica left).
func (n *NameNode) chooseSource(b int32, highest bool, now time.Duration) int32 {
	limit := n.cfg.Blocks.MaxStreams
	if highest {
		limit = n.cfg.Blocks.MaxStreamsHardLimit
	}
	var cands [8]int32
	k := 0
	for _, i := range n.bm.replicas(b) {
		if n.nodes[i].State != Live || n.staleAt(int(i), now) || len(n.work[i].xfer) >= limit {
			continue
		}
		if k < len(cands) {
			cands[k] = i
			k++
		}
	}
	if k == 0 {
		return -1
	}
	d := n.draws(rng.Sources, uint64(b), now)
	return cands[d.intN(k)]
}

// expirePending re-queues scheduled transfers not confirmed within
// PendingTimeout (HDFS's PendingReconstructionMonitor).
func (n *NameNode) expirePending(now time.Duration) {
	for n.pendHead < len(n.pendFIFO) {
		e := n.pendFIFO[n.pendHead]
		if now-e.at < n.cfg.Blocks.PendingTimeout {
			break
		}
		n.pendHead++
		if at, ok := n.pending[e.key]; ok && at == e.at {
			delete(n.pending, e.key)
			b := int32(e.key >> 32)
			n.bm.pend[b]--
			n.bstats.Timeouts++
			n.maybeQueue(b)
		}
	}
	if n.pendHead > 1024 && n.pendHead*2 > len(n.pendFIFO) {
		n.pendFIFO = append(n.pendFIFO[:0], n.pendFIFO[n.pendHead:]...)
		n.pendHead = 0
	}
}

// commands hands node i its queued work in a heartbeat reply, HDFS's
// order and limits: at most MaxStreams − xmits transfers, then at most
// InvalidateLimit invalidations. nil (no allocation) when there is none.
func (n *NameNode) commands(i int, xmits int32) []proto.Command {
	if !n.cfg.Blocks.Enable || n.safe {
		return nil
	}
	w := &n.work[i]
	nx := min(max(n.cfg.Blocks.MaxStreams-int(xmits), 0), len(w.xfer))
	ni := min(n.cfg.invalidateLimit(), len(w.inv))
	if nx+ni == 0 {
		return nil
	}
	cmds := make([]proto.Command, 0, nx+ni)
	for _, t := range w.xfer[:nx] {
		if n.nodes[t.target].State == Dead {
			// The target died meanwhile: give the work back now.
			if _, ok := n.pending[pendKey(t.block, t.target)]; ok {
				delete(n.pending, pendKey(t.block, t.target))
				n.bm.pend[t.block]--
				n.maybeQueue(t.block)
			}
			continue
		}
		cmds = append(cmds, proto.Command{Action: proto.ActionTransfer, Block: int64(t.block), Target: n.nodes[t.target].ID})
	}
	w.xfer = w.xfer[:copy(w.xfer, w.xfer[nx:])]
	for _, b := range w.inv[:ni] {
		cmds = append(cmds, proto.Command{Action: proto.ActionInvalidate, Block: int64(b)})
	}
	w.inv = w.inv[:copy(w.inv, w.inv[ni:])]
	return cmds
}
