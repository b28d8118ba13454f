package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/screen"
	"github.com/hbsim/hbsim/pkg/trace"
)

// flapping is threshold-too-low in small: dn1 declared dead and back n
// times, dn2 twice, then a pause of dn1 and n more times after it.
func flapping(n int) *trace.Trace {
	tr := &trace.Trace{End: 10 * time.Minute, Detectors: []string{"missed-count"},
		Nodes: []trace.Node{{ID: "dn1", FinalState: "live"}, {ID: "dn2", FinalState: "live"}}}
	ev := func(e trace.Event) { tr.Events = append(tr.Events, e) }
	ev(reg(1000, "dn1"))
	ev(reg(1500, "dn2"))
	t := 10_000.0
	for k := 0; k < n; k++ {
		ev(tr2(t, "dn1", "live", "dead", fmt.Sprintf("missed 1 of 1 heartbeats (%d)", k)))
		ev(tr2(t+50, "dn1", "dead", "live", "re-registered"))
		if k < 2 {
			ev(tr2(t+100, "dn2", "live", "dead", "missed 1 of 1 heartbeats"))
			ev(tr2(t+150, "dn2", "dead", "live", "re-registered"))
		}
		t += 3000
	}
	ev(fault(t, "dn1", "pause"))
	ev(fault(t+1000, "dn1", "resume"))
	t += 2000
	for k := 0; k < n; k++ {
		ev(tr2(t, "dn1", "live", "dead", "missed 1 of 1 heartbeats"))
		ev(tr2(t+50, "dn1", "dead", "live", "re-registered"))
		t += 3000
	}
	// A watcher that suspects dn1 on a cycle of three states.
	for k := 0; k < 3; k++ {
		for _, s := range [][2]string{{"live", "stale"}, {"stale", "dead"}, {"dead", "live"}} {
			ev(trace.Event{At: at(t), Node: "dn1", Kind: trace.Verdict, From: s[0], To: s[1], Reason: "phi", Detector: "phi"})
			t += 100
		}
	}
	ev(tr2(t, "dn1", "live", "dead", "missed 1 of 1 heartbeats; the last"))
	return tr
}

func tr2(ms float64, node, from, to, why string) trace.Event { return tr(ms, node, from, to, why) }

func TestFoldRepeatedTransitions(t *testing.T) {
	r := Build(Meta{Name: "flapping"}, flapping(5))
	var b bytes.Buffer
	if err := r.WriteTableWith(&b, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		// Folded on each side of the pause, which stays a row.
		"live ↔ dead ×5", "5 times from 00:10.000 to 00:22.050; the first: missed 1 of 1 heartbeats (0)",
		"│ pause ", "│ resume ",
		// Twice is still a story: dn2's rows stay.
		"│ 00:10.100 │ dn2  │ live → dead ",
		// A watcher's cycle of three states, ending where it began.
		"phi would say live → stale → dead → live ×3",
		// After the pause: five cycles and one more death, folded too.
		"live ↔ dead ×6", "ending dead; the first: missed 1 of 1 heartbeats",
		"folded into one row (×count); --timeline full lists each",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q\n%s", want, out)
		}
	}
	if n := strings.Count(out, "live ↔ dead ×"); n != 2 {
		t.Errorf("%d folds of dn1, want 2 (one each side of the pause)\n%s", n, out)
	}
	var full bytes.Buffer
	if err := r.WriteTableWith(&full, TableOptions{Full: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(full.String(), "×") || strings.Count(full.String(), "re-registered") != 2*5+2 {
		t.Errorf("--timeline full folded something:\n%s", full.String())
	}
	// Full lists the registrations too.
	if !strings.Contains(full.String(), "│ 00:01.000 │ dn1  │ — → live ") {
		t.Errorf("--timeline full lacks the registrations:\n%s", full.String())
	}
}

func TestFoldEndingMidCycle(t *testing.T) {
	tr := &trace.Trace{End: time.Minute, Nodes: []trace.Node{{ID: "dn1", FinalState: "dead"}}}
	for k := 0; k < 4; k++ {
		tr.Events = append(tr.Events, tr2(float64(1000+2000*k), "dn1", "live", "dead", "gone"), tr2(float64(2000+2000*k), "dn1", "dead", "live", "back"))
	}
	tr.Events = append(tr.Events, tr2(9000, "dn1", "live", "dead", "gone"))
	r := Build(Meta{Name: "x"}, tr)
	var b bytes.Buffer
	if err := r.WriteExplain(&b, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "00:01.000 dn1 LIVE ↔ DEAD: the same change 5 times from 00:01.000 to 00:09.000, ending DEAD; the first time, LIVE → DEAD: gone"
	if !strings.Contains(b.String(), want) {
		t.Errorf("explanation lacks %q\n%s", want, b.String())
	}
}

func TestFitsWidth(t *testing.T) {
	r := fixtureReport()
	// A replay command breaks before its flags, with backslashes.
	r.Expectations[1].Repro = &Repro{Version: "dev", Commit: "abc", Seed: 42,
		Command: "hbsim run scenarios/three-nodes.yaml --seed 42 --set heartbeat.miss_threshold=12 --set heartbeat.interval=1s"}
	for _, width := range []int{80, 60} {
		var b bytes.Buffer
		if err := r.WriteTableWith(&b, TableOptions{Width: width, Explain: true, Trace: fixture()}); err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(b.String(), "\n") {
			if w := screen.Width(l); w > width {
				t.Errorf("width %d: line %d is %d wide: %q", width, i+1, w, l)
			}
		}
		if !strings.Contains(b.String(), "--seed 42 \\\n") {
			t.Errorf("width %d: the replay command is not broken before a flag:\n%s", width, b.String())
		}
		if width == 80 {
			checkGolden(t, "table_80.golden", b.Bytes())
		}
	}
}

func TestLastViewsAreStripAndVerdicts(t *testing.T) {
	var b bytes.Buffer
	if err := fixtureReport().WriteTableWith(&b, TableOptions{Explain: true, Trace: fixture()}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	order := []string{"\nTimeline\n", "\nExplanation\n", "\nNodes\n", "\nPer-node timeline\n", "\nExpectations\n"}
	last := -1
	for _, title := range order {
		i := strings.Index(out, title)
		if i < last {
			t.Errorf("%q comes before the view above it in %v", strings.TrimSpace(title), order)
		}
		last = i
	}
	if !strings.HasSuffix(out, "1 passed, 1 failed\n") {
		t.Errorf("the verdicts are not the last line:\n%s", out)
	}
}

// bigCluster has 20 nodes: dn5 killed, dn13 paused, the others quiet.
func bigCluster() *Report {
	tr := &trace.Trace{End: 5 * time.Minute, Detectors: []string{"missed-count"}}
	for i := 1; i <= 20; i++ {
		id := fmt.Sprintf("dn%d", i)
		state := "live"
		if i == 5 {
			state = "dead"
		}
		tr.Nodes = append(tr.Nodes, trace.Node{ID: id, FinalState: state, HeartbeatsSent: int64(100 + i%3), HeartbeatsReceived: 100})
		tr.Events = append(tr.Events, reg(500, id))
	}
	tr.Events = append(tr.Events,
		fault(60000, "dn5", trace.Kill), tr2(90000, "dn5", "live", "dead", "missed 10 of 10 heartbeats"),
		fault(120000, "dn13", "pause"), fault(125000, "dn13", "resume"))
	return Build(Meta{Name: "big"}, tr)
}

func TestFoldQuietNodes(t *testing.T) {
	var b bytes.Buffer
	if err := bigCluster().WriteTableWith(&b, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"│ dn1–dn4 (4)   │ live", "│ dn5           │ dead", "│ dn6–dn20 (15) │ live", "100–102",
		"\ndn1–dn4    █", "\ndn5        █", "\ndn6–dn12   █", "\ndn13       █", "\ndn14–dn20  █",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q\n%s", want, out)
		}
	}
	var full bytes.Buffer
	if err := bigCluster().WriteTableWith(&full, TableOptions{Full: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(full.String(), "–dn") || !strings.Contains(full.String(), "\ndn20  █") {
		t.Errorf("--timeline full folded nodes:\n%s", full.String())
	}
}

// A fold is cut by a fault of its node or of the NameNode, and by no
// other node's: dn1's cycles split at the NameNode's overload, dn2's stay
// one row across dn3's pause.
func TestFoldCutByNameNodeFault(t *testing.T) {
	tr := &trace.Trace{End: 10 * time.Minute, Detectors: []string{"missed-count"},
		Nodes: []trace.Node{{ID: "dn1", FinalState: "live"}, {ID: "dn2", FinalState: "live"}, {ID: "dn3", FinalState: "live"}}}
	ev := func(e trace.Event) { tr.Events = append(tr.Events, e) }
	t0 := 10_000.0
	cycles := func(n int) {
		for k := 0; k < n; k++ {
			for _, id := range []string{"dn1", "dn2"} {
				ev(tr2(t0, id, "live", "dead", "missed 1 of 1 heartbeats"))
				ev(tr2(t0+50, id, "dead", "live", "re-registered"))
				t0 += 100
			}
			t0 += 3000
		}
	}
	cycles(4)
	ev(fault(t0, trace.NameNodeID, trace.Overload))
	ev(fault(t0+1000, "dn3", trace.Pause))
	ev(fault(t0+2000, trace.NameNodeID, trace.OverloadEnd))
	t0 += 3000
	cycles(4)
	ev(fault(t0, "dn3", trace.Resume))
	cycles(1)
	r := Build(Meta{Name: "cuts"}, tr)
	var b bytes.Buffer
	if err := r.WriteTableWith(&b, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	// Each node's cycles fold in two: cut where the overload began and
	// ended, not where dn3 paused or resumed.
	var folds []string
	for _, l := range strings.Split(b.String(), "\n") {
		if f := strings.Split(l, "│"); len(f) > 3 && strings.Contains(f[3], "live ↔ dead ×") {
			folds = append(folds, strings.TrimSpace(f[2])+" "+strings.TrimSpace(f[3]))
		}
	}
	want := "dn1 live ↔ dead ×4, dn2 live ↔ dead ×4, dn1 live ↔ dead ×5, dn2 live ↔ dead ×5"
	if got := strings.Join(folds, ", "); got != want {
		t.Errorf("folds %s\nwant %s\n%s", got, want, b.String())
	}
}
