package tune

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/config"
)

// lossyInput is scenarios/lossy-network.yaml's network and settings.
func lossyInput(t *testing.T) Input {
	l := link(t, config.Network{Latency: config.Constant(2 * time.Millisecond), Jitter: time.Millisecond,
		Loss: 0.05, Burst: config.Burst{Enter: 0.02, Leave: 0.5, Loss: 0.9}})
	return Input{Link: l, Check: 1, PhiPause: 3, PhiMinStd: 0.1, PhiWindow: 1000, StaleAfter: 30}
}

func setting(r Recommendation, key string) string {
	for _, s := range r.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// TestRecommendMeetsTargetsCheaply runs the procedure for every detector
// and several targets: the result meets every target, and the next
// cheaper setting of the same kind does not.
func TestRecommendMeetsTargetsCheaply(t *testing.T) {
	in := lossyInput(t)
	for _, tg := range []Targets{
		{MaxDetection: 30, MinRecurrence: 8760 * 3600},
		{MaxDetection: 20, MinRecurrence: 2 * 3600},
		{MaxDetection: 60, MinRecurrence: 24 * 3600, MaxDuration: 2},
	} {
		for _, det := range Detectors {
			r, err := Recommend(det, in, tg)
			if err != nil {
				t.Errorf("%s %+v: %v", det, tg, err)
				continue
			}
			if !meets(r.Predicted, tg) {
				t.Errorf("%s %+v: prediction %+v misses a target", det, tg, r.Predicted)
			}
			if setting(r, "heartbeat.detector") != det || setting(r, "heartbeat.interval") == "" {
				t.Errorf("%s: settings %v", det, r.Settings)
			}
			if r.Predicted.DetectionP99 > r.Predicted.DetectionMax || r.Predicted.DetectionP50 > r.Predicted.DetectionP99 {
				t.Errorf("%s: percentiles out of order %+v", det, r.Predicted)
			}
			if det != "missed-count" {
				continue
			}
			// One fewer missed heartbeat at its own longest interval
			// must fail: otherwise it would have been cheaper or equal.
			k, _ := strconv.Atoi(setting(r, "heartbeat.miss_threshold"))
			if k > 1 {
				eta := floorMs((tg.MaxDetection - in.Check - in.Link.DelayHi) / float64(k-1))
				if eta > r.Plan.Interval {
					pr := in.Link.Predict(Plan{Interval: eta, Timeout: float64(k-1) * eta, Scan: in.Check, Acting: true})
					if meets(pr, tg) {
						t.Errorf("%+v: threshold %d at %vs also meets the targets, with fewer heartbeats than %d at %vs", tg, k-1, eta, k, r.Plan.Interval)
					}
				}
			}
		}
	}
}

// TestRecommendHDFS checks HDFS's arithmetic: whole-second intervals (the
// NameNode reads dfs.heartbeat.interval in seconds), recheck in
// milliseconds, expiry 2 × recheck + 10 × interval, and the scan period
// of HeartbeatManager's 5s monitor.
func TestRecommendHDFS(t *testing.T) {
	in := lossyInput(t)
	tg := Targets{MaxDetection: 40, MinRecurrence: 8760 * 3600}
	r, err := Recommend("hdfs", in, tg)
	if err != nil {
		t.Fatal(err)
	}
	eta := r.Plan.Interval
	if eta != math.Trunc(eta) {
		t.Errorf("interval %v is not whole seconds", eta)
	}
	recheck, err := time.ParseDuration(setting(r, "heartbeat.hdfs.recheck_interval"))
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*recheck.Seconds() + 10*eta; math.Abs(r.Plan.Timeout-want) > 1e-9 {
		t.Errorf("timeout %v, want 2 × %v + 10 × %v", r.Plan.Timeout, recheck, eta)
	}
	if r.Plan.Timeout+r.Plan.Scan+in.Link.DelayHi > tg.MaxDetection+1e-9 {
		t.Errorf("expiry %v + scan %v + delay exceeds %v", r.Plan.Timeout, r.Plan.Scan, tg.MaxDetection)
	}
	site := map[string]string{}
	for _, s := range r.HDFSSite {
		site[s.Key] = s.Value
	}
	if site["dfs.heartbeat.interval"] != strconv.Itoa(int(eta)) || site["dfs.namenode.heartbeat.recheck-interval"] != strconv.FormatInt(recheck.Milliseconds(), 10) {
		t.Errorf("hdfs-site %v for interval %v, recheck %v", site, eta, recheck)
	}
}

// TestHDFSScan follows HeartbeatManager.Monitor as namenode/ models it:
// the heartbeat check runs at the first 5s wake-up at least the recheck
// interval after the last one (HDFS's defaults: every 300s), or every
// stale interval with avoid-write-stale (HDFS-3912).
func TestHDFSScan(t *testing.T) {
	for _, tc := range []struct {
		recheck, stale float64
		avoid          bool
		want           float64
	}{
		{0.001, 30, false, 5},
		{4.999, 30, false, 5},
		{5, 30, false, 5},
		{5.001, 30, false, 10},
		{300, 30, false, 300},
		{300, 30, true, 30},
		{300, 3, true, 10}, // stale raised to 3 × interval (9s)
	} {
		if got := hdfsScan(tc.recheck, Input{StaleAfter: tc.stale, AvoidWriteStale: tc.avoid}, 3); got != tc.want {
			t.Errorf("recheck %v stale %v avoid %v: scan every %v, want %v", tc.recheck, tc.stale, tc.avoid, got, tc.want)
		}
	}
}

// TestRecommendPhiThreshold: phi's threshold is φ at y = 3 standard
// deviations, min_std_deviation holds σ' so that the timeout is mean +
// pause + 3σ'.
func TestRecommendPhiThreshold(t *testing.T) {
	in := lossyInput(t)
	r, err := Recommend("phi", in, Targets{MaxDetection: 30, MinRecurrence: 8760 * 3600})
	if err != nil {
		t.Fatal(err)
	}
	phi, _ := strconv.ParseFloat(setting(r, "heartbeat.phi.threshold"), 64)
	if want := math.Floor(akkaPhiOf(3)*100) / 100; phi != want {
		t.Errorf("threshold %v, want φ(3) = %v", phi, want)
	}
	pause, _ := time.ParseDuration(setting(r, "heartbeat.phi.acceptable_pause"))
	sd, _ := time.ParseDuration(setting(r, "heartbeat.phi.min_std_deviation"))
	gm, _, _ := in.Link.gapStats()
	got := gm*r.Plan.Interval + pause.Seconds() + 3*sd.Seconds()
	if math.Abs(got-r.Plan.Timeout) > 0.01 {
		t.Errorf("mean + pause + 3σ' = %v, want the timeout %v", got, r.Plan.Timeout)
	}
}

// TestRecommendUnreachable: a detection bound below one scan cannot be
// met; the relaxation it proposes can.
func TestRecommendUnreachable(t *testing.T) {
	in := lossyInput(t)
	tg := Targets{MaxDetection: 0.5, MinRecurrence: 8760 * 3600}
	for _, det := range Detectors {
		_, err := Recommend(det, in, tg)
		u, ok := IsUnreachable(err)
		if !ok {
			t.Fatalf("%s: err %v, want unreachable", det, err)
		}
		if !strings.Contains(err.Error(), det) {
			t.Errorf("error %q does not name %s", err, det)
		}
		var to float64
		for _, r := range u.Relax {
			if r.Target == "max detection" {
				to = r.To
			}
		}
		if !(to > tg.MaxDetection) || math.IsInf(to, 1) {
			t.Fatalf("%s: relaxations %+v", det, u.Relax)
		}
		relaxed := tg
		relaxed.MaxDetection = to
		if _, err := Recommend(det, in, relaxed); err != nil {
			t.Errorf("%s: relaxed to %v: %v", det, to, err)
		}
	}
	if _, err := Recommend("gossip", in, tg); err == nil || IsUnreachableErr(err) {
		t.Errorf("gossip: err %v, want a plain refusal", err)
	}
}

// IsUnreachableErr is IsUnreachable's boolean.
func IsUnreachableErr(err error) bool { _, ok := IsUnreachable(err); return ok }
