package report

import (
	"cmp"
	"fmt"
	"io"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

// bigTrace is an hour of n DataNodes as a big run ends: every node
// registers in the first three seconds; one in a hundred is killed and
// declared dead; one in a thousand pauses long enough to be suspected.
func bigTrace(n int) *trace.Trace {
	tr := &trace.Trace{End: time.Hour, Detectors: []string{"missed-count"}}
	var faults []trace.Event
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("dn%d", i)
		tr.Nodes = append(tr.Nodes, trace.Node{ID: id, FinalState: "live", HeartbeatsSent: 1200, HeartbeatsReceived: 1200})
		tr.Events = append(tr.Events, reg(float64(i%3000)+1, id))
		t := float64(60_000 + i%3_000_000)
		switch {
		case i%1000 == 500:
			faults = append(faults, fault(t, id, trace.Pause),
				tr2(t+20_000, id, "live", "stale", "no heartbeat for 30s"),
				fault(t+40_000, id, trace.Resume),
				tr2(t+41_000, id, "stale", "live", "heartbeat received"))
		case i%100 == 50:
			tr.Nodes[i-1].FinalState = "dead"
			faults = append(faults, fault(t, id, trace.Kill),
				tr2(t+630_000, id, "live", "dead", "missed 10 of 10 heartbeats"))
		}
	}
	// Registrations first, then the faults in time order.
	slices.SortStableFunc(faults, func(a, b trace.Event) int { return cmp.Compare(a.At, b.At) })
	tr.Events = append(tr.Events, faults...)
	return tr
}

// BenchmarkStrip draws the per-node timeline of 100,000 DataNodes (see
// bigTrace) on an 80-column terminal, and BenchmarkTable the whole default
// table report, alone and with the explanation. Both report the time and
// the bytes allocated per DataNode: the report's views must stay linear
// and small per node (issue 10: a million DataNodes written as a table
// cost no more than as JSON).
func BenchmarkStrip(b *testing.B) {
	benchPerNode(b, 100_000, func(r *Report) error { return r.WriteStrip(io.Discard, TableOptions{Width: 80}) })
}

func BenchmarkTable(b *testing.B) {
	benchPerNode(b, 100_000, func(r *Report) error { return r.WriteTableWith(io.Discard, TableOptions{Width: 80}) })
	b.Run("explain", func(b *testing.B) {
		benchPerNode(b, 100_000, func(r *Report) error { return r.WriteTableWith(io.Discard, TableOptions{Width: 80, Explain: true}) })
	})
}

// benchPerNode runs write on a report of n DataNodes and reports ns and
// bytes allocated per DataNode.
func benchPerNode(b *testing.B, n int, write func(*Report) error) {
	b.Run(fmt.Sprintf("datanodes=%d", n), func(b *testing.B) {
		r := Build(Meta{Name: "bench"}, bigTrace(n))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := write(r); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		runtime.ReadMemStats(&after)
		per := float64(b.N) * float64(n)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/per, "ns/DataNode")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/per, "B/DataNode")
	})
}
