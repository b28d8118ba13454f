package sim

import (
	"math"
	"time"
)

// clock maps virtual time to a DataNode's local time, for clock drift: the
// local clock reads base at t0 and runs ratio times as fast since.
type clock struct {
	t0, base time.Duration
	ratio    float64
}

func (c clock) local(t time.Duration) time.Duration {
	if c.ratio == 0 || c.ratio == 1 {
		return c.base + t - c.t0
	}
	return c.base + time.Duration(float64(t-c.t0)*c.ratio)
}

// global converts a local time back to virtual time, rounding up so a timer
// never fires before its local time.
func (c clock) global(l time.Duration) time.Duration {
	if c.ratio == 0 || c.ratio == 1 {
		return c.t0 + l - c.base
	}
	g := c.t0 + time.Duration(math.Ceil(float64(l-c.base)/c.ratio))
	// Floating point may land a nanosecond short: a timer that fires
	// before its local time would be re-armed at the same instant for ever.
	for c.local(g) < l {
		g++
	}
	return g
}

// retime starts running at ratio from t on, keeping local time continuous.
func (c *clock) retime(t time.Duration, ratio float64) {
	c.base, c.t0, c.ratio = c.local(t), t, ratio
}
