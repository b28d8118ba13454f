package tune

import (
	"math"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/config"
)

func link(t *testing.T, n config.Network) Link {
	t.Helper()
	l, err := NewLink(n)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestPredictBernoulli checks Predict against the closed forms for
// independent loss p and a constant delay d: a missed-count timeout Kη is
// overrun only when K heartbeats in a row are lost, so p_S = (1 − p)·p^K
// and E(T_MR) = η / p_S (CTA's Theorem 5 with freshness points at the
// arrivals); the mistake, made at a scan w ∈ [0, P) after the timeout,
// lasts until the next arrival, η/(1 − p) − P/2 later on average, plus
// the re-registration (2d) for the acting detector.
func TestPredictBernoulli(t *testing.T) {
	const d = 0.002
	for _, tc := range []struct {
		p      float64
		k      int
		eta    float64
		scan   float64
		acting bool
	}{
		{0.1, 3, 1, 0.5, true},
		{0.05, 2, 3, 1, false},
		{0.3, 5, 0.5, 0.25, true},
	} {
		l := link(t, config.Network{Latency: config.Constant(time.Duration(d * float64(time.Second))), Loss: tc.p})
		pr := l.Predict(Plan{Interval: tc.eta, Timeout: float64(tc.k) * tc.eta, Scan: tc.scan, Acting: tc.acting})
		wantMR := tc.eta / ((1 - tc.p) * math.Pow(tc.p, float64(tc.k)))
		wantM := tc.eta/(1-tc.p) - tc.scan/2
		if tc.acting {
			wantM += 2 * d
		}
		if math.Abs(pr.Recurrence-wantMR) > 1e-6*wantMR {
			t.Errorf("%+v: E(T_MR) %v, want %v", tc, pr.Recurrence, wantMR)
		}
		if math.Abs(pr.Duration-wantM) > 1e-6 {
			t.Errorf("%+v: E(T_M) %v, want %v", tc, pr.Duration, wantM)
		}
		if want := 1 - wantM/wantMR; math.Abs(pr.PA-want) > 1e-9 {
			t.Errorf("%+v: P_A %v, want %v", tc, pr.PA, want)
		}
		if want := float64(tc.k)*tc.eta + tc.scan + d; math.Abs(pr.DetectionMax-want) > 1e-12 {
			t.Errorf("%+v: T_D bound %v, want %v", tc, pr.DetectionMax, want)
		}
	}
}

// TestPredictDetectionLossless: without loss, T_D = T + d + w − v with w
// uniform on [0, P) and v on [0, η), so its median is T + d + P/2 − η/2
// and its top is just under T + d + P.
func TestPredictDetectionLossless(t *testing.T) {
	l := link(t, config.Network{Latency: config.Constant(2 * time.Millisecond)})
	pr := l.Predict(Plan{Interval: 3, Timeout: 9, Scan: 1})
	if want := 9 + 0.002 + 0.5 - 1.5; math.Abs(pr.DetectionP50-want) > 0.1 {
		t.Errorf("p50 %v, want about %v", pr.DetectionP50, want)
	}
	if pr.DetectionP99 > pr.DetectionMax || pr.DetectionP99 < 9.5 {
		t.Errorf("p99 %v, want between 9.5 and the bound %v", pr.DetectionP99, pr.DetectionMax)
	}
	if !math.IsInf(pr.Recurrence, 1) || pr.PA != 1 || pr.MistakesPerHour != 0 {
		t.Errorf("mistakes on a lossless link: %+v", pr)
	}
}

// TestPredictBurstsNeedLongerTimeouts: the same average loss in bursts
// makes mistakes more frequent than independent loss.
func TestPredictBurstsNeedLongerTimeouts(t *testing.T) {
	burst := link(t, config.Network{Latency: config.Constant(time.Millisecond), Loss: 0.05, Burst: config.Burst{Enter: 0.02, Leave: 0.5, Loss: 0.9}})
	flat := link(t, config.Network{Latency: config.Constant(time.Millisecond), Loss: burst.LossRate()})
	p := Plan{Interval: 1, Timeout: 5, Scan: 1, Acting: true}
	if b, f := burst.Predict(p).Recurrence, flat.Predict(p).Recurrence; b >= f {
		t.Errorf("bursty E(T_MR) %v ≥ independent %v", b, f)
	}
}
