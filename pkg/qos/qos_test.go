package qos

import (
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

const s = time.Second

func tr(end time.Duration, evs ...trace.Event) *trace.Trace {
	return &trace.Trace{End: end, Nodes: []trace.Node{{ID: "a"}}, Events: evs}
}

func kill(at time.Duration) trace.Event { return trace.Event{At: at, Node: "a", Kind: trace.Kill} }
func restart(at time.Duration) trace.Event {
	return trace.Event{At: at, Node: "a", Kind: trace.Restart}
}
func to(at time.Duration, state string) trace.Event {
	return trace.Event{At: at, Node: "a", Kind: trace.Transition, To: state, Detector: "d"}
}

func TestCompute(t *testing.T) {
	for _, tc := range []struct {
		name              string
		tr                *trace.Trace
		crashes, detected int
		detection         []time.Duration
		mistakes          int
		mistakeDurations  []time.Duration
		uptime, suspected time.Duration
	}{
		{name: "quiet run", tr: tr(100 * s), uptime: 100 * s},
		{name: "crash detected after 30s",
			tr:      tr(100*s, kill(10*s), to(40*s, "dead")),
			crashes: 1, detected: 1, detection: []time.Duration{30 * s}, uptime: 10 * s},
		{name: "crash undetected before restart is censored, not large",
			tr:      tr(100*s, kill(10*s), restart(20*s), to(21*s, "live")),
			crashes: 1, uptime: 90 * s},
		{name: "stale is trust, not suspicion",
			tr:      tr(100*s, kill(10*s), to(30*s, "stale"), to(40*s, "dead")),
			crashes: 1, detected: 1, detection: []time.Duration{30 * s}, uptime: 10 * s},
		{name: "false death corrected by re-registration",
			tr:       tr(100*s, to(50*s, "dead"), to(55*s, "live")),
			mistakes: 1, mistakeDurations: []time.Duration{5 * s}, uptime: 100 * s, suspected: 5 * s},
		{name: "suspected before the crash: T_D is 0",
			tr:      tr(100*s, to(50*s, "dead"), kill(60*s)),
			crashes: 1, detected: 1, detection: []time.Duration{0},
			mistakes: 1, mistakeDurations: []time.Duration{10 * s}, uptime: 60 * s, suspected: 10 * s},
		{name: "mistake open at the end is censored",
			tr:       tr(100*s, to(90*s, "dead")),
			mistakes: 1, uptime: 100 * s, suspected: 10 * s},
		{name: "other detectors' events are ignored",
			tr:     tr(100*s, trace.Event{At: 5 * s, Node: "a", Kind: trace.Verdict, To: "dead", Detector: "other"}),
			uptime: 100 * s},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Compute(tc.tr, "d")
			if r.Crashes != tc.crashes || r.Detected != tc.detected || r.Mistakes != tc.mistakes {
				t.Errorf("crashes/detected/mistakes = %d/%d/%d, want %d/%d/%d", r.Crashes, r.Detected, r.Mistakes, tc.crashes, tc.detected, tc.mistakes)
			}
			if !equal(r.Detection, tc.detection) || !equal(r.MistakeDurations, tc.mistakeDurations) {
				t.Errorf("T_D %v T_M %v, want %v %v", r.Detection, r.MistakeDurations, tc.detection, tc.mistakeDurations)
			}
			if r.Uptime != tc.uptime || r.Suspected != tc.suspected {
				t.Errorf("U %v W %v, want %v %v", r.Uptime, r.Suspected, tc.uptime, tc.suspected)
			}
		})
	}
}

func equal(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRates(t *testing.T) {
	r := Result{Mistakes: 2, Uptime: 4 * time.Hour, Suspected: 36 * time.Minute}
	if got := r.MistakesPerHour(); got != 0.5 {
		t.Errorf("λ_M = %v, want 0.5", got)
	}
	if got, _ := r.MistakeRecurrence(); got != 2*time.Hour {
		t.Errorf("E(T_MR) = %v, want 2h", got)
	}
	if got := r.PA(); got != 0.85 {
		t.Errorf("P_A = %v, want 0.85", got)
	}
	if p, _ := Percentile([]time.Duration{5, 1, 4, 2, 3}, 50); p != 3 {
		t.Errorf("p50 = %v, want 3", p)
	}
	if p, _ := Percentile([]time.Duration{5, 1, 4, 2, 3}, 99); p != 5 {
		t.Errorf("p99 = %v, want 5", p)
	}
}
