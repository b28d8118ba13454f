package sim

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/trace"
)

func noEnv(string) (string, bool) { return "", false }

// parse builds a scenario from YAML; the tests read like the files users
// write.
func parse(t *testing.T, src string, sets ...string) *scenario.Scenario {
	t.Helper()
	scn, err := scenario.Parse("test.yaml", []byte(src), scenario.Options{Env: noEnv, Sets: sets})
	if err != nil {
		t.Fatal(err)
	}
	return scn
}

func parseT(src string) (*scenario.Scenario, error) {
	return scenario.Parse("test.yaml", []byte(src), scenario.Options{Env: noEnv})
}

func run(t *testing.T, src string, sets ...string) *trace.Trace {
	t.Helper()
	tr, err := runScn(parse(t, src, sets...), Options{Arrivals: true})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// deaths lists "node@seconds" for every dead declaration of the acting
// detector (or of the named watching one).
func deaths(tr *trace.Trace, detector string) []string {
	var out []string
	for _, e := range tr.Events {
		if e.To == "dead" && (e.Detector == detector || (detector == "" && e.Kind == trace.Transition)) {
			out = append(out, fmt.Sprintf("%s@%gs", e.Node, e.At.Seconds()))
		}
	}
	return out
}

func node(tr *trace.Trace, id string) trace.Node {
	for _, n := range tr.Nodes {
		if n.ID == id {
			return n
		}
	}
	return trace.Node{}
}

// largestGap is the longest silence between heartbeat arrivals of a node.
func largestGap(n trace.Node) time.Duration {
	var gap time.Duration
	for k := 1; k < len(n.Arrivals); k++ {
		gap = max(gap, n.Arrivals[k]-n.Arrivals[k-1])
	}
	return gap
}

const base = `name: fault
seed: 3
duration: 3m
cluster: {datanodes: 3}
heartbeat: {interval: 3s, check_interval: 1s, miss_threshold: 5, stale_after: 1h}
network: {latency: 2ms}
`

func TestNoFaultNoDeath(t *testing.T) {
	tr := run(t, base)
	if d := deaths(tr, ""); d != nil {
		t.Fatalf("deaths without faults: %v", d)
	}
	for _, n := range tr.Nodes {
		if g := largestGap(n); g > 3*time.Second+time.Millisecond {
			t.Errorf("%s: gap %v between heartbeats without faults", n.ID, g)
		}
	}
}

// A pause longer than the threshold: a false death, re-registration after
// the resume, and the overdue heartbeat goes out the moment it resumes.
func TestPause(t *testing.T) {
	tr := run(t, base+"events:\n  - {at: 30s, pause: dn2, for: 25s}\n")
	if d := deaths(tr, ""); len(d) != 1 || !strings.HasPrefix(d[0], "dn2@") {
		t.Fatalf("deaths %v, want dn2 once", d)
	}
	n := node(tr, "dn2")
	var after []time.Duration
	for _, a := range n.Arrivals {
		if a > 30*time.Second && a < 55*time.Second {
			t.Fatalf("a heartbeat arrived at %v, during the pause", a)
		}
		if a >= 55*time.Second {
			after = append(after, a)
		}
	}
	if len(after) == 0 || after[0] > 55*time.Second+10*time.Millisecond {
		t.Fatalf("first heartbeat after the resume at %v, want at once (55s + latency)", after)
	}
	if n.FinalState != "live" {
		t.Errorf("dn2 ends %s, want live after re-registering", n.FinalState)
	}
}

func TestPartitionDirections(t *testing.T) {
	for _, tc := range []struct {
		direction string
		dies      bool
	}{
		{"both", true},
		{"from", true}, // heartbeats lost
		{"to", false},  // only replies lost: heartbeats still arrive
	} {
		t.Run(tc.direction, func(t *testing.T) {
			tr := run(t, base+fmt.Sprintf("events:\n  - {at: 30s, partition: dn1, direction: %s, for: 30s}\n", tc.direction))
			if got := len(deaths(tr, "")) == 1; got != tc.dies {
				t.Fatalf("deaths %v, want dn1 dead: %v", deaths(tr, ""), tc.dies)
			}
			if node(tr, "dn1").FinalState != "live" {
				t.Errorf("dn1 not back after the partition healed")
			}
		})
	}
}

func TestGroupPartition(t *testing.T) {
	tr := run(t, base+"events:\n  - {at: 30s, partition: {groups: [[dn1, namenode], [dn2, dn3]]}, for: 30s}\n")
	d := deaths(tr, "")
	if len(d) != 2 || strings.HasPrefix(d[0], "dn1") || strings.HasPrefix(d[1], "dn1") {
		t.Fatalf("deaths %v, want dn2 and dn3, cut from the NameNode's side", d)
	}
}

func TestSlowLink(t *testing.T) {
	if d := deaths(run(t, base+"events:\n  - {at: 30s, slow: dn3, latency: 200ms, for: 1m}\n"), ""); d != nil {
		t.Fatalf("200ms of extra latency killed %v", d)
	}
	// 20s more: one gap of 3s + 20s, over the 15s threshold
	tr := run(t, base+"events:\n  - {at: 30s, slow: dn3, latency: 20s, for: 1m}\n")
	if d := deaths(tr, ""); len(d) != 1 || !strings.HasPrefix(d[0], "dn3") {
		t.Fatalf("deaths %v, want dn3", d)
	}
}

func TestLossFault(t *testing.T) {
	tr := run(t, base+"events:\n  - {at: 30s, loss: dn3, p: 1, for: 30s}\n")
	if d := deaths(tr, ""); len(d) != 1 || !strings.HasPrefix(d[0], "dn3") {
		t.Fatalf("deaths %v, want dn3", d)
	}
	if d := deaths(run(t, base+"events:\n  - {at: 30s, loss: dn3, p: 0, for: 30s}\n"), ""); d != nil {
		t.Fatalf("loss 0 killed %v", d)
	}
}

// Uniform loss and Gilbert–Elliott bursts lose messages at the rate asked.
func TestNetworkLoss(t *testing.T) {
	tr := run(t, strings.Replace(base, "duration: 3m", "duration: 30m", 1), "network.loss=0.2", "heartbeat.miss_threshold=100")
	for _, n := range tr.Nodes {
		got := float64(n.HeartbeatsReceived) / float64(n.HeartbeatsSent)
		if got < 0.7 || got > 0.9 {
			t.Errorf("%s: %d of %d heartbeats arrived (%.2f), want about 0.8", n.ID, n.HeartbeatsReceived, n.HeartbeatsSent, got)
		}
	}
	// Bursts: stationary bad share enter/(enter+leave) = 0.1/(0.1+0.4) = 0.2,
	// lost in bad with p 1; each node's link is two ways, so heartbeats
	// alone see about the same share.
	tr = run(t, strings.Replace(base, "duration: 3m", "duration: 1h", 1), "network.burst.enter=0.1", "network.burst.leave=0.4", "heartbeat.miss_threshold=100")
	for _, n := range tr.Nodes {
		got := 1 - float64(n.HeartbeatsReceived)/float64(n.HeartbeatsSent)
		if got < 0.1 || got > 0.35 {
			t.Errorf("%s: burst loss %.2f, want about 0.2", n.ID, got)
		}
	}
}

func TestLatencyDistributions(t *testing.T) {
	for _, lat := range []string{"{dist: uniform, min: 1ms, max: 5ms}", "{dist: normal, mean: 5ms, stddev: 1ms}",
		"{dist: lognormal, median: 2ms, p99: 20ms}", "{dist: pareto, min: 1ms, alpha: 1.5}"} {
		src := strings.Replace(base, "network: {latency: 2ms}", "network: {latency: "+lat+"}", 1)
		tr := run(t, src)
		if d := deaths(tr, ""); d != nil {
			t.Errorf("%s: deaths %v", lat, d)
		}
		if node(tr, "dn1").HeartbeatsReceived < 55 {
			t.Errorf("%s: only %d heartbeats", lat, node(tr, "dn1").HeartbeatsReceived)
		}
	}
}

// A NameNode whose queue fills delays heartbeats until live nodes are
// declared dead. With capacity 50 requests/s and 300/s of background load,
// the wait grows by 5s every second, so heartbeats sent 3s apart are handled
// 18s apart: past the 15s threshold. A load within capacity harms nobody.
func TestNameNodeOverload(t *testing.T) {
	if d := deaths(run(t, base+"events:\n  - {at: 30s, namenode_overload: {service_time: 20ms, handlers: 1, load: 40}, for: 1m}\n"), ""); d != nil {
		t.Fatalf("a load within capacity killed %v", d)
	}
	tr := run(t, base+"events:\n  - {at: 30s, namenode_overload: {service_time: 20ms, handlers: 1, load: 300}, for: 1m}\n")
	if d := deaths(tr, ""); len(d) == 0 {
		t.Fatal("no death under overload")
	}
	for _, n := range tr.Nodes {
		if n.FinalState != "live" {
			t.Errorf("%s ends %s after the overload", n.ID, n.FinalState)
		}
	}
}

// HDFS-9239: with a busy NameNode delaying heartbeats by 20s, the lifeline
// keeps alive a node that is declared dead without it. The DataNode blocks
// in its heartbeat call, as HDFS's does, so rpc_timeout is long.
func TestLifelineKeepsBusyNodeAlive(t *testing.T) {
	src := strings.Replace(base, "cluster: {datanodes: 3}", "cluster: {datanodes: 1}", 1) +
		"events:\n  - {at: 30s, namenode_overload: {service_time: 20s, handlers: 1}, for: 1m}\n"
	without := run(t, src, "heartbeat.rpc_timeout=60s")
	if d := deaths(without, ""); len(d) == 0 {
		t.Fatal("without lifeline: no death; the overload is too weak to test anything")
	}
	with := run(t, src, "heartbeat.rpc_timeout=60s", "heartbeat.lifeline.enabled=true")
	if d := deaths(with, ""); d != nil {
		t.Fatalf("with lifeline: deaths %v", d)
	}
}

func TestClockDrift(t *testing.T) {
	// A tenth-speed clock heartbeats every 30s of true time: past 15s.
	slow := run(t, base+"events:\n  - {at: 30s, clock_drift: dn2, ratio: 0.1}\n")
	if d := deaths(slow, ""); len(d) == 0 || !strings.HasPrefix(d[0], "dn2") {
		t.Fatalf("tenth-speed clock: deaths %v, want dn2", d)
	}
	// A quarter-speed one every 12s: under the threshold, so no death.
	if d := deaths(run(t, base+"events:\n  - {at: 30s, clock_drift: dn2, ratio: 0.25}\n"), ""); d != nil {
		t.Fatalf("quarter-speed clock: deaths %v", d)
	}
	fast := run(t, base+"events:\n  - {at: 0s, clock_drift: dn2, ratio: 2}\n")
	a, b := node(fast, "dn1").HeartbeatsSent, node(fast, "dn2").HeartbeatsSent
	if b < 2*a-3 || b > 2*a+3 {
		t.Fatalf("double-speed clock sent %d heartbeats, dn1 %d: want twice as many", b, a)
	}
}
