package liverun

import (
	"context"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/trace"
)

const crash = `name: live-crash
duration: 60s
cluster: {datanodes: 3}
heartbeat: {interval: 1s, check_interval: 500ms, miss_threshold: 5, stale_after: 3s}
events:
  - {at: 10s, kill: dn2}
  - {at: 20s, pause: dn3, for: 2s}
  - {at: 30s, restart: dn2}
`

// buildHbsim builds the binary the children run.
func buildHbsim(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("live run skipped in -short mode: it builds hbsim and starts processes")
	}
	exe := filepath.Join(t.TempDir(), "hbsim")
	out, err := exec.Command("go", "build", "-o", exe, "../../cmd/hbsim").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}

func assertReaped(t *testing.T, pids []int) {
	t.Helper()
	if len(pids) == 0 {
		t.Fatal("no child was started")
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("child %d still exists (kill 0: %v)", pid, err)
		}
	}
}

func TestRunLiveScenario(t *testing.T) {
	exe := buildHbsim(t)
	scn, err := scenario.Parse("crash.yaml", []byte(crash), scenario.Options{Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var pids []int
	tr, err := Run(ctx, scn, Options{Exe: exe, Speed: 0.05, Pids: func(p []int) { pids = p }})
	if err != nil {
		t.Fatal(err)
	}
	assertReaped(t, pids)
	if len(pids) != 1+3+1 { // NameNode, three DataNodes, dn2 again
		t.Errorf("%d children, want 5", len(pids))
	}
	var killed, dead, back time.Duration
	for _, e := range tr.Events {
		switch {
		case e.Node == "dn2" && e.Kind == trace.Kill:
			killed = e.At
		case e.Node == "dn2" && e.Kind == trace.Transition && e.To == "dead":
			dead = e.At
		case e.Node == "dn2" && e.Kind == trace.Transition && e.From == "dead" && e.To == "live":
			back = e.At
		case e.Kind == trace.Transition && e.To == "dead" && e.Node != "dn2":
			t.Errorf("false positive: %+v", e)
		}
	}
	// Scenario time: dead within threshold × interval + check + a margin
	// (one second of real time is 20s of scenario time at speed 0.05).
	if killed == 0 || dead == 0 || dead-killed > 5*time.Second+500*time.Millisecond+10*time.Second || dead < killed {
		t.Errorf("dn2 killed at %v, declared dead at %v", killed, dead)
	}
	if back < 30*time.Second {
		t.Errorf("dn2 re-registered at %v, want after its restart at 30s", back)
	}
	for _, n := range tr.Nodes {
		if n.FinalState != "live" || n.HeartbeatsReceived == 0 || n.HeartbeatsSent < n.HeartbeatsReceived {
			t.Errorf("node %+v", n)
		}
	}
}

// Cancelling the run (Ctrl-C) still reaps every child.
func TestRunLiveCancelledReapsChildren(t *testing.T) {
	exe := buildHbsim(t)
	scn, err := scenario.Parse("crash.yaml", []byte(crash), scenario.Options{Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var pids []int
	if _, err := Run(ctx, scn, Options{Exe: exe, Speed: 0.5, Pids: func(p []int) { pids = p }}); err == nil {
		t.Fatal("a cancelled run should fail")
	}
	assertReaped(t, pids)
}
