package sweep

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hbsim/hbsim/pkg/screen"
)

// none marks a metric a point never measured (no crash detected, no
// mistake corrected).
const none = "—"

// WriteTable writes one row per point, a * on Pareto-optimal ones, then
// the recommendations, no wider than width columns (0: whole rows). At a
// width, a param's key breaks after its last dot and the columns that
// matter least give way: messages per second, the mistake duration, then
// detection p50.
func (r *Result) WriteTable(w io.Writer, width int) error {
	para := func(text string) {
		for _, l := range screen.Paragraph(text, width) {
			fmt.Fprintln(w, l)
		}
	}
	para(fmt.Sprintf("Sweep of %s, %s from %d, detector %s (* Pareto-optimal: fastest detection p99 for its false-positive rate)",
		r.Scenario, seeds(r.Seeds), r.FirstSeed, r.Detector))
	cols := []screen.Column{{}}
	for _, p := range r.Params {
		key := p.Key
		if i := strings.LastIndex(key, "."); width > 0 && i > 0 {
			key = key[:i+1] + "\n" + key[i+1:]
		}
		cols = append(cols, screen.Column{Header: key})
	}
	cols = append(cols, screen.Column{Header: "detection p50", Drop: 1}, screen.Column{Header: "detection p99"},
		screen.Column{Header: "FP/h"}, screen.Column{Header: "mistake duration", Drop: 2},
		screen.Column{Header: "P_A"}, screen.Column{Header: "msgs/s", Drop: 3})
	t := screen.Table{Columns: cols}
	for _, p := range r.Points {
		mark := ""
		if p.Pareto {
			mark = "*"
		}
		row := append([]string{mark}, p.Values...)
		row = append(row, FormatMs(p.DetectionP50Ms), FormatMs(p.DetectionP99Ms),
			strconv.FormatFloat(p.FalsePositivesPerHour, 'f', 2, 64), FormatMs(p.MistakeDurationMs),
			strconv.FormatFloat(p.PA, 'f', 6, 64), strconv.FormatFloat(p.MessagesPerSec, 'f', 1, 64))
		t.Rows = append(t.Rows, row)
	}
	dropped, err := t.Render(w, width)
	if err != nil {
		return fmt.Errorf("sweep %w", err)
	}
	if len(dropped) > 0 {
		para(fmt.Sprintf("(%s left out to fit %d columns; --out writes every column to sweep.csv)", strings.Join(dropped, ", "), width))
	}
	for _, rec := range r.Recommendations {
		para(rec)
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
