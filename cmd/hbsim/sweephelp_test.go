package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSweepHelpFirstExampleCharts runs the first example of `hbsim sweep
// --help` as printed (with its output directory moved to a temporary
// one): a new user's first sweep must chart points, not empty axes.
func TestSweepHelpFirstExampleCharts(t *testing.T) {
	code, help, _ := hbsim(t, "sweep", "--help")
	if code != exitOK {
		t.Fatalf("sweep --help: exit %d", code)
	}
	_, examples, ok := strings.Cut(help, "Examples:\n")
	if !ok {
		t.Fatalf("no examples in:\n%s", help)
	}
	var cmd []string
	for _, line := range strings.Split(examples, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") {
			continue
		}
		if line == "" {
			if len(cmd) > 0 {
				break
			}
			continue
		}
		cmd = append(cmd, strings.Fields(strings.TrimSuffix(line, "\\"))...)
	}
	if len(cmd) < 3 || cmd[0] != "hbsim" || cmd[1] != "sweep" {
		t.Fatalf("first example is not an hbsim sweep: %q", cmd)
	}
	out := filepath.Join(t.TempDir(), "sweep-out")
	args := cmd[1:]
	for i := range args {
		if i > 0 && args[i-1] == "--out" {
			args[i] = out
		}
	}
	t.Chdir("../..") // the example names files from the repository root
	code, stdout, stderr := hbsim(t, args...)
	if code != exitOK {
		t.Fatalf("hbsim %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
	}
	raw, err := os.ReadFile(filepath.Join(out, "sweep.json"))
	if err != nil {
		t.Fatalf("the first example writes no sweep.json (does it use --out?): %v", err)
	}
	var res struct {
		Points []struct {
			DetectionP99Ms *float64 `json:"detection_p99_ms"`
		} `json:"points"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	drawn := 0
	for _, p := range res.Points {
		if p.DetectionP99Ms != nil {
			drawn++
		}
	}
	if drawn < 2 {
		t.Errorf("the first example's chart has %d points: its scenario must crash a node", drawn)
	}
	svg, err := os.ReadFile(filepath.Join(out, "sweep.svg"))
	if err != nil || strings.Contains(string(svg), "no point detected a crash") {
		t.Errorf("sweep.svg: %v, or it says no point detected a crash", err)
	}
}
