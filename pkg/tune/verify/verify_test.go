package verify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/tune"
)

func parse(t *testing.T, body string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse("x.yaml", []byte(body), scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestProbed: probe crashes go only to nodes the scenario never kills,
// stay down twice the target, alternate with restarts, and leave room
// for detection before the end; the same seed gives the same probes.
func TestProbed(t *testing.T) {
	s := parse(t, "name: p\nduration: 20m\ncluster: {datanodes: 3}\nevents:\n  - {at: 1m, kill: dn2}\n")
	p, err := probed(s, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	kills := map[string][]time.Duration{}
	for _, ev := range p.Events[1:] {
		if ev.Line != 0 {
			continue
		}
		kills[ev.Nodes[0]] = append(kills[ev.Nodes[0]], ev.At)
	}
	if len(kills["dn2"]) != 0 || len(kills["dn1"]) < 4 || len(kills["dn3"]) < 4 {
		t.Fatalf("probe events %v", kills)
	}
	for id, ts := range kills {
		for k := 1; k < len(ts); k += 2 {
			if ts[k]-ts[k-1] != time.Minute {
				t.Errorf("%s down %v, want 2 × 30s", id, ts[k]-ts[k-1])
			}
		}
		for k := 0; k < len(ts); k += 2 {
			if ts[k]+time.Minute > s.Duration {
				t.Errorf("%s: a probe crash at %v leaves no time to detect", id, ts[k])
			}
		}
	}
	q, _ := probed(s, 30*time.Second)
	if len(q.Events) != len(p.Events) || q.Events[3].At != p.Events[3].At {
		t.Error("same seed, different probes")
	}
	if len(s.Events) != 1 {
		t.Error("probed changed the original scenario")
	}
	short := parse(t, "name: p\nduration: 60s\ncluster: {datanodes: 2}\n")
	if _, err := probed(short, 30*time.Second); err == nil || !strings.Contains(err.Error(), "lengthen duration") {
		t.Errorf("a 60s run got probes: %v", err)
	}
}

// TestRunMeasuresTheScenario runs a small lossless scenario: every probe
// crash is detected within the missed-count bound, no mistake is made.
func TestRunMeasuresTheScenario(t *testing.T) {
	data := []byte("name: v\nduration: 10m\ncluster: {datanodes: 4}\nheartbeat: {interval: 1s, check_interval: 1s, miss_threshold: 5}\nnetwork: {latency: 2ms}\n")
	m, err := Run(context.Background(), Options{Path: "v.yaml", Data: data, Seeds: 3, MaxDetection: 10 * time.Second,
		Settings: []tune.Setting{{Key: "heartbeat.miss_threshold", Value: "4"}}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Detector != "missed-count" || m.Crashes == 0 || m.Detected != m.Crashes || m.Mistakes != 0 || m.PA != 1 {
		t.Fatalf("measured %+v", m)
	}
	// threshold 4 at 1s: 4s of silence, one 1s scan, 2ms: T_D < 5.002s.
	if top := m.Detection[len(m.Detection)-1]; top > 5.002 || m.Detection[0] < 3 {
		t.Errorf("detections from %v to %v, want within (3s, 5.002s]", m.Detection[0], top)
	}
	if _, err := Run(context.Background(), Options{Path: "v.yaml", Data: data, Seeds: 0, MaxDetection: time.Second}); err == nil {
		t.Error("zero seeds accepted")
	}
}

func TestReportMarksRefutedTargets(t *testing.T) {
	rec := tune.Recommendation{Detector: "missed-count", Predicted: tune.Prediction{DetectionMax: 9, Recurrence: 1e9, HeartbeatsPerSecond: 1}}
	tg := tune.Targets{MaxDetection: 10, MinRecurrence: 3600}
	// Twenty mistakes in ten node-hours: a recurrence of an hour is
	// refuted; one crash detected late breaks the detection target.
	m := &Measured{Crashes: 2, Detected: 2, Detection: []float64{5, 11}, Mistakes: 20, Uptime: 36000, PA: 0.99, Seeds: 1}
	e := NewEntry(rec, m, tg)
	if e.Met["max_detection"] || e.Met["min_mistake_recurrence"] || e.AllMet() {
		t.Errorf("met %v, want both refuted", e.Met)
	}
	var b strings.Builder
	r := &Report{Scenario: "x", Path: "x.yaml", Targets: NewTargets(tg), Detectors: []Entry{e}}
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if n := len([]rune(line)); n > 80 {
			t.Errorf("line of %d columns: %q", n, line)
		}
	}
	if !strings.Contains(b.String(), "NO") {
		t.Errorf("table does not show the failed target:\n%s", b.String())
	}
}
