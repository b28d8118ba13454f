package namenode

import (
	"slices"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/rng"
)

// Block flags.
const (
	flagLevel = 0x3 // queued at priority level−1; 0: not queued
	flagUC    = 0x4 // under construction: being written, not yet counted
	flagGone  = 0x8 // abandoned by its writer
)

// blockMap is the NameNode's block map (HDFS's BlocksMap) in flat slices:
// block b's replicas are loc[b*stride : b*stride+cnt[b]], node indexes.
// stride is the replication plus two, room for the excess a returning
// node brings; a replica beyond that is invalidated at once. At 1M blocks
// × 3 this is about 22 bytes per block plus 4 per replica in the per-node
// lists.
type blockMap struct {
	rf     int
	stride int
	loc    []int32
	cnt    []uint8
	pend   []uint8 // transfers scheduled and not yet confirmed
	flags  []uint8
	byNode [][]int32 // per node, the blocks it was given (lazily pruned)
	ucWant map[int32]int

	under    int // counted blocks with fewer than rf replicas
	missing  int // counted blocks with none
	reported int // blocks with at least one replica (for safe mode)
}

func (m *blockMap) grow(blocks int) {
	m.loc = slices.Grow(m.loc, blocks*m.stride)[:len(m.loc)+blocks*m.stride]
	for k := len(m.loc) - blocks*m.stride; k < len(m.loc); k++ {
		m.loc[k] = -1
	}
	m.cnt = append(m.cnt, make([]uint8, blocks)...)
	m.pend = append(m.pend, make([]uint8, blocks)...)
	m.flags = append(m.flags, make([]uint8, blocks)...)
}

func (m *blockMap) replicas(b int32) []int32 {
	at := int(b) * m.stride
	return m.loc[at : at+int(m.cnt[b])]
}

func (m *blockMap) has(b, i int32) bool { return slices.Contains(m.replicas(b), i) }

func (m *blockMap) counted(b int32) bool { return m.flags[b]&(flagUC|flagGone) == 0 }

// BlockStats is the block layer's accounting, as a NameNode's metrics show
// it (UnderReplicatedBlocks, MissingBlocks, TimeoutReReplications, ...).
type BlockStats struct {
	// Total counts the blocks in the namespace (written ones included).
	Total int
	// UnderReplicated counts blocks with fewer live replicas than wanted,
	// missing ones included; 0 while in startup safe mode.
	UnderReplicated     int
	UnderReplicatedPeak int
	// Missing counts blocks with no replica on a node not dead.
	Missing int
	// ReReplicated counts scheduled transfers confirmed by the target.
	ReReplicated int64
	// Scheduled counts transfers scheduled; Timeouts those re-queued after
	// the pending timeout.
	Scheduled, Timeouts int64
	// Invalidated counts excess replicas ordered deleted.
	Invalidated int64
	// SafeMode is true until enough blocks have been reported.
	SafeMode bool
	// SafeModeLeft is when the NameNode left safe mode.
	SafeModeLeft time.Duration
	// RecoveredAt is when the count of under-replicated blocks last fell
	// to zero; Recovered is false when it never did after rising, or rose
	// again since.
	RecoveredAt time.Duration
	Recovered   bool
	// EverUnder is true once a block was under-replicated after safe mode.
	EverUnder bool
}

// BlockStats returns the block layer's accounting now.
func (n *NameNode) BlockStats() BlockStats {
	st := n.bstats
	st.Total = len(n.bm.cnt)
	st.SafeMode = n.safe
	if !n.safe {
		st.UnderReplicated = n.bm.under
		st.Missing = n.bm.missing
	}
	return st
}

// setCount changes block b's replica count bookkeeping from old to new.
func (n *NameNode) setCount(b int32, old, now int) {
	m := &n.bm
	if old == 0 && now > 0 {
		m.reported++
	} else if old > 0 && now == 0 {
		m.reported--
	}
	if !m.counted(b) {
		return
	}
	m.under += btoi(now < m.rf) - btoi(old < m.rf)
	m.missing += btoi(now == 0) - btoi(old == 0)
	n.noteUnder()
}

// noteUnder tracks the peak and the moment of recovery.
func (n *NameNode) noteUnder() {
	if n.safe {
		return
	}
	u := n.bm.under
	st := &n.bstats
	if u > st.UnderReplicatedPeak {
		st.UnderReplicatedPeak = u
	}
	if u > 0 {
		st.EverUnder = true
		st.Recovered = false
	} else if !st.Recovered && st.EverUnder {
		st.Recovered = true
		st.RecoveredAt = n.now
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// addReplica records that node i holds block b. It reports false when the
// block has no room for another replica (the caller invalidates it).
func (n *NameNode) addReplica(b, i int32) bool {
	m := &n.bm
	c := int(m.cnt[b])
	if c >= m.stride {
		return false
	}
	m.loc[int(b)*m.stride+c] = i
	m.cnt[b]++
	m.byNode[i] = append(m.byNode[i], b)
	n.setCount(b, c, c+1)
	return true
}

// removeReplica forgets that node i holds block b.
func (n *NameNode) removeReplica(b, i int32) bool {
	m := &n.bm
	r := m.replicas(b)
	k := slices.Index(r, i)
	if k < 0 {
		return false
	}
	last := len(r) - 1
	r[k] = r[last]
	r[last] = -1
	m.cnt[b]--
	n.setCount(b, last+1, last)
	n.maybeQueue(b)
	return true
}

// dropNode removes every replica of a node declared dead (HDFS
// removeDeadDatanode): its blocks become under-replicated and its queued
// work is discarded.
func (n *NameNode) dropNode(i int) {
	if !n.cfg.Blocks.Enable {
		return
	}
	for _, b := range n.bm.byNode[i] {
		n.removeReplica(b, int32(i))
	}
	n.bm.byNode[i] = n.bm.byNode[i][:0]
	n.work[i] = nodeWork{}
}

// blockReport processes a full block report: the node's replicas become
// exactly those listed. A report from a node not registered, or dead, is
// rejected ("ProcessReport from dead or unregistered node").
func (n *NameNode) blockReport(now time.Duration, m proto.Message) {
	i, ok := n.lookup(&m)
	if !ok || !n.cfg.Blocks.Enable {
		return
	}
	if s := n.nodes[i].State; s == Dead || s == Unregistered {
		return
	}
	node := int32(i)
	rep := slices.Clone(m.Blocks)
	slices.Sort(rep)
	// Replicas the node no longer reports leave the map.
	old := n.bm.byNode[i]
	kept := old[:0]
	for _, b := range old {
		if !n.bm.has(b, node) || slices.Contains(kept, b) {
			continue
		}
		if _, found := slices.BinarySearch(rep, int64(b)); !found {
			n.removeReplica(b, node)
			continue
		}
		kept = append(kept, b)
	}
	n.bm.byNode[i] = kept
	for _, b64 := range rep {
		n.received(node, b64, false)
	}
	n.checkSafeMode(now)
}

// blockReceived processes an incremental block report.
func (n *NameNode) blockReceived(now time.Duration, m proto.Message) {
	i, ok := n.lookup(&m)
	if !ok || !n.cfg.Blocks.Enable {
		return
	}
	if s := n.nodes[i].State; s == Dead || s == Unregistered {
		return // accepted but ignored, as HDFS does
	}
	n.received(int32(i), m.Block, true)
	n.checkSafeMode(now)
}

// received records one replica reported by node i.
func (n *NameNode) received(i int32, b64 int64, incremental bool) {
	m := &n.bm
	if b64 < 0 || b64 >= int64(len(m.cnt)) || m.flags[b64]&flagGone != 0 {
		n.work[i].inv = append(n.work[i].inv, int32(b64)) // unknown: delete it
		return
	}
	b := int32(b64)
	if incremental {
		if _, ok := n.pending[pendKey(b, i)]; ok {
			delete(n.pending, pendKey(b, i))
			m.pend[b]--
			n.bstats.ReReplicated++
		}
	}
	if m.has(b, i) {
		return
	}
	if !n.addReplica(b, i) {
		n.work[i].inv = append(n.work[i].inv, b)
		n.bstats.Invalidated++
		return
	}
	if m.flags[b]&flagUC != 0 {
		if want, ok := m.ucWant[b]; ok && int(m.cnt[b]) >= want {
			n.complete(b)
		}
		return
	}
	n.checkExcess(b)
	n.maybeQueue(b)
}

// complete ends block b's construction: from now on it is counted.
func (n *NameNode) complete(b int32) {
	m := &n.bm
	m.flags[b] &^= flagUC
	delete(m.ucWant, b)
	c := int(m.cnt[b])
	m.under += btoi(c < m.rf)
	m.missing += btoi(c == 0)
	n.noteUnder()
	n.checkExcess(b)
	n.maybeQueue(b)
}

// checkExcess invalidates replicas beyond the replication, choosing as
// HDFS's chooseReplicaToDelete does: from a rack holding more than one
// replica if there is one, the node with the least space left.
func (n *NameNode) checkExcess(b int32) {
	m := &n.bm
	for int(m.cnt[b]) > m.rf {
		r := m.replicas(b)
		victim := int32(-1)
		var best int64
		for pass := 0; pass < 2 && victim < 0; pass++ {
			for _, x := range r {
				if pass == 0 && !n.sharesRack(x, r) {
					continue
				}
				st := n.nodes[x].Stats
				free := st.Capacity - st.Used
				if victim < 0 || free <= best {
					victim, best = x, free
				}
			}
		}
		n.removeReplica(b, victim)
		n.work[victim].inv = append(n.work[victim].inv, b)
		n.bstats.Invalidated++
	}
}

func (n *NameNode) sharesRack(x int32, r []int32) bool {
	for _, y := range r {
		if y != x && n.topo.rackOf[y] == n.topo.rackOf[x] {
			return true
		}
	}
	return false
}

// checkSafeMode leaves startup safe mode once the share of blocks with a
// reported replica reaches the threshold (HDFS
// dfs.namenode.safemode.threshold-pct, 0.999). The replication queues are
// built then, as HDFS's initializeReplQueues does.
//
// Like HDFS (dfs.namenode.safemode.extension) it then waits
// SafeModeExtension more, so the other nodes' reports arrive before the
// queues are built.
func (n *NameNode) checkSafeMode(now time.Duration) {
	if !n.safe || float64(n.bm.reported) < n.cfg.Blocks.SafeModeThreshold*float64(n.cfg.Blocks.Blocks) {
		return
	}
	if n.safeReached < 0 {
		n.safeReached = now
	}
	if now < n.safeReached+n.cfg.Blocks.SafeModeExtension {
		return
	}
	n.safe = false
	n.bstats.SafeModeLeft = now
	for b := range n.bm.cnt {
		n.maybeQueue(int32(b))
	}
	n.noteUnder()
}

// staleAt evaluates node i's staleness live, as HDFS's isStale does.
func (n *NameNode) staleAt(i int, now time.Duration) bool {
	nd := &n.nodes[i]
	return nd.State == Stale || now-nd.LastHeard >= n.cfg.staleInterval()
}

// Locations lists the nodes holding block b for a reader, in the order a
// client tries them (HDFS sortLocatedBlocks): nodes not stale in a seeded
// random order (an off-cluster client has no network distance), then, with
// AvoidReadStale, the stale ones. Dead nodes hold no replicas in the map.
// The ids are appended to dst.
func (n *NameNode) Locations(b int64, now time.Duration, dst []string) []string {
	n.now = now
	if !n.cfg.Blocks.Enable || b < 0 || b >= int64(len(n.bm.cnt)) {
		return dst
	}
	r := n.bm.replicas(int32(b))
	start := len(dst)
	var stale []string
	for _, i := range r {
		if n.cfg.AvoidReadStale && n.staleAt(int(i), now) {
			stale = append(stale, n.nodes[i].ID)
			continue
		}
		dst = append(dst, n.nodes[i].ID)
	}
	fresh := dst[start:]
	d := n.draws(rng.ReadOrder, uint64(b), now)
	for k := len(fresh) - 1; k > 0; k-- {
		j := d.intN(k + 1)
		fresh[k], fresh[j] = fresh[j], fresh[k]
	}
	return append(dst, stale...)
}

// Replicas lists the nodes holding block b in the map, for tests and tools.
func (n *NameNode) Replicas(b int64) []string {
	if !n.cfg.Blocks.Enable || b < 0 || b >= int64(len(n.bm.cnt)) {
		return nil
	}
	var out []string
	for _, i := range n.bm.replicas(int32(b)) {
		out = append(out, n.nodes[i].ID)
	}
	return out
}

// Pending reports how many transfers of block b are scheduled and not yet
// confirmed.
func (n *NameNode) Pending(b int64) int {
	if !n.cfg.Blocks.Enable || b < 0 || b >= int64(len(n.bm.cnt)) {
		return 0
	}
	return int(n.bm.pend[b])
}

// WriteAvoidsStale reports whether write placement skips stale nodes now:
// AvoidWriteStale is set and no more than WriteStaleRatio of the nodes not
// dead are stale (HDFS-3912; the stale count is the last scan's).
func (n *NameNode) WriteAvoidsStale() bool {
	if !n.cfg.AvoidWriteStale {
		return false
	}
	stale := n.count[Stale]
	live := n.count[Live] + stale
	return float64(stale) <= float64(live)*n.cfg.WriteStaleRatio
}

// AddBlock starts a new block written by a client outside the cluster: it
// chooses a pipeline of Replication targets and returns the block and
// their ids. The block is not counted until CompleteBlock.
func (n *NameNode) AddBlock(now time.Duration) (int64, []string) {
	n.now = now
	if !n.cfg.Blocks.Enable {
		return -1, nil
	}
	b := int32(len(n.bm.cnt))
	n.bm.grow(1)
	n.bm.flags[b] |= flagUC
	n.bstats.Total++
	ts := n.chooseTargets(now, b, n.bm.rf, nil, -1, n.WriteAvoidsStale(), true)
	return int64(b), n.ids(ts)
}

// AddTarget chooses one more node for block b's pipeline, which holds the
// nodes in pipeline (a replacement after a pipeline failure); ok is false
// when none is left.
func (n *NameNode) AddTarget(b int64, now time.Duration, pipeline []string) (string, bool) {
	n.now = now
	var existing []int32
	for _, id := range pipeline {
		if i, ok := n.index[id]; ok {
			existing = append(existing, int32(i))
		}
	}
	writer := int32(-1)
	if len(existing) > 0 {
		writer = existing[0]
	}
	ts := n.chooseTargets(now, int32(b), 1, existing, writer, n.WriteAvoidsStale(), true)
	if len(ts) == 0 {
		return "", false
	}
	return n.nodes[ts[0]].ID, true
}

// CompleteBlock says the writer finished block b with a pipeline of want
// nodes: the block is counted once that many replicas are reported (at
// once if they already are).
func (n *NameNode) CompleteBlock(b int64, want int, now time.Duration) {
	n.now = now
	if b < 0 || b >= int64(len(n.bm.cnt)) || n.bm.flags[b]&flagUC == 0 {
		return
	}
	if int(n.bm.cnt[b]) >= want {
		n.complete(int32(b))
		return
	}
	if n.bm.ucWant == nil {
		n.bm.ucWant = map[int32]int{}
	}
	n.bm.ucWant[int32(b)] = want
}

// AbandonBlock drops a block whose write failed.
func (n *NameNode) AbandonBlock(b int64) {
	if b < 0 || b >= int64(len(n.bm.cnt)) {
		return
	}
	n.bm.flags[b] |= flagGone
	delete(n.bm.ucWant, int32(b))
}

func (n *NameNode) ids(ts []int32) []string {
	out := make([]string, len(ts))
	for k, t := range ts {
		out[k] = n.nodes[t].ID
	}
	return out
}

// Counted reports whether block b exists and is complete: not being
// written, not abandoned. Only such blocks can be under-replicated or lost.
func (n *NameNode) Counted(b int64) bool {
	return n.cfg.Blocks.Enable && b >= 0 && b < int64(len(n.bm.cnt)) && n.bm.counted(int32(b))
}
