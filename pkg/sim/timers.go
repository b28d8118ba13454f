package sim

import "time"

// timers keeps, per node, the wake-up currently queued and, once a clock
// drifts, the node's own clock. Both simulations use it: a state machine
// asks for wake-ups in its local time; the queue runs on virtual time.
type timers struct {
	wake   []time.Duration // queued wake-up per node (0: none)
	clocks []clock         // nil until a clock drifts
}

func newTimers(n int) timers { return timers{wake: make([]time.Duration, n)} }

// local is node i's clock at virtual time now.
func (t *timers) local(i int32, now time.Duration) time.Duration {
	if t.clocks == nil {
		return now
	}
	return t.clocks[i].local(now)
}

// arm records node i's wake-up at local time w (0: none) and returns the
// virtual time to queue it at, unless that wake-up is already queued. A
// superseded event stays in the queue and is ignored when it fires (due).
func (t *timers) arm(i int32, w, now time.Duration) (time.Duration, bool) {
	if w == 0 {
		return 0, false
	}
	if t.clocks != nil {
		w = max(t.clocks[i].global(w), now)
	}
	if w == t.wake[i] {
		return 0, false
	}
	t.wake[i] = w
	return w, true
}

// due reports whether a wake-up event for node i at is the one queued,
// and takes it.
func (t *timers) due(i int32, at time.Duration) bool {
	if at != t.wake[i] {
		return false
	}
	t.wake[i] = 0
	return true
}

// drift makes node i's clock run ratio times as fast from now on (1: true
// speed); the caller re-arms the node's wake-up.
func (t *timers) drift(i int32, now time.Duration, ratio float64) {
	if t.clocks == nil {
		t.clocks = make([]clock, len(t.wake))
	}
	t.clocks[i].retime(now, ratio)
	t.wake[i] = 0
}
