package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/hbsim/hbsim/pkg/screen"
	"github.com/hbsim/hbsim/pkg/trace"
)

// Blocks is what failures did to the data (JSON "blocks").
type Blocks struct {
	// Total counts the blocks in the namespace at the end.
	Total int `json:"total"`
	// UnderReplicatedPeak is the most blocks short of replicas at once.
	UnderReplicatedPeak int `json:"under_replicated_peak"`
	// Lost counts blocks with no live replica and no transfer in flight
	// at the end; LostBlocks names the first 100 of them.
	Lost       int     `json:"lost"`
	LostBlocks []int64 `json:"lost_blocks,omitempty"`
	// ReReplicated counts replicas made by re-replication; BytesMoved is
	// their size.
	ReReplicated int64 `json:"re_replicated"`
	BytesMoved   int64 `json:"bytes_moved"`
	// RecoveredAtMs is when every block was back at its replication, or
	// null if that never happened after a block fell short.
	RecoveredAtMs *float64 `json:"recovered_at_ms"`
	// Scheduled, PendingTimeouts and Invalidated are the NameNode's
	// counters: transfers scheduled, scheduled ones re-queued after
	// replication.pending_timeout, excess replicas deleted.
	Scheduled       int64 `json:"scheduled"`
	PendingTimeouts int64 `json:"pending_timeouts"`
	Invalidated     int64 `json:"invalidated"`
}

// IO is what clients saw (JSON "io").
type IO struct {
	Reads         int64   `json:"reads"`
	ReadsRerouted int64   `json:"reads_rerouted"`
	ReadsFailed   int64   `json:"reads_failed"`
	ReadLatencyMs Latency `json:"read_latency_ms"`
	Writes        int64   `json:"writes"`
	// WritesRecovered replaced a down node in their pipeline.
	WritesRecovered int64 `json:"writes_recovered"`
	WritesFailed    int64 `json:"writes_failed"`
}

// Latency summarises successful reads; nulls when there were none.
type Latency struct {
	P50 *float64 `json:"p50"`
	P99 *float64 `json:"p99"`
	Max *float64 `json:"max"`
}

func underReplicated(sm trace.Sample) *int {
	if !sm.HasBlocks {
		return nil
	}
	u := sm.UnderReplicated
	return &u
}

func buildBlocks(tr *trace.Trace) (*Blocks, *IO) {
	if tr.Blocks == nil {
		return nil, nil
	}
	b := tr.Blocks
	out := &Blocks{Total: b.Total, UnderReplicatedPeak: b.UnderReplicatedPeak, Lost: b.Lost,
		LostBlocks: slices.Clone(b.LostIDs), ReReplicated: b.ReReplicated, BytesMoved: b.BytesMoved,
		Scheduled: b.Scheduled, PendingTimeouts: b.Timeouts, Invalidated: b.Invalidated}
	if b.Recovered {
		out.RecoveredAtMs = ptr(Ms(b.RecoveredAt))
	}
	var o *IO
	if t := tr.IO; t != nil {
		o = &IO{Reads: t.Reads, ReadsRerouted: t.ReadsRerouted, ReadsFailed: t.ReadsFailed,
			Writes: t.Writes, WritesRecovered: t.WritesRecovered, WritesFailed: t.WritesFailed}
		if n := len(t.ReadLatencies); n > 0 {
			lat := slices.Clone(t.ReadLatencies)
			slices.Sort(lat)
			q := func(p float64) *float64 {
				k := int(p*float64(n)+0.5) - 1 // nearest rank
				return ptr(Ms(lat[min(max(k, 0), n-1)]))
			}
			o.ReadLatencyMs = Latency{P50: q(0.50), P99: q(0.99), Max: ptr(Ms(lat[n-1]))}
		}
	}
	return out, o
}

// BlockMeasure is one line of the blocks and I/O view: the terminal's
// table and the HTML page show the same lines, so the same numbers.
type BlockMeasure struct{ Label, Value string }

// BlockMeasures says what failures did to data and clients, in words and
// numbers, for runs with a block layer (nil otherwise). clock renders a
// time of the run.
func (r *Report) BlockMeasures(clock func(ms float64) string) []BlockMeasure {
	b := r.Blocks
	if b == nil {
		return nil
	}
	recovered := none
	if b.RecoveredAtMs != nil {
		recovered = clock(*b.RecoveredAtMs)
	}
	lost := fmt.Sprint(b.Lost)
	if len(b.LostBlocks) > 0 {
		ids := make([]string, 0, 10)
		for _, id := range b.LostBlocks[:min(len(b.LostBlocks), 10)] {
			ids = append(ids, fmt.Sprintf("blk_%d", id))
		}
		more := ""
		if b.Lost > 10 {
			more = ", ..."
		}
		lost += " (" + strings.Join(ids, ", ") + more + ")"
	}
	out := []BlockMeasure{
		{"blocks", fmt.Sprint(b.Total)},
		{"under-replicated at peak", fmt.Sprint(b.UnderReplicatedPeak)},
		{"lost", lost},
		{"re-replicated", fmt.Sprintf("%d replicas, %s moved", b.ReReplicated, bytesText(b.BytesMoved))},
		{"all back at replication", recovered},
		{"transfers scheduled / timed out", fmt.Sprintf("%d / %d", b.Scheduled, b.PendingTimeouts)},
		{"excess replicas invalidated", fmt.Sprint(b.Invalidated)},
	}
	if o := r.IO; o != nil {
		out = append(out,
			BlockMeasure{"reads (rerouted, failed)", fmt.Sprintf("%d (%d, %d)", o.Reads, o.ReadsRerouted, o.ReadsFailed)},
			BlockMeasure{"read latency p50 / p99 / max", fmt.Sprintf("%s / %s / %s",
				optSeconds(o.ReadLatencyMs.P50), optSeconds(o.ReadLatencyMs.P99), optSeconds(o.ReadLatencyMs.Max))},
			BlockMeasure{"writes (pipeline recovered, failed)", fmt.Sprintf("%d (%d, %d)", o.Writes, o.WritesRecovered, o.WritesFailed)},
		)
	}
	return out
}

// writeBlocks is the table of what failures did to data and clients.
func (f *fit) writeBlocks(w io.Writer) error {
	fmt.Fprintln(w, "Blocks and I/O")
	var rows [][]string
	for _, m := range f.r.BlockMeasures(f.clock) {
		rows = append(rows, []string{m.Label, m.Value})
	}
	return f.table(w, "blocks", screen.Table{
		Columns: []screen.Column{{Header: "MEASURE", Wrap: true, Min: 16}, {Header: "VALUE", Wrap: true, Min: 20}},
		Rows:    rows,
	})
}

func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, k := float64(n), 0
	for f >= unit && k < 5 {
		f /= unit
		k++
	}
	return fmt.Sprintf("%.1f %ciB", f, "KMGTP"[k-1])
}
