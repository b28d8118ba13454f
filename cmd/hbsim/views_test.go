package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		"correct: the process was killed at 00:00:20.000",
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
	for _, want := range []string{`id="timeline-svg"`, `<path class="ticks"`, `class="mark m-dead"`, "crash-one"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// A directory that does not exist is an error, not a silent no-op.
	code, _, _ = hbsim(t, "run", path, "--html", filepath.Join(t.TempDir(), "no", "such", "dir", "r.html"))
	if code == exitOK {
		t.Error("--html into a missing directory succeeded")
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
		if c.a.colorTable() {
			t.Errorf("%s: colour on", c.name)
		}
	}
}
