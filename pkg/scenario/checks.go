package scenario

import (
	"time"

	"github.com/hbsim/hbsim/pkg/vtime"
)

// checkTimes refuses events whose times the engine would compute beyond
// vtime.Max: a drifting clock's readings and its timers converted back to
// true time, and a namenode_overload's queue. Each is refused on the field
// that makes it too long, so no overflow reaches the engine.
func (p *parser) checkTimes(evs []rawEvent) {
	if !p.configOK || !p.durationOK {
		return
	}
	hb := p.sc.Config.Heartbeat
	// The longest timer a DataNode sets on its own clock.
	timer := max(hb.Interval, hb.RPCTimeout, hb.Lifeline.Interval, 3*hb.Interval)
	for _, ev := range evs {
		switch ev.Action {
		case Drift:
			// A clock reads up to duration × ratio; a timer of t local
			// fires t / ratio later in true time.
			_, ok1 := vtime.Scale(p.sc.Duration, ev.Ratio)
			_, ok2 := vtime.Scale(timer, 1/ev.Ratio)
			if !ok1 || !ok2 {
				p.errs.add(ev.Line, ev.field, "a clock running %g× as fast over %s (timers up to %s) would pass %s",
					ev.Ratio, fmtDuration(p.sc.Duration), fmtDuration(timer), vtime.MaxText)
			}
		case Overload:
			if end := p.overloadBacklog(ev); end > float64(vtime.Max) {
				p.errs.add(ev.Line, ev.field+".service_time",
					"the NameNode's queue would hold work until after %s: %g requests/s at %s each on %d handlers for %s; shorten it or lower the load",
					vtime.MaxText, ev.Load+p.heartbeatRate(), ev.ServiceTime, ev.Handlers, fmtDuration(p.overloadSpan(ev)))
			}
		}
	}
}

// overloadSpan is how long an overload lasts within the run.
func (p *parser) overloadSpan(ev rawEvent) time.Duration {
	if ev.For > 0 && ev.At+ev.For < p.sc.Duration {
		return ev.For
	}
	return p.sc.Duration - ev.At
}

// heartbeatRate is the cluster's heartbeats per second.
func (p *parser) heartbeatRate() float64 {
	return float64(len(p.sc.Nodes)) / p.sc.Config.Heartbeat.Interval.Seconds()
}

// overloadBacklog bounds, in nanoseconds, when the NameNode's handlers
// finish the last request admitted during an overload: every request of
// the span (background load and heartbeats) queued behind the others.
func (p *parser) overloadBacklog(ev rawEvent) float64 {
	span := p.overloadSpan(ev)
	requests := (ev.Load + p.heartbeatRate()) * span.Seconds()
	return float64(ev.At) + float64(span) + requests*float64(ev.ServiceTime)/float64(ev.Handlers)
}
