package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

// bandsTrace has a fault of every kind the simulator records besides
// kill, pause and partition: slow, loss and drift on DataNodes, a NameNode
// overload and a group partition (one NameNode event), and two watching
// detectors.
func bandsReport(groups []GroupPartition) *Report {
	ev := func(ms float64, node string, k trace.Kind) trace.Event {
		return trace.Event{At: at(ms), Node: node, Kind: k, Reason: "scenario line 1: " + string(k)}
	}
	verdict := func(ms float64, node, det, from, to string) trace.Event {
		return trace.Event{At: at(ms), Node: node, Kind: trace.Verdict, Detector: det, From: from, To: to, Reason: det + " says " + to}
	}
	t := &trace.Trace{
		End:       4 * time.Minute,
		Detectors: []string{"missed-count", "phi", "hdfs"},
		Nodes:     []trace.Node{{ID: "dn1"}, {ID: "dn2"}, {ID: "dn3"}, {ID: "dn4"}},
		Events: []trace.Event{
			reg(1000, "dn1"), reg(1000, "dn2"), reg(1000, "dn3"), reg(1000, "dn4"),
			ev(30000, "dn1", trace.Slow),
			// Two overlapping loss faults: the band lasts until both end.
			ev(40000, "dn2", trace.Loss), ev(50000, "dn2", trace.Loss),
			ev(60000, "dn2", trace.LossEnd),
			verdict(62000, "dn2", "phi", "live", "dead"),
			tr(65000, "dn2", "live", "dead", "missed 10 of 10 heartbeats"),
			ev(70000, "dn2", trace.LossEnd),
			ev(90000, "dn1", trace.SlowEnd),
			ev(100000, "dn3", trace.Drift),
			ev(120000, trace.NameNodeID, trace.Overload),
			ev(150000, trace.NameNodeID, trace.OverloadEnd),
			ev(160000, trace.NameNodeID, trace.Partition),
			tr(185000, "dn4", "live", "dead", "missed 10 of 10 heartbeats"),
			ev(200000, trace.NameNodeID, trace.Heal),
		},
	}
	r := Build(Meta{Name: "bands", GroupPartitions: groups}, t)
	return r
}

var groupsFixture = []GroupPartition{{FromMs: 160000, ToMs: 200000, Groups: [2][]string{{"dn1", "dn2"}, {"dn3", "dn4"}}, NameNodeSide: 1, Direction: "both"}}

func TestSpansEveryFaultKind(t *testing.T) {
	spans := bandsReport(groupsFixture).Spans()
	want := map[string][]Span{
		"dn1": {{FromMs: 30000, ToMs: 90000, State: BandSlow}},
		"dn2": {{FromMs: 40000, ToMs: 70000, State: BandLossy}},
		"dn3": {{FromMs: 100000, ToMs: 240000, State: BandDrifting}, {FromMs: 160000, ToMs: 200000, State: BandPartitioned}},
		"dn4": {{FromMs: 160000, ToMs: 200000, State: BandPartitioned}},
	}
	for _, n := range spans {
		got := n.Truth
		if len(got) != len(want[n.ID]) {
			t.Errorf("%s truth %+v, want %+v", n.ID, got, want[n.ID])
			continue
		}
		for i, w := range want[n.ID] {
			if got[i].FromMs != w.FromMs || got[i].ToMs != w.ToMs || got[i].State != w.State {
				t.Errorf("%s truth[%d] = %+v, want %+v", n.ID, i, got[i], w)
			}
		}
	}
	if !strings.Contains(spans[3].Truth[0].Reason, "from the NameNode and dn1, dn2") {
		t.Errorf("group partition reason %q", spans[3].Truth[0].Reason)
	}
	// Without the scenario's groups, members get no band (the trace
	// does not say who they are) but nothing breaks.
	if n := bandsReport(nil).Spans()[3]; len(n.Truth) != 0 {
		t.Errorf("dn4 truth without groups %+v", n.Truth)
	}
}

func TestSpansGroupPartitionSides(t *testing.T) {
	g := GroupPartition{Groups: [2][]string{{"a"}, {"b"}}, Direction: "both"}
	for _, c := range []struct {
		nn         int
		side0, sd1 string
	}{{0, BandSplit, BandSplit}, {1, "", BandPartitioned}, {2, BandPartitioned, ""}} {
		g.NameNodeSide = c.nn
		b0, _ := g.bandFor(0)
		b1, _ := g.bandFor(1)
		if b0 != c.side0 || b1 != c.sd1 {
			t.Errorf("NameNode on side %d: bands %q, %q; want %q, %q", c.nn, b0, b1, c.side0, c.sd1)
		}
	}
}

func TestSpansWatchers(t *testing.T) {
	spans := bandsReport(nil).Spans()
	dn2 := spans[1]
	if len(dn2.Watchers) != 2 || dn2.Watchers[0].Detector != "phi" || dn2.Watchers[1].Detector != "hdfs" {
		t.Fatalf("watchers %+v", dn2.Watchers)
	}
	phi := dn2.Watchers[0].View
	// Unregistered, live from the registration, dead from its verdict.
	if len(phi) != 3 || phi[1].State != ViewLive || phi[1].FromMs != 1000 || phi[2].State != ViewDead || phi[2].FromMs != 62000 || !phi[2].Mistake {
		t.Errorf("phi's view of dn2 %+v", phi)
	}
	// hdfs said nothing: live from the registration to the end.
	if hdfs := dn2.Watchers[1].View; len(hdfs) != 2 || hdfs[1].State != ViewLive || hdfs[1].ToMs != 240000 {
		t.Errorf("hdfs's view of dn2 %+v", hdfs)
	}
	// The acting detector's view is unchanged by verdicts.
	if v := dn2.View; v[len(v)-1].FromMs != 65000 {
		t.Errorf("view %+v", v)
	}
}

func TestNameNodeSpans(t *testing.T) {
	nn := bandsReport(nil).NameNodeSpans()
	if len(nn) != 2 || nn[0].State != BandOverloaded || nn[0].FromMs != 120000 || nn[0].ToMs != 150000 ||
		nn[1].State != BandPartitioned || nn[1].ToMs != 200000 {
		t.Errorf("NameNode spans %+v", nn)
	}
	if nn := faultsFixture().NameNodeSpans(); nn != nil {
		t.Errorf("NameNode spans without NameNode faults: %+v", nn)
	}
}

func TestStripEveryFaultKind(t *testing.T) {
	var b bytes.Buffer
	if err := bandsReport(groupsFixture).WriteStrip(&b, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(out, "\n")
	row := func(id string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, id+" ") {
				return l
			}
		}
		t.Fatalf("no row %s in\n%s", id, out)
		return ""
	}
	for _, c := range []struct{ row, want string }{
		{"namenode", "#"}, {"namenode", "~"},
		{"dn1", "▄"}, {"dn2", "▄"}, {"dn2", "x"}, {"dn3", "▄"}, {"dn4", "~"}, {"dn4", "x"},
	} {
		if !strings.Contains(row(c.row), c.want) {
			t.Errorf("row %s lacks %q:\n%s", c.row, c.want, out)
		}
	}
	if !strings.Contains(out, "▄ live, but slowed, lossy, drifting or split   # NameNode overloaded") {
		t.Errorf("legend lacks the extra cells:\n%s", out)
	}
	// The usual strip has neither row nor legend line.
	b.Reset()
	faultsFixture().WriteStrip(&b, TableOptions{})
	if strings.Contains(b.String(), "namenode") || strings.Contains(b.String(), "▄") {
		t.Errorf("extra rows in a strip without such faults:\n%s", b.String())
	}
}

func TestExplainGroundTruthOfEveryFault(t *testing.T) {
	r := bandsReport(groupsFixture)
	s := strings.Join(r.ExplainEvents(nil), "\n")
	for _, want := range []string{
		"a mistake: the process runs, but many of its messages are lost",
		"a mistake: the process runs but is cut off by the network", // dn4, in the group partition
	} {
		if !strings.Contains(s, want) {
			t.Errorf("explanation lacks %q:\n%s", want, s)
		}
	}
}

// A detector that never registers nodes (gossip) still has them live
// from the start, in the strip and every timeline.
func TestSpansWithoutRegistration(t *testing.T) {
	r := Build(Meta{Name: "gossip"}, &trace.Trace{
		End:   time.Minute,
		Nodes: []trace.Node{{ID: "dn1", FinalState: "live"}, {ID: "dn2", FinalState: "dead"}},
		Events: []trace.Event{
			{At: at(10000), Node: "dn2", Kind: trace.Kill},
			tr(20000, "dn2", "live", "stale", "no counter increase"),
			tr(30000, "dn2", "stale", "dead", "suspected for 10s"),
		},
	})
	spans := r.Spans()
	if v := spans[0].View; len(v) != 1 || v[0].State != ViewLive || v[0].ToMs != 60000 {
		t.Errorf("dn1 view %+v, want live throughout", v)
	}
	if v := spans[1].View; len(v) != 3 || v[0].State != ViewLive || v[0].FromMs != 0 {
		t.Errorf("dn2 view %+v, want live from the start", v)
	}
	var b bytes.Buffer
	r.WriteStrip(&b, TableOptions{})
	if !strings.Contains(b.String(), "dn1  ████") {
		t.Errorf("strip:\n%s", b.String())
	}
}
