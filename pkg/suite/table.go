package suite

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// WriteTable writes one row per result: scenario path, verdict, wall-clock
// duration and the first failure or error.
func WriteTable(w io.Writer, results []Result) error { return writeTable(w, results, true) }

// writeTable writes the table, with or without the duration column.
func writeTable(w io.Writer, results []Result, durations bool) error {
	// Options pinned, not left to defaults that look at the terminal.
	t := tablewriter.NewTable(w,
		tablewriter.WithEastAsian(tw.Off),
		tablewriter.WithHeaderAutoFormat(tw.On),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	header := []string{"Scenario", "Result", "Duration", "Detail"}
	if !durations {
		header = slices.Delete(header, 2, 3)
	}
	t.Header(header)
	for _, r := range results {
		row := []string{r.Path, string(r.Status), FormatDuration(r.Duration), r.Detail()}
		if !durations {
			row = slices.Delete(row, 2, 3)
		}
		if err := t.Append(row); err != nil {
			return fmt.Errorf("results table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("results table: %w", err)
	}
	return nil
}

// FormatDuration renders a wall-clock duration short: 850µs, 12ms, 1.25s.
func FormatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}
