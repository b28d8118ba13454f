package namenode

// Tests of the φ accrual detector against Akka's formulas and the derived
// tables of /work/shared/failure-detectors.md §1.2.

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// phiCfg is the default configuration with the phi detector acting, the
// heartbeat interval given as Akka's first estimate, and the non-zero
// fields of over in place of the defaults.
func phiCfg(t *testing.T, over Phi, interval time.Duration) Config {
	t.Helper()
	cfg := DefaultConfig()
	cfg.HeartbeatInterval = interval
	spec := DefaultDetectorConfig(DetectorPhi)
	spec.Phi.FirstHeartbeatEstimate = interval
	for _, f := range []struct {
		dst *time.Duration
		v   time.Duration
	}{{&spec.Phi.MinStdDeviation, over.MinStdDeviation}, {&spec.Phi.AcceptablePause, over.AcceptablePause},
		{&spec.Phi.FirstHeartbeatEstimate, over.FirstHeartbeatEstimate}, {&spec.Phi.CheckInterval, over.CheckInterval},
		{&cfg.StaleAfter, over.StaleAfter}} {
		if f.v != 0 {
			*f.dst = f.v
		}
	}
	if over.Threshold != 0 {
		spec.Phi.Threshold = over.Threshold
	}
	if over.Window != 0 {
		spec.Phi.Window = over.Window
	}
	cfg.Detectors = []DetectorConfig{spec}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func mustPhi(t *testing.T, over Phi, interval time.Duration) *Phi {
	t.Helper()
	cfg := phiCfg(t, over, interval)
	return newDetector(&cfg, cfg.Detectors[0], new(lastHeard)).(*Phi)
}

// feed registers node 0 at 0 and delivers heartbeats after each of the
// given intervals; it returns the last arrival.
func feed(p *Phi, intervals ...time.Duration) time.Duration {
	var now time.Duration
	p.Registered(0, now)
	for _, iv := range intervals {
		now += iv
		p.Heard(0, now)
	}
	return now
}

// alternating returns n intervals of mean ± dev, alternately: their mean is
// mean and their population standard deviation exactly dev.
func alternating(n int, mean, dev time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for k := range out {
		out[k] = mean + dev
		if k%2 == 0 {
			out[k] = mean - dev
		}
	}
	return out
}

// Hand-computed φ from Akka's formula. With sample mean 1s, σ 100ms and
// pause 3s: mean' = 4s, σ' = 0.1s, y = (Δ − 4s)/0.1s,
// e = exp(−y(1.5976 + 0.070566y²)):
//
//	Δ = 3.9s: y = −1, e = exp(1.668166) = 5.3025,
//	          φ = −log₁₀(1 − 1/6.3025) = 0.07503
//	Δ = 4s:   y = 0, e = 1, Δ ≤ mean': φ = −log₁₀(1/2) = 0.30103
//	Δ = 4.1s: y = 1, y(…) = 1.668166, φ = −log₁₀(e/(1+e)) = 0.79951
//	Δ = 4.5s: y = 5, y(…) = 5 × 3.36175 = 16.80875,
//	          φ ≈ 16.80875 / ln 10 = 7.29995 (e/(1+e) ≈ e): still below 8
//	Δ = 5s:   y = 10, y(…) = 86.542, φ = 86.542 / ln 10 = 37.58471
//
// With σ 500ms (σ' = 0.5s): Δ = 5.5s: y = 3, y(…) = 6.698082, φ = 2.90948;
// Δ = 6s: y = 4, y(…) = 10.906624, φ = 4.73669.
func TestAkkaPhiHandComputed(t *testing.T) {
	for _, tc := range []struct {
		delta, mean, dev, want float64
	}{
		{3.9, 4, 0.1, 0.07503},
		{4.0, 4, 0.1, 0.30103},
		{4.1, 4, 0.1, 0.79951},
		{4.5, 4, 0.1, 7.29995},
		{5.0, 4, 0.1, 37.58471},
		{5.5, 4, 0.5, 2.90948},
		{6.0, 4, 0.5, 4.73669},
		{0, 4, 0.1, 0}, // far below the mean: e overflows, φ = 0
	} {
		if got := akkaPhi(tc.delta, tc.mean, tc.dev); math.Abs(got-tc.want) > 1e-4 {
			t.Errorf("akkaPhi(Δ %v, mean' %v, σ' %v) = %.5f, want %.5f", tc.delta, tc.mean, tc.dev, got, tc.want)
		}
	}
	if got := akkaPhi(1e6, 4, 0.1); !math.IsInf(got, 1) {
		t.Errorf("φ after a very long silence = %v, want +Inf (dead at any threshold)", got)
	}

	// The same values through the detector, from a window with mean 1s and
	// σ exactly 100ms (the bootstrap samples long since evicted).
	p := mustPhi(t, Phi{}, time.Second)
	last := feed(p, alternating(1000, time.Second, 100*time.Millisecond)...)
	for _, tc := range []struct {
		delta time.Duration
		want  float64
	}{
		{3900 * time.Millisecond, 0.07503},
		{4500 * time.Millisecond, 7.29995},
		{5 * time.Second, 37.58471},
	} {
		if got := p.Phi(0, last+tc.delta); math.Abs(got-tc.want) > 1e-4 {
			t.Errorf("Phi after %v of silence = %.5f, want %.5f", tc.delta, got, tc.want)
		}
	}
}

// failure-detectors.md §1.2, "last heartbeat → φ ≥ Φ at defaults" (1s
// interval, 3s pause): t* = 1s + 3s + y(Φ)·σ′ with y(8) = 5.23, y(12) =
// 6.29. The 250ms row is the bootstrap history of a fresh registration
// (1s ± 250ms). Each measured t* must be within 0.1s of the table.
func TestPhiDetectionTimeTable(t *testing.T) {
	for _, tc := range []struct {
		dev      time.Duration
		phi8     float64 // seconds
		phi12    float64
		fromBoot bool
	}{
		{100 * time.Millisecond, 4.5, 4.6, false},
		{200 * time.Millisecond, 5.0, 5.3, false},
		{250 * time.Millisecond, 5.3, 5.6, true},
		{500 * time.Millisecond, 6.6, 7.1, false},
	} {
		for _, th := range []struct {
			threshold, want float64
		}{{8, tc.phi8}, {12, tc.phi12}} {
			p := mustPhi(t, Phi{PhiConfig: PhiConfig{Threshold: th.threshold}}, time.Second)
			var last time.Duration
			if tc.fromBoot {
				p.Registered(0, 0)
			} else {
				last = feed(p, alternating(1000, time.Second, tc.dev)...)
			}
			d := time.Duration(0)
			for p.Judge(0, last+d) != Dead {
				d += time.Millisecond
			}
			t.Logf("σ %v, Φ %g: dead %v after the last heartbeat", tc.dev, th.threshold, d)
			if math.Abs(d.Seconds()-th.want) > 0.1 {
				t.Errorf("σ %v, Φ %g: φ reaches the threshold %v after the last heartbeat, want %.1fs ± 0.1s", tc.dev, th.threshold, d, th.want)
			}
		}
	}
}

// End to end through the NameNode: regular 1s heartbeats, then a crash. The
// window's σ is below 100ms, so the floor holds and φ crosses 8 at 4.523s;
// checked every 100ms, the node is dead 4.6s after its last heartbeat.
func TestPhiDeadThroughNameNode(t *testing.T) {
	run := hdfsSilentAfter(t, phiCfg(t, Phi{PhiConfig: PhiConfig{CheckInterval: 100 * time.Millisecond}}, time.Second), 0, time.Second, 60*time.Second, 90*time.Second)
	var dead []Transition
	for _, tr := range run.transitions {
		if tr.To == Dead {
			dead = append(dead, tr)
		}
	}
	if len(dead) != 1 || dead[0].At != 64600*time.Millisecond {
		t.Fatalf("dead transitions %+v, want one at 64.6s (4.6s after the last heartbeat)", dead)
	}
	if !strings.HasPrefix(dead[0].Reason, "φ = ") || !strings.Contains(dead[0].Reason, "threshold 8 after 4.6s of silence (mean interval 1.000s, σ 0.100s, acceptable pause 3s)") {
		t.Errorf("reason %q", dead[0].Reason)
	}
	if _, ok := run.first(Stale); ok {
		t.Errorf("stale before dead: %+v", run.transitions)
	}
}

// Stale when silent for StaleAfter while φ is still below the threshold (a
// generous pause keeps it there).
func TestPhiStale(t *testing.T) {
	p := mustPhi(t, Phi{PhiConfig: PhiConfig{AcceptablePause: time.Minute}, StaleAfter: 10 * time.Second}, time.Second)
	last := feed(p, alternating(10, time.Second, 0)...)
	for _, tc := range []struct {
		after time.Duration
		want  State
	}{{9 * time.Second, Live}, {10 * time.Second, Stale}, {70 * time.Second, Dead}} {
		if got := p.Judge(0, last+tc.after); got != tc.want {
			t.Errorf("after %v of silence: %v, want %v", tc.after, got, tc.want)
		}
	}
}

// The reason shows φ and the model behind it. Window 2 and two 1s
// intervals: mean 1s, σ 0 floored to 100ms; 4.55s of silence gives
// y = 5.5, y(1.5976 + 0.070566·30.25) = 20.52722, φ = 8.91486.
func TestPhiReason(t *testing.T) {
	p := mustPhi(t, Phi{PhiConfig: PhiConfig{Window: 2}}, time.Second)
	last := feed(p, time.Second, time.Second)
	now := last + 4550*time.Millisecond
	if got := p.Judge(0, now); got != Dead {
		t.Fatalf("judged %v, want dead", got)
	}
	want := "φ = 8.91 ≥ threshold 8 after 4.55s of silence (mean interval 1.000s, σ 0.100s, acceptable pause 3s)"
	if got := p.Reason(0, now, Dead); got != want {
		t.Errorf("reason\n%q, want\n%q", got, want)
	}
}

// A fresh registration starts the history over from Akka's bootstrap (two
// samples, estimate ± estimate/4), whatever came before.
func TestPhiRegistrationResets(t *testing.T) {
	p := mustPhi(t, Phi{}, 2*time.Second)
	p.Registered(0, 0)
	if mean, dev := p.nodes[0].stats(); mean != 2e9 || dev != 0.5e9 || len(p.nodes[0].ring) != 2 {
		t.Fatalf("bootstrap: mean %v σ %v n %d, want 2s, 0.5s, 2", mean, dev, len(p.nodes[0].ring))
	}
	now := time.Duration(0)
	for _, iv := range []time.Duration{time.Second, 4 * time.Second, 700 * time.Millisecond, 3 * time.Second} {
		now += iv
		p.Heard(0, now)
	}
	if len(p.nodes[0].ring) != 6 {
		t.Fatalf("%d samples after 4 heartbeats, want 6", len(p.nodes[0].ring))
	}
	p.Registered(0, 100*time.Second)
	mean, dev := p.nodes[0].stats()
	if mean != 2e9 || dev != 0.5e9 || len(p.nodes[0].ring) != 2 || p.nodes[0].last != 100*time.Second {
		t.Errorf("after re-registration: mean %v σ %v n %d last %v, want the bootstrap at 100s", mean, dev, len(p.nodes[0].ring), p.nodes[0].last)
	}
	if got := p.Phi(0, 100*time.Second); got > 0.01 {
		t.Errorf("φ at registration %v, want ≈ 0", got)
	}
}

// Akka: "don't use the first heartbeat after failure for the history,
// since a long pause will skew the stats". A heartbeat arriving when φ is
// already past the threshold moves the last arrival but adds no interval.
func TestPhiFirstHeartbeatAfterFailureNotRecorded(t *testing.T) {
	p := mustPhi(t, Phi{}, time.Second)
	last := feed(p, alternating(20, time.Second, 0)...)
	before := len(p.nodes[0].ring)
	p.Heard(0, last+10*time.Second)
	if got := len(p.nodes[0].ring); got != before {
		t.Errorf("%d samples after a heartbeat that ended a 10s silence, want %d", got, before)
	}
	if mean, _ := p.nodes[0].stats(); mean != 1e9 {
		t.Errorf("mean %v, want 1s untouched", mean)
	}
	if p.Phi(0, last+10*time.Second) > 1 {
		t.Errorf("φ right after the heartbeat %v, want low again", p.Phi(0, last+10*time.Second))
	}
	// A late heartbeat the detector still trusted is recorded.
	p.Heard(0, last+10*time.Second+3500*time.Millisecond)
	if got := len(p.nodes[0].ring); got != before+1 {
		t.Errorf("%d samples after a 3.5s interval (φ < 8), want %d", got, before+1)
	}
}

// The window keeps the last Window intervals; the running sums match a
// direct computation over them, after many evictions.
func TestPhiWindowCapsSamples(t *testing.T) {
	const window = 7
	p := mustPhi(t, Phi{PhiConfig: PhiConfig{Window: window, AcceptablePause: time.Hour}}, time.Second)
	rng := rand.New(rand.NewPCG(4, 2))
	var ivs []time.Duration
	for range 500 {
		ivs = append(ivs, time.Duration(200+rng.IntN(3000))*time.Millisecond+time.Duration(rng.IntN(1000)))
	}
	feed(p, ivs...)
	h := &p.nodes[0]
	if len(h.ring) != window || cap(h.ring) > 2*window {
		t.Fatalf("ring len %d cap %d, want %d samples", len(h.ring), cap(h.ring), window)
	}
	tail := ivs[len(ivs)-window:]
	var sum, sq float64
	for _, iv := range tail {
		sum += float64(iv)
		sq += float64(iv) * float64(iv)
	}
	wantMean := sum / window
	wantDev := math.Sqrt(sq/window - wantMean*wantMean)
	mean, dev := h.stats()
	if math.Abs(mean-wantMean) > 1 || math.Abs(dev-wantDev) > 1e3 {
		t.Errorf("stats mean %.0f σ %.0f, want %.0f, %.0f (the last %d intervals)", mean, dev, wantMean, wantDev, window)
	}
}

// Once a node's ring has grown to Window, heartbeats and re-registrations
// allocate nothing.
func TestPhiHeardAllocatesNothing(t *testing.T) {
	p := mustPhi(t, Phi{}, time.Second)
	now := feed(p, alternating(1100, time.Second, 50*time.Millisecond)...)
	if allocs := testing.AllocsPerRun(1000, func() {
		now += time.Second
		p.Heard(0, now)
	}); allocs != 0 {
		t.Errorf("Heard allocates %v times per call after warm-up, want 0", allocs)
	}
	if allocs := testing.AllocsPerRun(100, func() {
		now += time.Second
		p.Registered(0, now)
		p.Heard(0, now+time.Second)
	}); allocs != 0 {
		t.Errorf("re-registration allocates %v times, want 0", allocs)
	}
}

// The defaults are Akka's, with the scan every heartbeat.check_interval
// (3s) and the heartbeat interval as the first estimate.
func TestPhiDefaults(t *testing.T) {
	p := mustPhi(t, Phi{}, 3*time.Second)
	if p.Threshold != 8 || p.Window != 1000 || p.MinStdDeviation != 100*time.Millisecond || p.AcceptablePause != 3*time.Second ||
		p.FirstHeartbeatEstimate != 3*time.Second || p.CheckInterval != 3*time.Second || p.StaleAfter != 30*time.Second {
		t.Errorf("defaults %+v", *p)
	}
}

// The NameNode can run HDFS and φ side by side on one trace: both see the
// same arrivals, each on its own cadence.
func TestPhiWatchesBesideHDFS(t *testing.T) {
	cfg := hdfsCfg(time.Second, 500*time.Millisecond, 0, false)
	cfg.Detectors = append(cfg.Detectors, phiCfg(t, Phi{PhiConfig: PhiConfig{CheckInterval: 100 * time.Millisecond}}, time.Second).Detectors[0])
	run := hdfsSilentAfter(t, cfg, 0, time.Second, 30*time.Second, 60*time.Second)
	dead := map[string]time.Duration{}
	for _, tr := range run.transitions {
		if tr.To == Dead {
			dead[tr.Detector] = tr.At
		}
	}
	if dead["phi"] != 34600*time.Millisecond || dead["hdfs"] != 45*time.Second {
		t.Errorf("dead at %v, want phi at 34.6s and hdfs at 45s (first scan after 30s + 11s)", dead)
	}
}

// TestPhiGateAgreesWithAkkaPhi follows Akka's PhiAccrualFailureDetector
// (isAvailable: phi < threshold): the gate that spares exp and log10
// decides every silence as akkaPhi does, silences drawn around the
// threshold's crossing point included, and thresholds at the edges (tiny,
// under φ's value at the mean, beyond float64's 10^T).
func TestPhiGateAgreesWithAkkaPhi(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	thresholds := []float64{1e-9, 0.1, 0.30103, 0.5, 1, 3, 8, 8.5, 12, 16, 40, 200, 308, 309, 400}
	for _, th := range thresholds {
		p := newPhi(PhiConfig{Threshold: th, MinStdDeviation: time.Millisecond}, 0)
		for k := 0; k < 20000; k++ {
			mean := time.Duration(1 + r.Int64N(int64(10*time.Second)))
			dev := time.Duration(r.Int64N(int64(2 * time.Second)))
			h := phiHistory{}
			h.push(2, mean-dev)
			h.push(2, mean+dev)
			m, sd := h.stats()
			sd = max(sd, float64(p.MinStdDeviation))
			var delta float64
			if k%2 == 0 {
				// Near the crossing point: solve g(y) = ln(10^T − 1) by
				// bisection, then nudge by a few ulps either way.
				bound := math.Log(math.Pow(10, th) - 1)
				lo, hi := -1e3, 1e3
				for range 200 {
					mid := (lo + hi) / 2
					if mid*(1.5976+0.070566*mid*mid) < bound {
						lo = mid
					} else {
						hi = mid
					}
				}
				delta = m + lo*sd
				for range r.IntN(8) {
					delta = math.Nextafter(delta, math.Inf(2*r.IntN(2)-1))
				}
			} else {
				delta = r.Float64() * 50 * float64(time.Second)
			}
			h.last = 0
			now := time.Duration(delta)
			want := akkaPhi(float64(now), m+float64(p.AcceptablePause), sd) >= th
			if got := p.dead(&h, now); got != want {
				t.Fatalf("threshold %g, mean %v, σ %v, silence %v: gate says dead=%v, akkaPhi %v",
					th, time.Duration(m), time.Duration(sd), now, got, want)
			}
		}
	}
}
