package runner

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/cost"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/sim"
)

// fuzzLimits keep each fuzzed run small, so the fuzzer explores inputs
// rather than long runs: a scenario estimated beyond them is refused, as
// hbsim run refuses one beyond the default budget.
var fuzzLimits = cost.Limits{MaxEvents: 2e5, MaxBytes: 256 << 20}

// fuzzDeadline bounds one run's wall time; a run that needs more was
// estimated wrong (an estimate of at most 2e5 events is a fraction of a
// second) or hangs, and either is a finding.
const fuzzDeadline = 20 * time.Second

// FuzzParseAndSimulate parses small scenarios and runs those it accepts
// through the one run path, with the simulator's invariant checker on
// (sim.Options.CheckInvariants). The oracle: no panic, no hang, no
// violated invariant, the estimate bounds the run, the report encodes as
// JSON, and the trace is well formed (checkTrace).
func FuzzParseAndSimulate(f *testing.F) {
	for _, dir := range []string{"../../scenarios", "../../examples"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	for _, s := range []string{
		"name: a\nduration: 1m\ncluster: {datanodes: 3}\nevents:\n  - {at: 10s, kill: dn1}\n  - {at: 30s, restart: dn1}\n",
		"name: b\nduration: 2m\ncluster: {datanodes: 4}\nevents:\n  - {at: 10s, partition: {groups: [[dn1, namenode], [dn2, dn3]]}, for: 30s}\n",
		"name: c\nduration: 1m\ncluster: {datanodes: 3}\nevents:\n  - {at: 5s, clock_drift: dn2, ratio: 0.01}\n  - {at: 6s, pause: dn3, for: 20s}\n",
		"name: d\nduration: 1m\ncluster: {datanodes: 3}\nevents:\n  - {at: 5s, namenode_overload: {service_time: 1s, handlers: 1, load: 100}, for: 30s}\n",
		"name: e\nduration: 1m\ncluster: {datanodes: 3}\nnetwork: {latency: {dist: pareto, min: 1ms, alpha: 0.1}, loss: 0.5}\n",
		"name: f\nduration: 1m\ncluster: {datanodes: 6, racks: 2}\ndata: {blocks: 50}\nworkload: {reads_per_sec: 20, distribution: zipf, zipf_s: 50}\n",
		"name: g\nduration: 1m\ncluster: {datanodes: 3}\nheartbeat: {detector: phi, phi: {threshold: 0.001}}\ndetectors: [missed-count, hdfs]\n",
		"name: h\nduration: 1m\ncluster: {datanodes: 5}\nheartbeat: {detector: gossip, interval: 1s}\nevents:\n  - {at: 10s, kill: {random: 2}}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenario.Parse("fuzz.yaml", data, scenario.Options{Env: func(string) (string, bool) { return "", false }})
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), fuzzDeadline)
		defer cancel()
		res, err := Run(ctx, s, Options{Limits: fuzzLimits, Sim: sim.Options{CheckInvariants: true}})
		var ce *cost.Error
		var in *Interrupted
		switch {
		case errors.As(err, &ce):
			return
		case errors.Is(err, sim.ErrInvariant):
			t.Fatal(err)
		case errors.As(err, &in):
			t.Fatalf("the run did not finish in %v; estimated %s", fuzzDeadline, Estimate(s, Options{}))
		case err != nil:
			if strings.Contains(err.Error(), "panic") {
				t.Fatal(err)
			}
			return // refused by the engine, with a reason
		}
		if _, err := json.Marshal(res.Report); err != nil {
			t.Fatalf("the report does not encode: %v", err)
		}
		checkTrace(t, res)
	})
}

// checkTrace checks what holds of any finished run's trace: it ends at
// the scenario's end, has a node per DataNode, and no event lies outside
// the run. The run's own invariants were checked on every event.
func checkTrace(t *testing.T, res *Result) {
	t.Helper()
	s, tr := res.Scenario, res.Trace
	if tr.End != s.Duration {
		t.Fatalf("the trace ends at %v, the scenario at %v", tr.End, s.Duration)
	}
	if len(tr.Nodes) != len(s.Nodes) {
		t.Fatalf("%d nodes in the trace, %d in the scenario", len(tr.Nodes), len(s.Nodes))
	}
	for _, e := range tr.Events {
		if e.At < 0 || e.At > tr.End {
			t.Fatalf("event at %v outside the run [0, %v]: %+v", e.At, tr.End, e)
		}
	}
}
