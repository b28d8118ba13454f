package replay

import (
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/qos"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/trace"
)

func scn(t *testing.T, yaml string, compare ...string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse("r.yaml", []byte(yaml), scenario.Options{Compare: compare})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// beats is a trace of heartbeats every second from 0.5s to end, skipping
// the given [from, to) spans per node.
func beats(nodes []string, end time.Duration, gaps map[string][2]time.Duration) *Trace {
	t := &Trace{Path: "x.csv", Nodes: nodes}
	for at := 500 * time.Millisecond; at < end; at += time.Second {
		for k, n := range nodes {
			a := at + time.Duration(k)*time.Millisecond
			if g, ok := gaps[n]; ok && a >= g[0] && a < g[1] {
				continue
			}
			t.Arrivals = append(t.Arrivals, Arrival{Node: n, Kind: Heartbeat, At: a, Seq: -1, Sent: -1})
		}
	}
	return t
}

func events(tr *trace.Trace, kind trace.Kind, node string) []trace.Event {
	var out []trace.Event
	for _, e := range tr.Events {
		if e.Kind == kind && (node == "" || e.Node == node) {
			out = append(out, e)
		}
	}
	return out
}

// TestRunSilenceAndReregistration: a 6s gap makes missed-count (3 × 1s)
// declare the node dead; its next heartbeat is answered with REGISTER and
// the replay registers it again at once; phi and hdfs watch the same.
func TestRunSilenceAndReregistration(t *testing.T) {
	s := scn(t, "name: r\nduration: 40s\ncluster: [a, b]\nheartbeat: {interval: 1s, check_interval: 1s, miss_threshold: 3}\n", "phi", "hdfs")
	tr, err := Run(s, beats([]string{"a", "b"}, 40*time.Second, map[string][2]time.Duration{"a": {10 * time.Second, 16 * time.Second}}), nil)
	if err != nil {
		t.Fatal(err)
	}
	dead := events(tr, trace.Transition, "a")
	var reasons []string
	for _, e := range dead {
		reasons = append(reasons, e.From+"→"+e.To)
	}
	if got := strings.Join(reasons, " "); got != "→live live→dead dead→live" {
		t.Errorf("a's transitions: %s", got)
	}
	q := qos.Compute(tr, "missed-count")
	if q.Mistakes != 1 || len(q.MistakeDurations) != 1 {
		t.Fatalf("missed-count: %+v", q)
	}
	// dead at the scan at 13s (last heard 9.5s + 3s), trusted at 16.5s.
	if q.MistakeDurations[0] != 3500*time.Millisecond {
		t.Errorf("T_M %v, want 3.5s", q.MistakeDurations[0])
	}
	if got := tr.Detectors; strings.Join(got, ",") != "missed-count,phi,hdfs" {
		t.Errorf("detectors %v", got)
	}
	if n := tr.Nodes[0]; n.HeartbeatsReceived != int64(len(tr.Nodes[0].Arrivals)) || n.FinalState != "live" {
		t.Errorf("node a: %+v", n)
	}
	if len(events(tr, trace.Kill, "")) != 0 || qos.Compute(tr, "hdfs").Mistakes != 0 {
		t.Error("ground truth or hdfs invented a failure")
	}
}

// TestRunCrashAndRestart: --crash is ground truth; heartbeats in flight
// at the crash do not restart the node (sent_ms, or within one interval
// without it); later ones do.
func TestRunCrashAndRestart(t *testing.T) {
	s := scn(t, "name: r\nduration: 60s\ncluster: [a, b]\nheartbeat: {interval: 1s, check_interval: 1s, miss_threshold: 3}\n")
	tt := beats([]string{"a", "b"}, 60*time.Second, map[string][2]time.Duration{"a": {20 * time.Second, 40 * time.Second}})
	// One more heartbeat from a, sent before the crash, arriving after.
	tt.Arrivals = append(tt.Arrivals, Arrival{})
	for i := len(tt.Arrivals) - 1; i > 0; i-- {
		tt.Arrivals[i] = tt.Arrivals[i-1]
		if tt.Arrivals[i-1].At < 20200*time.Millisecond {
			tt.Arrivals[i] = Arrival{Node: "a", Kind: Heartbeat, At: 20200 * time.Millisecond, Seq: -1, Sent: 19990 * time.Millisecond}
			break
		}
	}
	tr, err := Run(s, tt, []Crash{{"a", 20 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	kills, restarts := events(tr, trace.Kill, "a"), events(tr, trace.Restart, "a")
	if len(kills) != 1 || len(restarts) != 1 || restarts[0].At != 40500*time.Millisecond {
		t.Fatalf("kills %v restarts %v", kills, restarts)
	}
	q := qos.Compute(tr, "missed-count")
	// last heard 20.2s, dead at the scan at 24s: 4s after the crash.
	if q.Crashes != 1 || q.Detected != 1 || q.Detection[0] != 4*time.Second || q.Mistakes != 0 {
		t.Errorf("qos %+v", q)
	}
	if _, err := Run(s, tt, []Crash{{"zz", time.Second}}); err == nil || !strings.Contains(err.Error(), `no DataNode "zz"`) {
		t.Errorf("crash of an unknown node: %v", err)
	}
	if _, err := Run(s, tt, []Crash{{"a", time.Hour}}); err == nil {
		t.Error("crash after the end accepted")
	}
}
