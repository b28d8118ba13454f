package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/hbsim/hbsim/pkg/screen"
)

// none stands for a missing value (never killed, never declared dead,
// unregistered) in tables.
const none = "—"

// WriteTable writes the report for people with whole rows, as for a file
// or a pipe (see WriteTableWith).
func (r *Report) WriteTable(w io.Writer) error { return r.WriteTableWith(w, TableOptions{}) }

// WriteTableWith writes the report for people, each view under a one-line
// title: the heading, the timeline (and, with Explain, the same in plain
// words), the nodes, the detectors, gossip and blocks when the run has
// them, then the two views a reader looks for first, last on screen: the
// per-node timeline strip and the expectations with their verdicts. The
// output depends only on the report and the options, so the same report
// gives the same bytes.
func (r *Report) WriteTableWith(w io.Writer, opts TableOptions) error {
	f := newFit(r, opts)
	bw := bufio.NewWriter(w)
	sections := []func(io.Writer) error{f.writeHeading, f.writeTimeline}
	if opts.Explain {
		sections = append(sections, f.writeExplain)
	}
	sections = append(sections, f.writeNodes)
	if len(r.Detectors) > 0 {
		sections = append(sections, f.writeDetectors)
	}
	if r.Gossip != nil {
		sections = append(sections, f.writeGossip)
	}
	if r.Blocks != nil {
		sections = append(sections, f.writeBlocks)
	}
	sections = append(sections, f.writeStrip, f.writeExpectations)
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

func (f *fit) writeHeading(w io.Writer) error {
	r := f.r
	f.para(w, fmt.Sprintf("Scenario %s (seed %d, duration %s)", r.Scenario, r.Seed, duration(r.DurationMs)))
	if r.Description != "" {
		f.para(w, r.Description)
	}
	return nil
}

// registrations marks the initial registrations (transitions from
// unregistered to live before the first crash or restart). A big cluster
// starts with one such row per node; folding them into one line keeps the
// interesting part of the timeline on screen.
func registrations(events []Event) []bool {
	out := make([]bool, len(events))
	faulted := false
	for i, e := range events {
		if e.Kind == "kill" || e.Kind == "restart" {
			faulted = true
		}
		out[i] = !faulted && e.Kind == "transition" && e.From == "" && e.To == "live"
	}
	return out
}

// startup says when the nodes registered, in one line, or "" for none.
func (f *fit) startup(regs []bool) string {
	var first, last float64
	n := 0
	for i, reg := range regs {
		if !reg {
			continue
		}
		if n == 0 {
			first = f.r.Events[i].TMs
		}
		last = f.r.Events[i].TMs
		n++
	}
	switch n {
	case 0:
		return ""
	case 1:
		return "1 DataNode registered at " + f.clock(first)
	}
	return fmt.Sprintf("%d DataNodes registered between %s and %s", n, f.clock(first), f.clock(last))
}

// timelineItems lists the timeline's rows: with Full every event,
// otherwise registrations left to the start-up line and repeats folded.
func (f *fit) timelineItems() (items []item, regs []bool) {
	regs = registrations(f.r.Events)
	skip := func(i int) bool { return regs[i] }
	if f.o.Full {
		skip = nil
		regs = make([]bool, len(f.r.Events))
	}
	return foldEvents(f.r.Events, skip, f.o.Full), regs
}

func (f *fit) writeTimeline(w io.Writer) error {
	fmt.Fprintln(w, "Timeline")
	items, regs := f.timelineItems()
	if line := f.startup(regs); line != "" {
		fmt.Fprintln(w, line)
	}
	if len(items) == 0 {
		if len(f.r.Events) == 0 {
			fmt.Fprintln(w, "no events")
		} else {
			fmt.Fprintln(w, "no other events")
		}
		return nil
	}
	// A watcher's name goes on a line of its own above the change it
	// would have made, when the table has to fit: "phi would say" over
	// "live → dead".
	would := " would say "
	if f.o.Width > 0 {
		would = " would say\n"
	}
	folds := 0
	rows := make([][]string, 0, len(items))
	for _, it := range items {
		e := f.r.Events[it.Index]
		change, reason := e.Kind, e.Reason
		switch e.Kind {
		case "transition", "verdict":
			change = orNone(e.From) + " → " + orNone(e.To)
		case "admin":
			// The new state alone: "entering_maintenance →
			// in_maintenance" would not fit 80 columns.
			change = "→ " + e.To
		}
		if fd := it.Fold; fd != nil {
			folds++
			change = fmt.Sprintf("%s ×%d", fd.cycle(orNone), fd.Times)
			last := f.r.Events[fd.Events[len(fd.Events)-1]]
			reason = fmt.Sprintf("%d times from %s to %s", fd.Times, f.clock(e.TMs), f.clock(last.TMs))
			if end := fd.ends(f.r.Events); end != "" {
				reason += ", ending " + end
			}
			reason += "; the first: " + e.Reason
		}
		if e.Kind == "verdict" {
			// what a watching detector would have decided
			change = e.Detector + would + change
		}
		rows = append(rows, []string{f.clock(e.TMs), e.Node, change, reason})
	}
	err := f.table(w, "timeline", screen.Table{
		Columns: []screen.Column{
			{Header: "TIME"}, {Header: "NODE"},
			{Header: "EVENT"},
			{Header: "REASON", Wrap: true, Min: 20},
		},
		Rows: rows,
	})
	if err == nil && folds > 0 {
		f.para(w, "Repeated changes of a node are folded into one row (×count); --timeline full lists each.")
	}
	return err
}

func (f *fit) writeNodes(w io.Writer) error {
	fmt.Fprintln(w, "Nodes")
	r := f.r
	if len(r.Nodes) == 0 {
		fmt.Fprintln(w, "no nodes")
		return nil
	}
	groups := f.nodeGroups()
	rows := make([][]string, 0, len(groups))
	folded := false
	for _, g := range groups {
		n := r.Nodes[g.from]
		if g.to > g.from {
			folded = true
			sent, received := span(r.Nodes[g.from : g.to+1])
			rows = append(rows, []string{
				fmt.Sprintf("%s–%s (%d)", n.ID, r.Nodes[g.to].ID, g.to-g.from+1),
				orNone(n.State), none, none, none, "0", sent, received,
			})
			continue
		}
		state := orNone(n.State)
		if n.AdminState != "" {
			state += ", " + n.AdminState // decommissioned, in maintenance...
		}
		rows = append(rows, []string{
			n.ID,
			state,
			f.optClock(n.KilledAtMs),
			f.optClock(n.DeadAtMs),
			optSeconds(n.DetectionMs),
			fmt.Sprint(n.FalsePositives),
			fmt.Sprint(n.HeartbeatsSent),
			fmt.Sprint(n.HeartbeatsReceived),
		})
	}
	if folded {
		f.para(w, "Quiet nodes (live throughout, never killed nor declared dead) are folded into ranges; --timeline full lists each.")
	}
	// Dead at is killed at plus detection: the first to give way.
	return f.table(w, "nodes", screen.Table{
		Columns: []screen.Column{
			{Header: "NODE", Wrap: true}, {Header: "STATE", Wrap: true}, {Header: "KILLED AT"},
			{Header: "DEAD AT", Drop: 3}, {Header: "DETECTION"}, {Header: "FALSE POSITIVES"},
			{Header: "HB SENT", Drop: 1}, {Header: "HB RECEIVED", Drop: 2},
		},
		Rows: rows,
	})
}

// nodeRange is a run of report nodes [from, to] shown as one row.
type nodeRange struct{ from, to int }

// nodeGroups folds runs of three or more quiet nodes in a big cluster;
// every other node is a group of its own.
func (f *fit) nodeGroups() []nodeRange {
	nodes := f.r.Nodes
	quiet := func(n Node) bool {
		return len(n.Crashes) == 0 && n.FalsePositives == 0 && n.State == ViewLive && n.AdminState == ""
	}
	var out []nodeRange
	for i := 0; i < len(nodes); {
		j := i
		if !f.o.Full && len(nodes) > FoldNodes {
			for j+1 < len(nodes) && quiet(nodes[i]) && quiet(nodes[j+1]) {
				j++
			}
		}
		if j-i+1 < 3 {
			j = i
		}
		out = append(out, nodeRange{i, j})
		i = j + 1
	}
	return out
}

// span renders the heartbeat counters of folded nodes: one number when
// they agree, else the range.
func span(nodes []Node) (sent, received string) {
	lo, hi := nodes[0].HeartbeatsSent, nodes[0].HeartbeatsSent
	rlo, rhi := nodes[0].HeartbeatsReceived, nodes[0].HeartbeatsReceived
	for _, n := range nodes {
		lo, hi = min(lo, n.HeartbeatsSent), max(hi, n.HeartbeatsSent)
		rlo, rhi = min(rlo, n.HeartbeatsReceived), max(rhi, n.HeartbeatsReceived)
	}
	rng := func(a, b int64) string {
		if a == b {
			return fmt.Sprint(a)
		}
		return fmt.Sprintf("%d–%d", a, b)
	}
	return rng(lo, hi), rng(rlo, rhi)
}

func (f *fit) writeExpectations(w io.Writer) error {
	fmt.Fprintln(w, "Expectations")
	r := f.r
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
	err := f.table(w, "expectations", screen.Table{
		Columns: []screen.Column{{Header: "RESULT"}, {Header: "NAME", Wrap: true, Min: 30}, {Header: "DETAIL", Wrap: true, Min: 24}},
		Rows:    rows,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", passed, len(r.Expectations)-passed)
	if rp := r.firstRepro(); rp != nil {
		fmt.Fprintln(w, "Replay the failure:")
		rp.WriteText(w, "  ", f.o.Width)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

func optSeconds(ms *float64) string {
	if ms == nil {
		return none
	}
	return FormatSeconds(*ms)
}
