package namenode

import (
	"slices"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// call sends the client's message m and returns the NameNode's answer.
func call(t *testing.T, n *NameNode, now time.Duration, m proto.Message) (proto.Message, bool) {
	t.Helper()
	m.Client = "client"
	n.Step(now, m)
	out := n.Ready().Messages
	n.Advance()
	for _, r := range out {
		if r.Client == "client" && r.Call == m.Call {
			return r, true
		}
	}
	return proto.Message{}, false
}

// TestDFSClientExcludedNodes follows TestDFSClientExcludedNodes
// #testExcludedNodes and the ClientProtocol calls a write makes: addBlock
// never places a replica on an excluded node; getAdditionalDatanode adds
// one node outside the pipeline; the block is counted once complete and
// its replicas reported; an abandoned block is never counted;
// getBlockLocations refuses a block that is not complete and, like
// addBlock, answers nothing useful in safe mode.
func TestDFSClientExcludedNodes(t *testing.T) {
	nodes := []string{"d1", "d2", "d3", "d4"}
	r := newRig(t, blockConfig(1, 1, 3, nil), nodes, map[string][]int64{"d1": {0}, "d2": {0}, "d3": {0}})
	n := r.n
	for k := uint64(1); k <= 20; k++ {
		rep, ok := call(t, n, time.Second, proto.Message{Type: proto.TypeAddBlock, Call: k, Nodes: []string{"d2"}})
		if !ok || len(rep.Nodes) != 3 || slices.Contains(rep.Nodes, "d2") {
			t.Fatalf("addBlock excluding d2: %+v", rep)
		}
		call(t, n, time.Second, proto.Message{Type: proto.TypeAbandonBlock, Call: k, Block: rep.Block})
		if n.Counted(rep.Block) {
			t.Fatalf("abandoned b%d is counted", rep.Block)
		}
	}
	rep, _ := call(t, n, 2*time.Second, proto.Message{Type: proto.TypeAddBlock, Call: 30})
	b := rep.Block
	if loc, _ := call(t, n, 2*time.Second, proto.Message{Type: proto.TypeGetLocations, Call: 31, Block: b}); loc.Refused != proto.RefusedNoBlock {
		t.Errorf("locations of a block being written: %+v, want refused (%s)", loc, proto.RefusedNoBlock)
	}
	add, _ := call(t, n, 2*time.Second, proto.Message{Type: proto.TypeAddDatanode, Call: 30, Block: b, Nodes: rep.Nodes[:2]})
	if len(add.Nodes) != 1 || slices.Contains(rep.Nodes[:2], add.Nodes[0]) {
		t.Fatalf("getAdditionalDatanode for %v: %+v", rep.Nodes[:2], add)
	}
	stored := append(slices.Clone(rep.Nodes[:2]), add.Nodes[0])
	call(t, n, 3*time.Second, proto.Message{Type: proto.TypeComplete, Call: 30, Block: b, Nodes: stored})
	if n.Counted(b) {
		t.Fatal("complete before any replica was reported: counted")
	}
	for _, id := range stored {
		n.Step(3*time.Second, proto.Message{Type: proto.TypeBlockReceived, Node: id, Block: b})
	}
	if !n.Counted(b) {
		t.Fatal("complete with every replica reported: not counted")
	}
	loc, _ := call(t, n, 4*time.Second, proto.Message{Type: proto.TypeGetLocations, Call: 32, Block: b})
	if slices.Sort(loc.Nodes); !slices.Equal(loc.Nodes, slices.Sorted(slices.Values(stored))) {
		t.Errorf("locations %v, want %v", loc.Nodes, stored)
	}

	fresh, err := New(blockConfig(1, 1, 3, nil))
	if err != nil {
		t.Fatal(err)
	}
	for k, typ := range []proto.Type{proto.TypeAddBlock, proto.TypeGetLocations} {
		if rep, _ := call(t, fresh, 0, proto.Message{Type: typ, Call: uint64(k + 1)}); rep.Refused != proto.RefusedSafeMode {
			t.Errorf("%s in safe mode: %+v, want refused (%s)", typ, rep, proto.RefusedSafeMode)
		}
	}
}
