package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// long runs for seconds: long enough for an interrupt to land in the
// middle of it. Its phi detector keeps every heartbeat in time order (a
// quiet missed-count hour of 2,000 nodes takes a fraction of a second in
// quiet stretches).
const long = `name: long
duration: 10h
cluster: {datanodes: 2000}
heartbeat: {detector: phi}
events:
  - {at: 10s, kill: dn3}
expect:
  - {dead: dn3, within: 1m}
`

// interrupted runs the command line and sends it sig once after.
func interrupted(t *testing.T, sig os.Signal, after time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut, env: noEnv,
		signals: func(c chan<- os.Signal) func() {
			timer := time.AfterFunc(after, func() { c <- sig })
			return func() { timer.Stop() }
		}}
	start := time.Now()
	code = runApp(a, args)
	if el := time.Since(start); el > 20*time.Second {
		t.Errorf("took %v to stop after the signal", el)
	}
	return code, out.String(), errOut.String()
}

// TestInterruptedRun: Ctrl-C exits 130 and SIGTERM 143, each after the
// report of what happened so far, not exit 2 and nothing.
func TestInterruptedRun(t *testing.T) {
	path := writeScenario(t, "long.yaml", long)
	code, out, errOut := interrupted(t, syscall.SIGINT, 300*time.Millisecond, "run", path)
	if code != 130 {
		t.Fatalf("exit %d, want 130; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(out, "Scenario long") || !strings.Contains(out, "dn3") {
		t.Errorf("no report of the run so far:\n%s", out)
	}
	if !strings.Contains(errOut, "long.yaml: interrupted at ") || !strings.Contains(errOut, "of 10:00:00.000; the report covers the run until then (SIGINT)") {
		t.Errorf("stderr = %q", errOut)
	}
	code, out, errOut = interrupted(t, syscall.SIGTERM, 300*time.Millisecond, "run", path, "--format", "json")
	if code != 143 || !strings.Contains(errOut, "(SIGTERM)") {
		t.Fatalf("exit %d, want 143; stderr:\n%s", code, errOut)
	}
	var r struct {
		DurationMs float64 `json:"duration_ms"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.DurationMs <= 0 || r.DurationMs >= 36e6 {
		t.Errorf("partial JSON report: %v, duration %v ms", err, r.DurationMs)
	}
}

// TestInterruptedSuite: an interrupted hbsim test exits 130 and keeps the
// JUnit file of the last whole run.
func TestInterruptedSuite(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.yaml", "b.yaml", "c.yaml"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Replace(long, "name: long", "name: "+name[:1], 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	junit := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(junit, []byte("<testsuites/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := interrupted(t, syscall.SIGINT, 300*time.Millisecond, "test", dir, "--jobs", "1", "--junit", junit)
	if code != 130 || !strings.Contains(errOut, "interrupted: 1 of 3 scenarios ran") {
		t.Errorf("exit %d, want 130; stderr:\n%s", code, errOut)
	}
	if got, _ := os.ReadFile(junit); string(got) != "<testsuites/>" {
		t.Errorf("an interrupted suite replaced the JUnit file with:\n%s", got)
	}
}

// TestInterruptedSweep: an interrupted sweep exits 130 quickly.
func TestInterruptedSweep(t *testing.T) {
	path := writeScenario(t, "long.yaml", long)
	code, _, errOut := interrupted(t, syscall.SIGINT, 300*time.Millisecond, "sweep", path, "--param", "heartbeat.miss_threshold=2..4", "--seeds", "2", "--jobs", "1")
	if code != 130 || !strings.Contains(errOut, "interrupted") {
		t.Errorf("exit %d, want 130; stderr:\n%s", code, errOut)
	}
}
