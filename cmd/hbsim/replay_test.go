package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/report"
)

// TestReplayReproducesRun is issue 14's acceptance test for replay: a
// trace written by run --record, replayed with the scenario's settings,
// crashes and detectors, gives the run's QoS for every detector, to the
// last digit: the trace records heartbeats and registrations to the
// nanosecond and the replay drives the same NameNode machine.
func TestReplayReproducesRun(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		replay   []string
	}{
		{"single-crash", []string{"--crash", "dn3@30s", "--set", "heartbeat.interval=3s", "--set", "heartbeat.check_interval=1s", "--set", "heartbeat.miss_threshold=10"}},
		{"lossy-network", []string{"--set", "heartbeat.interval=3s", "--set", "heartbeat.check_interval=1s", "--set", "heartbeat.miss_threshold=3"}},
		{"detector-shootout", []string{"--crash", "dn7@6m", "--crash", "dn9@8m", "--set", "heartbeat.interval=1s", "--set", "heartbeat.check_interval=200ms",
			"--set", "heartbeat.miss_threshold=5", "--set", "heartbeat.hdfs.recheck_interval=15s", "--detectors", "missed-count,phi,hdfs"}},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			rec := filepath.Join(t.TempDir(), tc.scenario+".csv")
			code, out, errOut := hbsim(t, "run", "../../scenarios/"+tc.scenario+".yaml", "--record", rec, "--format", "json")
			if code != 0 {
				t.Fatalf("run: exit %d: %s", code, errOut)
			}
			var run, rep report.Report
			if err := json.Unmarshal([]byte(out), &run); err != nil {
				t.Fatal(err)
			}
			code, out, errOut = hbsim(t, append([]string{"replay", rec, "--format", "json"}, tc.replay...)...)
			if code != 0 {
				t.Fatalf("replay: exit %d: %s", code, errOut)
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.DurationMs != run.DurationMs {
				t.Errorf("replay lasts %vms, the run %vms", rep.DurationMs, run.DurationMs)
			}
			for det, want := range run.QoS {
				got, ok := rep.QoS[det]
				if !ok {
					t.Errorf("replay has no %s", det)
					continue
				}
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				if string(g) != string(w) {
					t.Errorf("%s:\nreplay %s\nrun    %s", det, g, w)
				}
			}
		})
	}
}

func TestReplayBadInput(t *testing.T) {
	unsorted := writeScenario(t, "bad.csv", "# two heartbeats out of order\nnode,arrival_ms\ndn1,900\ndn2,800\n")
	good := writeScenario(t, "good.csv", "node,arrival_ms\ndn1,900\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{unsorted}, "bad.csv:4: arrival_ms: 800 is before the previous heartbeat's 900 (line 3)"},
		{[]string{good, "--crash", "dn1"}, "invalid --crash \"dn1\": want NODE@TIME"},
		{[]string{good, "--crash", "dn9@1s"}, "no DataNode \"dn9\" in the trace"},
		{[]string{good, "--detectors", "gossip"}, "replay runs the central detectors"},
		{[]string{good, "--set", "heartbeat.miss_threshold=-2"}, "heartbeat.miss_threshold"},
		{[]string{good, "--duration", "100ms"}, "ends before the trace's last heartbeat"},
		{[]string{filepath.Join(t.TempDir(), "missing.csv")}, "read trace"},
	} {
		code, _, errOut := hbsim(t, append([]string{"replay"}, tc.args...)...)
		if code != exitBadInput || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, exitBadInput, tc.want)
		}
	}
}
