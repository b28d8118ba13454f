package namenode

// Tests of re-replication as HDFS's BlockManager, RedundancyMonitor,
// PendingReconstructionBlocks, LowRedundancyBlocks and
// BlockPlacementPolicyDefault do it. Each is named after the Hadoop test or
// method it follows and says the figure it reproduces.

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// rig is a NameNode with the block layer on, its nodes registered at 0,
// the given blocks reported where layout says, and safe mode left.
type rig struct {
	t *testing.T
	n *NameNode
}

func newRig(t *testing.T, cfg Config, nodes []string, layout map[string][]int64) *rig {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range nodes {
		n.Step(0, proto.Message{Type: proto.TypeRegister, Node: id})
	}
	for _, id := range nodes {
		n.Step(0, proto.Message{Type: proto.TypeBlockReport, Node: id, Blocks: layout[id]})
	}
	n.Tick(time.Nanosecond)
	if n.safe {
		t.Fatal("still in safe mode after every report")
	}
	n.Advance()
	return &rig{t: t, n: n}
}

// beat delivers a heartbeat from id at now and returns its reply's
// commands.
func (r *rig) beat(now time.Duration, id string, xmits int32) []proto.Command {
	return heartbeat(r.n, now, id, xmits)
}

// transfers lists a reply's TRANSFER commands as "blk→t1,t2".
func transfers(cmds []proto.Command) []string {
	var out []string
	for _, c := range cmds {
		if c.Action == proto.ActionTransfer {
			out = append(out, fmt.Sprintf("%d→%v", c.Block, c.Targets))
		}
	}
	return out
}

func (r *rig) kill(now time.Duration, id string) {
	r.n.change(now, int(idx(r.t, r.n, id)), Dead, "test")
}

// TestComputeReconstructionWorkForBlocks: a block that lost two of three
// replicas gets ONE task on its one source, with both new targets
// pipelined in one DNA_TRANSFER (BlockManager.computeReconstructionWorkForBlocks,
// ReplicationWork: one BlockTargetPair per block); HDFS counts it one xmit.
func TestComputeReconstructionWorkForBlocks(t *testing.T) {
	racks := map[string]string{"a1": "A", "a2": "A", "b1": "B", "b2": "B", "c1": "C", "c2": "C"}
	r := newRig(t, blockConfig(1, 1, 3, racks), []string{"a1", "a2", "b1", "b2", "c1", "c2"},
		map[string][]int64{"a1": {0}, "b1": {0}, "b2": {0}})
	r.kill(time.Second, "b1")
	r.kill(time.Second, "b2")
	if got := r.n.queues[queueHighest].len(); got != 1 {
		t.Fatalf("highest priority queue holds %d, want the block with one replica left", got)
	}
	r.n.Tick(r.n.nextRepl)
	cmds := r.beat(r.n.now, "a1", 0)
	got := transfers(cmds)
	if len(got) != 1 || len(cmds[0].Targets) != 2 || cmds[0].Target != cmds[0].Targets[0] {
		t.Fatalf("a1 got %v, want one TRANSFER to two targets", got)
	}
	if r.n.Pending(0) != 2 || r.n.BlockStats().Scheduled != 2 {
		t.Errorf("pending %d, scheduled %d; want 2 and 2", r.n.Pending(0), r.n.BlockStats().Scheduled)
	}
	// chooseTargetInOrder with a1 chosen and a1 the writer: the first new
	// replica off a1's rack, the second on the writer's rack
	// (chooseLocalRack(writer) for re-replication).
	if ts := cmds[0].Targets; racks[ts[0]] == "A" || racks[ts[1]] != "A" {
		t.Errorf("targets %v, want the first off rack A and the second on it", ts)
	}
}

// TestPendingTargetsExcluded: when a block is scheduled again while work
// for it is pending, the pending targets are excluded with the holders
// (computeReconstructionWorkForBlocks: excludedNodes gets
// pendingReconstruction.getTargets), so no node is sent one block twice.
func TestPendingTargetsExcluded(t *testing.T) {
	nodes := []string{"d1", "d2", "d3", "d4", "d5"}
	r := newRig(t, blockConfig(1, 1, 4, nil), nodes, map[string][]int64{"d1": {0}, "d2": {0}})
	r.n.Tick(r.n.nextRepl)
	first := r.n.pending[0]
	if first == nil || len(first.targets) != 2 {
		t.Fatalf("pending %v, want two targets", first)
	}
	taken := slices.Clone(first.targets)
	// d2 dies: the block needs one more, and the pending targets must
	// not be chosen again.
	r.kill(4*time.Second, "d2")
	r.n.Tick(r.n.nextRepl)
	p := r.n.pending[0]
	if p == nil || len(p.targets) != 3 {
		t.Fatalf("pending %v, want three distinct targets", p)
	}
	for k, x := range p.targets {
		if slices.Contains(p.targets[k+1:], x) || x == idx(t, r.n, "d1") {
			t.Fatalf("pending targets %v repeat a node or a holder (first %v)", r.n.ids(p.targets), r.n.ids(taken))
		}
	}
}

// TestPendingReconstruction reproduces PendingReconstructionBlocks'
// timing: the monitor checks at start and every min(5m, timeout); a block
// whose work is older than the timeout loses it all at once (one
// TimeoutReReplications for the block, whatever its targets) and the next
// redundancy round schedules it again. At HDFS's defaults a lost transfer
// is retried 300s to 600s after it was scheduled.
func TestPendingReconstruction(t *testing.T) {
	for _, tc := range []struct {
		schedule, want time.Duration
	}{
		{9 * time.Second, 600 * time.Second},   // check at 300s: 291s old, not yet
		{290 * time.Second, 600 * time.Second}, // 310s old at 600s
		{301 * time.Second, 900 * time.Second}, // 299s old at 600s
	} {
		nodes := []string{"d1", "d2", "d3", "d4"}
		cfg := blockConfig(1, 1, 3, nil)
		cfg.Detectors[0].MissedCount.Threshold = 1 << 20 // nobody heartbeats here
		r := newRig(t, cfg, nodes, map[string][]int64{"d1": {0}})
		n := r.n
		n.queues = [queueLevels]fifo{}
		n.bm.flags[0] &^= flagLevel
		n.addPending(0, []int32{1, 2}, tc.schedule)
		var timedOut time.Duration
		for now := n.Ready().Wake; now <= 1000*time.Second; now = n.Ready().Wake {
			n.Tick(now)
			if n.BlockStats().Timeouts > 0 && timedOut == 0 {
				timedOut = now
			}
		}
		if timedOut != tc.want || n.BlockStats().Timeouts != 1 {
			t.Errorf("scheduled at %v: timed out at %v (%d timeouts), want %v and one for the block",
				tc.schedule, timedOut, n.BlockStats().Timeouts, tc.want)
		}
		if n.pending[0] == nil || n.pending[0].at <= tc.want {
			t.Errorf("scheduled at %v: after the timeout the block was not scheduled again: %+v", tc.schedule, n.pending[0])
		}
	}
}

// TestChooseSourceDatanodes reproduces TestBlockManager
// #testHighestPriReplSrcChosenDespiteMaxReplLimit: with max-streams 0 and
// a hard limit of 1, a node is a source only for a block in the highest
// priority queue, and for none once its queue reaches the hard limit; a
// decommissioning node is exempt from the soft limit but not the hard one.
func TestChooseSourceDatanodes(t *testing.T) {
	cfg := blockConfig(1, 2, 3, nil)
	cfg.Blocks.MaxStreams, cfg.Blocks.MaxStreamsHardLimit = 0, 1
	r := newRig(t, cfg, []string{"d1", "d2", "d3", "d4"}, map[string][]int64{"d1": {0, 1}, "d2": {1}})
	n, d1 := r.n, idx(t, r.n, "d1")
	if src := n.chooseSource(0, queueHighest, 0); src != d1 {
		t.Errorf("highest priority: source %d, want d1 despite max-streams 0", src)
	}
	if src := n.chooseSource(1, queueLow, 0); src != -1 {
		t.Errorf("low priority with max-streams 0: source %d, want none", src)
	}
	n.work[d1].xfer = append(n.work[d1].xfer, task{block: 1, targets: []int32{2}})
	if src := n.chooseSource(0, queueHighest, 0); src != -1 {
		t.Errorf("at the hard limit: source %d, want none", src)
	}
	n.work[d1].xfer = nil
	n.nodes[d1].admin = Decommissioning
	if src := n.chooseSource(1, queueLow, 0); src != d1 {
		t.Errorf("decommissioning d1: source %d, want d1 despite the soft limit", src)
	}
}

// Sources are chosen without looking at staleness: a node silent for
// longer than the stale interval but not yet dead gets the task, which
// then waits for the pending timeout (BlockManager.chooseSourceDatanodes).
func TestStaleSourceStillChosen(t *testing.T) {
	cfg := blockConfig(1, 1, 3, nil)
	cfg.Detectors[0].MissedCount.Threshold = 1000
	r := newRig(t, cfg, []string{"d1", "d2", "d3", "d4"}, map[string][]int64{"d1": {0}})
	n := r.n
	for now := 3 * time.Second; now <= 60*time.Second; now += 3 * time.Second {
		for _, id := range []string{"d2", "d3", "d4"} {
			r.beat(now, id, 0)
		}
		n.Tick(now)
	}
	if info, _ := n.Node("d1"); info.State != Stale {
		t.Fatalf("d1 is %v, want stale", info.State)
	}
	if w := n.work[idx(t, n, "d1")].xfer; len(w) != 1 || n.Pending(0) != 2 {
		t.Fatalf("stale d1's tasks %v, pending %d: want the block's one task on d1", w, n.Pending(0))
	}
}

// TestInvalidateWorkPerRound: a round hands deletion work to
// ceil(live × dfs.namenode.invalidate.work.pct.per.iteration) nodes (0.32
// of 9 live: 3), each up to the invalidate limit
// (BlockManager.computeInvalidateWork); a heartbeat reply carries only
// what was handed out.
func TestInvalidateWorkPerRound(t *testing.T) {
	var nodes []string
	for k := 1; k <= 9; k++ {
		nodes = append(nodes, fmt.Sprintf("d%d", k))
	}
	r := newRig(t, blockConfig(1, 0, 3, nil), nodes, nil)
	n := r.n
	n.bm.grow(2000)
	for k := range nodes {
		for b := int32(0); b < 1500; b++ {
			n.invalidate(int32(k), b)
		}
	}
	if got := r.beat(time.Second, "d1", 0); len(got) != 0 {
		t.Fatalf("before a round: %v, want nothing handed out", summary(got))
	}
	n.Tick(n.nextRepl)
	var handed []int
	for k := range nodes {
		if q := len(n.work[k].invQ); q > 0 {
			handed = append(handed, q)
		}
	}
	if len(handed) != 3 || handed[0] != 1000 {
		t.Fatalf("after one round, nodes handed deletions: %v; want 3 nodes of 1000", handed)
	}
}

// DatanodeManager.setBlockInvalidateLimit: the limit is
// max(dfs.block.invalidate.limit, 20 × heartbeat seconds): 1200 with a 60s
// heartbeat, and a configured 5000 stays 5000.
func TestBlockInvalidateLimitFloor(t *testing.T) {
	cfg := DefaultConfig()
	if got := cfg.invalidateLimit(); got != 1000 {
		t.Errorf("defaults: %d, want 1000", got)
	}
	cfg.HeartbeatInterval = time.Minute
	if got := cfg.invalidateLimit(); got != 1200 {
		t.Errorf("60s heartbeat: %d, want 20 × 60 = 1200", got)
	}
	cfg.Blocks.InvalidateLimit = 5000
	if got := cfg.invalidateLimit(); got != 5000 {
		t.Errorf("configured 5000: %d", got)
	}
}

// TestChooseReplicaToDelete reproduces TestReplicationPolicy
// #testChooseReplicaToDelete: a replica on a node not heard from for more
// than 4 heartbeats (dfs.namenode.tolerate.heartbeat.multiplier) goes
// first; otherwise the one with the least free space; with replicas on
// exactly two racks, only those on the rack holding two or more are
// candidates (pickupReplicaSet), with three or more racks every replica.
func TestChooseReplicaToDelete(t *testing.T) {
	racks := map[string]string{"a1": "A", "a2": "A", "b1": "B", "c1": "C"}
	r := newRig(t, blockConfig(1, 0, 3, racks), []string{"a1", "a2", "b1", "c1"}, nil)
	n := r.n
	now := 100 * time.Second
	n.now = now
	set := func(id string, last time.Duration, free int64) int32 {
		i := idx(t, n, id)
		n.last[i] = now - last
		n.setStats(int(i), proto.Stats{Capacity: 1 << 40, Used: 1<<40 - free})
		return i
	}
	a1, a2 := set("a1", time.Second, 500), set("a2", time.Second, 400)
	b1, c1 := set("b1", time.Second, 100), set("c1", time.Second, 300)
	// Three racks: every replica is a candidate; b1 has the least space.
	if got := n.chooseReplicaToDelete([]int32{a1, a2, b1, c1}); got != b1 {
		t.Errorf("three racks: deleted %s, want b1 (least free space)", n.nodes[got].id)
	}
	// Two racks: only A's replicas; a2 has less space than a1.
	if got := n.chooseReplicaToDelete([]int32{a1, a2, b1}); got != a2 {
		t.Errorf("two racks: deleted %s, want a2 (least space on the shared rack)", n.nodes[got].id)
	}
	// c1 silent for 13s > 4 × 3s: it goes first, whatever its space.
	set("c1", 13*time.Second, 900)
	if got := n.chooseReplicaToDelete([]int32{a1, a2, b1, c1}); got != c1 {
		t.Errorf("stale heartbeat: deleted %s, want c1", n.nodes[got].id)
	}
	set("c1", 12*time.Second, 900) // exactly 4 heartbeats: not yet
	if got := n.chooseReplicaToDelete([]int32{a1, a2, b1, c1}); got != b1 {
		t.Errorf("4 heartbeats old: deleted %s, want b1", n.nodes[got].id)
	}
}

// TestReplicationPolicyConsiderLoad reproduces TestReplicationPolicyConsiderLoad:
// a node whose xceivers exceed dfs.namenode.redundancy.considerLoad.factor
// (2) × the in-service average is not a target; with considerLoad off it is.
func TestReplicationPolicyConsiderLoad(t *testing.T) {
	var nodes []string
	for k := 0; k < 6; k++ {
		nodes = append(nodes, fmt.Sprintf("d%d", k))
	}
	for _, on := range []bool{true, false} {
		cfg := blockConfig(1, 0, 3, nil)
		cfg.Blocks.ConsiderLoad = on
		r := newRig(t, cfg, nodes, nil)
		n := r.n
		for k, id := range nodes {
			xc := int32(2)
			if k == 0 {
				xc = 10 // average (10 + 5 × 2) / 6 = 3.33; limit 6.67
			}
			n.Step(time.Second, proto.Message{Type: proto.TypeHeartbeat, Node: id, Stats: proto.Stats{Xceivers: xc}})
		}
		n.Advance()
		busy := false
		for b := int32(0); b < 300; b++ {
			if slices.Contains(n.chooseTargets(time.Second, b, 3, nil, nil, -1, true), 0) {
				busy = true
			}
		}
		if busy == on {
			t.Errorf("considerLoad %v: busy d0 chosen %v", on, busy)
		}
	}
}

// Rack repair, LowRedundancyBlocks' QUEUE_REPLICAS_BADLY_DISTRIBUTED (3):
// three replicas all on rack A of a two-rack cluster have their count but
// not their spread; the block is queued at level 3 and gets one new
// replica on B, and once it lands the excess deletion takes one off A.
func TestRackRepairQueue(t *testing.T) {
	racks := map[string]string{"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B"}
	r := newRig(t, blockConfig(1, 1, 3, racks), []string{"a1", "a2", "a3", "b1", "b2"},
		map[string][]int64{"a1": {0}, "a2": {0}, "a3": {0}})
	n := r.n
	if lvl := int(n.bm.flags[0] & flagLevel); lvl != queueBadlySpread+1 {
		t.Fatalf("block queued at level %d, want %d (badly distributed)", lvl-1, queueBadlySpread)
	}
	if n.BlockStats().UnderReplicated != 0 {
		t.Errorf("a misplaced block with all its replicas counts as under-replicated")
	}
	n.Tick(n.nextRepl)
	p := n.pending[0]
	if p == nil || len(p.targets) != 1 || racks[n.nodes[p.targets[0]].id] != "B" {
		t.Fatalf("pending %+v, want one target on B", p)
	}
	n.Step(n.now, proto.Message{Type: proto.TypeBlockReceived, Node: n.nodes[p.targets[0]].id, Block: 0})
	reps := n.Replicas(0)
	onA := 0
	for _, id := range reps {
		if racks[id] == "A" {
			onA++
		}
	}
	if len(reps) != 3 || onA != 2 || n.BlockStats().Invalidated != 1 {
		t.Fatalf("after the IBR: replicas %v, invalidated %d; want two on A, one on B, one deleted",
			reps, n.BlockStats().Invalidated)
	}
}

// BlockManagerSafeMode: after the threshold of blocks is reported, the
// NameNode stays in safe mode dfs.namenode.safemode.extension more (30s by
// default), and schedules nothing meanwhile.
func TestSafeModeExtension(t *testing.T) {
	cfg := blockConfig(1, 1, 2, nil)
	cfg.Blocks.SafeModeExtension = DefaultBlockConfig().SafeModeExtension
	cfg.Detectors[0].MissedCount.Threshold = 1 << 20 // nobody heartbeats here
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"d1", "d2"} {
		n.Step(0, proto.Message{Type: proto.TypeRegister, Node: id})
	}
	n.Step(2*time.Second, proto.Message{Type: proto.TypeBlockReport, Node: "d1", Blocks: []int64{0}})
	for now := 3 * time.Second; now < 32*time.Second; now += 3 * time.Second {
		n.Tick(now)
		if !n.BlockStats().SafeMode {
			t.Fatalf("left safe mode at %v, want at 32s (reached at 2s + 30s)", now)
		}
	}
	n.Tick(33 * time.Second)
	if st := n.BlockStats(); st.SafeMode || st.SafeModeLeft != 33*time.Second {
		t.Fatalf("safe mode %v, left at %v; want left at the first tick at or after 32s", st.SafeMode, st.SafeModeLeft)
	}
}

// HeartbeatManager.heartbeatCheck and NameNodeRpcServer.errorReport: the
// replicas on a DataNode's failed volume stop counting at once (a FAILED
// storage), and their blocks are queued by the next heartbeat check,
// which removes failed storages' blocks (every 300s with the hdfs
// detector); a FATAL_DISK_ERROR removes the node at once, and its blocks
// are queued then.
func TestVolumeFailureReplicasAtNextCheck(t *testing.T) {
	cfg := blockConfig(1, 4, 3, nil)
	cfg.Detectors = []DetectorConfig{DefaultDetectorConfig(DetectorHDFS)}
	r := newRig(t, cfg, []string{"d1", "d2", "d3", "d4"},
		map[string][]int64{"d1": {0, 1, 2, 3}, "d2": {0, 1, 2, 3}, "d3": {0, 1, 2, 3}})
	n := r.n
	n.Tick(5 * time.Second) // the monitor's first check
	n.Step(10*time.Second, proto.Message{Type: proto.TypeErrorReport, Node: "d1", Code: proto.ErrorDisk, Blocks: []int64{0, 1}})
	if st := n.BlockStats(); st.UnderReplicated != 2 {
		t.Fatalf("after the disk error: %d under-replicated, want the 2 blocks at once", st.UnderReplicated)
	}
	for now := 10 * time.Second; now < 300*time.Second; now = n.Ready().Wake {
		for _, id := range []string{"d1", "d2", "d3", "d4"} {
			n.Step(now, proto.Message{Type: proto.TypeHeartbeat, Node: id})
		}
		n.Tick(n.Ready().Wake)
		n.Advance()
		if n.BlockStats().Scheduled > 0 {
			t.Fatalf("scheduled at %v, before the heartbeat check at 305s", now)
		}
	}
	n.Tick(305 * time.Second)
	n.Tick(306 * time.Second) // the next redundancy round
	if st := n.BlockStats(); st.Scheduled != 2 {
		t.Fatalf("after the check at 305s: %d scheduled, want the 2 blocks' replicas", st.Scheduled)
	}
	n.Step(307*time.Second, proto.Message{Type: proto.TypeErrorReport, Node: "d2", Code: proto.ErrorFatalDisk})
	if info, _ := n.Node("d2"); info.State != Dead || n.BlockStats().UnderReplicated < 2 {
		t.Fatalf("after the fatal disk error: d2 %v, %d under-replicated; want removed and its blocks short",
			info.State, n.BlockStats().UnderReplicated)
	}
}
