package gossip

import "time"

// awareness is Lifeguard's local health (Dadgar, Phillips and Currey,
// "Lifeguard: Local Health Awareness for More Accurate Failure
// Detection"; memberlist's awareness.go): a score in [0, max−1], lower is
// healthier. A member that misses its own rounds or must refute a
// suspicion about itself is probably the slow one; while its score is
// above zero it scales its accusation timers by score+1 and so waits
// longer before it blames its peers for a silence it may have caused.
type awareness struct {
	max, score int
}

// apply adds delta to the score, held in [0, max−1] as memberlist's
// ApplyDelta does; it reports whether the score changed.
func (a *awareness) apply(delta int) bool {
	if a.max <= 1 {
		return false
	}
	old := a.score
	a.score = min(max(a.score+delta, 0), a.max-1)
	return a.score != old
}

// scale is memberlist's ScaleTimeout: d × (score+1).
func (a *awareness) scale(d time.Duration) time.Duration {
	return d * time.Duration(a.score+1)
}
