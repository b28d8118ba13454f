package network

import (
	"math"
	"time"
)

// Latency is a distribution of one-way delays.
type Latency struct {
	// Dist is constant, uniform, normal, lognormal or pareto ("" is
	// constant).
	Dist string
	// Value is the constant delay.
	Value time.Duration
	// Min and Max bound uniform; Min is pareto's scale.
	Min, Max time.Duration
	// Mean and Stddev shape normal.
	Mean, Stddev time.Duration
	// Median and P99 shape lognormal.
	Median, P99 time.Duration
	// Alpha is pareto's shape: smaller means heavier tails.
	Alpha float64
}

// Constant is a fixed delay.
func Constant(d time.Duration) Latency { return Latency{Dist: "constant", Value: d} }

// IsZero reports whether l adds no delay at all.
func (l Latency) IsZero() bool { return l == Latency{} || l == Constant(0) }

// maxDelay caps one draw so that a heavy tail cannot stall a link for ever.
const maxDelay = time.Hour

// z99 is the 99th percentile of the standard normal distribution.
const z99 = 2.3263478740408408

// Sample draws one delay, never negative and never above an hour.
func (l Latency) Sample(d *Draws) time.Duration {
	var x float64
	switch l.Dist {
	case "uniform":
		if l.Max <= l.Min {
			return clamp(float64(l.Min))
		}
		return l.Min + time.Duration(d.Int64N(int64(l.Max-l.Min)+1))
	case "normal":
		x = float64(l.Mean) + d.Norm()*float64(l.Stddev)
	case "lognormal":
		if l.Median <= 0 {
			return 0
		}
		// median = e^μ; p99 = e^(μ + z99·σ)
		mu := math.Log(float64(l.Median))
		sigma := (math.Log(float64(max(l.P99, l.Median))) - mu) / z99
		x = math.Exp(mu + sigma*d.Norm())
	case "pareto":
		if l.Min <= 0 || !(l.Alpha > 0) {
			return clamp(float64(l.Min))
		}
		// inverse CDF: x = min / U^(1/α), U in (0, 1]
		x = float64(l.Min) / math.Pow(1-d.Float64(), 1/l.Alpha)
	default:
		return clamp(float64(l.Value))
	}
	return clamp(x)
}

func clamp(x float64) time.Duration {
	switch {
	case !(x > 0): // negative, zero or NaN
		return 0
	case x >= float64(maxDelay):
		return maxDelay
	}
	return time.Duration(x)
}

// Scale multiplies every time of l by k (live runs at --speed k).
func (l Latency) Scale(k float64) Latency {
	s := func(d time.Duration) time.Duration { return time.Duration(float64(d) * k) }
	l.Value, l.Min, l.Max = s(l.Value), s(l.Min), s(l.Max)
	l.Mean, l.Stddev, l.Median, l.P99 = s(l.Mean), s(l.Stddev), s(l.Median), s(l.P99)
	return l
}
