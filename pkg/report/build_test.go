package report

import (
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

// ms is a shorthand for virtual times in fixtures.
func at(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

func reg(ms float64, node string) trace.Event {
	return trace.Event{At: at(ms), Node: node, Kind: trace.Transition, From: "", To: "live", Reason: "registered"}
}

func tr(ms float64, node, from, to, why string) trace.Event {
	return trace.Event{At: at(ms), Node: node, Kind: trace.Transition, From: from, To: to, Reason: why}
}

func fault(ms float64, node string, k trace.Kind) trace.Event {
	return trace.Event{At: at(ms), Node: node, Kind: k, Reason: "scenario line 12"}
}

// fixture is a small run: dn3 crashes and is detected, dn2 is wrongly
// declared dead once, dn1 crashes twice, the second time until the end.
func fixture() *trace.Trace {
	return &trace.Trace{
		End: 120 * time.Second,
		Nodes: []trace.Node{
			{ID: "dn1", HeartbeatsSent: 20, HeartbeatsReceived: 19, FinalState: "dead"},
			{ID: "dn2", HeartbeatsSent: 40, HeartbeatsReceived: 30, FinalState: "live"},
			{ID: "dn3", HeartbeatsSent: 10, HeartbeatsReceived: 10, FinalState: "dead"},
		},
		Events: []trace.Event{
			reg(412.25, "dn1"),
			reg(1000, "dn2"),
			reg(2871, "dn3"),
			fault(10000, "dn3", trace.Kill),
			fault(12000, "dn1", trace.Kill),
			tr(40001, "dn3", "live", "stale", "no heartbeat for 30s"),
			tr(41002.001, "dn3", "stale", "dead", "no heartbeat for 31.002s (threshold 30s)"),
			tr(45000, "dn1", "live", "dead", "no heartbeat for 33s"),
			fault(50000, "dn1", trace.Restart),
			tr(50500, "dn1", "dead", "live", "re-registered"),
			tr(60000, "dn2", "live", "dead", "no heartbeat for 31s"),
			tr(61000, "dn2", "dead", "live", "re-registered"),
			fault(70000, "dn1", trace.Kill),
		},
	}
}

func fp(f float64) *float64 { return &f }

func eqPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func TestBuildNodes(t *testing.T) {
	r := Build(Meta{Name: "x", Seed: 7}, fixture())
	if r.DurationMs != 120000 {
		t.Errorf("duration_ms = %v, want 120000", r.DurationMs)
	}
	if len(r.Events) != 13 || r.Events[0].TMs != 412.25 || r.Events[0].Kind != "transition" {
		t.Errorf("events not converted: %+v", r.Events[:1])
	}
	want := []struct {
		id                string
		state             string
		killed, dead, det *float64
		fps, crashes      int
	}{
		{"dn1", "dead", fp(12000), fp(45000), fp(33000), 0, 2},
		{"dn2", "live", nil, nil, nil, 1, 0},
		{"dn3", "dead", fp(10000), fp(41002.001), fp(31002.001), 0, 1},
	}
	if len(r.Nodes) != len(want) {
		t.Fatalf("got %d nodes, want %d", len(r.Nodes), len(want))
	}
	for i, w := range want {
		n := r.Nodes[i]
		if n.ID != w.id || n.State != w.state || !eqPtr(n.KilledAtMs, w.killed) ||
			!eqPtr(n.DeadAtMs, w.dead) || !eqPtr(n.DetectionMs, w.det) ||
			n.FalsePositives != w.fps || len(n.Crashes) != w.crashes {
			t.Errorf("node %d = %+v, want %+v", i, n, w)
		}
	}
	dn1 := r.Nodes[0]
	if c := dn1.Crashes[0]; !eqPtr(c.RestartedAtMs, fp(50000)) {
		t.Errorf("dn1 first crash restarted_at = %v, want 50000", c.RestartedAtMs)
	}
	if c := dn1.Crashes[1]; c.KilledAtMs != 70000 || c.DeadAtMs != nil || c.RestartedAtMs != nil {
		t.Errorf("dn1 second crash = %+v, want killed 70000, never dead, never restarted", c)
	}
	if r.Nodes[1].HeartbeatsSent != 40 || r.Nodes[1].HeartbeatsReceived != 30 {
		t.Errorf("dn2 counters = %d/%d, want 40/30", r.Nodes[1].HeartbeatsSent, r.Nodes[1].HeartbeatsReceived)
	}
}

func TestBuildDeadBeforeKillIsFalsePositive(t *testing.T) {
	// The NameNode gave up on dn1 before it actually crashed: that
	// declaration was wrong when made, and does not count as detection.
	r := Build(Meta{}, &trace.Trace{
		End:   time.Minute,
		Nodes: []trace.Node{{ID: "dn1"}},
		Events: []trace.Event{
			reg(0, "dn1"),
			tr(5000, "dn1", "live", "dead", "slow"),
			fault(6000, "dn1", trace.Kill),
		},
	})
	n := r.Nodes[0]
	if n.FalsePositives != 1 || n.DeadAtMs != nil || !eqPtr(n.KilledAtMs, fp(6000)) {
		t.Errorf("got %+v, want 1 false positive, killed 6000, never declared dead after", n)
	}
}

func TestBuildEmpty(t *testing.T) {
	r := Build(Meta{Name: "empty"}, &trace.Trace{})
	if r.Events == nil || r.Nodes == nil || r.Expectations == nil || r.Config == nil || !r.Passed {
		t.Errorf("empty report should have non-nil collections and pass: %+v", r)
	}
	if r := Build(Meta{}, nil); r == nil {
		t.Error("Build(nil trace) = nil")
	}
}

func TestMs(t *testing.T) {
	for d, want := range map[time.Duration]float64{
		0:                           0,
		412*time.Millisecond + 251:  412.000, // 251ns rounds away
		1500 * time.Nanosecond:      0.002,   // half a µs rounds up
		31002001 * time.Microsecond: 31002.001,
	} {
		if got := Ms(d); got != want {
			t.Errorf("Ms(%v) = %v, want %v", d, got, want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                "00:00:00.000",
		61002 * time.Millisecond:         "00:01:01.002",
		412600 * time.Microsecond:        "00:00:00.413",
		100*time.Hour + time.Millisecond: "100:00:00.001",
		-1500 * time.Millisecond:         "-00:00:01.500",
	} {
		if got := FormatTime(d); got != want {
			t.Errorf("FormatTime(%v) = %q, want %q", d, got, want)
		}
	}
}
