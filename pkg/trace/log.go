package trace

import (
	"fmt"
	"time"
)

// Log holds a run's events compactly while it records them, and gives
// them back as Events. An Event is 112 bytes; a Log keeps one in 32: its
// time, its node, and the number of its shape (kind, states, detector
// and reason), shapes being few: a million DataNodes register at boot,
// each an event of one shape. Reasons that quote times (a death's "last
// heard at …") make a shape each, up to maxShapes; past them, reasons are
// kept one per event. The engine holds the Log for the whole run, and
// the full Events only once, at the end. The zero value is ready to use.
type Log struct {
	recs   []record
	shapes []shape
	index  map[shape]uint32 // shapes' positions
	// reasons holds, once shapes are full, the reasons of events whose
	// shape was stored without one.
	reasons []string
	// reported holds the events' ReportedAt that are not 0, by position:
	// only the hdfs detector's deaths have one.
	reported map[int]time.Duration
}

// record is one Event, all but its time and node in its shape.
type record struct {
	at    time.Duration
	node  string
	shape uint32
	// reason is 0 when the shape holds the event's reason, else 1 + its
	// position in reasons.
	reason uint32
}

// shape is what many events have in common.
type shape struct {
	kind                       Kind
	from, to, detector, reason string
}

// maxShapes bounds the shapes that carry a reason. Shapes without one
// come from a handful of constants and the run's detector names, so
// they are always few; maxShapesEver bounds them too, as a bug would
// otherwise grow the table without end.
const (
	maxShapes     = 4096
	maxShapesEver = 1 << 20
)

// Grow makes room for n more events.
func (l *Log) Grow(n int) {
	if n > cap(l.recs)-len(l.recs) {
		recs := make([]record, len(l.recs), len(l.recs)+n)
		copy(recs, l.recs)
		l.recs = recs
	}
}

// Append records e after the events before it.
func (l *Log) Append(e Event) {
	if e.ReportedAt != 0 {
		if l.reported == nil {
			l.reported = map[int]time.Duration{}
		}
		l.reported[len(l.recs)] = e.ReportedAt
	}
	r := record{at: e.At, node: e.Node}
	sh := shape{kind: e.Kind, from: e.From, to: e.To, detector: e.Detector, reason: e.Reason}
	k, ok := l.index[sh]
	if !ok && len(l.shapes) >= maxShapes {
		sh.reason = ""
		l.reasons = append(l.reasons, e.Reason)
		r.reason = uint32(len(l.reasons))
		k, ok = l.index[sh]
	}
	if !ok {
		k = l.add(sh)
	}
	r.shape = k
	l.recs = append(l.recs, r)
}

func (l *Log) add(sh shape) uint32 {
	if len(l.shapes) == maxShapesEver {
		panic(fmt.Sprintf("trace: more than %d kinds of event", maxShapesEver))
	}
	if l.index == nil {
		l.index = map[shape]uint32{}
	}
	k := uint32(len(l.shapes))
	l.shapes = append(l.shapes, sh)
	l.index[sh] = k
	return k
}

// Len is the number of events recorded.
func (l *Log) Len() int { return len(l.recs) }

// At is event k, 0 ≤ k < Len.
func (l *Log) At(k int) Event {
	r := &l.recs[k]
	sh := &l.shapes[r.shape]
	reason := sh.reason
	if r.reason > 0 {
		reason = l.reasons[r.reason-1]
	}
	return Event{At: r.at, Node: r.node, Kind: sh.kind, From: sh.from, To: sh.to,
		Reason: reason, Detector: sh.detector, ReportedAt: l.reported[k]}
}

// Events returns every event recorded, in order, in a new slice.
func (l *Log) Events() []Event {
	es := make([]Event, len(l.recs))
	for k := range es {
		es[k] = l.At(k)
	}
	return es
}
