package sweep

import (
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// none marks a metric a point never measured (no crash detected, no
// mistake corrected).
const none = "—"

// WriteTable writes one row per point, a * on Pareto-optimal ones, then
// the recommendations.
func (r *Result) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "Sweep of %s, %s from %d, detector %s (* Pareto-optimal: fastest detection p99 for its false-positive rate)\n",
		r.Scenario, seeds(r.Seeds), r.FirstSeed, r.Detector)
	t := tablewriter.NewTable(w,
		tablewriter.WithEastAsian(tw.Off),
		tablewriter.WithHeaderAutoFormat(tw.Off), // keys are lower case; keep them as typed
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	header := []string{""}
	for _, p := range r.Params {
		header = append(header, p.Key)
	}
	header = append(header, "detection p50", "detection p99", "FP/h", "mistake duration", "P_A", "msgs/s")
	t.Header(header)
	for _, p := range r.Points {
		mark := ""
		if p.Pareto {
			mark = "*"
		}
		row := append([]string{mark}, p.Values...)
		row = append(row, FormatMs(p.DetectionP50Ms), FormatMs(p.DetectionP99Ms),
			strconv.FormatFloat(p.FalsePositivesPerHour, 'f', 2, 64), FormatMs(p.MistakeDurationMs),
			strconv.FormatFloat(p.PA, 'f', 6, 64), strconv.FormatFloat(p.MessagesPerSec, 'f', 1, 64))
		if err := t.Append(row); err != nil {
			return fmt.Errorf("sweep table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("sweep table: %w", err)
	}
	for _, rec := range r.Recommendations {
		fmt.Fprintln(w, rec)
	}
	return nil
}

// FormatMs renders milliseconds for the table: 850ms below a second,
// 31.00s above.
func FormatMs(ms *float64) string {
	switch {
	case ms == nil:
		return none
	case *ms < 1000:
		return strconv.FormatFloat(*ms, 'f', -1, 64) + "ms"
	}
	return fmt.Sprintf("%.2fs", *ms/1e3)
}
