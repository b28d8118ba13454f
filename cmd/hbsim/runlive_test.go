package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/cost"
	"github.com/hbsim/hbsim/pkg/liverun"
	"github.com/hbsim/hbsim/pkg/replay"
	"github.com/hbsim/hbsim/pkg/screen"
)

// A live run of a scenario with parts live mode cannot run is refused at
// once, before any process starts, naming each part's line (issue 9: it
// used to run for minutes without them and fail every expectation).
func TestRunLiveRefusesWhatItCannotRun(t *testing.T) {
	start := time.Now()
	code, out, errOut := hbsim(t, "run", "../../scenarios/rack-failure.yaml", "--live")
	if code != 2 || out != "" {
		t.Fatalf("exit %d, stdout %q, want 2 and nothing", code, out)
	}
	for _, w := range []string{"rack-failure.yaml:26: data: not supported in live mode", "rack-failure.yaml:27: workload: not supported in live mode"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("refused after %v, want at once", el)
	}
}

const liveLong = `name: live-long
duration: 60s
cluster: {datanodes: 3}
heartbeat: {interval: 1s, check_interval: 500ms, miss_threshold: 5, stale_after: 3s}
events:
  - {at: 15s, kill: dn2}
expect:
  - {dead: dn2, within: 10s}
`

// Ctrl-C during a live run prints the report so far and exits 130, as the
// simulator does; stderr showed its progress on the way.
func TestInterruptedLiveRun(t *testing.T) {
	if testing.Short() {
		t.Skip("live run skipped in -short mode: it starts processes")
	}
	t.Setenv(asHbsimEnv, "1") // the children are this test binary, as hbsim
	path := writeScenario(t, "live-long.yaml", liveLong)
	code, out, errOut := interrupted(t, syscall.SIGINT, 3*time.Second, "run", path, "--live", "--speed", "0.1")
	if code != 130 {
		t.Fatalf("exit %d, want 130; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(out, "Scenario live-long") || !strings.Contains(out, "dn2") {
		t.Errorf("no report of the run so far:\n%s", out)
	}
	if !strings.Contains(errOut, "live-long.yaml: interrupted at ") || !strings.Contains(errOut, "(SIGINT)") {
		t.Errorf("stderr = %q", errOut)
	}
	// Off a terminal the line is printed once, then every 10 s: how many
	// nodes it shows up depends on how soon the machine started them.
	if !regexp.MustCompile(`/1:00 wall .* up [0-3]/3`).MatchString(errOut) {
		t.Errorf("no progress line on stderr:\n%s\nstdout:\n%s", errOut, out)
	}
}

func TestProgressText(t *testing.T) {
	for _, tc := range []struct {
		p     liverun.Progress
		width int
		want  string
	}{
		{liverun.Progress{At: 12 * time.Second, Of: time.Minute, Wall: time.Second, Up: 2, Nodes: 3, Live: 3, Events: 4, Next: "pause dn3", NextAt: 20 * time.Second},
			79, "0:12/1:00 wall 0:01  up 2/3  3 live  4 events  next pause dn3 0:20"},
		{liverun.Progress{At: 25 * time.Minute, Of: 30 * time.Minute, Wall: 75 * time.Second, Up: 8, Nodes: 9, Live: 7, Stale: 1, Dead: 1, Events: 14},
			79, "25:00/30:00 wall 1:15  up 8/9  7 live 1 stale 1 dead  14 events"},
		// Too long for the next fault's nodes: its kind and time only.
		{liverun.Progress{At: 20 * time.Minute, Of: 30 * time.Minute, Wall: 2 * time.Minute, Up: 9, Nodes: 10, Live: 9, Dead: 1, Events: 12,
			Next: "restart datanode-0001 datanode-0002 datanode-0003 …", NextAt: 25 * time.Minute},
			79, "20:00/30:00 wall 2:00  up 9/10  9 live 1 dead  12 events  next restart 25:00"},
		// Too long for the next fault at all.
		{liverun.Progress{At: 2 * time.Hour, Of: 10 * time.Hour, Wall: 12 * time.Minute, Up: 998, Nodes: 1000, Live: 990, Stale: 8, Dead: 2, Events: 12345,
			Next: "restart datanode-0001 datanode-0002 datanode-0003 …", NextAt: 3 * time.Hour},
			79, "2:00:00/10:00:00 wall 12:00  up 998/1000  990 live 8 stale 2 dead  12345 events"},
	} {
		got := progressText(tc.p, tc.width)
		if got != tc.want && !(screen.Width(tc.want) > tc.width && strings.HasSuffix(got, "…")) {
			t.Errorf("progressText(%+v) =\n%q, want\n%q", tc.p, got, tc.want)
		}
		if w := screen.Width(got); w > tc.width {
			t.Errorf("%q is %d columns, more than %d", got, w, tc.width)
		}
	}
}

// run --live --record writes the heartbeats' arrivals at the live
// NameNode as the simulator's run writes them, in scenario time, and
// hbsim replay reads them back.
func TestRunLiveRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("live run skipped in -short mode: it starts processes")
	}
	t.Setenv(asHbsimEnv, "1")
	path := writeScenario(t, "live-short.yaml", `name: live-short
duration: 20s
cluster: {datanodes: 2}
heartbeat: {interval: 1s, check_interval: 500ms, miss_threshold: 5, stale_after: 3s}
`)
	rec := filepath.Join(t.TempDir(), "live.csv")
	code, _, errOut := hbsim(t, "run", path, "--live", "--speed", "0.1", "--record", rec)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	data, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := replay.Parse(rec, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, a := range tr.Arrivals {
		if a.At > 20*time.Second {
			t.Errorf("arrival after the run's end: %+v", a)
		}
		if a.Kind == replay.Heartbeat {
			per[a.Node]++
		}
	}
	// About 18 heartbeats each once registered (1s apart, boot aside).
	for _, id := range []string{"dn1", "dn2"} {
		if per[id] < 10 || per[id] > 21 {
			t.Errorf("%s: %d heartbeats recorded, want 10 to 21:\n%s", id, per[id], data)
		}
	}
	if code, _, errOut := hbsim(t, "replay", rec); code != 0 {
		t.Errorf("replay of the live record: exit %d\n%s", code, errOut)
	}
}

// TestHeapPolicy: a small run is collected at GOGC 400 and a large one
// held to its estimate, unless the environment sets either.
func TestHeapPolicy(t *testing.T) {
	none := func(string) (string, bool) { return "", false }
	set := func(k string) func(string) (string, bool) {
		return func(name string) (string, bool) { return "1", name == k }
	}
	for _, tc := range []struct {
		bytes float64
		env   func(string) (string, bool)
		gc    int
		limit int64
	}{
		{10 << 20, none, smallHeapGC, 0},
		{10 << 20, set("GOGC"), 0, 0},
		{100 << 20, none, 0, 0},
		{900 << 20, none, 0, 900 << 20},
		{900 << 20, set("GOMEMLIMIT"), 0, 0},
	} {
		if gc, limit := heapPolicy(tc.bytes, tc.env); gc != tc.gc || limit != tc.limit {
			t.Errorf("%s: GOGC %d, limit %d; want %d, %d", cost.Bytes(tc.bytes), gc, limit, tc.gc, tc.limit)
		}
	}
}
