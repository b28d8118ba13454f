package namenode

import (
	"fmt"
	"time"

	"github.com/hbsim/hbsim/pkg/vtime"
)

// Detector decides from heartbeat arrivals whether a node is live, stale or
// dead. Nodes are numbered densely from 0 in registration order.
//
// Detectors hold per-node state in slices indexed by node number, so the
// hot path (Heard) allocates nothing.
type Detector interface {
	// Heard records that node i was heard from at now (a heartbeat, or a
	// registration, which HDFS counts as one).
	Heard(i int, now time.Duration)
	// Judge returns the state node i is in at now.
	Judge(i int, now time.Duration) State
	// Reason explains, in words for people, why node i is judged to be in
	// state s at now. It is called only on a change, so it may allocate.
	Reason(i int, now time.Duration, s State) string
}

// MissedCount is the classic detector: a node is dead once it has missed
// Threshold whole heartbeat intervals, where missed = ⌊(now − last) /
// Interval⌋, and stale once silent for StaleAfter.
type MissedCount struct {
	Interval   time.Duration
	Threshold  int
	StaleAfter time.Duration
	last       []time.Duration
}

// Heard implements Detector.
func (d *MissedCount) Heard(i int, now time.Duration) {
	for len(d.last) <= i {
		d.last = append(d.last, 0)
	}
	d.last[i] = now
}

// Missed is how many whole intervals node i has been silent at now.
func (d *MissedCount) Missed(i int, now time.Duration) int64 {
	return int64((now - d.last[i]) / d.Interval)
}

// Judge implements Detector.
func (d *MissedCount) Judge(i int, now time.Duration) State {
	switch {
	case d.Missed(i, now) >= int64(d.Threshold):
		return Dead
	case now-d.last[i] >= d.StaleAfter:
		return Stale
	default:
		return Live
	}
}

// Reason implements Detector.
func (d *MissedCount) Reason(i int, now time.Duration, s State) string {
	last := d.last[i]
	switch s {
	case Dead:
		return fmt.Sprintf("missed %d of %d heartbeats; last heard at %s",
			d.Missed(i, now), d.Threshold, vtime.Format(last))
	case Stale:
		return fmt.Sprintf("no heartbeat for %s (stale after %s); last heard at %s",
			vtime.Seconds(now-last), vtime.Seconds(d.StaleAfter), vtime.Format(last))
	default:
		return "heard from again"
	}
}
