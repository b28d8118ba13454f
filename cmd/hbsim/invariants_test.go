package main

import (
	"strings"
	"testing"
)

// TestCheckInvariantsFlag: run and test take --check-invariants; a
// healthy run passes with it, and live mode, whose machines are separate
// processes, refuses it up front (exit 2). The checker's violations
// (exit 1) are tested in pkg/sim, where one can be provoked.
func TestCheckInvariantsFlag(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	if code, _, errOut := hbsim(t, "run", path, "--check-invariants"); code != exitOK {
		t.Fatalf("run --check-invariants: exit %d, want 0; stderr:\n%s", code, errOut)
	}
	code, _, errOut := hbsim(t, "run", path, "--check-invariants", "--live")
	if code != exitBadInput || !strings.Contains(errOut, "--check-invariants needs the simulator") {
		t.Fatalf("run --live --check-invariants: exit %d, want 2; stderr:\n%s", code, errOut)
	}
	dir := suiteDir(t, map[string]string{"a.yaml": crashOne})
	code, out, errOut := hbsim(t, "test", dir, "--check-invariants")
	if code != exitOK || !strings.Contains(out, "1 passed, 0 failed") {
		t.Fatalf("test --check-invariants: exit %d, want 0; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, cmd := range []string{"run", "test"} {
		if _, out, _ := hbsim(t, cmd, "--help"); !strings.Contains(out, "--check-invariants") {
			t.Errorf("hbsim %s --help does not document --check-invariants", cmd)
		}
	}
}
