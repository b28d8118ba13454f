package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/scenario"
)

// traceJSON runs a scenario with the given options, invariants on, and
// encodes the whole trace, arrivals included.
func traceJSON(t *testing.T, scn *scenario.Scenario, opts Options) []byte {
	t.Helper()
	opts.Arrivals, opts.CheckInvariants = true, true
	tr, err := Run(context.Background(), scn.MustModel(), opts)
	if err != nil {
		t.Fatalf("%s (%+v): %v", scn.Name, opts, err)
	}
	b, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameBothWays runs a scenario on the event path, on the fast path in
// time order, and on the fast path with quiet stretches (stretch.go): the
// three traces must be the same to the byte.
func sameBothWays(t *testing.T, scn *scenario.Scenario, src string) {
	t.Helper()
	slow := traceJSON(t, scn, Options{NoFastPath: true})
	for _, way := range []struct {
		name string
		opts Options
	}{{"the fast path", Options{NoStretch: true}}, {"quiet stretches", Options{}}} {
		fast := traceJSON(t, scn, way.opts)
		if bytes.Equal(fast, slow) {
			continue
		}
		k := 0
		for k < len(fast) && k < len(slow) && fast[k] == slow[k] {
			k++
		}
		from := max(k-300, 0)
		t.Fatalf("%s: %s changes the run at byte %d:\nfast: …%s…\nslow: …%s…\nscenario:\n%s", scn.Name, way.name, k,
			fast[from:min(k+200, len(fast))], slow[from:min(k+200, len(slow))], src)
	}
}

// TestFastPathChangesNothingShipped runs every shipped scenario with the
// fast path on and off: the traces are the same to the byte.
func TestFastPathChangesNothingShipped(t *testing.T) {
	files, _ := filepath.Glob("../../scenarios/*.yaml")
	if len(files) == 0 {
		t.Fatal("no shipped scenarios found")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			scn, err := scenario.Parse(f, data, scenario.Options{Env: noEnv})
			if err != nil {
				t.Fatal(err)
			}
			sameBothWays(t, scn, string(data))
		})
	}
}

// TestFastPathChangesNothingRandom does the same for 200 random
// scenarios: clusters, networks, detectors and every kind of fault.
func TestFastPathChangesNothingRandom(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 20
	}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		src := randomScenario(seed)
		scn, err := scenario.Parse(fmt.Sprintf("random-%d.yaml", seed), []byte(src), scenario.Options{Env: noEnv})
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, src)
		}
		sameBothWays(t, scn, src)
	}
}

// TestStretchSkipsChangeNothingRandom runs 100 random scenarios of steady
// networks, where quiet stretches skip heartbeats without drawing each,
// on the event path, the fast path and with stretches: the same trace.
func TestStretchSkipsChangeNothingRandom(t *testing.T) {
	n := 100
	if testing.Short() {
		n = 10
	}
	ran := 0
	for seed := uint64(1); seed <= uint64(n); seed++ {
		src := randomScenarioOf(seed, true)
		scn, err := scenario.Parse(fmt.Sprintf("steady-%d.yaml", seed), []byte(src), scenario.Options{Env: noEnv})
		if err != nil {
			continue // the generator's history overlaps two pauses: refused, as it should be
		}
		ran++
		sameBothWays(t, scn, src)
	}
	if ran < n*8/10 {
		t.Fatalf("only %d of %d random scenarios were valid", ran, n)
	}
}

// randomScenario writes a scenario from a seed: a few nodes, a network,
// a detector or several, and a history of faults that makes sense (no
// node killed twice, restarts of dead nodes only).
func randomScenario(seed uint64) string { return randomScenarioOf(seed, false) }

// randomScenarioOf is randomScenario; steady keeps to what quiet
// stretches skip through (a lossless network of bounded latency, no phi),
// so their property test exercises skips in every scenario.
func randomScenarioOf(seed uint64, steady bool) string {
	r := rand.New(rand.NewPCG(seed, seed*7))
	nodes := 2 + r.IntN(8)
	dur := 60 + r.IntN(240)
	var b strings.Builder
	fmt.Fprintf(&b, "name: random-%d\nseed: %d\nduration: %ds\n", seed, r.IntN(1000), dur)
	fmt.Fprintf(&b, "cluster: {datanodes: %d, racks: %d}\n", nodes, 1+r.IntN(min(3, nodes)))
	iv := []string{"1s", "2s", "3s"}[r.IntN(3)]
	fmt.Fprintf(&b, "heartbeat: {interval: %s, check_interval: %dms, miss_threshold: %d, stale_after: %ds, rpc_timeout: %s",
		iv, 200+r.IntN(2000), 2+r.IntN(8), 2+r.IntN(20), []string{"0s", "500ms", "5s"}[r.IntN(3)])
	if r.IntN(3) == 0 {
		fmt.Fprintf(&b, ", lifeline: {enabled: true}")
	}
	if r.IntN(3) == 0 {
		fmt.Fprintf(&b, ", hdfs: {recheck_interval: %ds}", 1+r.IntN(20))
	}
	b.WriteString("}\n")
	net := r.IntN(4)
	if steady {
		net = 0
	}
	switch net {
	case 0:
		fmt.Fprintf(&b, "network: {latency: %dms, jitter: %dms}\n", r.IntN(20), r.IntN(10))
	case 1:
		fmt.Fprintf(&b, "network: {latency: {dist: lognormal, median: 2ms, p99: %dms}, loss: 0.0%d}\n", 3+r.IntN(300), r.IntN(5))
	case 2:
		fmt.Fprintf(&b, "network: {latency: {dist: pareto, min: 1ms, alpha: 1.5}, burst: {enter: 0.01, leave: 0.3, loss: 0.8}}\n")
	default:
		fmt.Fprintf(&b, "network: {latency: {dist: normal, mean: 5ms, stddev: 3ms}}\n")
	}
	if r.IntN(2) == 0 {
		if steady {
			b.WriteString("detectors: [missed-count, hdfs]\n")
		} else {
			b.WriteString("detectors: [missed-count, hdfs, phi]\n")
		}
	}
	b.WriteString("events:\n")
	dead := make([]bool, nodes)
	events := r.IntN(8)
	t := 0
	for k := 0; k < events; k++ {
		t += 1 + r.IntN(dur/(events+1))
		if t >= dur-1 {
			break
		}
		i := r.IntN(nodes)
		node := fmt.Sprintf("dn%d", i+1)
		span := 1 + r.IntN(30)
		switch r.IntN(9) {
		case 0:
			if !dead[i] {
				fmt.Fprintf(&b, "  - {at: %ds, kill: %s}\n", t, node)
				dead[i] = true
			}
		case 1:
			if dead[i] {
				fmt.Fprintf(&b, "  - {at: %ds, restart: %s}\n", t, node)
				dead[i] = false
			}
		case 2:
			if !dead[i] {
				fmt.Fprintf(&b, "  - {at: %ds, pause: %s, for: %ds}\n", t, node, span)
			}
		case 3:
			fmt.Fprintf(&b, "  - {at: %ds, partition: %s, for: %ds, direction: %s}\n", t, node, span, []string{"both", "to", "from"}[r.IntN(3)])
		case 4:
			fmt.Fprintf(&b, "  - {at: %ds, slow: %s, latency: %dms, for: %ds}\n", t, node, 1+r.IntN(5000), span)
		case 5:
			fmt.Fprintf(&b, "  - {at: %ds, loss: %s, p: 0.%d, for: %ds}\n", t, node, 1+r.IntN(9), span)
		case 6:
			fmt.Fprintf(&b, "  - {at: %ds, clock_drift: %s, ratio: 1.%d, for: %ds}\n", t, node, r.IntN(9), span)
		case 7:
			fmt.Fprintf(&b, "  - {at: %ds, namenode_overload: {service_time: %dms, handlers: %d, load: %d}, for: %ds}\n",
				t, 1+r.IntN(50), 1+r.IntN(4), r.IntN(100), span)
		case 8:
			if nodes >= 2 {
				fmt.Fprintf(&b, "  - {at: %ds, partition: {groups: [[dn1, namenode], [dn2]]}, for: %ds}\n", t, span)
			}
		}
	}
	if strings.HasSuffix(b.String(), "events:\n") {
		b.WriteString("  []\n")
	}
	return b.String()
}

// TestFastPathIsTaken: on a quiet cluster nearly every heartbeat takes the
// fast path (else the equivalence above proves nothing).
func TestFastPathIsTaken(t *testing.T) {
	s := runQuiet(t)
	var received int64
	for _, n := range s.Trace().Nodes {
		received += n.HeartbeatsReceived
	}
	if s.fused.taken < received*9/10 {
		t.Fatalf("%d of %d heartbeats took the fast path", s.fused.taken, received)
	}
}

// runQuiet runs the quiet cluster of base to its end.
func runQuiet(t *testing.T) *Sim {
	t.Helper()
	scn := parse(t, base)
	s, err := New(scn.MustModel(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.RunUntil(scn.Duration)
	return s
}

// TestStretchIsTaken: on a quiet cluster nearly every heartbeat runs in a
// quiet stretch, most of them skipped, and stretches run in the random
// scenarios of the equivalence tests too (else those prove nothing about
// them).
func TestStretchIsTaken(t *testing.T) {
	s := runQuiet(t)
	if f := s.fused; f.stretched < f.taken*8/10 {
		t.Fatalf("%d of %d fast-path heartbeats ran in stretches", f.stretched, f.taken)
	}
	if f := s.fused; f.skipped < f.taken*7/10 {
		t.Fatalf("%d of %d fast-path heartbeats were skipped", f.skipped, f.taken)
	}
	var with, skipped int
	for seed := uint64(1); seed <= 40; seed++ {
		scn, err := scenario.Parse("r.yaml", []byte(randomScenario(seed)), scenario.Options{Env: noEnv})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(scn.MustModel(), Options{Arrivals: true})
		if err != nil {
			t.Fatal(err)
		}
		s.RunUntil(scn.Duration)
		if s.fused.stretched > 0 {
			with++
		}
		if s.fused.skipped > 0 {
			skipped++
		}
	}
	if with < 10 || skipped < 3 {
		t.Fatalf("stretches ran in %d of 40 random scenarios, skips in %d", with, skipped)
	}
	t.Logf("stretches ran in %d of 40 random scenarios, skips in %d", with, skipped)
}

// TestStretchSeesPastCutOffNode: a node partitioned both ways keeps
// waking to heartbeats that are lost; its events wait aside, so the rest
// of the cluster still runs in quiet stretches through the partition,
// and the run is the same to the byte as without stretches or the fast
// path. One-way partitions and a crash ride along.
func TestStretchSeesPastCutOffNode(t *testing.T) {
	src := `name: cut-off
seed: 3
duration: 10m
cluster: {datanodes: 40}
network: {latency: 2ms, jitter: 1ms}
events:
  - {at: 30s, partition: dn3, for: 8m}
  - {at: 1m, kill: dn7}
  - {at: 2m, partition: dn9, for: 20s, direction: to}
  - {at: 4m, partition: dn11, for: 3m}
`
	scn := parse(t, src)
	sameBothWays(t, scn, src)
	s, err := New(scn.MustModel(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.RunUntil(scn.Duration)
	if s.aside == nil {
		t.Fatal("no event was set aside for the cut-off nodes")
	}
	// The partition of dn3 spans 80% of the run: without stretches
	// through it, at most about a fifth of the heartbeats would run in
	// them.
	if f := s.fused; f.stretched < f.taken*7/10 {
		t.Fatalf("%d of %d fast-path heartbeats ran in stretches", f.stretched, f.taken)
	}
}
