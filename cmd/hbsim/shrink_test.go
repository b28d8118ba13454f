package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestShrink(t *testing.T) {
	const storm = "../../pkg/shrink/testdata/gc-storm.yaml"
	small := filepath.Join(t.TempDir(), "small.yaml")
	code, out, errOut := hbsim(t, "shrink", storm, "--out", small)
	want := small + ": 1 event, 1 DataNode, 4m59s (was 20 events, 30 DataNodes, 10m0s)\n" +
		"still fails \"false positives = 0\" (29 runs)\n"
	if code != 0 || out != want || errOut != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want\n%s", code, out, errOut, want)
	}
	code, out, _ = hbsim(t, "run", small)
	if code != 1 || !strings.Contains(out, "Scenario small (seed 42, duration 4m59s)") || !strings.Contains(out, "1 false positive (dn17 1)") {
		t.Errorf("hbsim run small.yaml: exit %d\n%s", code, out)
	}

	code, _, errOut = hbsim(t, "shrink", storm, "--out", small, "--max-runs", "3")
	if code != 0 || !strings.Contains(errOut, "stopped by --max-runs 3; "+small+" may shrink further") {
		t.Errorf("bounded: exit %d, stderr %q", code, errOut)
	}

	ok := writeScenario(t, "ok.yaml", crashOne)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{storm}, "--out SMALL.yaml is required"},
		{[]string{storm, "--out", storm}, "is the scenario being shrunk"},
		{[]string{storm, "--out", small, "--max-runs", "0"}, "invalid --max-runs 0"},
		{[]string{storm, "--out", small, "--timeout", "0s"}, "invalid --timeout 0s"},
		{[]string{storm, "--out", small, "--expect", "9"}, "--expect 9"},
		{[]string{ok, "--out", small}, "every expectation holds (2): nothing to shrink"},
	} {
		code, _, errOut := hbsim(t, append([]string{"shrink"}, c.args...)...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}
