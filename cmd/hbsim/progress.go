package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/liverun"
	"github.com/hbsim/hbsim/pkg/screen"
)

// progressLine shows a live run's progress on stderr: one line redrawn in
// place on a terminal; in a log or a pipe, a plain line every plainEvery
// of wall time and one at the end, which nobody has to erase.
type progressLine struct {
	w     io.Writer
	tty   bool
	width int
	// plainEvery is the wall time between two plain lines.
	plainEvery time.Duration
	last       time.Time
	drawn      bool // a line is on the terminal, to erase
	ended      bool // the line at the end was shown
}

func newProgressLine(w io.Writer, tty bool, width int) *progressLine {
	if width <= 0 {
		width = 80
	}
	return &progressLine{w: w, tty: tty, width: width, plainEvery: 10 * time.Second}
}

func (p *progressLine) show(pr liverun.Progress) {
	line := progressText(pr, p.width-1) // the last column would wrap
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\x1b[K", line)
		p.drawn = true
		return
	}
	now := time.Now()
	switch {
	case pr.At >= pr.Of && p.ended:
		return
	case pr.At >= pr.Of:
		p.ended = true
	case now.Sub(p.last) < p.plainEvery:
		return
	}
	p.last = now
	fmt.Fprintln(p.w, line)
}

// finish erases the line on a terminal, before the report.
func (p *progressLine) finish() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// progressText says where the run is in at most width columns: scenario
// time of the total and the wall time it took, processes up, the
// NameNode's view, events so far and the next fault, that last shortened
// (its nodes left out) or dropped when the line is too long.
func progressText(pr liverun.Progress, width int) string {
	view := fmt.Sprintf("%d live", pr.Live)
	if pr.Stale > 0 {
		view += fmt.Sprintf(" %d stale", pr.Stale)
	}
	if pr.Dead > 0 {
		view += fmt.Sprintf(" %d dead", pr.Dead)
	}
	line := fmt.Sprintf("%s/%s wall %s  up %d/%d  %s  %d events", liverun.Clock(pr.At), liverun.Clock(pr.Of),
		liverun.Clock(pr.Wall), pr.Up, pr.Nodes, view, pr.Events)
	if pr.Next != "" {
		at := " " + liverun.Clock(pr.NextAt)
		kind, _, _ := strings.Cut(pr.Next, " ")
		for _, next := range []string{"  next " + pr.Next + at, "  next " + kind + at} {
			if screen.Width(line+next) <= width {
				return line + next
			}
		}
	}
	return fit(line, width)
}

// fit cuts s to width columns, marking the cut.
func fit(s string, width int) string {
	if screen.Width(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && screen.Width(string(r))+1 > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
