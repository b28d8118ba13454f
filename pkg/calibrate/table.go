package calibrate

import (
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// WriteTable writes the comparison for people: one row per metric, then
// the verdict.
func (r *Result) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "Calibrate %s (seed %d): the simulator against live processes at --speed %g\n", r.Scenario, r.Seed, r.Speed)
	fmt.Fprintf(w, "(bounds allow %sms of scheduling noise in scenario time)\n", num(r.NoiseMs))
	t := tablewriter.NewTable(w,
		tablewriter.WithEastAsian(tw.Off),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	t.Header([]string{"metric", "sim", "live", "diff", "bound", "within"})
	out := 0
	for _, m := range r.Metrics {
		within := "yes"
		if !m.Within {
			within, out = "NO", out+1
		}
		if err := t.Append([]string{m.Name, opt(m.Sim), opt(m.Live), opt(m.Diff), num(m.Bound), within}); err != nil {
			return fmt.Errorf("calibrate table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("calibrate table: %w", err)
	}
	if out == 0 {
		fmt.Fprintf(w, "All %d metrics within their bounds.\n", len(r.Metrics))
		return nil
	}
	fmt.Fprintf(w, "%d of %d metrics out of bounds:\n", out, len(r.Metrics))
	for _, m := range r.Metrics {
		if !m.Within {
			fmt.Fprintf(w, "  %s: bound %s from %s\n", m.Name, num(m.Bound), m.Why)
		}
	}
	return nil
}

func opt(v *float64) string {
	if v == nil {
		return "—"
	}
	return num(*v)
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
