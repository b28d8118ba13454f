package report

import (
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

func TestListNodes(t *testing.T) {
	tr := &trace.Trace{End: time.Minute, Detectors: []string{"missed-count"}}
	for _, id := range []string{"dn1", "dn2", "dn3"} {
		tr.Nodes = append(tr.Nodes, trace.Node{ID: id, FinalState: "live"})
	}
	tr.Events = []trace.Event{
		{At: time.Second, Node: "dn1", Kind: trace.Transition, To: "live"}, // registration: no change
		{At: 10 * time.Second, Node: "dn2", Kind: trace.Kill},
	}
	r := Build(Meta{Name: "x"}, tr)
	for _, c := range []struct {
		mode    string
		want    []string
		omitted int
	}{
		{NodesAll, []string{"dn1", "dn2", "dn3"}, 0},
		{NodesAuto, []string{"dn1", "dn2", "dn3"}, 0}, // small: all
		{NodesChanged, []string{"dn2"}, 2},
	} {
		got := r.ListNodes(c.mode)
		var ids []string
		for _, n := range got.Nodes {
			ids = append(ids, n.ID)
		}
		if len(ids) != len(c.want) || got.NodesOmitted != c.omitted {
			t.Errorf("%s: nodes %v, omitted %d; want %v, %d", c.mode, ids, got.NodesOmitted, c.want, c.omitted)
		}
	}
	if len(r.Nodes) != 3 {
		t.Errorf("ListNodes changed the report: %d nodes", len(r.Nodes))
	}
	if err := CheckNodesMode("some"); err == nil {
		t.Error("--nodes some accepted")
	}
}
