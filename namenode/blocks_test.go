package namenode

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// blockConfig is the default configuration with the block layer on, a
// safe mode extension of 1ns, and the seed given.
func blockConfig(seed uint64, blocks, rf int, racks map[string]string) Config {
	cfg := DefaultConfig()
	cfg.Seed = seed
	cfg.Blocks.Enable = true
	cfg.Blocks.Blocks = blocks
	cfg.Blocks.Replication = rf
	cfg.Blocks.Racks = racks
	cfg.Blocks.SafeModeExtension = time.Nanosecond
	return cfg
}

// blockNN is a NameNode with the block layer on and nodes registered at 0;
// racks maps node → rack.
func blockNN(t *testing.T, blocks, rf int, racks map[string]string, nodes ...string) *NameNode {
	t.Helper()
	n, err := New(blockConfig(1, blocks, rf, racks))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range nodes {
		n.Step(0, proto.Message{Type: proto.TypeRegister, Node: id})
	}
	n.Advance()
	return n
}

func idx(t *testing.T, n *NameNode, id string) int32 {
	t.Helper()
	i, ok := n.byID(id)
	if !ok {
		t.Fatalf("no node %s", id)
	}
	return int32(i)
}

func heartbeat(n *NameNode, now time.Duration, id string, xmits int32) []proto.Command {
	n.Step(now, proto.Message{Type: proto.TypeHeartbeat, Node: id, Stats: proto.Stats{Xmits: xmits}})
	var cmds []proto.Command
	for _, m := range n.Ready().Messages {
		if m.Node == id && m.Type == proto.TypeHeartbeatReply {
			cmds = m.Commands
		}
	}
	n.Advance()
	return cmds
}

func summary(cmds []proto.Command) string {
	var xfer, inv int
	for _, c := range cmds {
		switch c.Action {
		case proto.ActionTransfer:
			xfer++
		case proto.ActionInvalidate:
			inv++
		}
	}
	return fmt.Sprintf("[TRANSFER %d, INVALIDATE %d]", xfer, inv)
}

// TestHeartbeatHandling reproduces Hadoop's TestHeartbeatHandling
// #testHeartbeat: commands per reply are capped by max streams (minus
// transfers in progress) and by the invalidate limit, transfers first.
func TestHeartbeatHandling(t *testing.T) {
	n := blockNN(t, 0, 3, nil, "dd", "other")
	dd, other := idx(t, n, "dd"), idx(t, n, "other")
	n.bm.grow(5)
	for b := int32(0); b < 5; b++ {
		n.work[dd].xfer = append(n.work[dd].xfer, task{block: b, targets: []int32{other}})
	}
	if got := summary(heartbeat(n, time.Second, "dd", 0)); got != "[TRANSFER 2, INVALIDATE 0]" {
		t.Fatalf("heartbeat 1: %s", got)
	}
	for b := int32(0); b < 2001; b++ {
		n.work[dd].invQ = append(n.work[dd].invQ, b)
	}
	for k, want := range []string{"[TRANSFER 2, INVALIDATE 1000]", "[TRANSFER 1, INVALIDATE 1000]",
		"[TRANSFER 0, INVALIDATE 1]", "[TRANSFER 0, INVALIDATE 0]"} {
		cmds := heartbeat(n, time.Duration(k+2)*time.Second, "dd", 0)
		if got := summary(cmds); got != want {
			t.Errorf("heartbeat %d: %s, want %s", k+2, got, want)
		}
		if len(cmds) > 0 && cmds[0].Action == proto.ActionInvalidate && slices.ContainsFunc(cmds, func(c proto.Command) bool { return c.Action == proto.ActionTransfer }) {
			t.Errorf("heartbeat %d: invalidations before transfers", k+2)
		}
	}
	// Transfers in progress use up streams.
	n.work[dd].xfer = append(n.work[dd].xfer, task{0, []int32{other}}, task{1, []int32{other}})
	if got := summary(heartbeat(n, 10*time.Second, "dd", 1)); got != "[TRANSFER 1, INVALIDATE 0]" {
		t.Errorf("with one transfer in progress: %s", got)
	}
}

func sixOnTwoRacks() (map[string]string, []string) {
	racks := map[string]string{}
	var nodes []string
	for _, r := range []string{"A", "B"} {
		for k := 1; k <= 3; k++ {
			id := fmt.Sprintf("%s%d", r, k)
			racks[id] = r
			nodes = append(nodes, id)
		}
	}
	return racks, nodes
}

// TestBlockManagerPlacement reproduces TestBlockManager's placement cases
// on /rackA and /rackB with three nodes each.
func TestBlockManagerPlacement(t *testing.T) {
	racks, nodes := sixOnTwoRacks()
	n := blockNN(t, 0, 3, racks, nodes...)
	a1, a2, b1 := idx(t, n, "A1"), idx(t, n, "A2"), idx(t, n, "B1")
	for trial := 0; trial < 200; trial++ {
		// Replicas on A1 and A2: one target, on B.
		ts := n.chooseTargets(0, int32(trial), 1, []int32{a1, a2}, []int32{a1, a2}, a1, false)
		if len(ts) != 1 || racks[n.nodes[ts[0]].id] != "B" {
			t.Fatalf("replicas on A1, A2: targets %v, want one on B", n.ids(ts))
		}
		// One replica on A1: two targets, at most two per rack, none on A1.
		ts = n.chooseTargets(0, int32(trial), 2, []int32{a1}, []int32{a1}, a1, false)
		if len(ts) != 2 || slices.Contains(ts, a1) {
			t.Fatalf("replica on A1: targets %v", n.ids(ts))
		}
		// A1 and B1: the third goes on the writer's rack (re-replication).
		ts = n.chooseTargets(0, int32(trial), 1, []int32{a1, b1}, []int32{a1, b1}, a1, false)
		if len(ts) != 1 || racks[n.nodes[ts[0]].id] != "A" || ts[0] == a1 {
			t.Fatalf("replicas on A1, B1 from A1: targets %v", n.ids(ts))
		}
		// A new block: three distinct nodes on both racks, two on one.
		ts = n.chooseTargets(0, int32(trial), 3, nil, nil, -1, true)
		seen := map[string]int{}
		for _, x := range ts {
			seen[racks[n.nodes[x].id]]++
		}
		if len(ts) != 3 || len(seen) != 2 || seen["A"] > 2 || seen["B"] > 2 || ts[0] == ts[1] || ts[1] == ts[2] || ts[0] == ts[2] {
			t.Fatalf("new block: targets %v", n.ids(ts))
		}
		// The second replica is off the first's rack; the third beside the second.
		if racks[n.nodes[ts[0]].id] == racks[n.nodes[ts[1]].id] || racks[n.nodes[ts[1]].id] != racks[n.nodes[ts[2]].id] {
			t.Fatalf("new block: targets %v are not first / remote / beside the second", n.ids(ts))
		}
	}
	// A single rack holding three replicas: no cap, and the block is full.
	one := blockNN(t, 0, 3, nil, "x", "y", "z")
	if ts := one.chooseTargets(0, 0, 3, nil, nil, -1, true); len(ts) != 3 {
		t.Errorf("single rack: %d targets, want 3", len(ts))
	}
}

func TestMaxPerRack(t *testing.T) {
	for _, c := range []struct{ total, racks, want int }{
		{3, 2, 2}, {2, 2, 1}, {3, 1, 3}, {3, 3, 2}, {10, 3, 5}, {1, 5, 1},
	} {
		if got := maxPerRack(c.total, c.racks); got != c.want {
			t.Errorf("maxPerRack(%d, %d) = %d, want %d", c.total, c.racks, got, c.want)
		}
	}
}

// staleNN has six nodes on three racks; the nodes named stale stopped
// heartbeating at 0 and are stale at 40s, the others heartbeat at 40s.
func staleNN(t *testing.T, avoidRead, avoidWrite bool, stale ...string) *NameNode {
	t.Helper()
	racks := map[string]string{"n0": "r1", "n1": "r1", "n2": "r2", "n3": "r2", "n4": "r3", "n5": "r3"}
	cfg := blockConfig(3, 1, 3, racks)
	cfg.Detectors[0].MissedCount.Threshold = 100
	cfg.AvoidReadStale, cfg.AvoidWriteStale = avoidRead, avoidWrite
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 6; k++ {
		n.Step(0, proto.Message{Type: proto.TypeRegister, Node: fmt.Sprintf("n%d", k)})
	}
	n.Step(0, proto.Message{Type: proto.TypeBlockReport, Node: "n0", Blocks: []int64{0}})
	n.Step(0, proto.Message{Type: proto.TypeBlockReport, Node: "n2", Blocks: []int64{0}})
	n.Step(0, proto.Message{Type: proto.TypeBlockReport, Node: "n4", Blocks: []int64{0}})
	for k := 0; k < 6; k++ {
		if id := fmt.Sprintf("n%d", k); !slices.Contains(stale, id) {
			n.Step(40*time.Second, proto.Message{Type: proto.TypeHeartbeat, Node: id})
		}
	}
	n.Tick(42 * time.Second)
	n.Advance()
	return n
}

// TestReadSelectNonStaleDatanode reproduces TestGetBlocks
// #testReadSelectNonStaleDatanode (HDFS-3703): a stale location is still
// returned, but last.
func TestReadSelectNonStaleDatanode(t *testing.T) {
	n := staleNN(t, true, false, "n2")
	for trial := 0; trial < 20; trial++ {
		locs := n.Locations(0, 42*time.Second, nil)
		if len(locs) != 3 || locs[2] != "n2" {
			t.Fatalf("locations %v: want all three, stale n2 last", locs)
		}
	}
	off := staleNN(t, false, false, "n2")
	first := map[string]bool{}
	for trial := 0; trial < 50; trial++ {
		first[off.Locations(0, 42*time.Second+time.Duration(trial), nil)[2]] = true
	}
	if len(first) < 2 {
		t.Errorf("without avoid_read_stale the order should be shuffled, last was always %v", first)
	}
}

// TestWriteStaleRatio reproduces TestReplicationPolicy (HDFS-3912): write
// placement avoids stale nodes up to the ratio (3 of 6 stale: still on),
// and stops avoiding past it (4 of 6).
func TestWriteStaleRatio(t *testing.T) {
	n := staleNN(t, false, true, "n0", "n2", "n4")
	if !n.WriteAvoidsStale() {
		t.Fatal("3 of 6 stale: avoidance should be on")
	}
	for trial := 0; trial < 20; trial++ {
		_, ts := n.addBlock(42*time.Second, nil)
		for _, id := range ts {
			if id == "n0" || id == "n2" || id == "n4" {
				t.Fatalf("3 of 6 stale: pipeline %v uses a stale node", ts)
			}
		}
	}
	past := staleNN(t, false, true, "n0", "n1", "n2", "n4")
	if past.WriteAvoidsStale() {
		t.Fatal("4 of 6 stale: avoidance should be off")
	}
	if _, ts := past.addBlock(42*time.Second, nil); len(ts) != 3 {
		t.Fatalf("4 of 6 stale: pipeline %v, want 3 nodes", ts)
	}
	if n := staleNN(t, false, false, "n0", "n2", "n4"); n.WriteAvoidsStale() {
		t.Fatal("avoid_write_stale off: no avoidance")
	}
}

// TestExcessAfterRestart reproduces TestNodeCount: a holder dies, the
// block is re-replicated; when the holder comes back its replica is excess
// and invalidated, leaving the replication as wanted.
func TestExcessAfterRestart(t *testing.T) {
	n, err := New(blockConfig(5, 1, 2, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"d1", "d2", "d3", "d4"} {
		n.Step(0, proto.Message{Type: proto.TypeRegister, Node: id})
	}
	n.Step(0, proto.Message{Type: proto.TypeBlockReport, Node: "d1", Blocks: []int64{0}})
	n.Step(0, proto.Message{Type: proto.TypeBlockReport, Node: "d2", Blocks: []int64{0}})
	n.Tick(3 * time.Second)
	// d1 goes silent; the others heartbeat on. d2, the one replica left,
	// is told to copy the block.
	var now time.Duration
	var cmds []proto.Command
	for now = 3 * time.Second; now <= 60*time.Second && len(cmds) == 0; now += 3 * time.Second {
		for _, id := range []string{"d2", "d3", "d4"} {
			if c := heartbeat(n, now, id, 0); id == "d2" {
				cmds = c
			}
		}
		n.Tick(now)
		if info, _ := n.Node("d1"); info.State == Dead && len(n.Replicas(0)) != 1 {
			t.Fatalf("after d1 died: replicas %v", n.Replicas(0))
		}
	}
	if info, _ := n.Node("d1"); info.State != Dead {
		t.Fatalf("d1 is %s, want dead", info.State)
	}
	if len(cmds) != 1 || cmds[0].Action != proto.ActionTransfer || n.Pending(0) != 1 {
		t.Fatalf("d2 got %v (pending %d), want one TRANSFER", cmds, n.Pending(0))
	}
	n.Step(now, proto.Message{Type: proto.TypeBlockReceived, Node: cmds[0].Target, Block: 0})
	if got := n.Replicas(0); len(got) != 2 || n.Pending(0) != 0 || n.BlockStats().UnderReplicated != 0 {
		t.Fatalf("after the IBR: replicas %v, pending %d", got, n.Pending(0))
	}
	// d1 restarts: registers, reports its old replica, which is excess.
	n.Step(now, proto.Message{Type: proto.TypeRegister, Node: "d1"})
	n.Step(now, proto.Message{Type: proto.TypeBlockReport, Node: "d1", Blocks: []int64{0}})
	if got := n.Replicas(0); len(got) != 2 {
		t.Fatalf("after d1's report: replicas %v, want 2", got)
	}
	if n.BlockStats().Invalidated != 1 {
		t.Fatalf("invalidated %d, want 1", n.BlockStats().Invalidated)
	}
	// The next redundancy round hands the deletion out; the next
	// heartbeat reply carries it.
	n.Tick(n.nextRepl)
	var inv int
	for _, id := range []string{"d1", "d2", "d3", "d4"} {
		for _, c := range heartbeat(n, n.nextRepl, id, 0) {
			if c.Action == proto.ActionInvalidate && c.Block == 0 {
				inv++
			}
		}
	}
	if inv != 1 {
		t.Fatalf("%d INVALIDATE commands for the excess replica, want 1", inv)
	}
}

// TestDeadNodeAsBlockTarget reproduces TestDeadDatanode
// #testDeadNodeAsBlockTarget: a dead node is never chosen, even as writer.
func TestDeadNodeAsBlockTarget(t *testing.T) {
	n := staleNN(t, false, false)
	n.change(50*time.Second, 0, Dead, "test")
	for trial := 0; trial < 50; trial++ {
		if ts := n.chooseTargets(50*time.Second, 0, 3, nil, nil, 0, true); slices.Contains(ts, 0) || len(ts) != 3 {
			t.Fatalf("targets %v include the dead writer", n.ids(ts))
		}
	}
}
