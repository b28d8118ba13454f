package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

// foldFixture is a cluster of 24 nodes whose strip rows fall into several
// groups: quiet runs registering in different columns (two folds side by
// side), a pair of equal quiet rows too short to fold, nodes that are not
// quiet (a crash, a pause, a watcher's suspicion) breaking the runs, nodes
// that never registered, and an overloaded NameNode on a row of its own.
func foldFixture() *trace.Trace {
	t := &trace.Trace{
		End:       10 * time.Minute,
		Detectors: []string{"missed-count", "phi"},
	}
	for i := 1; i <= 24; i++ {
		n := trace.Node{ID: fmt.Sprintf("dn%d", i), FinalState: "live"}
		switch i {
		case 9:
			n.Arrivals = []time.Duration{at(2000), at(50000), at(98000)}
		case 14:
			n.Arrivals = []time.Duration{at(2500), at(197000), at(226000)}
		case 19, 20, 21:
			n.FinalState = "" // never registered
		}
		t.Nodes = append(t.Nodes, n)
	}
	// Registration times in ms, 0 for never: dn1–dn5 early, dn6–dn8 in
	// the second minute (another column), dn12–dn13 early (two equal
	// rows), dn19–dn21 never, dn22–dn24 early.
	regs := map[int]float64{
		1: 1000, 2: 1200, 3: 1400, 4: 1600, 5: 1800,
		6: 70000, 7: 71000, 8: 72000,
		9: 2000, 10: 2100, 11: 2200, 12: 2300, 13: 2400,
		14: 2500, 15: 2600, 16: 2700, 17: 2800, 18: 2900,
		22: 3000, 23: 3100, 24: 3200,
	}
	for i := 1; i <= 24; i++ {
		if ms, ok := regs[i]; ok {
			t.Events = append(t.Events, reg(ms, fmt.Sprintf("dn%d", i)))
		}
	}
	t.Events = append(t.Events,
		// dn9 crashes and is declared dead: not quiet.
		fault(100000, "dn9", trace.Kill),
		tr(131000, "dn9", "live", "dead", "missed 10 of 10 heartbeats"),
		// dn14 pauses and is suspected: not quiet.
		fault(200000, "dn14", "pause"),
		tr(218000, "dn14", "live", "stale", "no heartbeat for 18s"),
		fault(225000, "dn14", "resume"),
		tr(226000, "dn14", "stale", "live", "heartbeat received"),
		// phi alone suspects dn11: quiet in the NameNode's view, not in
		// a watcher's, so it does not fold with its neighbours.
		trace.Event{At: at(300000), Node: "dn11", Kind: trace.Verdict, Detector: "phi", From: "live", To: "stale", Reason: "phi 9.1"},
		trace.Event{At: at(303000), Node: "dn11", Kind: trace.Verdict, Detector: "phi", From: "stale", To: "live", Reason: "phi 0.2"},
		// The NameNode's own fault gets the top row.
		trace.Event{At: at(400000), Node: trace.NameNodeID, Kind: "namenode_overload", Reason: "busy"},
		trace.Event{At: at(430000), Node: trace.NameNodeID, Kind: "overload-end", Reason: "caught up"},
	)
	for i := 1; i < len(t.Events); i++ {
		for j := i; j > 0 && t.Events[j].At < t.Events[j-1].At; j-- {
			t.Events[j], t.Events[j-1] = t.Events[j-1], t.Events[j]
		}
	}
	return t
}

// TestStripFoldGroups pins how the strip folds a cluster with several
// distinct groups, at whole width, on a narrow terminal and unfolded.
func TestStripFoldGroups(t *testing.T) {
	r := Build(Meta{Name: "groups"}, foldFixture())
	cases := []struct {
		name string
		o    TableOptions
	}{
		{"strip_fold_groups.golden", TableOptions{}},
		{"strip_fold_groups_60.golden", TableOptions{Width: 60}},
		{"strip_fold_groups_full.golden", TableOptions{Full: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := r.WriteStrip(&got, c.o); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, c.name, got.Bytes())
		})
	}
	t.Run("table_fold_groups_explain.golden", func(t *testing.T) {
		var got bytes.Buffer
		if err := r.WriteTableWith(&got, TableOptions{Explain: true, Trace: foldFixture()}); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "table_fold_groups_explain.golden", got.Bytes())
	})
	var b bytes.Buffer
	if err := r.WriteStrip(&b, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range strings.Split(b.String(), "\n") {
		if f := strings.Fields(l); len(f) > 0 && (strings.HasPrefix(f[0], "dn") || f[0] == NameNodeID) {
			ids = append(ids, f[0])
		}
	}
	// Runs of three or more equal quiet rows fold; the rest stand alone.
	want := "namenode dn1–dn5 dn6–dn8 dn9 dn10 dn11 dn12 dn13 dn14 dn15–dn18 dn19–dn21 dn22–dn24"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("rows %s\nwant %s\n%s", got, want, b.String())
	}
}
