package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/qos"
	"github.com/hbsim/hbsim/pkg/screen"
	"github.com/hbsim/hbsim/pkg/trace"
)

// buildQoS measures every detector that watched the run.
func buildQoS(tr *trace.Trace) map[string]QoS {
	out := make(map[string]QoS, len(tr.Detectors))
	for _, d := range tr.Detectors {
		res := qos.Compute(tr, d)
		q := QoS{
			Crashes:         res.Crashes,
			Detected:        res.Detected,
			Undetected:      res.Crashes - res.Detected,
			DetectionMs:     dist(res.Detection),
			Mistakes:        res.Mistakes,
			MistakesPerHour: round3(res.MistakesPerHour()),
			PA:              res.PA(),
		}
		if t, ok := res.MistakeRecurrence(); ok {
			q.MistakeRecurrenceMs = ptr(Ms(t))
		}
		if t, ok := qos.Mean(res.MistakeDurations); ok {
			q.MistakeDurationMs = ptr(Ms(t))
		}
		out[d] = q
	}
	return out
}

func dist(ds []time.Duration) Dist {
	d := Dist{N: len(ds)}
	if p, ok := qos.Percentile(ds, 50); ok {
		d.P50 = ptr(Ms(p))
	}
	if p, ok := qos.Percentile(ds, 99); ok {
		d.P99 = ptr(Ms(p))
	}
	if p, ok := qos.Percentile(ds, 100); ok {
		d.Max = ptr(Ms(p))
	}
	if m, ok := qos.Mean(ds); ok {
		d.Mean = ptr(Ms(m))
	}
	return d
}

// writeDetectors compares the detectors side by side, one column each
// and one row per measure, so a row reads across as a comparison and the
// table stays narrow whatever the number of measures.
func (f *fit) writeDetectors(w io.Writer) error {
	r := f.r
	fmt.Fprintln(w, "Detectors")
	var names []string
	for _, d := range r.Detectors {
		if _, ok := r.QoS[d]; ok {
			names = append(names, d)
		}
	}
	if len(names) == 0 {
		fmt.Fprintln(w, "no detector measured")
		return nil
	}
	who := names[0] + " drove the NameNode"
	if names[0] == "gossip" {
		who = "gossip: every member decides on its own; a node counts as dead once a live member declares it"
	}
	// Watchers at the NameNode judge its heartbeats; gossip, its own
	// messages between peers, over the same network and faults.
	var central []string
	for _, d := range names[1:] {
		if d != "gossip" {
			central = append(central, d)
		}
	}
	if len(central) > 0 {
		who += "; " + strings.Join(central, " and ") + " only watched the same heartbeats"
	}
	if names[0] != "gossip" && slices.Contains(names[1:], "gossip") {
		who += "; gossip only watched, from its members' own messages over the same network and faults"
	}
	// Detectors compared on one trace judge the same messages: one rate.
	f.para(w, fmt.Sprintf("T_D: detection time, crash to lasting suspicion. T_M: mistake duration, false death to correction. "+
		"λ_M: mistakes per hour of uptime. P_A: share of uptime a live node was trusted. %s; %.4g messages per second.",
		who, r.MessagesPerSec))
	measures := []struct {
		label string
		value func(QoS) string
	}{
		{"crashes detected", func(q QoS) string { return fmt.Sprintf("%d/%d", q.Detected, q.Crashes) }},
		{"T_D p50", func(q QoS) string { return optSeconds(q.DetectionMs.P50) }},
		{"T_D p99", func(q QoS) string { return optSeconds(q.DetectionMs.P99) }},
		{"T_D max", func(q QoS) string { return optSeconds(q.DetectionMs.Max) }},
		{"mistakes", func(q QoS) string { return fmt.Sprint(q.Mistakes) }},
		{"λ_M per hour", func(q QoS) string { return fmt.Sprintf("%.3g", q.MistakesPerHour) }},
		{"T_M mean", func(q QoS) string { return optSeconds(q.MistakeDurationMs) }},
		{"P_A", func(q QoS) string { return fmt.Sprintf("%.6f", q.PA) }},
	}
	cols := []screen.Column{{Header: "MEASURE"}}
	for _, d := range names {
		cols = append(cols, screen.Column{Header: d})
	}
	rows := make([][]string, 0, len(measures))
	for _, m := range measures {
		row := []string{m.label}
		for _, d := range names {
			row = append(row, m.value(r.QoS[d]))
		}
		rows = append(rows, row)
	}
	return f.table(w, "detectors", screen.Table{Columns: cols, Rows: rows})
}
