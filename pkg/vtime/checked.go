package vtime

import (
	"math"
	"time"
)

// Max is the longest duration hbsim accepts anywhere: a setting, a
// scenario's length, an event's time, or one derived from them (HDFS's
// expiry of 2 × recheck + 10 × interval, a pause's end). It is 100 years,
// under a third of what int64 nanoseconds hold, so the engine may add a
// time and two such durations without overflow.
const Max = 100 * 365 * 24 * time.Hour

// MaxText is Max as people read it in messages.
const MaxText = "876000h (100 years)"

// Mul returns n × d and whether it is at most Max in magnitude; it never
// overflows.
func Mul(n int64, d time.Duration) (time.Duration, bool) {
	if n == 0 || d == 0 {
		return 0, true
	}
	p := float64(n) * float64(d)
	if math.Abs(p) > 2*float64(Max) {
		return 0, false
	}
	// Within twice Max the exact product fits in int64; compare it exactly.
	r := time.Duration(n) * d
	if r > Max || r < -Max {
		return 0, false
	}
	return r, true
}

// Add returns a + b and whether it is at most Max in magnitude; it never
// overflows.
func Add(a, b time.Duration) (time.Duration, bool) {
	if (a > 0 && b > math.MaxInt64-a) || (a < 0 && b < math.MinInt64-a) {
		return 0, false
	}
	s := a + b
	if s > Max || s < -Max {
		return 0, false
	}
	return s, true
}

// Scale returns d × f rounded down and whether it is a finite duration of
// at most Max in magnitude: for clock drift and rates given as floats.
func Scale(d time.Duration, f float64) (time.Duration, bool) {
	p := float64(d) * f
	if math.IsNaN(p) || math.Abs(p) > float64(Max) {
		return 0, false
	}
	return time.Duration(p), true
}

// Saturate converts seconds to a duration clamped to [0, Max]: for waits
// drawn at run time (exponential gaps, copy times), where a draw far in
// the tail must mean "never within the run", not wrap to a negative time.
// NaN, which no checked input yields, counts as never too.
func Saturate(seconds float64) time.Duration {
	ns := seconds * float64(time.Second)
	switch {
	case math.IsNaN(ns) || ns >= float64(Max):
		return Max
	case ns <= 0:
		return 0
	}
	return time.Duration(ns)
}
