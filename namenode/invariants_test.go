package namenode

import (
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/proto"
)

// TestCheckBlockInvariantsFindsALostListEntry: a replica the block map
// holds but the node's list forgot is found, without sorting the lists.
func TestCheckBlockInvariantsFindsALostListEntry(t *testing.T) {
	n := blockNN(t, 4, 2, nil, "dn1", "dn2", "dn3")
	n.Step(0, proto.Message{Type: proto.TypeBlockReport, Node: "dn1", Blocks: []int64{0, 1, 2}})
	n.Step(0, proto.Message{Type: proto.TypeBlockReport, Node: "dn2", Blocks: []int64{0, 1, 3}})
	n.Advance()
	if err := n.CheckBlockInvariants(); err != nil {
		t.Fatalf("a consistent map: %v", err)
	}
	i := idx(t, n, "dn2")
	// A duplicate entry is allowed (the lists are pruned lazily); a lost
	// one is not.
	n.bm.byNode[i] = append(n.bm.byNode[i], n.bm.byNode[i][0])
	if err := n.CheckBlockInvariants(); err != nil {
		t.Fatalf("a duplicate list entry: %v", err)
	}
	n.bm.byNode[i] = n.bm.byNode[i][1:]
	n.bm.byNode[i] = n.bm.byNode[i][:len(n.bm.byNode[i])-1]
	err := n.CheckBlockInvariants()
	if err == nil || !strings.Contains(err.Error(), "dn2 holds 3 replicas in the block map, but its list names 2") {
		t.Fatalf("a lost list entry: %v", err)
	}
}
