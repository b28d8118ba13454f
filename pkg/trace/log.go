package trace

import (
	"fmt"
	"time"
)

// Log holds a run's events compactly while it records them, and gives
// them back as Events. An Event is 112 bytes; a Log keeps one in 48, its
// kind, states and detector as numbers into a table of the few values
// they take, and the rare ReportedAt aside. A million DataNodes register at boot, each an event: the
// engine holds them for the whole run, and the full Events only once, at
// the end. The zero value is ready to use.
type Log struct {
	recs  []record
	names []string          // interned Kind, From, To and Detector values
	index map[string]uint16 // names' positions
	// reported holds the events' ReportedAt that are not 0, by position:
	// only the hdfs detector's deaths have one.
	reported map[int]time.Duration
}

// record is one Event, its short strings interned.
type record struct {
	at             time.Duration
	node, reason   string
	kind, from, to uint16
	detector       uint16
}

// maxNames bounds the interned values: they come from a handful of
// constants and the run's detector names, so reaching it is a bug.
const maxNames = 1 << 16

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
	l.recs = append(l.recs, record{at: e.At, node: e.Node, reason: e.Reason,
		kind: l.intern(string(e.Kind)), from: l.intern(e.From), to: l.intern(e.To), detector: l.intern(e.Detector)})
}

func (l *Log) intern(s string) uint16 {
	if k, ok := l.index[s]; ok {
		return k
	}
	if len(l.names) == maxNames {
		panic(fmt.Sprintf("trace: more than %d distinct kinds, states and detectors", maxNames))
	}
	if l.index == nil {
		l.index = map[string]uint16{}
	}
	k := uint16(len(l.names))
	l.names = append(l.names, s)
	l.index[s] = k
	return k
}

// Len is the number of events recorded.
func (l *Log) Len() int { return len(l.recs) }

// At is event k, 0 ≤ k < Len.
func (l *Log) At(k int) Event {
	r := &l.recs[k]
	return Event{At: r.at, Node: r.node, Kind: Kind(l.names[r.kind]), From: l.names[r.from], To: l.names[r.to],
		Reason: r.reason, Detector: l.names[r.detector], ReportedAt: l.reported[k]}
}

// Events returns every event recorded, in order, in a new slice.
func (l *Log) Events() []Event {
	es := make([]Event, len(l.recs))
	for k := range es {
		es[k] = l.At(k)
	}
	return es
}
