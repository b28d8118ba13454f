package suite

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/screen"
)

// WriteTable writes one row per result: scenario path, verdict, wall-clock
// duration and the first failure or error, no wider than width columns
// (0: whole rows).
func WriteTable(w io.Writer, results []Result, width int) error {
	return writeTable(w, results, true, width)
}

// writeTable writes the table, with or without the duration column.
func writeTable(w io.Writer, results []Result, durations bool, width int) error {
	cols := []screen.Column{{Header: "SCENARIO", Wrap: true}, {Header: "RESULT"}, {Header: "DURATION", Drop: 1}, {Header: "DETAIL", Wrap: true, Min: 24}}
	if !durations {
		cols = slices.Delete(cols, 2, 3)
	}
	t := screen.Table{Columns: cols}
	for _, r := range results {
		row := []string{r.Path, string(r.Status), FormatDuration(r.Duration), r.Detail()}
		if !durations {
			row = slices.Delete(row, 2, 3)
		}
		t.Rows = append(t.Rows, row)
	}
	dropped, err := t.Render(w, width)
	if err != nil {
		return fmt.Errorf("results %w", err)
	}
	if len(dropped) > 0 {
		fmt.Fprintf(w, "(%s left out to fit %d columns)\n", strings.Join(dropped, ", "), width)
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
