package report

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/hbsim/hbsim/pkg/screen"
	"github.com/hbsim/hbsim/pkg/trace"
)

// TableOptions changes how WriteTableWith draws the report.
type TableOptions struct {
	// Color draws the per-node timeline strip in ANSI colours, for
	// terminals.
	Color bool
	// Width fits every view to a terminal this many columns wide: reasons
	// wrap inside their cells, columns give way by priority (a note names
	// them), the strip narrows. 0 writes whole rows, for files and pipes.
	Width int
	// Full lists everything. By default repeated transitions of a node
	// fold into one timeline row (a count, the first reason, the span),
	// and in clusters of more than FoldNodes nodes the quiet ones (live
	// throughout, never crashed or accused) fold into ranges.
	Full bool
	// Explain adds the timeline in plain words after the timeline table.
	// Trace is optional: with heartbeat arrivals recorded, the silence
	// before each decision is measured (see WriteExplain).
	Explain bool
	Trace   *trace.Trace
}

// FoldNodes is the cluster size above which quiet nodes fold into ranges
// in the Nodes table and the strip: up to it, a class sees every node.
const FoldNodes = 12

// hour is the run length from which times need their hours: shorter runs
// print 01:02.345 for 00:01:02.345.
const hour = 60 * 60 * 1000.0

// fit is one drawing of a report: the report, the options, and what
// follows from them.
type fit struct {
	r *Report
	o TableOptions
	// short drops the hours from every time: the run is under an hour.
	short bool
}

func newFit(r *Report, o TableOptions) *fit {
	return &fit{r: r, o: o, short: r.DurationMs < hour}
}

// longTime matches a time as vtime.Format writes it with zero hours, in
// reasons and details written by the detectors and expectations.
var longTime = regexp.MustCompile(`\b00:([0-5]\d:[0-5]\d\.\d{3})\b`)

// Clock renders a time of the run as every view of it does: MM:SS.mmm in
// a run under an hour, HH:MM:SS.mmm otherwise.
func (r *Report) Clock(ms float64) string { return newFit(r, TableOptions{}).clock(ms) }

// Words is a sentence from the run (a reason, a detail, an explanation)
// with its times written as Clock writes them.
func (r *Report) Words(s string) string { return newFit(r, TableOptions{}).text(s) }

// clock renders a time of the run: MM:SS.mmm in a run under an hour,
// HH:MM:SS.mmm otherwise.
func (f *fit) clock(ms float64) string {
	s := FormatTime(duration(ms))
	if f.short {
		s = strings.TrimPrefix(s, "00:")
	}
	return s
}

// text is a sentence from the run (a reason, a detail) with its times
// written as clock writes them, so a row never mixes 00:59.000 with
// 00:00:28.106.
func (f *fit) text(s string) string {
	if !f.short {
		return s
	}
	return longTime.ReplaceAllString(s, "$1")
}

func (f *fit) optClock(ms *float64) string {
	if ms == nil {
		return none
	}
	return f.clock(*ms)
}

// para writes text as a paragraph wrapped to the width.
func (f *fit) para(w io.Writer, text string) {
	for _, l := range screen.Paragraph(f.text(text), f.o.Width) {
		fmt.Fprintln(w, l)
	}
}

// table draws t fitted to the width and, when columns had to give way,
// says which and how to see them.
func (f *fit) table(w io.Writer, what string, t screen.Table) error {
	for _, row := range t.Rows {
		for i := range row {
			row[i] = f.text(row[i])
		}
	}
	dropped, err := t.Render(w, f.o.Width)
	if err != nil {
		return fmt.Errorf("%s %w", what, err)
	}
	if len(dropped) > 0 {
		f.para(w, fmt.Sprintf("(%s left out to fit %d columns; --wide shows every column)",
			strings.Join(dropped, ", "), f.o.Width))
	}
	return nil
}
