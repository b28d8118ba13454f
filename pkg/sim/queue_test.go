package sim

import (
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// The queue, in both its shapes, is checked against the obvious model: a
// sort by (at, ord, seq). Times span the wheel's slots, several turns of the wheel (far
// events) and pushes into the slot being drained, as a run makes them:
// never before the last event popped.
func TestQueueMatchesSort(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		shape := rapid.SampledFrom([][2]uint8{{slotBits, wheelBits}, {fusedSlotBits, fusedWheelBits}}).Draw(t, "shape")
		shift, bits := shape[0], shape[1]
		q := newWheel(shift, bits, new(uint64))
		var model []event
		ops := rapid.IntRange(1, 400).Draw(t, "ops")
		var got, want []event
		var now time.Duration
		for k := 0; k < ops; k++ {
			if len(model) > 0 && rapid.Bool().Draw(t, "pop") {
				e, ok := q.popUntil(1 << 62)
				if !ok {
					t.Fatal("queue empty while the model is not")
				}
				now = e.at
				got = append(got, e)
				sort.Slice(model, func(i, j int) bool { return model[i].before(&model[j]) })
				want = append(want, model[0])
				model = model[1:]
				continue
			}
			scale := rapid.SampledFrom([]time.Duration{1, 1 << shift, 1 << (shift + bits)}).Draw(t, "scale")
			at := now + time.Duration(rapid.IntRange(0, 20).Draw(t, "at"))*scale
			e := event{at: at, key: eventKey(class(rapid.IntRange(0, 3).Draw(t, "class")), int32(rapid.IntRange(-1, 5).Draw(t, "node"))), ref: int32(k)}
			q.push(e)
			e.key |= *q.seq
			model = append(model, e)
		}
		for q.Len() > 0 {
			e, _ := q.popUntil(1 << 62)
			got = append(got, e)
		}
		sort.Slice(model, func(i, j int) bool { return model[i].before(&model[j]) })
		want = append(want, model...)
		if len(got) != len(want) {
			t.Fatalf("popped %d events, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].at != want[i].at || got[i].seq() != want[i].seq() {
				t.Fatalf("event %d: got (at %d, seq %d), want (at %d, seq %d)", i, got[i].at, got[i].seq(), want[i].at, want[i].seq())
			}
		}
	})
}

// BenchmarkQueue is the steady state of 20,000 periodic timers of a 3 s
// period: pop one, push it a period later.
func BenchmarkQueue(b *testing.B) {
	q := newQueue()
	const period = 3 * time.Second
	for i := 0; i < 20000; i++ {
		q.push(event{at: time.Duration(i) * period / 20000})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e, _ := q.popUntil(1 << 62)
		e.at += period
		q.push(e)
	}
}
