package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/trace"
	"pgregory.net/rapid"
)

func cluster(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("dn%d", i+1)
	}
	return ids
}

// The foundation's detection rule, over many timings with no jitter: the
// killed node is declared dead at the first scan at or after
// last_heartbeat_arrival + miss_threshold × interval, never before, and no
// other node is ever declared dead.
func TestDetectionTimeProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		interval := time.Duration(rapid.IntRange(100, 10_000).Draw(t, "interval_ms")) * time.Millisecond
		threshold := rapid.IntRange(1, 15).Draw(t, "threshold")
		check := time.Duration(rapid.IntRange(10, 5_000).Draw(t, "check_ms")) * time.Millisecond
		latency := time.Duration(rapid.IntRange(0, 50).Draw(t, "latency_ms")) * time.Millisecond
		seed := rapid.Int64().Draw(t, "seed") // the boot phases
		// Registration is over within one interval plus two trips.
		minKill := interval + 2*latency + time.Second
		kill := minKill + time.Duration(rapid.Int64Range(0, int64(5*interval)).Draw(t, "kill_after"))
		deadline := time.Duration(threshold+2)*interval + check
		scn := &scenario.Scenario{
			Name: "property", Seed: seed, Duration: kill + deadline, Nodes: cluster(3),
			// stale_after beyond the run: only death is under test here
			Config: withHeartbeat(interval, check, threshold, 24*time.Hour, config.Network{Latency: config.Constant(latency)}),
			Events: []scenario.Event{{At: kill, Action: scenario.Kill, Nodes: []string{"dn2"}}},
		}
		s, err := newScn(scn)
		if err != nil {
			t.Fatal(err)
		}
		s.RunUntil(scn.Duration)
		info, err := s.NameNode().Node("dn2")
		if err != nil {
			t.Fatal(err)
		}
		last := info.LastHeard // the last arrival before the crash
		due := last + time.Duration(threshold)*interval
		want := (due + check - 1) / check * check // first scan at or after due
		var deaths []trace.Event
		for _, e := range s.Trace().Events {
			if e.Kind == trace.Transition && e.To == "dead" {
				deaths = append(deaths, e)
			}
		}
		if len(deaths) != 1 || deaths[0].Node != "dn2" {
			t.Fatalf("deaths %+v, want exactly dn2", deaths)
		}
		if deaths[0].At != want {
			t.Fatalf("dn2 declared dead at %v, want %v (last heard %v, killed %v)", deaths[0].At, want, last, kill)
		}
		if last > kill+latency {
			t.Fatalf("last heard %v after the kill at %v", last, kill)
		}
	})
}

// withHeartbeat is the embedded defaults with the missed-count detector's
// settings and the network given.
func withHeartbeat(interval, check time.Duration, threshold int, stale time.Duration, net config.Network) config.Config {
	c := config.Default()
	c.Heartbeat.Interval, c.Heartbeat.CheckInterval = interval, check
	c.Heartbeat.MissThreshold, c.Heartbeat.StaleAfter = threshold, stale
	c.Network = net
	return c
}

func singleCrash(seed int64) *scenario.Scenario {
	return &scenario.Scenario{
		Name: "single-crash", Seed: seed, Duration: 3 * time.Minute, Nodes: cluster(5),
		// stale 10s before dead, so the timeline shows both
		Config: withHeartbeat(3*time.Second, time.Second, 10, 20*time.Second,
			config.Network{Latency: config.Constant(2 * time.Millisecond), Jitter: time.Millisecond}),
		Events: []scenario.Event{
			{At: 30 * time.Second, Action: scenario.Kill, Nodes: []string{"dn3"}},
			{At: 2 * time.Minute, Action: scenario.Restart, Nodes: []string{"dn3"}},
		},
	}
}

func TestSameSeedSameTrace(t *testing.T) {
	a, err := runScn(singleCrash(7))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := runScn(singleCrash(7))
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("two runs with one seed differ")
	}
	c, _ := runScn(singleCrash(8))
	if fmt.Sprint(a.Events[:5]) == fmt.Sprint(c.Events[:5]) {
		t.Fatal("another seed gave the same boot phases")
	}
}

func TestCrashRestartTimeline(t *testing.T) {
	tr, err := runScn(singleCrash(7))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tr.Events {
		if e.Node == "dn3" && !(e.Kind == trace.Transition && e.From == "") {
			got = append(got, fmt.Sprintf("%s:%s>%s", e.Kind, e.From, e.To))
		}
	}
	want := []string{"kill:>", "transition:live>stale", "transition:stale>dead", "restart:>", "transition:dead>live"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("dn3 timeline %v, want %v", got, want)
	}
	for _, nd := range tr.Nodes {
		if nd.FinalState != "live" {
			t.Errorf("%s ends %q, want live", nd.ID, nd.FinalState)
		}
		if nd.HeartbeatsReceived == 0 || nd.HeartbeatsReceived > nd.HeartbeatsSent {
			t.Errorf("%s: received %d of %d sent", nd.ID, nd.HeartbeatsReceived, nd.HeartbeatsSent)
		}
	}
}
