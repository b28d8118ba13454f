package liverun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/model"
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

var (
	buildOnce sync.Once
	builtExe  string
	buildErr  error
)

// buildHbsim builds the binary the children run, once for every test.
func buildHbsim(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("live run skipped in -short mode: it builds hbsim and starts processes")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hbsim-liverun-test-")
		if err != nil {
			buildErr = err
			return
		}
		builtExe = filepath.Join(dir, "hbsim")
		if out, err := exec.Command("go", "build", "-o", builtExe, "../../cmd/hbsim").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtExe
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtExe != "" {
		os.RemoveAll(filepath.Dir(builtExe))
	}
	os.Exit(code)
}

// parse builds the model of a scenario written in the test.
func parse(t *testing.T, name, yaml string) *model.Run {
	t.Helper()
	scn, err := scenario.Parse(name, []byte(yaml), scenario.Options{Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	m, err := scn.Model()
	if err != nil {
		t.Fatal(err)
	}
	return m
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
	m := parse(t, "crash.yaml", crash)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var pids []int
	tr, err := Run(ctx, m, Options{Exe: exe, Speed: 0.05, Pids: func(p []int) { pids = p }})
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
	if last := tr.Series[len(tr.Series)-1]; len(tr.Series) < 60 || last.At != time.Minute || last.Live != 3 {
		t.Errorf("%d samples, the last %+v; want one a second to 1m, all live at the end", len(tr.Series), last)
	}
	for _, n := range tr.Nodes {
		if n.FinalState != "live" || n.HeartbeatsReceived == 0 || n.HeartbeatsSent < n.HeartbeatsReceived {
			t.Errorf("node %+v", n)
		}
	}
}

// Cancelling the run (Ctrl-C) reaps every child and returns the trace so
// far: before the scenario starts there is none; after, its End is the
// scenario time reached.
func TestRunLiveCancelledReapsChildren(t *testing.T) {
	exe := buildHbsim(t)
	m := parse(t, "crash.yaml", crash)
	for _, after := range []time.Duration{100 * time.Millisecond, 0} {
		ctx, cancel := context.WithCancel(context.Background())
		var pids []int
		var progress []Progress
		opts := Options{Exe: exe, Speed: 0.1, Pids: func(p []int) { pids = p }, ProgressEvery: 50 * time.Millisecond,
			Progress: func(p Progress) {
				progress = append(progress, p)
				if p.At >= 12*time.Second { // past dn2's kill at 10s
					cancel()
				}
			}}
		if after > 0 {
			time.AfterFunc(after, cancel) // while booting
		}
		tr, err := Run(ctx, m, opts)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled after %v: err %v, want context.Canceled", after, err)
		}
		assertReaped(t, pids)
		if after > 0 {
			if tr != nil {
				t.Errorf("cancelled while booting: trace %+v, want none", tr)
			}
			continue
		}
		if tr == nil || tr.End < 12*time.Second || tr.End > 30*time.Second {
			t.Fatalf("cancelled at 12s: trace %+v", tr)
		}
		var killed bool
		for _, e := range tr.Events {
			killed = killed || (e.Kind == trace.Kill && e.Node == "dn2")
		}
		if !killed || len(tr.Nodes) != 3 || tr.Messages == 0 {
			t.Errorf("partial trace: killed %v, %d nodes, %d messages", killed, len(tr.Nodes), tr.Messages)
		}
		last := progress[len(progress)-1]
		if last.Nodes != 3 || last.Up != 2 || last.Next != "pause dn3" || last.NextAt != 20*time.Second || last.Events < 1 {
			t.Errorf("last progress %+v", last)
		}
	}
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
	m := parse(t, "net.yaml", netFaults)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var pids []int
	tr, err := Run(ctx, m, Options{Exe: exe, Speed: 0.1, Pids: func(p []int) { pids = p }})
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
	const head = "name: c\nduration: 60s\ncluster: {datanodes: 3}\n"
	for _, tc := range []struct {
		body string
		want []string // "" if accepted, else each line of the error
	}{
		{"events:\n  - {at: 1s, partition: {groups: [[dn1], [dn2, namenode]]}, for: 5s}", nil},
		{"events:\n  - {at: 1s, partition: [dn1, dn2], direction: from}", nil},
		{"events:\n  - {at: 1s, slow: dn1, latency: {dist: lognormal, median: 2ms, p99: 20ms}}", nil},
		{"events:\n  - {at: 1s, loss: dn1, p: 0.3, for: 5s}", nil},
		{"detectors: [missed-count, phi, hdfs]", nil},
		{"events:\n  - {at: 1s, partition: {groups: [[dn1], [dn2]]}, for: 5s}",
			[]string{"c.yaml:5: partition: not supported in live mode: a partition between two groups of DataNodes"}},
		{"events:\n  - {at: 1s, namenode_overload: {service_time: 20ms}, for: 5s}",
			[]string{"c.yaml:5: namenode_overload: not supported in live mode: the live NameNode"}},
		{"events:\n  - {at: 1s, clock_drift: dn1, ratio: 1.5, for: 5s}",
			[]string{"c.yaml:5: clock_drift: not supported in live mode: live processes run on the host's one clock"}},
		{"data: {blocks: 100}\nworkload: {reads_per_sec: 5}",
			[]string{"c.yaml:4: data: not supported in live mode:", "c.yaml:5: workload: not supported in live mode:"}},
		{"workload: {writes_per_sec: 1}", []string{"c.yaml:4: workload: not supported in live mode:"}},
		{"detectors: [phi, gossip]", []string{"c.yaml:4: gossip: not supported in live mode:"}},
		{"heartbeat: {detector: gossip}", []string{"c.yaml:4: gossip: not supported in live mode:"}},
		{"namenode: {service_time: 1ms}", []string{"c.yaml:4: namenode.service_time: not supported in live mode:"}},
	} {
		err := Check(parse(t, "c.yaml", head+tc.body+"\n"))
		if len(tc.want) == 0 {
			if err != nil {
				t.Errorf("%s: rejected: %v", tc.body, err)
			}
			continue
		}
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: error %v, want ErrUnsupported", tc.body, err)
			continue
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) > 1 {
			if want := fmt.Sprintf("%d parts of the run are not supported in live mode:", len(tc.want)); lines[0] != want {
				t.Errorf("%s: first line %q, want %q", tc.body, lines[0], want)
			}
			lines = lines[1:]
			for k := range lines {
				lines[k] = strings.TrimPrefix(lines[k], "  ")
			}
		}
		if len(lines) != len(tc.want) {
			t.Errorf("%s: %d refusals, want %d:\n%v", tc.body, len(lines), len(tc.want), err)
			continue
		}
		for k, w := range tc.want {
			if !strings.HasPrefix(lines[k], w) {
				t.Errorf("%s: refusal %q, want %q…", tc.body, lines[k], w)
			}
		}
	}
}

// A fault kind live mode does not name is refused, so a kind added to the
// model is refused until live mode learns it.
func TestCheckRefusesUnknownKinds(t *testing.T) {
	if why := unsupportedFault(model.Fault{Kind: model.Kind(255)}); why == "" {
		t.Error("a fault kind live mode does not know was accepted")
	}
}
