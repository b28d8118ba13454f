package tune

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Interval is a 95% confidence interval; a side is nil when the data
// cannot bound it (no mistake seen: the recurrence has no upper bound).
type Interval struct {
	Lo, Hi *float64
}

func bound(v float64) *float64 { return &v }

// QuantileCI is the distribution-free 95% interval of the p-quantile from
// a sorted sample: order statistics whose ranks bracket a Binomial(n, p)
// count of samples below the quantile with 95% probability.
func QuantileCI(sorted []float64, p float64) Interval {
	n := len(sorted)
	if n == 0 {
		return Interval{}
	}
	b := distuv.Binomial{N: float64(n), P: p}
	var iv Interval
	// Lower rank r (1-based): the largest with P(B < r) ≤ 2.5%.
	for r := n; r >= 1; r-- {
		if b.CDF(float64(r-1)) <= 0.025 {
			iv.Lo = bound(sorted[r-1])
			break
		}
	}
	// Upper rank s: the smallest with P(B < s) ≥ 97.5%.
	for s := 1; s <= n; s++ {
		if b.CDF(float64(s-1)) >= 0.975 {
			iv.Hi = bound(sorted[s-1])
			break
		}
	}
	return iv
}

// PoissonRateCI is the exact (Garwood) 95% interval of a rate from k
// events over an exposure: χ²(2.5%; 2k)/2 and χ²(97.5%; 2k+2)/2 events,
// divided by the exposure. With no event the lower side is 0 and the
// upper one-sided, −ln(0.05) ≈ 3 events (the "rule of three").
func PoissonRateCI(k int, exposure float64) (lo, hi float64) {
	if exposure <= 0 {
		return 0, math.Inf(1)
	}
	if k == 0 {
		return 0, -math.Log(0.05) / exposure
	}
	lo = distuv.ChiSquared{K: float64(2 * k)}.Quantile(0.025) / 2 / exposure
	hi = distuv.ChiSquared{K: float64(2*k + 2)}.Quantile(0.975) / 2 / exposure
	return lo, hi
}

// ZeroEventExposure is how much exposure must pass without an event for
// the 95% interval to put the rate below 1/recurrence: −ln(0.05) ≈ 3
// recurrences (the "rule of three").
func ZeroEventExposure(recurrence float64) float64 { return -math.Log(0.05) * recurrence }

// MeanCI is the Student-t 95% interval of a mean; nil sides with fewer
// than two values.
func MeanCI(xs []float64) (mean float64, iv Interval) {
	n := len(xs)
	if n == 0 {
		return 0, iv
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(n)
	if n < 2 {
		return mean, iv
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	se := math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
	return mean, Interval{Lo: bound(mean - t*se), Hi: bound(mean + t*se)}
}
