package sim

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hbsim/hbsim/pkg/trace"
)

// Over random seeds and crash times, on a clean network (no loss, no
// jitter, no pause): no detector ever declares a live node dead, and every
// crash is detected by every detector.
func TestDetectorsCleanNetworkProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Int64Range(1, 1<<40).Draw(t, "seed")
		nodes := rapid.IntRange(2, 8).Draw(t, "nodes")
		kill := rapid.IntRange(10, 60).Draw(t, "kill_s")
		victim := rapid.IntRange(1, nodes).Draw(t, "victim")
		src := fmt.Sprintf(`name: clean
seed: %d
duration: 2m
cluster: {datanodes: %d}
heartbeat: {interval: 1s, check_interval: 100ms, miss_threshold: 5, stale_after: 1h, hdfs: {recheck_interval: 500ms}}
detectors: [missed-count, hdfs, phi]
network: {latency: 2ms}
events:
  - {at: %ds, kill: dn%d}
`, seed, nodes, kill, victim)
		scn, err := parseT(src)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := runScn(scn)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range tr.Detectors {
			for _, e := range tr.Events {
				if e.Detector == d && e.To == "dead" && e.Node != fmt.Sprintf("dn%d", victim) {
					t.Fatalf("%s declared live %s dead at %v", d, e.Node, e.At)
				}
			}
			if !detected(tr, d, fmt.Sprintf("dn%d", victim)) {
				t.Fatalf("%s never detected the crash of dn%d at %ds", d, victim, kill)
			}
		}
	})
}

func detected(tr *trace.Trace, detector, id string) bool {
	for _, e := range tr.Events {
		if e.Detector == detector && e.Node == id && e.To == "dead" {
			return true
		}
	}
	return false
}

// HDFS's own rule with its defaults, in the simulator: a crashed node is
// declared dead between 630s and about 935s after its last heartbeat.
func TestHDFSDefaultsTiming(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		src := fmt.Sprintf(`name: hdfs
seed: %d
duration: 20m
cluster: {datanodes: 3}
heartbeat: {detector: hdfs}
events:
  - {at: %ds, kill: dn2}
`, seed, 40+seed*37)
		s, err := parseT(src)
		if err != nil {
			t.Fatal(err)
		}
		sim, err := newScn(s)
		if err != nil {
			t.Fatal(err)
		}
		sim.RunUntil(s.Duration)
		info, _ := sim.NameNode().Node("dn2")
		var dead time.Duration
		for _, e := range sim.Trace().Events {
			if e.Node == "dn2" && e.To == "dead" {
				dead = e.At
			}
		}
		if since := dead - info.LastHeard; since <= 630*time.Second || since > 935*time.Second {
			t.Errorf("seed %d: dead %v after the last heartbeat, want in (630s, 935s]", seed, since)
		}
	}
}

// Gossip over random seeds, on a clean network: no live member is ever
// declared dead by the group, every crash is known by every live member,
// and the report's convergence agrees with the events.
func TestGossipConvergesProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Int64Range(1, 1<<40).Draw(t, "seed")
		nodes := rapid.IntRange(5, 40).Draw(t, "nodes")
		kill := rapid.IntRange(20, 60).Draw(t, "kill_s")
		src := fmt.Sprintf(`name: gossip
seed: %d
duration: 3m
cluster: {datanodes: %d}
heartbeat: {interval: 1s, detector: gossip, gossip: {fanout: 3, suspicion_timeout: 5s}}
network: {latency: 2ms, jitter: 1ms}
events:
  - {at: %ds, kill: {random: 2}}
`, seed, nodes, kill)
		scn, err := parseT(src)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := runScn(scn)
		if err != nil {
			t.Fatal(err)
		}
		victims := scn.Events[0].Nodes
		for _, e := range tr.Events {
			if e.Kind == trace.Transition && e.To == "dead" && e.Node != victims[0] && e.Node != victims[1] {
				t.Fatalf("the group declared live %s dead at %v: %s", e.Node, e.At, e.Reason)
			}
		}
		if len(tr.Gossip) != 2 {
			t.Fatalf("convergence records %+v, want two crashes", tr.Gossip)
		}
		for _, c := range tr.Gossip {
			if c.FirstAt < 0 || c.AllAt < c.FirstAt {
				t.Fatalf("%s: first %v, all %v: not every live member learnt of the crash", c.Node, c.FirstAt, c.AllAt)
			}
		}
	})
}

func TestGossipRefusesNameNodeFaults(t *testing.T) {
	scn, err := parseT(`name: g
duration: 1m
cluster: {datanodes: 3}
heartbeat: {detector: gossip}
events:
  - {at: 10s, namenode_overload: {service_time: 1s}, for: 5s}
`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runScn(scn); err == nil {
		t.Fatal("a NameNode overload ran under the gossip detector, which has no NameNode")
	}
}

// A detector that only watches changes nothing the acting one sees: over
// random seeds and faults, adding gossip beside missed-count (its own
// messages between peers, over the same network) leaves every event of
// the NameNode's detectors where it was. Every message's draws are keyed
// by its link and number, so gossip's traffic takes no one else's luck.
func TestGossipWatchingChangesNothingCentral(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Int64Range(1, 1<<40).Draw(t, "seed")
		nodes := rapid.IntRange(3, 20).Draw(t, "nodes")
		fault := rapid.SampledFrom([]string{
			"{at: 40s, kill: dn2}",
			"{at: 40s, pause: dn2, for: 15s}",
			"{at: 40s, partition: dn2, for: 20s}",
			"{at: 40s, loss: dn2, p: 0.5, for: 30s}",
		}).Draw(t, "fault")
		src := func(detectors string) string {
			return fmt.Sprintf(`name: watch
seed: %d
duration: 2m
cluster: {datanodes: %d}
heartbeat: {interval: 1s, miss_threshold: 5, check_interval: 500ms, detector: missed-count, gossip: {fanout: 2, suspicion_timeout: 3s}}
detectors: [%s]
network: {latency: {dist: lognormal, median: 2ms, p99: 20ms}, loss: 0.02}
events:
  - %s
`, seed, nodes, detectors, fault)
		}
		central := func(tr *trace.Trace) []trace.Event {
			var out []trace.Event
			for _, e := range tr.Events {
				if e.Detector != "gossip" && e.Kind != trace.Converged {
					out = append(out, e)
				}
			}
			return out
		}
		alone, err := parseT(src("missed-count, phi"))
		if err != nil {
			t.Fatal(err)
		}
		with, err := parseT(src("missed-count, phi, gossip"))
		if err != nil {
			t.Fatal(err)
		}
		a, err := runScn(alone)
		if err != nil {
			t.Fatal(err)
		}
		b, err := runScn(with)
		if err != nil {
			t.Fatal(err)
		}
		ea, eb := central(a), central(b)
		if len(ea) != len(eb) {
			t.Fatalf("with gossip watching, the NameNode's detectors made %d events, %d without", len(eb), len(ea))
		}
		for k := range ea {
			if ea[k] != eb[k] {
				t.Fatalf("event %d: %+v without gossip, %+v with it", k, ea[k], eb[k])
			}
		}
		if len(b.Detectors) != 3 || b.Detectors[2] != "gossip" {
			t.Fatalf("detectors %v", b.Detectors)
		}
	})
}
