package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/screen"
)

func TestRunExplain(t *testing.T) {
	path := writeScenario(t, "crash.yaml", crashOne)
	code, stdout, _ := hbsim(t, "run", path, "--explain")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{
		"Per-node timeline",
		"Explanation",
		"dn3 KILLED: the DataNode process crashed",
		"dn3 LIVE → DEAD: no heartbeat for",
		"missed with threshold 10",
		"correct: the process was killed at 00:20.000",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "\x1b[") {
		t.Error("colour escapes written to a non-terminal")
	}
}

// TestRunExplainJSON: stdout stays one JSON document; the words go to
// stderr.
func TestRunExplainJSON(t *testing.T) {
	path := writeScenario(t, "crash.yaml", crashOne)
	code, stdout, stderr := hbsim(t, "run", path, "--explain", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	if !strings.Contains(stderr, "LIVE → DEAD") {
		t.Errorf("stderr lacks the explanation:\n%s", stderr)
	}
}

func TestRunHTML(t *testing.T) {
	path := writeScenario(t, "crash.yaml", crashOne)
	out := filepath.Join(t.TempDir(), "report.html")
	code, _, stderr := hbsim(t, "run", path, "--html", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="timeline-rows"`, `<path class="ticks"`, `class="mark m-dead"`, "crash-one", `class="spacetime"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// A missing folder is made; one that cannot be (a file is in the
	// way) is an error, not a silent no-op.
	made := filepath.Join(t.TempDir(), "no", "such", "dir", "r.html")
	if code, _, errOut := hbsim(t, "run", path, "--html", made); code != exitOK {
		t.Errorf("--html into a folder still to make: exit %d, %s", code, errOut)
	}
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, _ = hbsim(t, "run", path, "--html", filepath.Join(blocker, "r.html"))
	if code == exitOK {
		t.Error("--html under a file succeeded")
	}
}

func TestColorTable(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cases := []struct {
		name string
		a    app
	}{
		{"file is not a terminal", app{stdout: f, env: noEnv}},
		{"NO_COLOR set, even empty", app{stdout: os.Stdout, env: func(k string) (string, bool) { return "", k == "NO_COLOR" }}},
	}
	for _, c := range cases {
		if c.a.colorFor(c.a.stdout) {
			t.Errorf("%s: colour on", c.name)
		}
	}
}

// TestShippedScenariosFit80Columns is the new user's 80-column terminal:
// every shipped scenario, with and without --explain, draws no line
// wider than 80 columns.
func TestShippedScenariosFit80Columns(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no shipped scenarios: %v", err)
	}
	env := map[string]string{"COLUMNS": "80"}
	for _, f := range files {
		for _, extra := range [][]string{nil, {"--explain"}} {
			args := append([]string{"run", f}, extra...)
			code, out, errOut := hbsimEnv(t, env, args...)
			if code != exitOK {
				t.Errorf("hbsim %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
			}
			for i, line := range strings.Split(out, "\n") {
				if w := screen.Width(line); w > 80 {
					t.Errorf("hbsim %s: line %d is %d columns wide:\n%s", strings.Join(args, " "), i+1, w, line)
				}
			}
		}
	}
}

// TestWideAndPiped: piped output keeps whole rows unless COLUMNS is set,
// and --wide keeps them even then.
func TestWideAndPiped(t *testing.T) {
	path := writeScenario(t, "crash.yaml", crashOne)
	widest := func(out string) int {
		most := 0
		for _, l := range strings.Split(out, "\n") {
			most = max(most, screen.Width(l))
		}
		return most
	}
	_, piped, _ := hbsim(t, "run", path, "--explain")
	_, fitted, _ := hbsimEnv(t, map[string]string{"COLUMNS": "80"}, "run", path, "--explain")
	_, wide, _ := hbsimEnv(t, map[string]string{"COLUMNS": "80"}, "run", path, "--explain", "--wide")
	if widest(piped) <= 80 || widest(wide) <= 80 {
		t.Errorf("whole rows are %d (piped) and %d (--wide) wide: the test needs a scenario wider than 80", widest(piped), widest(wide))
	}
	if widest(fitted) > 80 {
		t.Errorf("COLUMNS=80 drew a line %d wide", widest(fitted))
	}
	if wide != piped {
		t.Error("--wide with COLUMNS differs from piped output without it")
	}
}

func TestViewFlagErrors(t *testing.T) {
	path := writeScenario(t, "crash.yaml", crashOne)
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--timeline", "long"}, `invalid --timeline "long": want summary or full`},
		{map[string]string{"COLUMNS": "wide"}, nil, `invalid COLUMNS="wide": want a whole number of terminal columns, at least 40`},
		{map[string]string{"COLUMNS": "12"}, nil, `invalid COLUMNS="12"`},
	} {
		code, _, errOut := hbsimEnv(t, c.env, append([]string{"run", path}, c.args...)...)
		if code != exitBadInput || !strings.Contains(errOut, c.want) {
			t.Errorf("%v %v: exit %d, stderr %q; want exit 2 and %q", c.env, c.args, code, errOut, c.want)
		}
	}
}

// TestShippedScenarioNames: a shipped scenario is named after its file
// and says what it shows; hbsim test --run finds it by that name and by
// the names it had before.
func TestShippedScenarioNames(t *testing.T) {
	files, _ := filepath.Glob("../../scenarios/*.yaml")
	for _, f := range files {
		s, err := scenario.Load(f, scenario.Options{Env: noEnv})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if base := strings.TrimSuffix(filepath.Base(f), ".yaml"); s.Name != base {
			t.Errorf("%s: name %q, want the file's base name %q (keep the old one under aliases:)", f, s.Name, base)
		}
		if strings.TrimSpace(s.Description) == "" {
			t.Errorf("%s: no description:", f)
		}
	}
	for _, re := range []string{"^rack-failure$", "^rack-loss$"} {
		code, out, errOut := hbsim(t, "test", "../../scenarios", "--run", re)
		if code != exitOK || !strings.Contains(out, "scenarios/rack-failure.yaml") || !strings.Contains(out, "1 passed, 0 failed") {
			t.Errorf("test --run %s: exit %d\n%s%s", re, code, out, errOut)
		}
	}
}

// TestHelpFits80Columns: the help of hbsim and of every command, flags and
// examples included, is read in the same 80-column terminal as the reports.
func TestHelpFits80Columns(t *testing.T) {
	var out, errOut bytes.Buffer
	root := newRootCmd(&app{stdout: &out, stderr: &errOut})
	cmds := [][]string{{"--help"}}
	for _, c := range root.Commands() {
		if !c.Hidden {
			cmds = append(cmds, []string{c.Name(), "--help"})
		}
	}
	for _, args := range cmds {
		code, out, errOut := hbsim(t, args...)
		if code != exitOK {
			t.Errorf("hbsim %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
		for i, line := range strings.Split(out, "\n") {
			if w := screen.Width(line); w > 80 {
				t.Errorf("hbsim %s: line %d is %d columns wide:\n%s", strings.Join(args, " "), i+1, w, line)
			}
		}
	}
}
