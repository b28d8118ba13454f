package htmlreport

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/trace"
)

func count(t *testing.T, page string, cases []struct {
	what, want string
	count      int // 0: at least once
}) {
	t.Helper()
	for _, c := range cases {
		n := strings.Count(page, c.want)
		if c.count == 0 && n == 0 || c.count > 0 && n != c.count {
			t.Errorf("%s: %q found %d times, want %d (0: any)", c.what, c.want, n, c.count)
		}
	}
}

func writePage(t *testing.T, r *report.Report, tr *trace.Trace) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, r, tr); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// gossipTrace is a gossip group of five whose dn3 crashes at 60s: dn1
// suspects it at 72s and declares it dead at 82s, then dn2 and dn4 learn
// it; dn5 never hears of it. A window around the crash holds the
// messages, one of them lost.
func gossipTrace() *trace.Trace {
	at := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	tr := &trace.Trace{End: 3 * time.Minute, Detectors: []string{"gossip"},
		Nodes: []trace.Node{{ID: "dn1"}, {ID: "dn2"}, {ID: "dn3"}, {ID: "dn4"}, {ID: "dn5"}},
		Events: []trace.Event{
			{At: at(60), Node: "dn3", Kind: trace.Kill, Reason: "scenario line 9: process killed (crash-stop)"},
			{At: at(72), Node: "dn3", Kind: trace.Transition, From: "live", To: "stale", Detector: "gossip", Reason: "dn1: no heartbeat counter increase"},
			{At: at(82), Node: "dn3", Kind: trace.Transition, From: "stale", To: "dead", Detector: "gossip", Reason: "dn1: suspected for 10s"},
		},
		Beliefs: []trace.Belief{
			{At: at(72), Observer: "dn1", Subject: "dn3", From: "live", To: "stale"},
			{At: at(82), Observer: "dn1", Subject: "dn3", From: "stale", To: "dead"},
			{At: at(83), Observer: "dn2", Subject: "dn3", From: "live", To: "dead"},
			{At: at(84), Observer: "dn4", Subject: "dn3", From: "live", To: "dead"},
		},
		Windows: []trace.Window{{Fault: "kill dn3", Line: 9, Nodes: []string{"dn3"}, At: at(60), End: at(60), From: at(58), To: at(90),
			Messages: []trace.Message{
				{Sent: at(59), Received: at(59.01), From: "dn3", To: "dn1", Type: "gossip"},
				{Sent: at(59.5), Received: at(59.51), From: "dn1", To: "dn3", Type: "gossip"},
				{Sent: at(61), From: "dn1", To: "dn3", Type: "gossip", Lost: true},
				{Sent: at(83), Received: at(83.01), From: "dn1", To: "dn2", Type: "gossip"},
				{Sent: at(83.5), Received: at(83.51), From: "dn2", To: "dn4", Type: "gossip"},
			}}},
	}
	return tr
}

func TestGossipMatrixFromBeliefs(t *testing.T) {
	tr := gossipTrace()
	r := report.Build(report.Meta{Name: "gossip five"}, tr)
	page := writePage(t, r, tr)
	count(t, page, []struct {
		what, want string
		count      int
	}{
		{"the section", `id="matrix"`, 1},
		{"one fault", "<h3>kill dn3 at 01:00.000</h3>", 1},
		// the fault, the first suspicion, the first death declared,
		// half knowing, most knowing
		{"five moments", `class="snap"`, 5},
		{"the first suspicion", "01:12.000 · <b>first suspicion</b>: 1 suspect, 0 dead", 1},
		{"most know", "<b>most know</b>: 0 suspect, 3 dead", 1},
		{"dn3's column marked", "<title>dn3</title>", 5},
	})
	// dn3 is the third member: its cells are in the third column and its
	// own row is grey (not running) in every snapshot.
	sn := matrixFaults(r, tr)[0].Snaps
	cell := sn[0].Cell
	if !strings.Contains(sn[4].Dead, "M"+num(2*cell)+" 0h") {
		t.Errorf("dn1's belief about dn3 is not in row 1, column 3: %q", sn[4].Dead)
	}
	if !strings.Contains(sn[0].Down, "M0 "+num(2*cell)+"h") {
		t.Errorf("dn3's row is not grey after its crash: %q", sn[0].Down)
	}
	// Central runs have no beliefs and no matrix.
	page = render(t)
	if strings.Contains(page, `id="matrix"`) {
		t.Error("a run without beliefs has a matrix")
	}
}

func TestSpaceTimeFromWindow(t *testing.T) {
	tr := gossipTrace()
	r := report.Build(report.Meta{Name: "gossip five"}, tr)
	page := writePage(t, r, tr)
	count(t, page, []struct {
		what, want string
		count      int
	}{
		{"the section", `id="messages"`, 1},
		{"one diagram", `<figure class="spacetime" id="st-1">`, 1},
		{"the fault links to it", `<a href="#st-1">`, 0},
		{"four delivered, one lost", `class="st-msg m-gossip"`, 4},
		{"the lost one stops half-way", `class="st-msg m-lost"`, 1},
		{"a cross for it", `class="lost-x"`, 1},
		{"the summary", "5 messages (5 gossip), 1 lost", 1},
		{"the crash noted", "▾ kill dn3", 1},
		{"the death noted", "▾ dn3 dead", 1},
	})
	// Lanes: the fault's node, then the busiest peers, in the
	// scenario's order; dn5 sent and received nothing.
	diagram := page[strings.Index(page, `<figure class="spacetime"`):]
	lanes := regexp.MustCompile(`<span class="node" style="top: [0-9.]+px; height: 16px">(dn\d)</span>`).FindAllStringSubmatch(diagram, -1)
	var names []string
	for _, l := range lanes {
		names = append(names, l[1])
	}
	if got := strings.Join(names, ","); got != "dn1,dn2,dn3,dn4" {
		t.Errorf("lanes %s, want dn1,dn2,dn3,dn4", got)
	}
}

func TestRacksBlocksAndShading(t *testing.T) {
	r, tr := fixture()
	tr.Blocks = &trace.Blocks{Total: 300, UnderReplicatedPeak: 90, ReReplicated: 88, BytesMoved: 88 << 20, Recovered: true, RecoveredAt: 3 * time.Minute}
	tr.IO = &trace.IO{Reads: 1000, ReadsRerouted: 7}
	r = report.Build(report.Meta{Name: "racked", Racks: map[string]string{"dn1": "r1", "dn2": "r2", "dn3": "r1"}}, tr)
	page := writePage(t, r, tr)
	count(t, page, []struct {
		what, want string
		count      int
	}{
		{"a heading per rack", `class="tl-rack"`, 2},
		{"rack r1 holds dn1 and dn3", "<b>rack r1</b>dn1, dn3", 1},
		{"blocks and I/O", `id="blocks"`, 1},
		{"the terminal's numbers", "88 replicas, 88.0 MiB moved", 1},
		{"recovered, in the run's times", "03:00.000", 0},
		{"reads", "1000 (7, 0)", 1},
		{"faults shaded", `class="fault-shade"`, 0},
	})
	// dn3 comes before dn2: rows follow their racks.
	if i, j := strings.Index(page, `id="row-dn3"`), strings.Index(page, `id="row-dn2"`); i < 0 || j < 0 || i > j {
		t.Errorf("rows not grouped by rack: dn3 at %d, dn2 at %d", i, j)
	}
}

func TestDisagreements(t *testing.T) {
	page := faultsPage(t)
	count(t, page, []struct {
		what, want string
		count      int
	}{
		{"the section", `id="disagree"`, 1},
		// phi declared dn2 dead for 100ms while it ran (lossy): the
		// others trusted it.
		{"phi's mistake", `<td class="mono">dn2</td><td class="mono">01:02.000</td><td class="mono">01:02.100</td><td>0.1s</td>`, 1},
		{"marked wrong", `class="wrong"`, 0},
	})
	if page := render(t); strings.Contains(page, `id="disagree"`) {
		t.Error("a run with one detector lists disagreements")
	}
}

func TestFoldQuietRows(t *testing.T) {
	tr := &trace.Trace{End: time.Minute, Detectors: []string{"missed-count"}}
	for i := 1; i <= 30; i++ {
		id := "dn" + num(float64(i))
		tr.Nodes = append(tr.Nodes, trace.Node{ID: id, FinalState: "live"})
		tr.Events = append(tr.Events, trace.Event{At: time.Second, Node: id, Kind: trace.Transition, To: "live", Reason: "registered"})
	}
	tr.Events = append(tr.Events, trace.Event{At: 20 * time.Second, Node: "dn7", Kind: trace.Kill, Reason: "scenario line 3"})
	page := writePage(t, report.Build(report.Meta{Name: "thirty"}, tr), tr)
	count(t, page, []struct {
		what, want string
		count      int
	}{
		{"dn7 keeps its row", `id="row-dn7"`, 1},
		{"the quiet ones before it", `id="row-dn1–dn6"`, 1},
		{"and after it", `id="row-dn8–dn30"`, 1},
		{"folded rows say so", `title="23 nodes, live throughout"`, 1},
	})
}
