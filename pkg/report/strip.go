package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/screen"
)

// StripMaxColumns bounds the strip's time columns when no width is given
// (a file, a pipe): enough to see a 30s detection in a few minutes' run.
// On a terminal the strip takes the width left beside the node names.
// The time per column is a round number (1s, 2.5s, 10s...), so a class
// can count columns; that leaves 80% to 100% of the room used.
const StripMaxColumns = 80

// stripMinColumns keeps a strip readable on a terminal too narrow for
// its node names and a useful number of columns.
const stripMinColumns = 20

// stripSlice is the smallest round time per column that fits the run in
// cols columns.
func stripSlice(totalMs float64, cols int) float64 {
	mantissas := []float64{1, 1.2, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8}
	for scale := 1.0; ; scale *= 10 {
		for _, m := range mantissas {
			if s := m * scale; s*float64(cols) >= totalMs {
				return s
			}
		}
	}
}

// A strip cell is one character. When a slice holds several states the
// most telling one wins (lowest rank), so a 10ms false positive in an 8s
// slice still shows.
type cell struct {
	char  rune
	rank  int
	color string // ANSI SGR parameters
	label string // for the legend
}

var (
	cellMistake    = cell{'x', 0, "1;31", "dead while running (false positive)"}
	cellUndetected = cell{'!', 1, "1;35", "killed, not yet noticed"}
	cellStale      = cell{'░', 2, "33", "stale"}
	cellSilent     = cell{'~', 3, "36", "paused or partitioned, not yet noticed"}
	cellDown       = cell{'·', 4, "2", "killed, declared dead"}
	cellDegraded   = cell{'▄', 5, "32", "live, but slowed, lossy, drifting or split"}
	cellLive       = cell{'█', 6, "32", "live"}
	cellNone       = cell{' ', 7, "", "not registered"}
	// The NameNode's row, drawn only when it had faults of its own.
	cellOverloaded = cell{'#', 0, "1;35", "NameNode overloaded"}
	cellNetSplit   = cell{'~', 1, "36", ""}
	cellNameNodeOK = cell{' ', 2, "", ""}
)

// legend lists the cells in reading order, two a line: the normal life
// first, then a crash, then the NameNode's mistakes.
var legend = [][2]cell{
	{cellLive, cellStale},
	{cellUndetected, cellDown},
	{cellMistake, cellSilent},
}

// writeLegend prints the legend under the strip in two aligned columns,
// indented like the strip, or flush left, or one item a line: the first
// that fits the width. extra lists cells beyond the usual ones that the
// strip used; they follow.
func writeLegend(w io.Writer, pad string, color bool, extra []cell, width int) {
	item := func(c cell) string {
		ch := string(c.char)
		if color && c.color != "" {
			ch = "\x1b[" + c.color + "m" + ch + "\x1b[0m"
		}
		return ch + " " + c.label
	}
	pairs := append([][2]cell(nil), legend...)
	for k := 0; k < len(extra); k += 2 {
		p := [2]cell{extra[k]}
		if k+1 < len(extra) {
			p[1] = extra[k+1]
		}
		pairs = append(pairs, p)
	}
	left, right := 0, 0
	for _, p := range pairs {
		left = max(left, screen.Width(p[0].label))
		right = max(right, screen.Width(p[1].label))
	}
	const gap = 3
	twoColumns := func(indent string) bool {
		return width <= 0 || len(indent)+2+left+gap+2+right <= width
	}
	if !twoColumns(pad) {
		pad = ""
	}
	if !twoColumns(pad) {
		for _, p := range pairs {
			for _, c := range p {
				if c.label != "" {
					fmt.Fprintln(w, item(c))
				}
			}
		}
		return
	}
	for _, p := range pairs {
		line := pad + item(p[0])
		if p[1].label != "" {
			line += strings.Repeat(" ", left-screen.Width(p[0].label)+gap) + item(p[1])
		}
		fmt.Fprintln(w, line)
	}
}

// cellAt combines the NameNode's view with the ground truth at one moment.
func cellAt(view Span, truth map[string]bool) cell {
	switch {
	case view.State == ViewDead && view.Mistake:
		return cellMistake
	case view.State == ViewDead:
		// Known dead: whether the process is down or just restarted and
		// not yet registered again, the NameNode is right to ignore it.
		return cellDown
	case truth[BandKilled] && view.State == ViewUnregistered:
		return cellDown
	case view.State == ViewStale:
		// Suspected: whatever the truth, the NameNode has noticed.
		return cellStale
	case truth[BandKilled]:
		return cellUndetected
	case (truth[BandPaused] || truth[BandPartitioned]) && view.State != ViewUnregistered:
		return cellSilent
	case view.State == ViewLive && (truth[BandSlow] || truth[BandLossy] || truth[BandDrifting] || truth[BandSplit]):
		return cellDegraded
	case view.State == ViewLive:
		return cellLive
	}
	return cellNone
}

// WriteStrip writes the compact per-node timeline alone (see
// WriteTableWith for the options).
func (r *Report) WriteStrip(w io.Writer, opts TableOptions) error {
	return newFit(r, opts).writeStrip(w)
}

// writeStrip writes the compact per-node timeline: a title with the time
// per column, an axis, one row per node and the legend. With Color, cells
// are wrapped in ANSI colours; without, the output is plain text that
// depends only on the report. In a big cluster, runs of nodes live
// throughout fold into one row named by their range.
func (f *fit) writeStrip(w io.Writer) error {
	r := f.r
	fmt.Fprintln(w, "Per-node timeline")
	nodes := r.Spans()
	if len(nodes) == 0 || r.DurationMs <= 0 {
		fmt.Fprintln(w, "no nodes")
		return nil
	}
	type stripRow struct {
		id    string
		spans []NodeSpans // the nodes drawn on this row
		nn    []Span      // the NameNode's row
		cells []cell
	}
	var rows []stripRow
	// The NameNode's own faults, on a row above the DataNodes: an
	// overload explains deaths no DataNode caused.
	if nn := r.NameNodeSpans(); len(nn) > 0 {
		rows = append(rows, stripRow{id: NameNodeID, nn: nn})
	}
	fold := !f.o.Full && len(nodes) > FoldNodes
	for i := 0; i < len(nodes); {
		j := i
		if fold {
			for j+1 < len(nodes) && quietSpans(nodes[i]) && quietSpans(nodes[j+1]) {
				j++
			}
		}
		if j-i+1 < 3 {
			j = i
		}
		id := nodes[i].ID
		if j > i {
			id += "–" + nodes[j].ID
		}
		rows = append(rows, stripRow{id: id, spans: nodes[i : j+1]})
		i = j + 1
	}
	width := 0
	for _, row := range rows {
		width = max(width, screen.Width(row.id))
	}
	cols := StripMaxColumns
	if f.o.Width > 0 {
		cols = max(f.o.Width-width-2, stripMinColumns)
	}
	slice := stripSlice(r.DurationMs, cols)
	cols = int(math.Ceil(r.DurationMs / slice))
	// Draw every row; a folded row stays folded only over nodes whose
	// cells came out the same (they registered in the same columns).
	var drawn []stripRow
	for _, row := range rows {
		if row.nn != nil {
			row.cells = nameNodeCells(row.nn, slice, cols)
			drawn = append(drawn, row)
			continue
		}
		cells := make([][]cell, len(row.spans))
		for k, n := range row.spans {
			cells[k] = stripCells(n, slice, cols)
		}
		for i := 0; i < len(cells); {
			j := i
			for j+1 < len(cells) && slices.Equal(cells[i], cells[j+1]) {
				j++
			}
			if len(cells) > 1 && j-i+1 < 3 {
				j = i
			}
			id := row.spans[i].ID
			if j > i {
				id += "–" + row.spans[j].ID
			}
			drawn = append(drawn, stripRow{id: id, cells: cells[i]})
			i = j + 1
		}
	}
	rows = drawn
	width = 0
	used := map[cell]bool{}
	for _, row := range rows {
		width = max(width, screen.Width(row.id))
		for _, c := range row.cells {
			used[c] = true
		}
	}
	var extra []cell
	for _, c := range []cell{cellDegraded, cellOverloaded} {
		if used[c] {
			extra = append(extra, c)
		}
	}
	pad := strings.Repeat(" ", width+2)
	fmt.Fprintf(w, "%sone column = %s\n", pad, shortDuration(duration(slice)))
	fmt.Fprintf(w, "%s%s\n", pad, axis(r.DurationMs, slice, cols))
	for _, row := range rows {
		var b strings.Builder
		b.WriteString(row.id + strings.Repeat(" ", width-screen.Width(row.id)+2))
		cells := row.cells
		for i := 0; i < len(cells); {
			j := i
			for j < len(cells) && cells[j] == cells[i] {
				j++
			}
			run := strings.Repeat(string(cells[i].char), j-i)
			if f.o.Color && cells[i].color != "" {
				run = "\x1b[" + cells[i].color + "m" + run + "\x1b[0m"
			}
			b.WriteString(run)
			i = j
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	writeLegend(w, pad, f.o.Color, extra, f.o.Width)
	return nil
}

// quietSpans says whether a node was live throughout once registered,
// with no fault: its strip row is all █ and it folds with its neighbours.
func quietSpans(n NodeSpans) bool {
	if len(n.Truth) > 0 {
		return false
	}
	for _, s := range n.View {
		if s.State != ViewLive && s.State != ViewUnregistered {
			return false
		}
	}
	for _, ws := range n.Watchers {
		for _, s := range ws.View {
			if s.State != ViewLive && s.State != ViewUnregistered {
				return false
			}
		}
	}
	return true
}

// nameNodeCells draws the NameNode's row: # while overloaded, ~ while the
// network is split between groups, blank otherwise.
func nameNodeCells(spans []Span, slice float64, cols int) []cell {
	cells := make([]cell, cols)
	for i := range cells {
		cells[i] = cellNameNodeOK
	}
	for _, s := range spans {
		c := cellNetSplit
		if s.State == BandOverloaded {
			c = cellOverloaded
		}
		first, last := int(s.FromMs/slice), int(s.ToMs/slice)
		if float64(last)*slice == s.ToMs {
			last--
		}
		for col := max(first, 0); col <= last && col < cols; col++ {
			if c.rank < cells[col].rank {
				cells[col] = c
			}
		}
	}
	return cells
}

// stripCells picks the most telling cell for each column. The node's life
// is cut at every change of view or truth; each piece gets one cell and
// marks every column it overlaps.
func stripCells(n NodeSpans, slice float64, cols int) []cell {
	cells := make([]cell, cols)
	for i := range cells {
		cells[i] = cellNone
	}
	cuts := make([]float64, 0, 2*(len(n.View)+len(n.Truth)))
	for _, s := range n.View {
		cuts = append(cuts, s.FromMs, s.ToMs)
	}
	for _, s := range n.Truth {
		cuts = append(cuts, s.FromMs, s.ToMs)
	}
	cuts = sortedUnique(cuts)
	v := 0
	for k := 0; k+1 < len(cuts); k++ {
		from, to := cuts[k], cuts[k+1]
		mid := (from + to) / 2
		for v+1 < len(n.View) && n.View[v].ToMs <= mid {
			v++
		}
		view := Span{State: ViewUnregistered}
		if v < len(n.View) && n.View[v].FromMs <= mid && mid < n.View[v].ToMs {
			view = n.View[v]
		}
		truth := map[string]bool{}
		for _, s := range n.Truth {
			if s.FromMs <= mid && mid < s.ToMs {
				truth[s.State] = true
			}
		}
		c := cellAt(view, truth)
		first := int(from / slice)
		// A piece ending exactly on a column boundary does not reach
		// into the next column.
		last := int(to / slice)
		if float64(last)*slice == to {
			last--
		}
		for col := max(first, 0); col <= last && col < cols; col++ {
			if c.rank < cells[col].rank {
				cells[col] = c
			}
		}
	}
	return cells
}

func sortedUnique(xs []float64) []float64 {
	// Insertion sort: a node has a handful of changes, and this keeps
	// the package free of another import for one call.
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out
}

// axis labels the strip at round times, as many as fit without touching.
func axis(totalMs, slice float64, cols int) string {
	steps := []time.Duration{
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	}
	total := duration(totalMs)
	step := steps[len(steps)-1]
	for _, s := range steps {
		if total/s <= 6 {
			step = s
			break
		}
	}
	line := []rune(strings.Repeat(" ", cols+8))
	next := 0 // first free position
	for t := time.Duration(0); t <= total; t += step {
		label := []rune(shortDuration(t))
		pos := int(math.Round(Ms(t) / slice))
		if pos >= cols {
			pos = cols - len(label) // the end label ends at the edge
		}
		if pos < next || pos < 0 {
			continue
		}
		copy(line[pos:], label)
		next = pos + len(label) + 1
	}
	return strings.TrimRight(string(line), " ")
}

// shortDuration renders d as people say it: "2.5s", "1m", "1m30s", "2h".
func shortDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	if d < time.Minute {
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", d.Seconds()), "0"), ".") + "s"
	}
	d = d.Round(time.Second)
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
