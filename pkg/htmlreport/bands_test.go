package htmlreport

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/trace"
)

// faultsPage renders a run with every fault kind the simulator records
// beyond kill, pause and partition, two watching detectors and a gossip
// section.
func faultsPage(t *testing.T) string {
	t.Helper()
	ev := func(ms float64, node string, k trace.Kind) trace.Event {
		return trace.Event{At: time.Duration(ms) * time.Millisecond, Node: node, Kind: k, Reason: "scenario line 1: " + string(k)}
	}
	tran := func(ms float64, node, det, kind, from, to string) trace.Event {
		return trace.Event{At: time.Duration(ms) * time.Millisecond, Node: node, Kind: trace.Kind(kind), Detector: det, From: from, To: to, Reason: det + " decided"}
	}
	tr := &trace.Trace{
		End:       4 * time.Minute,
		Detectors: []string{"missed-count", "phi", "hdfs"},
		Nodes:     []trace.Node{{ID: "dn1"}, {ID: "dn2"}, {ID: "dn3"}, {ID: "dn4"}},
		Events: []trace.Event{
			tran(1000, "dn1", "missed-count", "transition", "", "live"),
			tran(1000, "dn2", "missed-count", "transition", "", "live"),
			tran(1000, "dn3", "missed-count", "transition", "", "live"),
			tran(1000, "dn4", "missed-count", "transition", "", "live"),
			ev(30000, "dn1", trace.Slow),
			ev(40000, "dn2", trace.Loss),
			tran(62000, "dn2", "phi", "verdict", "live", "dead"),
			tran(62100, "dn2", "phi", "verdict", "dead", "live"),
			ev(70000, "dn2", trace.LossEnd),
			ev(90000, "dn1", trace.SlowEnd),
			ev(100000, "dn3", trace.Drift),
			ev(120000, trace.NameNodeID, trace.Overload),
			ev(150000, trace.NameNodeID, trace.OverloadEnd),
			ev(160000, trace.NameNodeID, trace.Partition),
			tran(185000, "dn4", "missed-count", "transition", "live", "dead"),
			ev(200000, trace.NameNodeID, trace.Heal),
		},
		Gossip: []trace.Convergence{{Node: "dn9", KillAt: time.Minute, FirstAt: 80 * time.Second, AllAt: 83 * time.Second}},
	}
	r := report.Build(report.Meta{Name: "faults", GroupPartitions: []report.GroupPartition{
		{FromMs: 160000, ToMs: 200000, Groups: [2][]string{{"dn1", "dn2"}, {"dn3", "dn4"}}, NameNodeSide: 1, Direction: "both"},
		{FromMs: 210000, ToMs: 220000, Groups: [2][]string{{"dn1"}, {"dn2"}}, Direction: "both"},
	}}, tr)
	var b bytes.Buffer
	if err := Write(&b, r, tr); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestEveryFaultKindDrawn(t *testing.T) {
	page := faultsPage(t)
	for _, c := range []struct {
		what, want string
		count      int // 0: at least once
	}{
		{"slow lane", `class="band truth b-slow"`, 1},
		{"lossy lane", `class="band truth b-lossy"`, 1},
		{"drifting lane", `class="band truth b-drifting"`, 1},
		{"group partition, side away from the NameNode", `class="band truth b-partitioned"`, 2},
		{"group partition, NameNode on neither side", `class="band truth b-split"`, 2},
		{"NameNode row", `id="row-namenode"`, 1},
		{"overload on the NameNode row", `class="band truth b-overloaded"`, 1},
		{"split on the NameNode row", `class="band truth b-netsplit"`, 1},
		{"legend names the extra bands", "links slowed", 0},
		{"legend names the overload", "NameNode overloaded", 0},
		{"a watcher lane per detector and node", `class="watch-lane"`, 8},
		{"watcher mistake", `class="band watch b-dead mistake"`, 1},
		{"watcher named in its lane's title", "phi detector (watching only) would say dn2 dead", 1},
		{"acting detector named", "(its missed-count detector)", 1},
		{"QoS role", "acting: drove the NameNode", 1},
		{"gossip table", `class="convergence"`, 1},
		{"gossip delay", "20.000s", 0},
	} {
		n := strings.Count(page, c.want)
		if c.count == 0 && n == 0 || c.count > 0 && n != c.count {
			t.Errorf("%s: %q found %d times, want %d (0: any)", c.what, c.want, n, c.count)
		}
	}
	// The acting detector's row comes first in the QoS table, whatever
	// the alphabet says.
	if i, j := strings.Index(page, `<td class="mono">missed-count</td>`), strings.Index(page, `<td class="mono">hdfs</td>`); i < 0 || j < 0 || i > j {
		t.Errorf("QoS rows out of order: missed-count at %d, hdfs at %d", i, j)
	}
}

func TestNoExtrasWithoutFaults(t *testing.T) {
	page := render(t)
	for _, bad := range []string{`id="row-namenode"`, "links slowed", `class="watch-lane"`, `id="gossip"`} {
		if strings.Contains(page, bad) {
			t.Errorf("page without such faults contains %q", bad)
		}
	}
}
