package namenode

import (
	"slices"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/rng"
)

// Block flags.
const (
	flagLevel   = 0x7  // queued at priority level−1 (1..5); 0: not queued
	flagUC      = 0x8  // under construction: being written, not yet counted
	flagGone    = 0x10 // abandoned by its writer
	flagUnder   = 0x20 // counted in blockMap.under
	flagMissing = 0x40 // counted in blockMap.missing
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
	flags  []uint8
	byNode [][]int32 // per node, the blocks it was given (lazily pruned)
	ucWant map[int32]int

	under    int // counted blocks with fewer live replicas than required
	missing  int // counted blocks with no replica to read or copy
	reported int // blocks with at least MinReplication replicas (safe mode)
}

func (m *blockMap) grow(blocks int) {
	m.loc = slices.Grow(m.loc, blocks*m.stride)[:len(m.loc)+blocks*m.stride]
	for k := len(m.loc) - blocks*m.stride; k < len(m.loc); k++ {
		m.loc[k] = -1
	}
	m.cnt = append(m.cnt, make([]uint8, blocks)...)
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
	// UnderReplicated counts blocks with fewer live replicas than they
	// need, missing ones included; 0 while in startup safe mode.
	UnderReplicated     int
	UnderReplicatedPeak int
	// Missing counts blocks with no replica to read or copy.
	Missing int
	// ReReplicated counts scheduled replicas confirmed by their target.
	ReReplicated int64
	// Scheduled counts replicas scheduled (a task to two targets counts
	// two); Timeouts counts blocks whose pending work timed out (HDFS's
	// TimeoutReReplications).
	Scheduled, Timeouts int64
	// Invalidated counts replicas ordered deleted.
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

// replicaCounts is HDFS's NumberReplicas: a block's replicas by the state
// of the node holding them (BlockManager.checkReplicaOnStorage).
type replicaCounts struct {
	live            int // in service
	decommissioning int
	decommissioned  int
	maintForRead    int // entering maintenance, node alive
	maintNotForRead int // in maintenance, or entering it and dead
}

func (c replicaCounts) maintenance() int { return c.maintForRead + c.maintNotForRead }

func (c replicaCounts) outOfService() int {
	return c.decommissioning + c.decommissioned + c.maintenance()
}

// replicaState classifies the replica node x holds.
func (n *NameNode) replicaState(x int32) AdminState {
	nd := &n.nodes[x]
	if nd.admin == EnteringMaintenance && nd.state == Dead {
		return InMaintenance // MAINTENANCE_NOT_FOR_READ
	}
	return nd.admin
}

func (n *NameNode) countReplicas(b int32) replicaCounts {
	var c replicaCounts
	for _, x := range n.bm.replicas(b) {
		switch n.replicaState(x) {
		case InService:
			c.live++
		case Decommissioning:
			c.decommissioning++
		case Decommissioned:
			c.decommissioned++
		case EnteringMaintenance:
			c.maintForRead++
		case InMaintenance:
			c.maintNotForRead++
		}
	}
	return c
}

// required is HDFS's getExpectedLiveRedundancyNum: the replication, less
// the replicas in maintenance, but never below the maintenance minimum.
func (n *NameNode) required(c replicaCounts) int {
	rf := n.bm.rf
	return max(rf-c.maintenance(), min(n.cfg.Admin.MaintenanceMinReplication, rf))
}

// recount brings block b's under-replicated and missing accounting up to
// date after its replicas or their nodes changed.
func (n *NameNode) recount(b int32) {
	m := &n.bm
	var under, missing bool
	if m.counted(b) {
		c := n.countReplicas(b)
		under = c.live < n.required(c)
		missing = c.live == 0 && c.outOfService() == 0
	}
	f := m.flags[b]
	m.under += btoi(under) - btoi(f&flagUnder != 0)
	m.missing += btoi(missing) - btoi(f&flagMissing != 0)
	f &^= flagUnder | flagMissing
	if under {
		f |= flagUnder
	}
	if missing {
		f |= flagMissing
	}
	m.flags[b] = f
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
	if c+1 == n.cfg.Blocks.MinReplication {
		m.reported++
	}
	n.recount(b)
	return true
}

// removeReplica forgets that node i holds block b and, unless hold is
// set, queues the block if it now needs re-replication (HDFS's
// removeStoredBlock and updateNeededReconstructions).
func (n *NameNode) removeReplica(b, i int32, hold bool) bool {
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
	if last+1 == n.cfg.Blocks.MinReplication {
		m.reported--
	}
	n.recount(b)
	if !hold {
		n.maybeQueue(b)
	}
	return true
}

// dropNode is removeDeadDatanode's effect on blocks: the replicas of a
// dead node leave the map (unless it is in or entering maintenance, whose
// replicas stay so that no re-replication storm follows), its blocks are
// queued, and its queued work is discarded. Work already scheduled to or
// from it stays pending until the pending timeout, as in HDFS.
func (n *NameNode) dropNode(i int) {
	if !n.cfg.Blocks.Enable {
		return
	}
	n.removeInvalidationNode(int32(i))
	n.work[i] = nodeWork{}
	if a := n.nodes[i].admin; a == EnteringMaintenance || a == InMaintenance {
		for _, b := range n.liveBlocks(i) {
			n.recount(b) // no longer readable: MAINTENANCE_NOT_FOR_READ
			n.maybeQueue(b)
		}
		return
	}
	n.dropReplicas(i, false)
}

// dropReplicas removes every replica of node i from the map; with hold,
// the blocks are queued only later (failed storages wait for the next
// heartbeat check).
func (n *NameNode) dropReplicas(i int, hold bool) []int32 {
	var dropped []int32
	for _, b := range n.bm.byNode[i] {
		if n.removeReplica(b, int32(i), hold) {
			dropped = append(dropped, b)
		}
	}
	n.bm.byNode[i] = n.bm.byNode[i][:0]
	return dropped
}

// liveBlocks prunes node i's block list to the blocks the map still says
// it holds, and returns it.
func (n *NameNode) liveBlocks(i int) []int32 {
	node := int32(i)
	kept := n.bm.byNode[i][:0]
	for _, b := range n.bm.byNode[i] {
		if n.bm.has(b, node) && !slices.Contains(kept, b) {
			kept = append(kept, b)
		}
	}
	n.bm.byNode[i] = kept
	return kept
}

// blockReport processes a full block report: the node's replicas become
// exactly those listed. A report from a node not registered, or dead, is
// rejected ("ProcessReport from dead or unregistered node").
func (n *NameNode) blockReport(now time.Duration, m proto.Message) {
	i, ok := n.lookup(&m)
	if !ok || !n.cfg.Blocks.Enable {
		return
	}
	if s := n.nodes[i].state; s == Dead || s == Unregistered {
		return
	}
	n.nodes[i].reported = true
	node := int32(i)
	rep := slices.Clone(m.Blocks)
	slices.Sort(rep)
	// Replicas the node no longer reports leave the map.
	kept := n.liveBlocks(i)
	n.bm.byNode[i] = nil
	for _, b := range kept {
		if _, found := slices.BinarySearch(rep, int64(b)); !found {
			n.removeReplica(b, node, false)
			continue
		}
		n.bm.byNode[i] = append(n.bm.byNode[i], b)
	}
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
	if s := n.nodes[i].state; s == Dead || s == Unregistered {
		return // accepted but ignored, as HDFS does
	}
	n.received(int32(i), m.Block, true)
	n.checkSafeMode(now)
}

// received records one replica reported by node i (HDFS's addBlock and
// addStoredBlock).
func (n *NameNode) received(i int32, b64 int64, incremental bool) {
	m := &n.bm
	if b64 < 0 || b64 >= int64(len(m.cnt)) || m.flags[b64]&flagGone != 0 {
		n.invalidate(i, int32(b64)) // unknown: delete it
		return
	}
	b := int32(b64)
	if incremental && n.pendingDone(b, i) {
		n.bstats.ReReplicated++
	}
	if m.has(b, i) {
		return
	}
	if !n.addReplica(b, i) {
		n.invalidate(i, b)
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
	n.recount(b)
	n.checkExcess(b)
	n.maybeQueue(b)
}

// checkExcess deletes replicas beyond the replication, as HDFS's
// chooseExcessRedundancies does: among the replicas on in-service nodes,
// chooseReplicaToDelete picks each one to delete.
func (n *NameNode) checkExcess(b int32) {
	if n.safe || !n.bm.counted(b) {
		return
	}
	var cands [16]int32
	c := cands[:0]
	for _, x := range n.bm.replicas(b) {
		if n.nodes[x].admin == InService {
			c = append(c, x)
		}
	}
	for len(c) > n.bm.rf {
		victim := n.chooseReplicaToDelete(c)
		c = slices.DeleteFunc(c, func(x int32) bool { return x == victim })
		n.removeReplica(b, victim, true)
		n.invalidate(victim, b)
	}
}

// chooseReplicaToDelete is BlockPlacementPolicyDefault's: the candidates
// are every replica, except that with replicas on exactly two racks only
// those on a rack holding more than one (pickupReplicaSet); among them the
// one on the node heard from longest ago, if that is more than
// TolerateHeartbeatMultiplier heartbeats ago, else the one with the least
// free space.
func (n *NameNode) chooseReplicaToDelete(r []int32) int32 {
	racks := 0
	var seen [16]int32
	sr := seen[:0]
	for _, x := range r {
		if k := n.topo.rackOf[x]; !slices.Contains(sr, k) {
			sr = append(sr, k)
			racks++
		}
	}
	shared := func(x int32) bool { return n.sharesRack(x, r) }
	pick := func(x int32) bool { return racks != 2 || shared(x) }
	oldest := n.now - time.Duration(n.cfg.Blocks.TolerateHeartbeatMultiplier)*n.cfg.HeartbeatInterval
	byAge, bySpace := int32(-1), int32(-1)
	var minFree int64
	// HDFS lists the replicas on shared racks first, then the others.
	for pass := 0; pass < 2; pass++ {
		for _, x := range r {
			if shared(x) != (pass == 0) || !pick(x) {
				continue
			}
			if last := n.last[x]; last < oldest {
				oldest, byAge = last, x
			}
			st := n.statsOf(int(x))
			if free := st.Capacity - st.Used; bySpace < 0 || free < minFree {
				minFree, bySpace = free, x
			}
		}
	}
	if byAge >= 0 {
		return byAge
	}
	return bySpace
}

func (n *NameNode) sharesRack(x int32, r []int32) bool {
	for _, y := range r {
		if y != x && n.topo.rackOf[y] == n.topo.rackOf[x] {
			return true
		}
	}
	return false
}

// checkSafeMode leaves startup safe mode once the share of blocks with
// MinReplication reported replicas reaches the threshold (HDFS
// dfs.namenode.safemode.threshold-pct, 0.999), and SafeModeExtension more
// has passed (dfs.namenode.safemode.extension, 30s), so the other nodes'
// reports arrive first. The replication queues are built then, as HDFS's
// initializeReplQueues does.
func (n *NameNode) checkSafeMode(now time.Duration) {
	b := &n.cfg.Blocks
	if !n.safe || float64(n.bm.reported) < b.SafeModeThreshold*float64(b.Blocks) {
		return
	}
	if n.safeReached < 0 {
		n.safeReached = now
	}
	if now < n.safeReached+b.SafeModeExtension {
		return
	}
	n.safe = false
	n.bstats.SafeModeLeft = now
	for blk := range n.bm.cnt {
		n.checkExcess(int32(blk))
		n.maybeQueue(int32(blk))
	}
	n.noteUnder()
}

// staleAt evaluates node i's staleness live, as HDFS's isStale does, with
// HDFS's stale interval.
func (n *NameNode) staleAt(i int, now time.Duration) bool {
	return n.nodes[i].state == Stale || now-n.last[i] >= n.cfg.staleInterval()
}

// readOrder is the group a replica's node sorts into for readers
// (DatanodeManager.sortLocatedBlock's comparator): in service, stale (when
// avoiding stale reads), entering maintenance, decommissioning,
// decommissioned; −1 for a replica not to be read (in maintenance).
func (n *NameNode) readOrder(x int32, now time.Duration) int {
	switch n.replicaState(x) {
	case InService:
		if n.cfg.AvoidReadStale && n.staleAt(int(x), now) {
			return 1
		}
		return 0
	case EnteringMaintenance:
		return 2
	case Decommissioning:
		return 3
	case Decommissioned:
		return 4
	}
	return -1
}

// Locations lists the nodes holding block b for a reader, in the order a
// client tries them (HDFS sortLocatedBlocks): nodes in service and not
// stale in a seeded random order (an off-cluster client is equally far
// from every node, and HDFS shuffles ties), then stale ones when
// AvoidReadStale is set, then nodes entering maintenance, decommissioning,
// decommissioned. Replicas in maintenance are not listed. The ids are
// appended to dst.
func (n *NameNode) Locations(b int64, now time.Duration, dst []string) []string {
	n.now = now
	if !n.cfg.Blocks.Enable || b < 0 || b >= int64(len(n.bm.cnt)) {
		return dst
	}
	r := n.bm.replicas(int32(b))
	start := len(dst)
	for group := 0; group <= 4; group++ {
		for _, x := range r {
			if n.readOrder(x, now) == group {
				dst = append(dst, n.nodes[x].id)
			}
		}
		if group == 0 {
			fresh := dst[start:]
			d := n.draws(rng.ReadOrder, uint64(b), now)
			for k := len(fresh) - 1; k > 0; k-- {
				j := d.intN(k + 1)
				fresh[k], fresh[j] = fresh[j], fresh[k]
			}
		}
	}
	return dst
}

// Replicas lists the nodes holding block b in the map, for tests and tools.
func (n *NameNode) Replicas(b int64) []string {
	if !n.cfg.Blocks.Enable || b < 0 || b >= int64(len(n.bm.cnt)) {
		return nil
	}
	var out []string
	for _, i := range n.bm.replicas(int32(b)) {
		out = append(out, n.nodes[i].id)
	}
	return out
}

// Pending reports how many replicas of block b are scheduled and not yet
// confirmed.
func (n *NameNode) Pending(b int64) int {
	if !n.cfg.Blocks.Enable || b < 0 || b >= int64(len(n.bm.cnt)) {
		return 0
	}
	return n.pendingCount(int32(b))
}

// WriteAvoidsStale reports whether placement skips stale nodes now, as
// DatanodeManager.shouldAvoidStaleDataNodesForWrite: AvoidWriteStale is
// set and the last heartbeat check counted some stale nodes, but no more
// than WriteStaleRatio of the live ones (HDFS-3912).
func (n *NameNode) WriteAvoidsStale() bool {
	live := n.count[Live] + n.count[Stale]
	return n.cfg.AvoidWriteStale && n.numStale > 0 && float64(n.numStale) <= float64(live)*n.cfg.WriteStaleRatio
}

func (n *NameNode) ids(ts []int32) []string {
	out := make([]string, len(ts))
	for k, t := range ts {
		out[k] = n.nodes[t].id
	}
	return out
}

// Counted reports whether block b exists and is complete: not being
// written, not abandoned. Only such blocks can be under-replicated or lost.
func (n *NameNode) Counted(b int64) bool {
	return n.cfg.Blocks.Enable && b >= 0 && b < int64(len(n.bm.cnt)) && n.bm.counted(int32(b))
}

// errorReport is NameNodeRpcServer.errorReport. A FATAL_DISK_ERROR
// removes the node at once (DatanodeManager.removeDatanode): its replicas
// leave the map and are re-replicated, though reports read it DEAD only at
// its expiry. A DISK_ERROR names the replicas on the failed volumes: they
// stop counting at once, as HDFS's FAILED storage does, and their blocks
// are queued at the next heartbeat check, which removes the blocks of
// failed storages.
func (n *NameNode) errorReport(now time.Duration, m proto.Message) {
	i, ok := n.lookup(&m)
	if !ok || !n.alive(i) {
		return
	}
	switch m.Code {
	case proto.ErrorFatalDisk:
		n.change(now, i, Dead, "removed at once: FATAL_DISK_ERROR, more failed volumes than dfs.datanode.failed.volumes.tolerated")
	case proto.ErrorDisk:
		if !n.cfg.Blocks.Enable {
			return
		}
		for _, b := range m.Blocks {
			if b >= 0 && b < int64(len(n.bm.cnt)) && n.removeReplica(int32(b), int32(i), true) {
				n.failedStorage = append(n.failedStorage, int32(b))
			}
		}
	}
}
