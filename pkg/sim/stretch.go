package sim

import (
	"fmt"
	"time"
)

// A quiet stretch runs the fused heartbeats of a quiet world node by node
// instead of in time order: each node's heartbeats up to the world's next
// other event in a row, while its state is in the cache, and none of them
// through the queue. It is exact because quiet heartbeats commute (the
// rule is the NameNode's: namenode.QuietGap): a node's heartbeats touch
// only its own records, the NameNode's scans between them find it live
// whichever of them they see, and every draw is keyed by the message's
// number on its link, not by when it was made. The scans themselves still
// run in time order, after the stretch, as do the nodes the stretch
// leaves: one whose heartbeat would come a quiet gap or more after its
// last, one not live in every view, one whose heartbeat stops being plain
// (a lost message, a command). A property test runs every shipped
// scenario and 200 random ones with stretches and without: the same JSON
// to the byte.

// stretchSpans bounds a stretch: at most this many heartbeat intervals
// (a cancelled run then overshoots its end by little), and at least
// stretchMin of them, below which the pass over the nodes costs more than
// the queue it saves.
const (
	stretchSpans = 20
	stretchMin   = 2
)

// stretchFrom runs a quiet stretch from now, when the next event is a
// fused heartbeat arriving at now and other, if any, is the queue's next
// event, and reports whether it ran one.
func (s *Sim) stretchFrom(now time.Duration, other *event, end time.Duration, done <-chan struct{}) bool {
	if now < s.stretchedTo || s.opts.NoStretch || s.nn == nil || s.hbMax <= 0 || !s.fastOK(-1) {
		return false
	}
	until := min(end+1, now+stretchSpans*s.hbMax, s.nextFault)
	if other != nil {
		until = min(until, other.at)
	}
	if until-now < stretchMin*s.hbMax {
		return false
	}
	gap := s.nn.QuietGap()
	if gap <= 0 {
		return false
	}
	// Whatever the stretch leaves before until is not quiet: the next
	// stretch waits for until rather than pass over the nodes again.
	s.stretchedTo = until
	return s.stretch(until, gap, done)
}

// stretch runs, node by node, every fused heartbeat arriving before until
// that the quiet gap allows, and reports whether it ran any.
func (s *Sim) stretch(until, gap time.Duration, done <-chan struct{}) (ran bool) {
	f := &s.fused
	s.stretching = true
	defer func() { s.stretching = false }()
	for i := range f.send {
		if done != nil && i%4096 == 0 {
			select {
			case <-done:
				return ran // the nodes left run in time order, as ever
			default:
			}
		}
		if f.send[i] < 0 || f.at[i] >= until {
			continue
		}
		dn := &s.dns[i]
		last, ok := s.nn.QuietSince(dn.Handle(), s.ids[i])
		if !ok {
			continue
		}
		n := int32(i)
		fired := false
		for f.send[i] >= 0 && f.at[i] < until && f.at[i]-last < gap {
			s.now = f.at[i]
			last = s.now
			s.fire1(n, int32(f.gen[i]))
			f.stretched++
			fired = true
		}
		ran = ran || fired
		if fired && f.send[i] >= 0 {
			s.push(f.at[i], kFused, n, int32(f.gen[i]))
		}
	}
	return ran
}

// stretched checks what a stretched heartbeat made the NameNode do: a
// reply to its sender and nothing else, or the stretch was not exact.
func (s *Sim) stretched(i int32, transitions, messages int, wake time.Duration) {
	if transitions > 0 || messages != 1 || wake != s.nnWake {
		panic(fmt.Sprintf("sim: quiet stretch: a heartbeat from %s at %v made the NameNode do more than reply "+
			"(%d transitions, %d messages, wake %v, was %v)", s.ids[i], s.now, transitions, messages, wake, s.nnWake))
	}
}
