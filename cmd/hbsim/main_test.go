package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/golden"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/scenario"
)

// crashOne is a scenario whose expectations hold: with the defaults a
// crash is detected after about 30s, well within 11 minutes.
const crashOne = `name: crash-one
description: dn3 crashes and is noticed.
seed: 3
duration: 2m
cluster: {datanodes: 5}
events:
  - {at: 20s, kill: dn3}
expect:
  - {dead: dn3, within: 11m}
  - {false_positives: 0}
`

// tooEager expects detection far faster than the defaults allow.
const tooEager = `name: too-eager
duration: 2m
cluster: {datanodes: 3}
events:
  - {at: 20s, kill: dn3}
expect:
  - {dead: dn3, within: 1s}
`

// wrongType has a list where a number belongs, on line 4.
const wrongType = `name: wrong-type
duration: 2m
cluster: {datanodes: 3}
seed: [1]
`

// noEnv keeps tests independent of the developer's HBSIM_* variables.
func noEnv(string) (string, bool) { return "", false }

func writeScenario(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// hbsim runs the command line in-process and returns exit code and output.
func hbsim(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut, noEnv)
	return code, out.String(), errOut.String()
}

func TestRunPasses(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	code, out, errOut := hbsim(t, "run", path)
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut)
	}
	for _, want := range []string{
		"Scenario crash-one (seed 3, duration 2m0s)",
		"5 DataNodes registered between",
		"live → dead",
		"2 passed, 0 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if errOut != "" {
		t.Errorf("stderr should be empty on success, got:\n%s", errOut)
	}
}

func TestRunDeterministic(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	_, first, _ := hbsim(t, "run", path, "--format", "json")
	_, second, _ := hbsim(t, "run", path, "--format", "json")
	if first != second {
		t.Error("two runs of the same scenario and seed differ")
	}
}

func TestRunExpectationFails(t *testing.T) {
	path := writeScenario(t, "eager.yaml", tooEager)
	code, out, errOut := hbsim(t, "run", path)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(out, "FAIL") || !strings.Contains(out, "0 passed, 1 failed") {
		t.Errorf("report should show the failure:\n%s", out)
	}
	if !strings.HasPrefix(errOut, "hbsim: ") || !strings.Contains(errOut, "1 of 1 expectations failed") {
		t.Errorf("stderr = %q, want a one-line summary of the failure", errOut)
	}
}

func TestRunJSON(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	code, out, errOut := hbsim(t, "run", path, "--format", "json", "--seed", "9", "--set", "heartbeat.interval=1s")
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields() // every field must be one the schema documents
	var r report.Report
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("stdout is not a report: %v\n%s", err, out)
	}
	if r.Scenario != "crash-one" || r.Seed != 9 || r.DurationMs != 120000 || !r.Passed {
		t.Errorf("report header = %q seed %d duration %v passed %v", r.Scenario, r.Seed, r.DurationMs, r.Passed)
	}
	if len(r.Nodes) != 5 || len(r.Expectations) != 2 || len(r.Events) == 0 {
		t.Fatalf("got %d nodes, %d expectations, %d events", len(r.Nodes), len(r.Expectations), len(r.Events))
	}
	dn3 := r.Nodes[2]
	if dn3.ID != "dn3" || dn3.KilledAtMs == nil || *dn3.KilledAtMs != 20000 || dn3.DetectionMs == nil {
		t.Errorf("dn3 = %+v, want killed at 20000 and detected", dn3)
	}
	if r.Nodes[0].KilledAtMs != nil {
		t.Errorf("dn1 was never killed, killed_at_ms = %v", *r.Nodes[0].KilledAtMs)
	}
	// --set reaches the effective configuration the report carries.
	hb, _ := r.Config["heartbeat"].(map[string]any)
	if hb["interval"] != "1s" {
		t.Errorf("config.heartbeat.interval = %v, want 1s", hb["interval"])
	}
}

func TestRunEnvironment(t *testing.T) {
	// HBSIM_* variables come from the env function, not the process.
	path := writeScenario(t, "ok.yaml", crashOne)
	env := func(k string) (string, bool) {
		if k == "HBSIM_HEARTBEAT_INTERVAL" {
			return "2s", true
		}
		return "", false
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"run", path, "--format", "json"}, &out, &errOut, env); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut.String())
	}
	var r report.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if hb, _ := r.Config["heartbeat"].(map[string]any); hb["interval"] != "2s" {
		t.Errorf("config.heartbeat.interval = %v, want 2s from HBSIM_HEARTBEAT_INTERVAL", hb["interval"])
	}
}

func TestBadInput(t *testing.T) {
	ok := writeScenario(t, "ok.yaml", crashOne)
	bad := writeScenario(t, "bad.yaml", wrongType)
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	cases := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"unknown flag", []string{"run", ok, "--bogus"}, "unknown flag --bogus (hbsim run --help lists them)"},
		{"misspelt flag", []string{"run", ok, "--sed", "3"}, "unknown flag --sed; did you mean --seed or --set?"},
		{"bad format", []string{"run", ok, "--format", "xml"}, `invalid --format "xml"`},
		{"bad --nodes", []string{"run", ok, "--nodes", "some"}, `invalid --nodes "some": want auto, all or changed`},
		// The format is checked before the file is even read.
		{"bad format before file", []string{"run", missing, "--format", "xml"}, `invalid --format "xml"`},
		{"bad seed", []string{"run", ok, "--seed", "soon"}, `hbsim: --seed: want a whole number, got "soon" (see hbsim run --help)` + "\n"},
		{"seed out of range", []string{"run", ok, "--seed", "99999999999999999999"}, `--seed: want a whole number, got "99999999999999999999", out of range`},
		{"flag without value", []string{"run", ok, "--seed"}, "--seed needs a value"},
		{"bad log level", []string{"run", ok, "--log-level", "loud"}, `invalid --log-level "loud"`},
		{"missing file", []string{"run", missing}, "missing.yaml"},
		{"wrong type", []string{"run", bad}, bad + ":4:"},
		{"bad set", []string{"run", ok, "--set", "heartbeat.bogus=1"}, "heartbeat.bogus"},
		{"no file", []string{"run"}, "want 1 scenario file"},
		{"two files", []string{"run", ok, ok}, "want 1 scenario file"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"validate nothing", []string{"validate"}, "want at least one scenario file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := hbsim(t, c.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.HasPrefix(errOut, "hbsim: ") || !strings.Contains(errOut, c.want) {
				t.Errorf("stderr = %q, want hbsim: ... %q", errOut, c.want)
			}
			if strings.Contains(errOut, "Usage:") || strings.Contains(out, "Usage:") {
				t.Error("bad input should not dump usage")
			}
			if out != "" {
				t.Errorf("stdout should be empty on bad input, got:\n%s", out)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	ok := writeScenario(t, "ok.yaml", crashOne)
	eager := writeScenario(t, "eager.yaml", tooEager)
	bad := writeScenario(t, "bad.yaml", wrongType)

	code, out, errOut := hbsim(t, "validate", ok, eager)
	if code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut)
	}
	want := "ok  " + ok + " (crash-one: 5 nodes, 1 event, 2 expectations)\n" +
		"ok  " + eager + " (too-eager: 3 nodes, 1 event, 1 expectation)\n"
	if out != want {
		t.Errorf("stdout =\n%s\nwant\n%s", out, want)
	}

	// A bad file among good ones: every file is still checked.
	code, out, errOut = hbsim(t, "validate", bad, ok)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(out, "ok  "+ok) {
		t.Errorf("the good file after the bad one was not checked:\n%s", out)
	}
	if !strings.Contains(errOut, bad+":4:") || !strings.Contains(errOut, "1 of 2 scenario files invalid") {
		t.Errorf("stderr = %q, want the bad file's line and a count", errOut)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := hbsim(t, "version")
	if code != 0 || !regexp.MustCompile(`^hbsim \S+ \(go\S+ \S+/\S+\)\n$`).MatchString(out) {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	defer func(v string) { version = v }(version)
	version = "v1.2.3" // as -ldflags "-X main.version=v1.2.3" sets it
	if _, out, _ := hbsim(t, "version"); !strings.HasPrefix(out, "hbsim v1.2.3 (") {
		t.Errorf("stdout %q, want the ldflags version", out)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"run", "--help"}, {"validate", "--help"}, {"version", "--help"}} {
		code, out, _ := hbsim(t, args...)
		if code != 0 || !strings.Contains(out, "Examples:") {
			t.Errorf("%v: exit %d, want 0 and examples in:\n%s", args, code, out)
		}
	}
}

func TestLogLevelDebug(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	code, _, errOut := hbsim(t, "run", path, "--log-level", "debug")
	if code != 0 || !strings.Contains(errOut, `msg="scenario loaded"`) {
		t.Errorf("exit %d, stderr %q: want debug logs", code, errOut)
	}
	if strings.Contains(errOut, "time=") {
		t.Errorf("logs should carry no wall-clock time: %q", errOut)
	}
}

// TestShippedScenarios runs every scenario the repository ships: each one
// documents a behaviour, so each must validate, its expectations hold and
// its report match its golden (scenarios/testdata/NAME.json).
func TestShippedScenarios(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "scenarios", "*.yaml"))
	if len(files) == 0 {
		t.Skip("no scenarios/*.yaml shipped")
	}
	if code, _, errOut := hbsim(t, append([]string{"validate"}, files...)...); code != 0 {
		t.Fatalf("validate: exit %d\n%s", code, errOut)
	}
	for _, f := range files {
		code, first, errOut := hbsim(t, "run", f, "--format", "json")
		if code != 0 {
			t.Errorf("run %s: exit %d\n%s", f, code, errOut)
		}
		// Its whole report is its golden: a change of behaviour shows as
		// a diff (hbsim test --update-golden rewrites them).
		s, err := scenario.Load(f, scenario.Options{Env: noEnv})
		switch {
		case err != nil:
			t.Errorf("%s: %v", f, err)
		case s.Golden == "":
			t.Errorf("%s has no golden: key; add golden: testdata/%s.json and run hbsim test --update-golden", f,
				strings.TrimSuffix(filepath.Base(f), ".yaml"))
		default:
			changes, err := golden.Check(s.Golden, []byte(first))
			if err != nil {
				t.Errorf("%s: %v", f, err)
			} else if len(changes) > 0 {
				t.Errorf("%s: the report differs from its golden %s; if the change is meant, rewrite it with hbsim test --update-golden and say why in the commit:\n%s",
					f, s.Golden, golden.Format(changes))
			}
		}
		// Same scenario, same seed: the same bytes.
		if _, second, _ := hbsim(t, "run", f, "--format", "json"); second != first {
			t.Errorf("%s: two runs with one seed differ", f)
		}
		// Another seed: other boot phases, so another timeline.
		_, other, _ := hbsim(t, "run", f, "--format", "json", "--seed", "424242")
		if timeline(t, other) == timeline(t, first) {
			t.Errorf("%s: seed 424242 gave the same timeline as the scenario's seed", f)
		}
	}
}

// timeline is the time and node of every event, as text.
func timeline(t *testing.T, js string) string {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	var b strings.Builder
	for _, e := range r.Events {
		fmt.Fprintf(&b, "%v %s;", e.TMs, e.Node)
	}
	return b.String()
}
