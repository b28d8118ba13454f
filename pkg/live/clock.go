package live

import (
	"fmt"
	"math"
	"time"
)

// Bounds of a clock's scale: beyond them timers fall under a millisecond,
// or a heartbeat interval times the scale overflows a Duration.
const (
	MinTimeScale = 1e-3
	MaxTimeScale = 1e3
)

// CheckTimeScale accepts 0 (real time) or a finite scale within
// [MinTimeScale, MaxTimeScale]; NaN, ±Inf and the rest are errors.
func CheckTimeScale(x float64) error {
	if x == 0 || (x >= MinTimeScale && x <= MaxTimeScale) {
		return nil
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("time scale %v is not a number", x)
	}
	return fmt.Errorf("time scale %g is outside [%g, %g]", x, MinTimeScale, MaxTimeScale)
}

// Clock is a runtime's time base: the state machines' time since Start,
// running 1/Scale times as fast as the wall clock. Scale 1 is real time;
// 0.1 runs a scenario ten times faster while the machines, their settings
// and their reasons keep the scenario's own times.
type Clock struct {
	Start time.Time
	Scale float64
}

func (c Clock) scale() float64 {
	if c.Scale <= 0 {
		return 1
	}
	return c.Scale
}

// Now is the machines' time.
func (c Clock) Now() time.Duration {
	return time.Duration(float64(time.Since(c.Start)) / c.scale())
}

// Real converts a span of the machines' time to wall-clock time, for
// timers. It saturates: "never" scaled up stays "never".
func (c Clock) Real(d time.Duration) time.Duration {
	r := float64(d) * c.scale()
	if r >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(r)
}
