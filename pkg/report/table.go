package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// none stands for a missing value (never killed, never declared dead,
// unregistered) in tables.
const none = "—"

// TableOptions changes how WriteTableWith draws the report.
type TableOptions struct {
	// Color draws the per-node timeline strip in ANSI colours, for
	// terminals.
	Color bool
}

// WriteTable writes the report for people: a heading, the timeline, the
// per-node summary, the expectations and a per-node timeline strip, each
// under a one-line title. The output depends only on the report, so the
// same report gives the same bytes.
func (r *Report) WriteTable(w io.Writer) error { return r.WriteTableWith(w, TableOptions{}) }

// WriteTableWith is WriteTable with options.
func (r *Report) WriteTableWith(w io.Writer, opts TableOptions) error {
	bw := bufio.NewWriter(w)
	sections := []func(io.Writer) error{
		r.writeHeading, r.writeTimeline, r.writeNodes,
	}
	if len(r.Detectors) > 0 {
		sections = append(sections, func(w io.Writer) error { return r.writeDetectors(w, r.Detectors) })
	}
	if r.Gossip != nil {
		sections = append(sections, r.writeGossip)
	}
	if r.Blocks != nil {
		sections = append(sections, r.writeBlocks)
	}
	sections = append(sections, r.writeExpectations,
		func(w io.Writer) error { return r.WriteStrip(w, opts.Color) })
	for i, section := range sections {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		if err := section(bw); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write table report: %w", err)
	}
	return nil
}

func (r *Report) writeHeading(w io.Writer) error {
	fmt.Fprintf(w, "Scenario %s (seed %d, duration %s)\n", r.Scenario, r.Seed, duration(r.DurationMs))
	if r.Description != "" {
		fmt.Fprintln(w, r.Description)
	}
	return nil
}

func (r *Report) writeTimeline(w io.Writer) error {
	fmt.Fprintln(w, "Timeline")
	regs, rest := splitRegistrations(r.Events)
	switch {
	case len(regs) == 1:
		fmt.Fprintf(w, "1 DataNode registered at %s\n", FormatTime(duration(regs[0].TMs)))
	case len(regs) > 1:
		fmt.Fprintf(w, "%d DataNodes registered between %s and %s\n", len(regs),
			FormatTime(duration(regs[0].TMs)), FormatTime(duration(regs[len(regs)-1].TMs)))
	}
	if len(rest) == 0 {
		if len(regs) == 0 {
			fmt.Fprintln(w, "no events")
		} else {
			fmt.Fprintln(w, "no other events")
		}
		return nil
	}
	rows := make([][]string, 0, len(rest))
	for _, e := range rest {
		change, kind := "", e.Kind
		switch e.Kind {
		case "transition":
			change = orNone(e.From) + " → " + orNone(e.To)
		case "verdict":
			// what a watching detector would have decided
			change = orNone(e.From) + " → " + orNone(e.To)
			kind = e.Detector + " would say"
		}
		rows = append(rows, []string{FormatTime(duration(e.TMs)), e.Node, kind, change, e.Reason})
	}
	return render(w, "timeline", []string{"Time", "Node", "Kind", "Change", "Reason"}, rows)
}

// splitRegistrations separates the initial registrations (transitions from
// unregistered to live before the first fault) from the other events.
// A big cluster starts with one such row per node; folding them into one
// line keeps the interesting part of the timeline on screen.
func splitRegistrations(events []Event) (regs, rest []Event) {
	faulted := false
	for _, e := range events {
		if e.Kind == "kill" || e.Kind == "restart" {
			faulted = true
		}
		if !faulted && e.Kind == "transition" && e.From == "" && e.To == "live" {
			regs = append(regs, e)
			continue
		}
		rest = append(rest, e)
	}
	return regs, rest
}

func (r *Report) writeNodes(w io.Writer) error {
	fmt.Fprintln(w, "Nodes")
	if len(r.Nodes) == 0 {
		fmt.Fprintln(w, "no nodes")
		return nil
	}
	rows := make([][]string, 0, len(r.Nodes))
	for _, n := range r.Nodes {
		rows = append(rows, []string{
			n.ID,
			orNone(n.State),
			optTime(n.KilledAtMs),
			optTime(n.DeadAtMs),
			optSeconds(n.DetectionMs),
			fmt.Sprint(n.FalsePositives),
			fmt.Sprint(n.HeartbeatsSent),
			fmt.Sprint(n.HeartbeatsReceived),
		})
	}
	return render(w, "nodes", []string{
		"Node", "State", "Killed At", "Dead At", "Detection",
		"False Positives", "HB Sent", "HB Received",
	}, rows)
}

func (r *Report) writeExpectations(w io.Writer) error {
	fmt.Fprintln(w, "Expectations")
	if len(r.Expectations) == 0 {
		fmt.Fprintln(w, "no expectations")
		return nil
	}
	passed := 0
	rows := make([][]string, 0, len(r.Expectations))
	for _, e := range r.Expectations {
		verdict := "FAIL"
		if e.Passed {
			verdict = "PASS"
			passed++
		}
		rows = append(rows, []string{verdict, e.Name, e.Detail})
	}
	if err := render(w, "expectations", []string{"Result", "Name", "Detail"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", passed, len(r.Expectations)-passed)
	if rp := r.firstRepro(); rp != nil {
		fmt.Fprintln(w, "Replay the failure:")
		rp.WriteText(w, "  ")
	}
	return nil
}

// render draws one table. Options are pinned rather than left to the
// library's defaults, some of which look at the environment (terminal,
// locale); output must not change from one machine to the next.
func render(w io.Writer, what string, header []string, rows [][]string) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithEastAsian(tw.Off),
		tablewriter.WithHeaderAutoFormat(tw.On),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	t.Header(header)
	for _, row := range rows {
		if err := t.Append(row); err != nil {
			return fmt.Errorf("%s table: %w", what, err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("%s table: %w", what, err)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

func optTime(ms *float64) string {
	if ms == nil {
		return none
	}
	return FormatTime(duration(*ms))
}

func optSeconds(ms *float64) string {
	if ms == nil {
		return none
	}
	return FormatSeconds(*ms)
}
