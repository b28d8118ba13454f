package trace

import (
	"reflect"
	"testing"
	"time"
	"unsafe"

	"pgregory.net/rapid"
)

// TestLogGivesBackWhatItGot appends random events and checks the Log
// gives back each exactly, in order, whatever their strings.
func TestLogGivesBackWhatItGot(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		word := rapid.SampledFrom([]string{"", "live", "stale", "dead", "registered", "missed-count", "phi", "dn1", "namenode"})
		es := rapid.SliceOf(rapid.Custom(func(t *rapid.T) Event {
			return Event{
				At:         time.Duration(rapid.Int64().Draw(t, "at")),
				Node:       word.Draw(t, "node"),
				Kind:       Kind(rapid.SampledFrom([]Kind{Transition, Verdict, Kill, Pause, Admin, ""}).Draw(t, "kind")),
				From:       word.Draw(t, "from"),
				To:         word.Draw(t, "to"),
				Reason:     rapid.String().Draw(t, "reason"),
				Detector:   word.Draw(t, "detector"),
				ReportedAt: time.Duration(rapid.Int64().Draw(t, "reported")),
			}
		})).Draw(t, "events")
		var l Log
		l.Grow(len(es) / 2)
		for k, e := range es {
			l.Append(e)
			if got := l.At(k); got != e {
				t.Fatalf("event %d: got %+v back, appended %+v", k, got, e)
			}
		}
		if got := l.Events(); l.Len() != len(es) || len(es) > 0 && !reflect.DeepEqual(got, es) {
			t.Fatalf("Events gave %d events back, %d appended", len(got), len(es))
		}
	})
}

// TestLogIsCompact pins the point of a Log: an event in half the bytes.
func TestLogIsCompact(t *testing.T) {
	if r, e := unsafe.Sizeof(record{}), unsafe.Sizeof(Event{}); r > e/2 {
		t.Errorf("a logged event takes %d bytes, an Event %d: want at most half", r, e)
	}
}
