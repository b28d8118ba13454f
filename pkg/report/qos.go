package report

import (
	"fmt"
	"io"
	"time"

	"github.com/hbsim/hbsim/pkg/qos"
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

// writeDetectors is the side-by-side table of detectors: how fast each
// noticed crashes and how often it accused a live node.
func (r *Report) writeDetectors(w io.Writer, detectors []string) error {
	fmt.Fprintln(w, "Detectors (detection T_D: crash to lasting suspicion; mistake duration T_M: false death to correction; P_A: share of uptime trusted)")
	rows := make([][]string, 0, len(detectors))
	for _, name := range detectors {
		q, ok := r.QoS[name]
		if !ok {
			continue
		}
		rows = append(rows, []string{
			name,
			fmt.Sprintf("%d/%d", q.Detected, q.Crashes),
			optSeconds(q.DetectionMs.P50),
			optSeconds(q.DetectionMs.P99),
			optSeconds(q.DetectionMs.Max),
			fmt.Sprint(q.Mistakes),
			fmt.Sprintf("%.3g", q.MistakesPerHour),
			optSeconds(q.MistakeDurationMs),
			fmt.Sprintf("%.6f", q.PA),
			// Detectors compared on one trace judge the same messages.
			fmt.Sprintf("%.4g", r.MessagesPerSec),
		})
	}
	return render(w, "detectors", []string{
		"Detector", "Crashes Detected", "Detection p50", "Detection p99", "Detection max",
		"Mistakes", "Mistakes per hour", "Mean mistake", "PA", "Messages per sec",
	}, rows)
}
