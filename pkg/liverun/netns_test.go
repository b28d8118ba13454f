package liverun

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNetnsMultiMachine runs scripts/netns-test.sh: a NameNode and two
// DataNodes in three network namespaces joined by veth pairs (addresses
// from 198.18.0.0/15, only inside the namespaces the script makes), one
// DataNode's link cut and restored. It needs root and ip; without them it
// skips, saying so.
func TestNetnsMultiMachine(t *testing.T) {
	if _, err := exec.LookPath("ip"); err != nil || os.Geteuid() != 0 {
		t.Skip("netns test skipped: needs root and the ip command (iproute2)")
	}
	exe := buildHbsim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "../../scripts/netns-test.sh", exe)
	// On timeout, SIGTERM: the script's trap removes its namespaces and
	// processes; SIGKILL would leave them.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 77 {
		t.Skipf("netns test skipped: %s", strings.TrimSpace(string(out)))
	}
	if err != nil {
		t.Fatalf("scripts/netns-test.sh: %v\n%s", err, out)
	}
	t.Logf("passed in %v:\n%s", time.Since(start).Round(100*time.Millisecond), out)
	if !strings.Contains(string(out), "dn1 declared dead") || !strings.Contains(string(out), "PASS") {
		t.Errorf("unexpected output:\n%s", out)
	}
}
