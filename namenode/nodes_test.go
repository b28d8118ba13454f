package namenode

import (
	"fmt"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// The id index (DatanodeManager's datanodeMap) finds every registered node
// by its id through each doubling of its table, and no other id.
func TestIDIndexFindsEveryNode(t *testing.T) {
	n, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	registerMany(t, n, 5000)
}

// A NameNode told how many DataNodes to expect (Config.DataNodes) sizes
// its registry once: they all register without a new array; one more
// still can.
func TestRegistrySizedForExpectedDataNodes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataNodes = 1000
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	records, last, slots := &n.nodes[:1][0], &n.last[:1][0], &n.index.slots[0]
	registerMany(t, n, 1000)
	if &n.nodes[0] != records || &n.last[0] != last || &n.index.slots[0] != slots || cap(n.nodes) != 1000 {
		t.Errorf("the registry grew while its %d expected nodes registered (capacity %d)", cfg.DataNodes, cap(n.nodes))
	}
	registerMany(t, n, 1001)
}

// registerMany registers dn1 … dn<count> and checks that each is found
// under its id, and registering again adds no node.
func registerMany(t *testing.T, n *NameNode, count int) {
	t.Helper()
	for i := range count {
		n.Step(0, proto.Message{Type: proto.TypeRegister, Node: fmt.Sprintf("dn%d", i+1)})
		if 4*len(n.nodes) > 3*len(n.index.slots) {
			t.Fatalf("%d nodes in a table of %d slots: more than three quarters full", len(n.nodes), len(n.index.slots))
		}
	}
	for i := range count {
		id := fmt.Sprintf("dn%d", i+1)
		if k, ok := n.byID(id); !ok || k != i {
			t.Fatalf("%s found as node %d (%v), want %d", id, k, ok, i)
		}
		// Registering again re-registers in place: no new node.
		n.Step(time.Second, proto.Message{Type: proto.TypeRegister, Node: id})
	}
	if len(n.nodes) != count {
		t.Fatalf("%d nodes after re-registering, want %d", len(n.nodes), count)
	}
	for _, id := range []string{"", "dn0", fmt.Sprintf("dn%d", count+1), "DN1", "dn1 "} {
		if k, ok := n.byID(id); ok {
			t.Errorf("unknown id %q found as node %d", id, k)
		}
	}
	if err := n.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

// Stats are held once while every node reports the same ones, and per
// node from the first that differs; NodeInfo reads the same either way,
// and the in-service load sums (HeartbeatManager's stats) follow.
func TestStatsHeldOnceUntilTheyDiffer(t *testing.T) {
	n, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	idle := proto.Stats{Capacity: 1 << 40, Xceivers: 1}
	for _, id := range []string{"a", "b", "c"} {
		n.Step(0, proto.Message{Type: proto.TypeRegister, Node: id, Stats: idle})
	}
	n.Step(time.Second, proto.Message{Type: proto.TypeHeartbeat, Node: "b", Stats: idle})
	if n.stats != nil {
		t.Fatalf("stats kept per node while every node reports %+v", idle)
	}
	busy := proto.Stats{Capacity: 1 << 40, Used: 1 << 30, Xmits: 2, Blocks: 8, Xceivers: 3, FailedVolumes: 1}
	n.Step(2*time.Second, proto.Message{Type: proto.TypeHeartbeat, Node: "b", Stats: busy})
	n.Step(2*time.Second, proto.Message{Type: proto.TypeRegister, Node: "d", Stats: idle})
	want := map[string]proto.Stats{"a": idle, "b": busy, "c": idle, "d": idle}
	for id, st := range want {
		if info, _ := n.Node(id); info.Stats != st {
			t.Errorf("%s: stats %+v, want %+v", id, info.Stats, st)
		}
	}
	if n.inService != 4 || n.xceivers != 6 {
		t.Errorf("%d nodes in service with %d xceivers, want 4 with 6", n.inService, n.xceivers)
	}
	if err := n.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

// NodeInfo, built on demand, carries what the NameNode counted: the last
// contact, heartbeats and lifelines (counted only once one arrives).
func TestNodeInfoFromTheRegistry(t *testing.T) {
	n, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	n.Step(0, proto.Message{Type: proto.TypeRegister, Node: "a"})
	n.Step(0, proto.Message{Type: proto.TypeRegister, Node: "b"})
	n.Step(3*time.Second, proto.Message{Type: proto.TypeHeartbeat, Node: "a"})
	if n.lifelines != nil {
		t.Fatal("lifeline counts kept before any lifeline")
	}
	n.Step(4*time.Second, proto.Message{Type: proto.TypeLifeline, Node: "b"})
	n.Step(5*time.Second, proto.Message{Type: proto.TypeRegister, Node: "c"})
	n.Step(6*time.Second, proto.Message{Type: proto.TypeLifeline, Node: "c"})
	n.Step(7*time.Second, proto.Message{Type: proto.TypeLifeline, Node: "c"})
	want := []NodeInfo{
		{ID: "a", State: Live, LastHeard: 3 * time.Second, HeartbeatsReceived: 1},
		{ID: "b", State: Live, LastHeard: 4 * time.Second, LifelinesReceived: 1},
		{ID: "c", State: Live, LastHeard: 7 * time.Second, LifelinesReceived: 2},
	}
	got := n.Nodes()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("nodes\n%+v, want\n%+v", got, want)
	}
	if info, err := n.Node("b"); err != nil || info != want[1] {
		t.Errorf("Node(b) = %+v, %v; want %+v", info, err, want[1])
	}
	if _, err := n.Node("z"); err == nil {
		t.Error("Node(z) found an unknown node")
	}
}
