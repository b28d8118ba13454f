package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/sim"
)

func TestCheckDeterminism(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	code, out, errOut := hbsim(t, "run", path, "--check-determinism")
	if code != 0 || errOut != "" || !strings.Contains(out, "2 passed, 0 failed") {
		t.Errorf("a deterministic run: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := hbsim(t, "run", path, "--check-determinism", "--live"); code != 2 || !strings.Contains(errOut, "needs the simulator") {
		t.Errorf("--live: exit %d, stderr %q", code, errOut)
	}
	// A failed expectation and the check are both reported.
	eager := writeScenario(t, "eager.yaml", tooEager)
	if code, _, errOut := hbsim(t, "run", eager, "--check-determinism"); code != 1 || strings.Contains(errOut, "not deterministic") {
		t.Errorf("failing but deterministic: exit %d, stderr %q", code, errOut)
	}
}

// TestCheckDeterminismNamesTheField feeds the check a first run that
// differs from what the file gives: in the report (another setting), then
// only in the trace (one event moved by a nanosecond).
func TestCheckDeterminismNamesTheField(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	var stderr bytes.Buffer
	a := &app{stdout: &bytes.Buffer{}, stderr: &stderr, env: noEnv}
	a.log = newLogger(&stderr, 0)
	d := determinismFlags{on: true}
	opts := scenario.Options{Env: noEnv}
	load := func(sets ...string) *runner.Result {
		s, err := scenario.Load(path, scenario.Options{Env: noEnv, Sets: sets})
		if err != nil {
			t.Fatal(err)
		}
		res, err := runner.Run(context.Background(), s, runner.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if err := d.check(a, path, opts, sim.Options{}, load()); err != nil {
		t.Fatalf("same run: %v", err)
	}

	err := d.check(a, path, opts, sim.Options{}, load("heartbeat.miss_threshold=12"))
	want := path + ": not deterministic: the second run's report differs first at config.heartbeat.miss_threshold: 12 → 10 (and "
	if err == nil || !strings.HasPrefix(err.Error(), want) || exitCode(err) != exitFailed {
		t.Errorf("other setting: %v, want exit 1 and %q", err, want)
	}

	first := load()
	first.Trace.Events[3].At++
	err = d.check(a, path, opts, sim.Options{}, first)
	if err == nil || !strings.Contains(err.Error(), "the second run's trace differs first at Events.3.At: ") {
		t.Errorf("moved event: %v", err)
	}

	if got := firstDifference([]byte(`{"a": [1, 2]}`), []byte(`{"a": [1, 2.0]}`)); got != "has the same values but differs at byte offset 11 (line 1)" {
		t.Errorf("same values: %s", got)
	}
}

func exitCode(err error) int {
	if ee, ok := err.(*exitError); ok {
		return ee.code
	}
	return -1
}
