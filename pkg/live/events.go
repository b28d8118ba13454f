package live

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"time"
)

// Event is one NameNode transition as live mode publishes it: on stdout
// (JSON lines, for `hbsim run --live`) and at /api/events.
type Event struct {
	Kind string `json:"kind"` // "transition", or "verdict" for a watching detector
	// AtMs is milliseconds since the NameNode started, on its monotonic
	// clock.
	AtMs float64 `json:"at_ms"`
	// UnixNs is the same instant on the wall clock: the start's wall time
	// plus the monotonic offset, so another process on the host can place
	// it on its own timeline.
	UnixNs int64  `json:"unix_ns"`
	Node   string `json:"node"`
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
	// Detector made the decision; Kind is "verdict" when it only watches.
	Detector string `json:"detector,omitempty"`
}

// eventLog is an append-only log with a broadcast on append. Readers hold
// an index, so a slow reader never blocks the writer (the NameNode's lock).
type eventLog struct {
	mu     sync.Mutex
	events []Event
	notify chan struct{} // closed and replaced on every append
}

func newEventLog() *eventLog { return &eventLog{notify: make(chan struct{})} }

func (l *eventLog) append(evs ...Event) {
	l.mu.Lock()
	l.events = append(l.events, evs...)
	close(l.notify)
	l.notify = make(chan struct{})
	l.mu.Unlock()
}

// len is how many events the log holds.
func (l *eventLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

// since returns the events from index i on, and a channel closed at the
// next append.
func (l *eventLog) since(i int) ([]Event, chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i > len(l.events) {
		i = len(l.events)
	}
	return append([]Event(nil), l.events[i:]...), l.notify
}

// writeJSONLines copies the log to w as JSON lines until ctx ends, then
// flushes what is left.
func (l *eventLog) writeJSONLines(ctx context.Context, w io.Writer) error {
	enc := json.NewEncoder(w)
	next := 0
	for {
		evs, ch := l.since(next)
		for _, e := range evs {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		next += len(evs)
		select {
		case <-ch:
		case <-ctx.Done():
			evs, _ := l.since(next)
			for _, e := range evs {
				if err := enc.Encode(e); err != nil {
					return err
				}
			}
			return nil
		}
	}
}

func eventAt(c Clock, at time.Duration) (ms float64, unixNs int64) {
	return float64(at) / float64(time.Millisecond), c.Start.Add(c.Real(at)).UnixNano()
}
