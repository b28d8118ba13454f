package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// suiteDir writes scenarios into a fresh directory.
func suiteDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTestExitCodes(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		args  []string
		code  int
		last  string // the closing line
		err   string // in stderr
	}{
		{"all pass", map[string]string{"a.yaml": crashOne}, nil, 0, "1 passed, 0 failed", ""},
		{"one fails", map[string]string{"a.yaml": crashOne, "b.yaml": tooEager}, nil, 1, "1 passed, 1 failed", "1 of 2 scenarios failed"},
		{"bad input", map[string]string{"a.yaml": crashOne, "b.yaml": tooEager, "c.yaml": wrongType}, nil, 2, "1 passed, 1 failed, 1 error", "c.yaml:4:"},
		{"filter", map[string]string{"a.yaml": crashOne, "b.yaml": tooEager}, []string{"--run", "^crash"}, 0, "1 passed, 0 failed", ""},
		{"filter matches nothing", map[string]string{"a.yaml": crashOne}, []string{"--run", "nothing"}, 2, "", `no scenario name matches --run "nothing"`},
		{"bad regex", map[string]string{"a.yaml": crashOne}, []string{"--run", "("}, 2, "", "invalid --run"},
		{"empty dir", map[string]string{}, nil, 2, "", "no scenario files"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := suiteDir(t, c.files)
			code, out, errOut := hbsim(t, append([]string{"test", dir}, c.args...)...)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out, errOut)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if c.last != "" && lines[len(lines)-1] != c.last {
				t.Errorf("closing line %q, want %q", lines[len(lines)-1], c.last)
			}
			if !strings.Contains(errOut, c.err) || (c.err == "") != (errOut == "") {
				t.Errorf("stderr %q, want %q", errOut, c.err)
			}
		})
	}
}

func TestTestTableAndJUnit(t *testing.T) {
	dir := suiteDir(t, map[string]string{"a.yaml": crashOne, "b.yaml": tooEager})
	junit := filepath.Join(t.TempDir(), "junit.xml")
	code, out, _ := hbsim(t, "test", dir, "--junit", junit, "--jobs", "2")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"SCENARIO", "RESULT", "a.yaml", "PASS", "b.yaml", "FAIL", "dn3 dead within 1s: killed at"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// Sorted by path whatever the order the workers finished in.
	if strings.Index(out, "a.yaml") > strings.Index(out, "b.yaml") {
		t.Errorf("rows not in path order:\n%s", out)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var x struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
	}
	if err := xml.Unmarshal(data, &x); err != nil || x.Tests != 2 || x.Failures != 1 || x.Errors != 0 {
		t.Errorf("JUnit %+v, %v:\n%s", x, err, data)
	}
}

func TestRunGolden(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	gold := filepath.Join(t.TempDir(), "ok.json")

	if code, _, errOut := hbsim(t, "run", path, "--golden", gold); code != 2 || !strings.Contains(errOut, "--update-golden") {
		t.Errorf("missing golden: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := hbsim(t, "run", path, "--golden", gold, "--update-golden"); code != 0 {
		t.Fatalf("update: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := hbsim(t, "run", path, "--golden", gold); code != 0 || errOut != "" {
		t.Errorf("unchanged run: exit %d, stderr %q", code, errOut)
	}
	// A higher threshold makes detection slower: the diff says by how much.
	code, _, errOut := hbsim(t, "run", path, "--golden", gold, "--set", "heartbeat.miss_threshold=12")
	if code != 1 {
		t.Errorf("changed run: exit %d, want 1", code)
	}
	// The values the diff must name, from plain runs of both settings.
	before, after := dn3Detection(t, path), dn3Detection(t, path, "--set", "heartbeat.miss_threshold=12")
	moved := fmt.Sprintf("nodes.dn3.detection_ms: %g → %g", before, after)
	for _, want := range []string{"report differs from golden", moved, "config.heartbeat.miss_threshold: 10 → 12"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code, _, errOut := hbsim(t, "run", path, "--update-golden"); code != 2 || !strings.Contains(errOut, "needs --golden") {
		t.Errorf("update without a file: exit %d, stderr %q", code, errOut)
	}
}

// dn3Detection runs the scenario with --format json and returns dn3's
// detection time.
func dn3Detection(t *testing.T, path string, args ...string) float64 {
	t.Helper()
	code, out, errOut := hbsim(t, append([]string{"run", path, "--format", "json"}, args...)...)
	var r struct {
		Nodes []struct {
			ID          string   `json:"id"`
			DetectionMs *float64 `json:"detection_ms"`
		} `json:"nodes"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("run %v: exit %d, stderr %q", args, code, errOut)
	}
	for _, n := range r.Nodes {
		if n.ID == "dn3" && n.DetectionMs != nil {
			return *n.DetectionMs
		}
	}
	t.Fatalf("run %v: dn3 not detected", args)
	return 0
}
