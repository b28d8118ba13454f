package tune

import (
	"math"
	"testing"
)

func TestPoissonRateCI(t *testing.T) {
	for _, tc := range []struct {
		k      int
		u      float64
		lo, hi float64
	}{
		{0, 1, 0, 2.9957},         // the rule of three
		{0, 100, 0, 0.029957},     // per 100 hours
		{10, 10, 0.47954, 1.8390}, // Garwood's table: 4.795–18.39 events
	} {
		lo, hi := PoissonRateCI(tc.k, tc.u)
		if math.Abs(lo-tc.lo) > 1e-4*math.Max(tc.lo, 1) || math.Abs(hi-tc.hi) > 1e-4*tc.hi {
			t.Errorf("k %d over %v: [%v, %v], want [%v, %v]", tc.k, tc.u, lo, hi, tc.lo, tc.hi)
		}
	}
	if got := ZeroEventExposure(8760); math.Abs(got-26243) > 1 {
		t.Errorf("exposure to confirm a year: %v hours, want about 26243", got)
	}
}

// TestQuantileCI: the median of 100 draws lies between the 40th and the
// 61st order statistics with 95% confidence (a textbook table); p99 of 200
// has no upper bound.
func TestQuantileCI(t *testing.T) {
	xs := make([]float64, 100)
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	iv := QuantileCI(xs, 0.5)
	if iv.Lo == nil || iv.Hi == nil || *iv.Lo != 40 || *iv.Hi != 61 {
		t.Errorf("median CI %v %v, want 40 and 61", iv.Lo, iv.Hi)
	}
	ys := make([]float64, 200)
	for i := range ys {
		ys[i] = float64(i)
	}
	if iv := QuantileCI(ys, 0.99); iv.Lo == nil || iv.Hi != nil {
		t.Errorf("p99 of 200: %v %v, want a lower bound only", iv.Lo, iv.Hi)
	}
	if iv := QuantileCI(nil, 0.5); iv.Lo != nil || iv.Hi != nil {
		t.Error("an empty sample has an interval")
	}
}

func TestMeanCI(t *testing.T) {
	mean, iv := MeanCI([]float64{1, 2, 3})
	// t(0.975, 2) = 4.3027, se = 1/√3
	if mean != 2 || iv.Lo == nil || math.Abs(*iv.Hi-(2+4.3027/math.Sqrt(3))) > 1e-3 {
		t.Errorf("mean %v, interval %v %v", mean, iv.Lo, iv.Hi)
	}
	if _, iv := MeanCI([]float64{5}); iv.Lo != nil {
		t.Error("one value has an interval")
	}
}
