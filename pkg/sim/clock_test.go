package sim

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// A timer armed for local time l fires at global(l), when the local clock
// reads at least l, and not a nanosecond later than it must: otherwise a
// drifting node's timer is re-armed at the same instant for ever.
func TestClockGlobalIsTheFirstInstantAtLocal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := clock{t0: time.Duration(rapid.Int64Range(0, 1e13).Draw(t, "t0")),
			base:  time.Duration(rapid.Int64Range(0, 1e13).Draw(t, "base")),
			ratio: rapid.Float64Range(0.01, 100).Draw(t, "ratio")}
		l := c.base + time.Duration(rapid.Int64Range(0, 1e13).Draw(t, "ahead"))
		g := c.global(l)
		if c.local(g) < l {
			t.Fatalf("local(global(%v)) = %v, before it", l, c.local(g))
		}
		if g > c.t0 && c.local(g-1) >= l {
			t.Fatalf("global(%v) = %v, but %v already reads %v", l, g, g-1, c.local(g-1))
		}
	})
}
