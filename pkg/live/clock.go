package live

import "time"

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

// Real converts a span of the machines' time to wall-clock time, for timers.
func (c Clock) Real(d time.Duration) time.Duration {
	return time.Duration(float64(d) * c.scale())
}
