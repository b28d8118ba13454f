package tune

import (
	"errors"
	"math"
	"testing"
)

// ctaExample is the worked example of CTA Section 5: message loss 1%,
// delays exponential with mean 0.02s; targets T_D ≤ 30s, E(T_MR) ≥ 30
// days, E(T_M) ≤ 60s.
var (
	ctaExampleNet = CTANetwork{Loss: 0.01, Exceed: func(x float64) float64 {
		if x < 0 {
			return 1
		}
		return math.Exp(-x / 0.02)
	}}
	ctaExampleTargets = Targets{MaxDetection: 30, MinRecurrence: 30 * 86400, MaxDuration: 60}
)

// TestConfigureCTAExample reproduces the paper's configuration of NFD-S
// for its example: η ≈ 9.97s and δ ≈ 20.03s. The mean/variance-only
// procedure (V(D) = 0.0004, the exponential's) is more conservative; its
// η here is derived by hand from the paper's Step 2 (9.9545s).
func TestConfigureCTAExample(t *testing.T) {
	for _, tc := range []struct {
		name      string
		configure func() (NFDS, error)
		eta       float64
		tol       float64
	}{
		{"known distribution (paper: η = 9.97, δ = 20.03)", func() (NFDS, error) { return ctaExampleNet.Configure(ctaExampleTargets) }, 9.97, 0.01},
		{"mean and variance only (derived)", func() (NFDS, error) { return ConfigureMoments(0.01, 0.02, 0.0004, ctaExampleTargets) }, 9.9545, 0.001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.configure()
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(f.Eta-tc.eta) > tc.tol {
				t.Errorf("η = %.4f, want %.4f ± %g", f.Eta, tc.eta, tc.tol)
			}
			if math.Abs(f.Eta+f.Delta-30) > 1e-9 {
				t.Errorf("η + δ = %v, want T_D^U = 30", f.Eta+f.Delta)
			}
			// Theorem 5 on the result: every target holds.
			q := ctaExampleNet.Analyse(f)
			if q.MaxDetection > 30+1e-9 || q.Recurrence < ctaExampleTargets.MinRecurrence*(1-1e-9) || q.Duration > 60 {
				t.Errorf("NFD-S %+v gives %+v: a target fails", f, q)
			}
		})
	}
}

// TestConfigureIsTheLargestInterval checks Step 2's "largest η": a
// slightly longer interval misses the recurrence target.
func TestConfigureIsTheLargestInterval(t *testing.T) {
	f, err := ctaExampleNet.Configure(ctaExampleTargets)
	if err != nil {
		t.Fatal(err)
	}
	longer := NFDS{Eta: f.Eta + 0.001, Delta: 30 - f.Eta - 0.001}
	if q := ctaExampleNet.Analyse(longer); q.Recurrence >= ctaExampleTargets.MinRecurrence {
		t.Errorf("η = %v also meets E(T_MR) ≥ 30 days (%v s): Configure did not find the largest", longer.Eta, q.Recurrence)
	}
}

// TestConfigureMomentsIsConservative: replacing the distribution with
// Chebyshev's bound never allows a longer interval (CTA Section 5.2).
func TestConfigureMomentsIsConservative(t *testing.T) {
	for _, rec := range []float64{3600, 86400, 30 * 86400, 365 * 86400} {
		tg := ctaExampleTargets
		tg.MinRecurrence = rec
		exact, err1 := ctaExampleNet.Configure(tg)
		cheb, err2 := ConfigureMoments(0.01, 0.02, 0.0004, tg)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if cheb.Eta > exact.Eta+1e-9 {
			t.Errorf("T_MR^L %vs: Chebyshev η %v > exact η %v", rec, cheb.Eta, exact.Eta)
		}
	}
}

// TestAnalyseNoLoss: without loss and with delays far below δ, NFD-S
// never errs.
func TestAnalyseNoLoss(t *testing.T) {
	n := CTANetwork{Loss: 0, Exceed: func(x float64) float64 {
		if x < 0.01 {
			return 1
		}
		return 0
	}}
	q := n.Analyse(NFDS{Eta: 1, Delta: 2})
	if !math.IsInf(q.Recurrence, 1) || q.PA != 1 || q.MaxDetection != 3 {
		t.Errorf("got %+v, want no mistakes and T_D ≤ 3", q)
	}
}

func TestConfigureUnreachable(t *testing.T) {
	for _, tc := range []struct {
		name string
		net  CTANetwork
		tg   Targets
	}{
		{"every message lost", CTANetwork{Loss: 1, Exceed: ctaExampleNet.Exceed}, ctaExampleTargets},
		{"every delay beyond the bound", CTANetwork{Loss: 0.01, Exceed: func(x float64) float64 { return 1 }}, ctaExampleTargets},
	} {
		if _, err := tc.net.Configure(tc.tg); !errors.Is(err, ErrUnreachable) {
			t.Errorf("%s: err %v, want ErrUnreachable", tc.name, err)
		}
	}
	if _, err := ConfigureMoments(0.01, 40, 0.0004, ctaExampleTargets); !errors.Is(err, ErrUnreachable) {
		t.Errorf("mean delay above the bound: err %v, want ErrUnreachable", err)
	}
}

func TestTargetsValidate(t *testing.T) {
	for _, tg := range []Targets{
		{MaxDetection: 0, MinRecurrence: 1},
		{MaxDetection: 1, MinRecurrence: math.NaN()},
		{MaxDetection: math.Inf(1), MinRecurrence: 1},
		{MaxDetection: 1, MinRecurrence: 1, MaxDuration: -1},
	} {
		if err := tg.Validate(); err == nil {
			t.Errorf("%+v accepted", tg)
		}
	}
	if err := (Targets{MaxDetection: 1, MinRecurrence: 1}).Validate(); err != nil {
		t.Error(err)
	}
}
