package htmlreport

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/trace"
)

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// fixture is a small run with every band: dn1 is paused and wrongly
// declared dead, dn2 is partitioned and recovers, dn3 is killed.
func fixture() (*report.Report, *trace.Trace) {
	ev := func(t float64, node string, kind trace.Kind, from, to, why string) trace.Event {
		return trace.Event{At: ms(t), Node: node, Kind: kind, From: from, To: to, Reason: why}
	}
	tr := &trace.Trace{
		End: 4 * time.Minute,
		Nodes: []trace.Node{
			{ID: "dn1", FinalState: "live", Arrivals: []time.Duration{ms(1000), ms(4000), ms(7000), ms(61000), ms(64000)}},
			{ID: "dn2", FinalState: "live", Arrivals: []time.Duration{ms(1500), ms(4500), ms(88500), ms(111000)}},
			{ID: "dn3", FinalState: "dead", Arrivals: []time.Duration{ms(2000), ms(146000), ms(149000)}},
		},
		Events: []trace.Event{
			ev(1000, "dn1", trace.Transition, "", "live", "registered"),
			ev(1500, "dn2", trace.Transition, "", "live", "registered"),
			ev(2000, "dn3", trace.Transition, "", "live", "registered"),
			ev(10000, "dn1", "pause", "", "", "scenario: pause at line 9"),
			ev(25000, "dn1", trace.Transition, "live", "stale", "no heartbeat for 18s (stale after 15s)"),
			ev(40000, "dn1", trace.Transition, "stale", "dead", "missed 11 of 10 heartbeats; last heard at 00:00:07.000"),
			ev(60000, "dn1", "resume", "", "", "scenario: resume at line 10"),
			ev(61000, "dn1", trace.Transition, "dead", "live", "re-registered after REGISTER command"),
			ev(90000, "dn2", "partition", "", "", "scenario: partition at line 11"),
			ev(110000, "dn2", "heal", "", "", "scenario: heal at line 12"),
			ev(150000, "dn3", trace.Kill, "", "", "scenario: kill at line 13"),
			ev(181000, "dn3", trace.Transition, "live", "dead", "missed 10 of 10 heartbeats; last heard at 00:02:29.000"),
		},
	}
	for t := time.Duration(0); t <= tr.End; t += 5 * time.Second {
		live := 3
		if t >= 40*time.Second && t < 61*time.Second || t >= 181*time.Second {
			live = 2
		}
		tr.Series = append(tr.Series, trace.Sample{At: t, Live: live, Dead: 3 - live})
	}
	r := report.Build(report.Meta{Name: "faults <&> demo", Description: "Every band.", Seed: 3,
		Config: map[string]any{"heartbeat": map[string]any{"interval": "3s", "miss_threshold": 10}}}, tr)
	r.Expectations = []report.Expectation{
		{Name: "dn3 dead within 35s", Passed: true, Detail: "detection 31s ≤ 35s"},
		{Name: "false positives = 0", Passed: false, Detail: "1 false positive"},
	}
	r.Passed = false
	return r, tr
}

func render(t *testing.T) string {
	t.Helper()
	r, tr := fixture()
	var b bytes.Buffer
	if err := Write(&b, r, tr); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestDeterministic(t *testing.T) {
	if render(t) != render(t) {
		t.Fatal("two renders of the same run differ")
	}
}

// TestSelfContained: the page must open offline, so nothing may be fetched.
func TestSelfContained(t *testing.T) {
	page := render(t)
	for _, bad := range []string{"http://", "https://", "<script", "<link", "@import", "<img", "<iframe", "//cdn"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, m := range regexp.MustCompile(`url\(([^)]*)\)`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("page refers to %s, not to itself", m[0])
		}
	}
}

func TestElements(t *testing.T) {
	page := render(t)
	cases := []struct {
		what, want string
		count      int // 0: at least once
	}{
		{"timeline", `id="timeline-rows"`, 1},
		{"one row per node", `class="tl-row node-row"`, 3},
		{"live band", `class="band view b-live"`, 0},
		{"stale band", `class="band view b-stale"`, 0},
		{"false positive hatched", `class="band view b-dead mistake"`, 1},
		{"killed lane", `class="band truth b-killed"`, 1},
		{"paused lane", `class="band truth b-paused"`, 1},
		{"partitioned lane", `class="band truth b-partitioned"`, 1},
		{"heartbeat ticks", `<path class="ticks" d="M`, 3},
		{"detections marked", `<line class="mark m-dead"`, 2},
		{"reason on hover", "missed 10 of 10 heartbeats", 0},
		{"ground truth on hover, in the run's short times", "correct: the process was killed at 02:30.000", 0},
		{"fault periods shaded on the chart", `class="fault-shade"`, 0},
		{"node chart", `id="chart-nodes"`, 1},
		{"live line", `class="series l-live"`, 1},
		{"failed expectation", `class="expectation fail"`, 1},
		{"passed expectation", `class="expectation pass"`, 1},
		{"config", "heartbeat.miss_threshold", 0},
		{"escaped title", "faults &lt;&amp;&gt; demo", 0},
		{"verdict", "✗ 1 of 2 expectations failed", 1},
	}
	for _, c := range cases {
		n := strings.Count(page, c.want)
		if c.count == 0 && n == 0 || c.count > 0 && n != c.count {
			t.Errorf("%s: %q found %d times, want %d (0: any)", c.what, c.want, n, c.count)
		}
	}
}

func TestNoTrace(t *testing.T) {
	r, _ := fixture()
	var b bytes.Buffer
	if err := Write(&b, r, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `<path class="ticks" d=`) {
		t.Error("ticks drawn without arrivals")
	}
	if !strings.Contains(b.String(), `class="tl-row node-row"`) {
		t.Error("no timeline rows without a trace")
	}
}

func TestSeriesFields(t *testing.T) {
	ts, f := seriesFields([]report.Sample{{TMs: 0, Live: 3}, {TMs: 1000, Live: 2, Dead: 1}})
	if len(ts) != 2 || ts[1] != 1000 {
		t.Fatalf("times %v", ts)
	}
	for _, k := range []string{"live", "stale", "dead"} {
		if _, ok := f[k]; !ok {
			t.Errorf("field %q not found", k)
		}
	}
	if _, ok := f["t_ms"]; ok {
		t.Error("time charted as a series")
	}
	if f["dead"][1] != 1 {
		t.Errorf("dead = %v", f["dead"])
	}
}

func TestNiceStep(t *testing.T) {
	cases := []struct {
		top      float64
		integral bool
		want     float64
	}{
		{0, true, 1}, {1, true, 1}, {3, true, 1}, {5, true, 1}, {7, true, 2}, {12, true, 5},
		{100, true, 20}, {101, true, 50}, {0.3, false, 0.1}, {2.2, false, 0.5}, {0.3, true, 1},
	}
	for _, c := range cases {
		if got := niceStep(c.top, c.integral); got != c.want {
			t.Errorf("niceStep(%v, %v) = %v, want %v", c.top, c.integral, got, c.want)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	r, tr := fixture()
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, r, tr); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(got, []byte("<!DOCTYPE html>")) {
		t.Fatalf("read %.40q, %v", got, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// Outputs keep an existing file's mode and get their folders made,
	// as every atomic write does.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, r, tr); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after a rewrite, want the file's own 0600", fi.Mode().Perm())
	}
	if err := WriteFile(filepath.Join(dir, "missing", "r.html"), r, tr); err != nil {
		t.Errorf("write into a missing folder: %v", err)
	}
}
