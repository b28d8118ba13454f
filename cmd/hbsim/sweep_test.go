package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSweep(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, errOut := hbsim(t, "sweep", path, "--param", "heartbeat.miss_threshold=3..5",
		"--param", "heartbeat.interval=1s,2s", "--seeds", "2", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	for _, want := range []string{"heartbeat.miss_threshold", "detection p99", "FP/h", "P_A", "*",
		"smallest heartbeat.miss_threshold with no false positive in 2 seeds: 3 (heartbeat.interval=1s)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	// No terminal in tests: no progress bar, only the list of files.
	if !strings.HasPrefix(errOut, "wrote ") || strings.Contains(errOut, "sweep ") {
		t.Errorf("stderr %q", errOut)
	}
	for _, f := range []string{"sweep.csv", "sweep.json", "sweep.svg", "sweep.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestSweepBadInput(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"sweep", path}, "nothing to sweep"},
		{[]string{"sweep", path, "--param", "heartbeat.miss_threshold=9..2"}, "is empty"},
		{[]string{"sweep", path, "--param", "heartbeat.bogus=1,2"}, "heartbeat.bogus"},
		{[]string{"sweep", path, "--param", "heartbeat.miss_threshold=2", "--seeds", "0"}, "invalid --seeds"},
		{[]string{"sweep", filepath.Join(t.TempDir(), "none.yaml"), "--param", "heartbeat.miss_threshold=2"}, "none.yaml"},
	}
	for _, c := range cases {
		code, out, errOut := hbsim(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want 2 and %q", c.args[2:], code, errOut, out, c.want)
		}
	}
}

func TestSweepHTML(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	page := filepath.Join(t.TempDir(), "sweep.html")
	code, stdout, errOut := hbsim(t, "sweep", path, "--param", "heartbeat.miss_threshold=3..4",
		"--param", "heartbeat.interval=1s,2s", "--seeds", "1", "--html", page)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if !strings.Contains(stdout, "detection p99") || errOut != "wrote "+page+"\n" {
		t.Errorf("stdout %q, stderr %q", stdout, errOut)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="tradeoff-svg"`, `class="point`, "smallest heartbeat.miss_threshold with no false positive in 1 seed: 3"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// A page that cannot be written (its folder would be a file) is bad
	// input, and says which flag.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = hbsim(t, "sweep", path, "--param", "heartbeat.miss_threshold=3", "--seeds", "1",
		"--html", filepath.Join(blocker, "sweep.html"))
	if code != 2 || !strings.Contains(errOut, "--html") {
		t.Errorf("unwritable page: exit %d, stderr %q", code, errOut)
	}
}
