package sim

import (
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// The heap is checked against the obvious model: a stable sort by time.
func TestQueueMatchesStableSort(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var q queue
		var model []event
		ops := rapid.IntRange(1, 300).Draw(t, "ops")
		var got, want []event
		for k := 0; k < ops; k++ {
			if len(model) > 0 && rapid.Bool().Draw(t, "pop") {
				got = append(got, q.pop())
				sort.SliceStable(model, func(i, j int) bool { return model[i].before(&model[j]) })
				want = append(want, model[0])
				model = model[1:]
				continue
			}
			at := time.Duration(rapid.IntRange(0, 20).Draw(t, "at"))
			e := event{at: at, ref: int32(k)}
			q.push(e)
			e.seq = q.seq
			model = append(model, e)
		}
		for q.Len() > 0 {
			got = append(got, q.pop())
		}
		sort.SliceStable(model, func(i, j int) bool { return model[i].before(&model[j]) })
		want = append(want, model...)
		if len(got) != len(want) {
			t.Fatalf("popped %d events, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].at != want[i].at || got[i].seq != want[i].seq {
				t.Fatalf("event %d: got (at %d, seq %d), want (at %d, seq %d)", i, got[i].at, got[i].seq, want[i].at, want[i].seq)
			}
		}
	})
}

func BenchmarkQueue(b *testing.B) {
	var q queue
	for i := 0; i < 20000; i++ {
		q.push(event{at: time.Duration(i * 7919 % 30000)})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e := q.pop()
		e.at += 30000
		q.push(e)
	}
}

// Periodic streams with different periods, interleaved as a simulation
// schedules them, each keep to a lane: the heap stays empty.
func TestPeriodicStreamsStayInLanes(t *testing.T) {
	var q queue
	periods := []time.Duration{3000, 7200, 1000} // heartbeats, samples, scans
	for _, p := range periods {
		q.push(event{at: p, ref: int32(p)})
	}
	for k := 0; k < 10000; k++ {
		e := q.pop()
		q.push(event{at: e.at + time.Duration(e.ref), ref: e.ref})
		if len(q.ev) != 0 {
			t.Fatalf("after %d pops, %d events went to the heap", k, len(q.ev))
		}
	}
}
