package report

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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
// slice still shows. A cell is a small number naming its look, so a row
// is a string of bytes however many nodes the strip draws.
type cell uint8

const (
	cellMistake cell = iota
	cellUndetected
	cellStale
	cellSilent
	cellDown
	cellDegraded
	cellLive
	cellNone
	// The NameNode's row, drawn only when it had faults of its own.
	cellOverloaded
	cellNetSplit
	cellNameNodeOK
	numCells
)

// looks says how each cell is drawn, which wins a column and what the
// legend calls it.
var looks = [numCells]struct {
	char  rune
	rank  int
	color string // ANSI SGR parameters
	label string // for the legend
}{
	cellMistake:    {'x', 0, "1;31", "dead while running (false positive)"},
	cellUndetected: {'!', 1, "1;35", "killed, not yet noticed"},
	cellStale:      {'░', 2, "33", "stale"},
	cellSilent:     {'~', 3, "36", "paused or partitioned, not yet noticed"},
	cellDown:       {'·', 4, "2", "killed, declared dead"},
	cellDegraded:   {'▄', 5, "32", "live, but slowed, lossy, drifting or split"},
	cellLive:       {'█', 6, "32", "live"},
	cellNone:       {' ', 7, "", "not registered"},
	cellOverloaded: {'#', 0, "1;35", "NameNode overloaded"},
	cellNetSplit:   {'~', 1, "36", ""},
	cellNameNodeOK: {' ', 2, "", ""},
}

// legend lists the cells in reading order, two a line: the normal life
// first, then a crash, then the NameNode's mistakes.
var legend = [][]cell{
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
		ch := string(looks[c].char)
		if color && looks[c].color != "" {
			ch = "\x1b[" + looks[c].color + "m" + ch + "\x1b[0m"
		}
		return ch + " " + looks[c].label
	}
	pairs := append([][]cell(nil), legend...)
	for k := 0; k < len(extra); k += 2 {
		pairs = append(pairs, extra[k:min(k+2, len(extra))])
	}
	left, right := 0, 0
	for _, p := range pairs {
		left = max(left, screen.Width(looks[p[0]].label))
		if len(p) > 1 {
			right = max(right, screen.Width(looks[p[1]].label))
		}
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
				fmt.Fprintln(w, item(c))
			}
		}
		return
	}
	for _, p := range pairs {
		line := pad + item(p[0])
		if len(p) > 1 {
			line += strings.Repeat(" ", left-screen.Width(looks[p[0]].label)+gap) + item(p[1])
		}
		fmt.Fprintln(w, line)
	}
}

// bandSet holds the ground-truth bands of a node at one moment, one bit
// each, for the bands a strip cell tells apart.
type bandSet uint8

// stripBands are the bands of bandSet, in the order of its bits.
var stripBands = [...]string{BandKilled, BandPaused, BandPartitioned, BandSlow, BandLossy, BandDrifting, BandSplit}

// bandBit is band's bit in a bandSet: 0 for a band the strip does not
// draw.
func bandBit(band string) bandSet {
	for k, b := range stripBands {
		if b == band {
			return 1 << k
		}
	}
	return 0
}

func (s bandSet) has(band string) bool { return s&bandBit(band) != 0 }

// cellAt combines the NameNode's view with the ground truth at one moment.
func cellAt(view Span, truth bandSet) cell {
	switch {
	case view.State == ViewDead && view.Mistake:
		return cellMistake
	case view.State == ViewDead:
		// Known dead: whether the process is down or just restarted and
		// not yet registered again, the NameNode is right to ignore it.
		return cellDown
	case truth.has(BandKilled) && view.State == ViewUnregistered:
		return cellDown
	case view.State == ViewStale:
		// Suspected: whatever the truth, the NameNode has noticed.
		return cellStale
	case truth.has(BandKilled):
		return cellUndetected
	case (truth.has(BandPaused) || truth.has(BandPartitioned)) && view.State != ViewUnregistered:
		return cellSilent
	case view.State == ViewLive && (truth.has(BandSlow) || truth.has(BandLossy) || truth.has(BandDrifting) || truth.has(BandSplit)):
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

// stripRow is one row of the strip: nodes [from, to] of the report, or
// the NameNode for from < 0, drawn as the cols cells at at in the
// strip's cells.
type stripRow struct{ from, to, at int }

// writeStrip writes the compact per-node timeline: a title with the time
// per column, an axis, one row per node and the legend. With Color, cells
// are wrapped in ANSI colours; without, the output is plain text that
// depends only on the report. In a big cluster, runs of nodes live
// throughout fold into one row named by their range.
//
// Nodes are drawn one at a time from an index of the events (lanes), and
// the cells of a folded row are kept once: the cost is linear in the
// nodes and events, and the memory in the rows drawn.
func (f *fit) writeStrip(w io.Writer) error {
	r := f.r
	fmt.Fprintln(w, "Per-node timeline")
	if len(r.Nodes) == 0 || r.DurationMs <= 0 {
		fmt.Fprintln(w, "no nodes")
		return nil
	}
	l := r.lanes()
	var ns NodeSpans
	// The NameNode's own faults, on a row above the DataNodes: an
	// overload explains deaths no DataNode caused.
	nn := r.NameNodeSpans()
	id := func(row stripRow) string {
		switch {
		case row.from < 0:
			return NameNodeID
		case row.to > row.from:
			return r.Nodes[row.from].ID + "–" + r.Nodes[row.to].ID
		}
		return r.Nodes[row.from].ID
	}
	// In a big cluster runs of quiet nodes may fold: the names of those
	// runs set the room left for the columns.
	fold := !f.o.Full && len(r.Nodes) > FoldNodes
	var quiet []bool
	if fold {
		quiet = make([]bool, len(r.Nodes))
		for i := range quiet {
			l.lane(i, &ns)
			quiet[i] = quietSpans(&ns)
		}
	}
	width := 0
	if len(nn) > 0 {
		width = screen.Width(NameNodeID)
	}
	for i := 0; i < len(r.Nodes); {
		j := i
		for fold && j+1 < len(r.Nodes) && quiet[i] && quiet[j+1] {
			j++
		}
		if j-i+1 < 3 {
			j = i
		}
		width = max(width, screen.Width(id(stripRow{from: i, to: j})))
		i = j + 1
	}
	cols := StripMaxColumns
	if f.o.Width > 0 {
		cols = max(f.o.Width-width-2, stripMinColumns)
	}
	slice := stripSlice(r.DurationMs, cols)
	cols = int(math.Ceil(r.DurationMs / slice))
	// Draw every row; a run of quiet nodes stays folded only over nodes
	// whose cells came out the same (they registered in the same
	// columns). The cells of a run are stored once, in cells.
	var rows []stripRow
	var cells []cell
	if len(nn) > 0 {
		cells = nameNodeCells(cells, nn, slice, cols)
		rows = append(rows, stripRow{from: -1, to: -1})
	}
	cur := make([]cell, cols)
	var cuts []float64
	var ends []bandEnd
	run := stripRow{at: -1} // the run of equal quiet rows in progress, if at >= 0
	endRun := func(next int) {
		if run.at < 0 {
			return
		}
		if next-run.from >= 3 {
			rows = append(rows, stripRow{run.from, next - 1, run.at})
		} else {
			for k := run.from; k < next; k++ {
				rows = append(rows, stripRow{k, k, run.at})
			}
		}
		run.at = -1
	}
	for i := range r.Nodes {
		l.lane(i, &ns)
		cuts, ends = drawRow(cur, &ns, slice, cuts, ends)
		q := fold && quiet[i]
		if q && run.at >= 0 && slices.Equal(cur, cells[run.at:run.at+cols]) {
			continue
		}
		endRun(i)
		at := len(cells)
		cells = append(cells, cur...)
		if q {
			run = stripRow{from: i, at: at}
			continue
		}
		rows = append(rows, stripRow{i, i, at})
	}
	endRun(len(r.Nodes))
	width = 0
	for _, row := range rows {
		width = max(width, screen.Width(id(row)))
	}
	var used [numCells]bool
	for _, c := range cells {
		used[c] = true
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
	var line []byte
	for _, row := range rows {
		name := id(row)
		line = append(append(line[:0], name...), pad[:width-screen.Width(name)+2]...)
		line = f.appendCells(line, cells[row.at:row.at+cols])
		line = append(bytes.TrimRight(line, " "), '\n')
		if _, err := w.Write(line); err != nil {
			return fmt.Errorf("write strip: %w", err)
		}
	}
	writeLegend(w, pad, f.o.Color, extra, f.o.Width)
	return nil
}

// appendCells appends a row's cells to line, each run of equal cells
// wrapped in its colour when the strip has colours.
func (f *fit) appendCells(line []byte, cells []cell) []byte {
	for i := 0; i < len(cells); {
		j := i
		for j < len(cells) && cells[j] == cells[i] {
			j++
		}
		look := looks[cells[i]]
		color := f.o.Color && look.color != ""
		if color {
			line = append(append(append(line, "\x1b["...), look.color...), 'm')
		}
		for ; i < j; i++ {
			line = utf8.AppendRune(line, look.char)
		}
		if color {
			line = append(line, "\x1b[0m"...)
		}
	}
	return line
}

// quietSpans says whether a node was live throughout once registered,
// with no fault: its strip row is all █ and it folds with its neighbours.
func quietSpans(n *NodeSpans) bool {
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

// nameNodeCells appends the NameNode's row to cells: # while overloaded,
// ~ while the network is split between groups, blank otherwise.
func nameNodeCells(cells []cell, spans []Span, slice float64, cols int) []cell {
	row := make([]cell, cols)
	for i := range row {
		row[i] = cellNameNodeOK
	}
	for _, s := range spans {
		c := cellNetSplit
		if s.State == BandOverloaded {
			c = cellOverloaded
		}
		mark(row, c, s.FromMs, s.ToMs, slice)
	}
	return append(cells, row...)
}

// mark sets the columns of row that [from, to) overlaps to c, where c is
// more telling than what they hold. A piece ending exactly on a column
// boundary does not reach into the next column.
func mark(row []cell, c cell, from, to, slice float64) {
	first, last := int(from/slice), int(to/slice)
	if float64(last)*slice == to {
		last--
	}
	for col := max(first, 0); col <= last && col < len(row); col++ {
		if looks[c].rank < looks[row[col]].rank {
			row[col] = c
		}
	}
}

// bandEnd is where a truth span ends, for drawRow's sweep.
type bandEnd struct {
	ms  float64
	bit bandSet
}

// drawRow picks the most telling cell for each column of row, for node n.
// The node's life is cut at every change of view or truth; each piece
// gets one cell and marks every column it overlaps. One sweep over the
// cuts follows the view and counts the truth bands in progress (faults
// of one band may overlap), so a node costs its spans' sorting plus its
// columns. cuts and ends are scratch, returned for the next node.
func drawRow(row []cell, n *NodeSpans, slice float64, cuts []float64, ends []bandEnd) ([]float64, []bandEnd) {
	for i := range row {
		row[i] = cellNone
	}
	cuts, ends = cuts[:0], ends[:0]
	for _, s := range n.View {
		cuts = append(cuts, s.FromMs, s.ToMs)
	}
	for _, s := range n.Truth {
		cuts = append(cuts, s.FromMs, s.ToMs)
		ends = append(ends, bandEnd{s.ToMs, bandBit(s.State)})
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	slices.SortFunc(ends, func(a, b bandEnd) int { return cmp.Compare(a.ms, b.ms) })
	var depth [len(stripBands)]int
	v, opened, closed := 0, 0, 0
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
		// The bands in progress at mid: begun by then (Truth is in
		// order of start), not ended.
		for ; opened < len(n.Truth) && n.Truth[opened].FromMs <= mid; opened++ {
			count(&depth, bandBit(n.Truth[opened].State), 1)
		}
		for ; closed < len(ends) && ends[closed].ms <= mid; closed++ {
			count(&depth, ends[closed].bit, -1)
		}
		var truth bandSet
		for b, d := range depth {
			if d > 0 {
				truth |= 1 << b
			}
		}
		mark(row, cellAt(view, truth), from, to, slice)
	}
	return cuts, ends
}

// count adds d to the depth of the band with bit (none for 0).
func count(depth *[len(stripBands)]int, bit bandSet, d int) {
	for b := range depth {
		if bit == 1<<b {
			depth[b] += d
		}
	}
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
