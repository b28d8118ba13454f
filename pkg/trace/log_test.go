package trace

import (
	"fmt"
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

// TestLogPastItsShapes checks events whose reasons outnumber the shapes
// a Log keeps with their reason: each still comes back as it went in.
func TestLogPastItsShapes(t *testing.T) {
	var l Log
	var es []Event
	for k := range 3 * maxShapes {
		e := Event{At: time.Duration(k), Node: fmt.Sprintf("dn%d", k%7), Kind: Transition, From: "live", To: "dead",
			Reason: fmt.Sprintf("missed 10 heartbeats; last heard at %d", k), Detector: "missed-count"}
		switch k % 5 {
		case 0:
			e.Reason = "registered"
		case 1:
			e.Reason = ""
		}
		es = append(es, e)
		l.Append(e)
	}
	if got := l.Events(); !reflect.DeepEqual(got, es) {
		t.Fatal("events past the shapes' bound came back changed")
	}
	if len(l.shapes) > maxShapes+1 || len(l.reasons) == 0 {
		t.Errorf("%d shapes, %d reasons kept aside: want at most %d shapes, the rest aside", len(l.shapes), len(l.reasons), maxShapes+1)
	}
}

// TestLogIsCompact pins the point of a Log: an event in 32 bytes, not 112.
func TestLogIsCompact(t *testing.T) {
	if r := unsafe.Sizeof(record{}); r > 32 {
		t.Errorf("a logged event takes %d bytes, want at most 32 (an Event takes %d)", r, unsafe.Sizeof(Event{}))
	}
}
