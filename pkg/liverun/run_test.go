package liverun

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/faultproxy"
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

const netFaults = `name: live-net
duration: 60s
cluster: {datanodes: 4}
heartbeat: {interval: 1s, check_interval: 500ms, miss_threshold: 5, stale_after: 3s}
events:
  - {at: 5s, partition: dn1, for: 10s}
  - {at: 5s, loss: dn2, p: 1, for: 10s}
  - {at: 25s, slow: dn3, latency: 10s, for: 5s}
  - {at: 35s, partition: dn4, direction: to, for: 10s}
`

// Network faults go through the proxy: a partition and total loss kill
// their nodes until they heal, a 10s latency silences dn3 long enough to
// be declared dead, and cutting only what the NameNode sends changes
// nothing it sees.
func TestRunLiveNetworkFaults(t *testing.T) {
	exe := buildHbsim(t)
	scn, err := scenario.Parse("net.yaml", []byte(netFaults), scenario.Options{Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var pids []int
	tr, err := Run(ctx, scn, Options{Exe: exe, Speed: 0.1, Pids: func(p []int) { pids = p }})
	if err != nil {
		t.Fatal(err)
	}
	assertReaped(t, pids)
	type span struct{ dead, back time.Duration }
	got := map[string]*span{}
	notes := map[trace.Kind]int{}
	for _, e := range tr.Events {
		switch e.Kind {
		case trace.Transition:
			s := got[e.Node]
			if s == nil {
				s = &span{}
				got[e.Node] = s
			}
			if e.To == "dead" && s.dead == 0 {
				s.dead = e.At
			}
			if e.From == "dead" && e.To == "live" && s.back == 0 {
				s.back = e.At
			}
		case trace.Partition, trace.Heal, trace.Loss, trace.LossEnd, trace.Slow, trace.SlowEnd:
			notes[e.Kind]++
		}
	}
	// Scenario time; one second of real time is 10s of it at speed 0.1.
	for _, w := range []struct {
		node           string
		from, heal     time.Duration
		deadBy, backBy time.Duration
	}{
		{"dn1", 5 * time.Second, 15 * time.Second, 5*time.Second + 5500*time.Millisecond + 10*time.Second, 15*time.Second + 20*time.Second},
		{"dn2", 5 * time.Second, 15 * time.Second, 5*time.Second + 5500*time.Millisecond + 10*time.Second, 15*time.Second + 20*time.Second},
		// dn3's frames from 25s on arrive 10s late: silence from 25s to
		// 35s; its REGISTER command reaches it 10s late too.
		{"dn3", 25 * time.Second, 30 * time.Second, 35 * time.Second, 60 * time.Second},
	} {
		s := got[w.node]
		if s == nil || s.dead < w.from+4*time.Second || s.dead > w.deadBy {
			t.Errorf("%s: declared dead at %v, want between %v and %v", w.node, s, w.from+4*time.Second, w.deadBy)
			continue
		}
		if s.back < w.heal || s.back > w.backBy {
			t.Errorf("%s: back at %v, want between %v and %v", w.node, s.back, w.heal, w.backBy)
		}
		t.Logf("%s: dead at %v, back at %v", w.node, s.dead, s.back)
	}
	if s := got["dn4"]; s != nil && s.dead != 0 {
		t.Errorf("dn4 lost only what the NameNode sent, yet was declared dead at %v", s.dead)
	}
	want := map[trace.Kind]int{trace.Partition: 2, trace.Heal: 2, trace.Loss: 1, trace.LossEnd: 1, trace.Slow: 1, trace.SlowEnd: 1}
	for k, n := range want {
		if notes[k] != n {
			t.Errorf("%d %s events in the trace, want %d", notes[k], k, n)
		}
	}
	for _, n := range tr.Nodes {
		if n.FinalState != "live" {
			t.Errorf("node %+v", n)
		}
	}
}

func TestCheckLive(t *testing.T) {
	const head = "name: c\nduration: 60s\ncluster: {datanodes: 3}\nevents:\n"
	for _, tc := range []struct {
		event, want string // want: "" if accepted, else in the error
	}{
		{"  - {at: 1s, partition: {groups: [[dn1], [dn2, namenode]]}, for: 5s}", ""},
		{"  - {at: 1s, partition: [dn1, dn2], direction: from}", ""},
		{"  - {at: 1s, slow: dn1, latency: {dist: lognormal, median: 2ms, p99: 20ms}}", ""},
		{"  - {at: 1s, loss: dn1, p: 0.3, for: 5s}", ""},
		{"  - {at: 1s, partition: {groups: [[dn1], [dn2]]}, for: 5s}", "c.yaml:5: liverun: event not supported in live mode: a partition between two groups of DataNodes"},
		{"  - {at: 1s, namenode_overload: {service_time: 20ms}, for: 5s}", "c.yaml:5: liverun: event not supported in live mode: namenode_overload"},
		{"  - {at: 1s, clock_drift: dn1, ratio: 1.5, for: 5s}", "c.yaml:5: liverun: event not supported in live mode: clock_drift"},
	} {
		scn, err := scenario.Parse("c.yaml", []byte(head+tc.event+"\n"), scenario.Options{Env: func(string) (string, bool) { return "", false }})
		if err != nil {
			t.Fatalf("%s: %v", tc.event, err)
		}
		err = Check(scn)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: rejected: %v", tc.event, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q…", tc.event, err, tc.want)
		}
	}
}

func TestCutNodes(t *testing.T) {
	for _, tc := range []struct {
		ev    scenario.Event
		nodes []string
		dir   faultproxy.Dir
	}{
		{scenario.Event{Nodes: []string{"dn1"}, Direction: "to"}, []string{"dn1"}, faultproxy.Down},
		{scenario.Event{Groups: [2][]string{{"dn1"}, {"dn2"}}, NameNode: 1, Direction: "to"}, []string{"dn2"}, faultproxy.Down},
		{scenario.Event{Groups: [2][]string{{"dn1"}, {"dn2"}}, NameNode: 2, Direction: "to"}, []string{"dn1"}, faultproxy.Up},
		{scenario.Event{Groups: [2][]string{{"dn1"}, {"dn2"}}, NameNode: 2, Direction: "from"}, []string{"dn1"}, faultproxy.Down},
		{scenario.Event{Groups: [2][]string{{"dn1"}, {"dn2"}}, NameNode: 2, Direction: "both"}, []string{"dn1"}, faultproxy.Both},
	} {
		nodes, dir, err := cutNodes(tc.ev)
		if err != nil || !slices.Equal(nodes, tc.nodes) || dir != tc.dir {
			t.Errorf("%+v: %v %v %v, want %v %v", tc.ev, nodes, dir, err, tc.nodes, tc.dir)
		}
	}
}
