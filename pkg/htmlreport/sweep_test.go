package htmlreport

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/sweep"
)

func fptr(f float64) *float64 { return &f }

// sweepFixture is a 3 × 2 grid: at interval 1s threshold 2 has false
// positives, 3 and 4 none; at 2s none at all; one point never detected.
func sweepFixture() *sweep.Result {
	pt := func(th, iv string, p99 *float64, fph float64, fp int, pareto bool) sweep.Point {
		return sweep.Point{Values: []string{th, iv}, Runs: 5, Crashes: 5, Detected: 5, DetectionP50Ms: p99, DetectionP99Ms: p99,
			FalsePositivesPerHour: fph, FalsePositives: fp, PA: 1, MessagesPerSec: 3, Pareto: pareto}
	}
	return &sweep.Result{
		Scenario: "jittery <demo>", Path: "examples/x.yaml", Detector: "missed-count", FirstSeed: 1, Seeds: 5,
		Params: []sweep.Param{{Key: "heartbeat.miss_threshold", Values: []string{"2", "3", "4"}}, {Key: "heartbeat.interval", Values: []string{"1s", "2s"}}},
		Points: []sweep.Point{
			pt("2", "1s", fptr(2500), 120, 40, true), pt("3", "1s", fptr(3500), 0, 0, true), pt("4", "1s", fptr(4500), 0, 0, false),
			pt("2", "2s", nil, 0, 0, false), pt("3", "2s", fptr(7000), 0, 0, false), pt("4", "2s", fptr(9000), 0, 0, false),
		},
		Recommendations: []string{"smallest heartbeat.miss_threshold with no false positive in 5 seeds: 3 (heartbeat.interval=1s)",
			"smallest heartbeat.miss_threshold with no false positive in 5 seeds: 2 (heartbeat.interval=2s)"},
	}
}

func renderSweep(t *testing.T, r *sweep.Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteSweep(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestSweepPage(t *testing.T) {
	page := renderSweep(t, sweepFixture())
	for _, c := range []struct {
		what, want string
		count      int // 0: at least once
	}{
		{"chart", `id="tradeoff-svg"`, 1},
		{"a line per interval", `class="curve"`, 2},
		{"a dot per detected point", `<circle class="pt`, 5},
		{"Pareto dots", `<circle class="pt pareto"`, 2},
		{"recommended, ringed", `<circle class="ring"`, 1}, // 2s's pick (2) never detected: not drawn
		{"a row per point", `<tr class="point`, 6},
		{"Pareto rows", `★ Pareto`, 2},
		{"recommended rows", `✓ rec`, 2},
		{"recommendation", "smallest heartbeat.miss_threshold with no false positive in 5 seeds: 3 (heartbeat.interval=1s)", 1},
		{"curve names", "heartbeat.interval=2s", 0},
		{"undetected point said", "1 point never detected a crash and is not drawn", 1},
		{"escaped", "jittery &lt;demo&gt;", 0},
	} {
		n := strings.Count(page, c.want)
		if c.count == 0 && n == 0 || c.count > 0 && n != c.count {
			t.Errorf("%s: %q found %d times, want %d (0: any)", c.what, c.want, n, c.count)
		}
	}
	for _, bad := range []string{"http://", "https://", "<script", "<link", "@import", "<img", "<iframe"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, m := range regexp.MustCompile(`url\(([^)]*)\)`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("page refers to %s", m[0])
		}
	}
	// Same result, same bytes.
	if again := renderSweep(t, sweepFixture()); again != page {
		t.Error("two renderings of one result differ")
	}
}

func TestSweepPageNothingDetected(t *testing.T) {
	r := sweepFixture()
	for i := range r.Points {
		r.Points[i].DetectionP99Ms, r.Points[i].Pareto = nil, false
	}
	page := renderSweep(t, r)
	if !strings.Contains(page, "no point detected a crash") || strings.Contains(page, `class="curve"`) {
		t.Error("an empty chart is not said so")
	}
}

func TestWriteSweepFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sweep.html")
	if err := WriteSweepFile(path, sweepFixture()); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) {
		t.Fatalf("read %.30q, %v", b, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if err := WriteSweep(&bytes.Buffer{}, nil); err == nil {
		t.Error("nil result rendered")
	}
}
