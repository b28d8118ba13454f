package sim

import (
	"fmt"
	"time"

	"github.com/hbsim/hbsim/pkg/network"
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
// (a lost message, a command). A stretch ends at the queue's next event,
// but not at a cut-off node's (Sim.aside): partitioned both ways, that
// node's wakes touch only itself and its links, which the stretch never
// does, so they run after it, still in time order among themselves. A
// property test runs every shipped scenario and 200 random ones with
// stretches and without: the same JSON to the byte.

// stretchSpans bounds a stretch: at most this many heartbeat intervals
// (a cancelled run then overshoots its end by little), and at least
// stretchMin of them, below which the pass over the nodes costs more than
// the queue it saves.
const (
	stretchSpans = 100
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
	lo, hi, steady := s.net.Bounds()
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
		last, ok := s.nn.QuietSince(dn.Handle(), dn.ID())
		if !ok {
			continue
		}
		n := int32(i)
		fired := false
		if steady && f.at[i]-last < gap {
			if a, ok := s.skip(n, until, gap, lo, hi); ok {
				last, fired = a, true
			}
		}
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

// skip runs, without drawing each, the steady heartbeats of slot i that
// a stretch to until holds whole: every one whose round trip, at most
// 2·hi on a network that promises [lo, hi] and loses nothing, ends
// before until. Their arrivals lie at most an interval plus hi − lo
// apart, under the quiet gap, so the NameNode needs only the last
// (PlainHeartbeats); only that one's draw is made (every one's when
// arrivals are recorded). It leaves the next heartbeat fused as a reply
// would, and returns the last arrival; it skips nothing when fewer than
// two heartbeats fit or the machines decline.
func (s *Sim) skip(i int32, until, gap, lo, hi time.Duration) (time.Duration, bool) {
	f := &s.fused
	dn := &s.dns[i]
	every := dn.Interval()
	send := f.send[i]
	if 2*hi > dn.SteadyRoundTrip() || every+hi-lo >= gap || send+2*hi >= until {
		return 0, false
	}
	m := int64((until-1-send-2*hi)/every) + 1
	if m < 2 {
		return 0, false
	}
	up := upLink(s.order[i])
	arrival := func(k int64) time.Duration {
		if k == 0 {
			return f.at[i] // drawn by fuse
		}
		d := s.linkDraws(up, s.up[i]+uint32(k))
		return send + time.Duration(k)*every + s.net.Fate(network.Endpoint(s.order[i]), network.NameNode, &d).Delay
	}
	last := arrival(m - 1)
	id, handle, st := dn.HeartbeatFields()
	if !s.nn.PlainHeartbeats(m, last, handle, id, st) {
		return 0, false
	}
	if !dn.SkipHeartbeats(send, uint64(m)) {
		panic(fmt.Sprintf("sim: quiet stretch: %s cannot skip the heartbeat fused at %v", s.id(i), send))
	}
	if s.arrivals != nil {
		for k := range m {
			s.arrivals[i] = append(s.arrivals[i], arrival(k))
		}
	}
	s.tr.Messages += 2 * m
	s.up[i] += uint32(m)
	s.down[i] += uint32(m)
	f.taken += m
	f.stretched += m
	f.skipped += m
	f.send[i] = -1
	f.gen[i]++
	s.now = last
	next := send + time.Duration(m)*every
	if !s.fuse(i, next) {
		s.arm(i, next)
	}
	return last, true
}

// stretched checks what a stretched heartbeat made the NameNode do: a
// reply to its sender and nothing else, or the stretch was not exact.
func (s *Sim) stretched(i int32, transitions, messages int, wake time.Duration) {
	if transitions > 0 || messages != 1 || wake != s.nnWake {
		panic(fmt.Sprintf("sim: quiet stretch: a heartbeat from %s at %v made the NameNode do more than reply "+
			"(%d transitions, %d messages, wake %v, was %v)", s.id(i), s.now, transitions, messages, wake, s.nnWake))
	}
}
