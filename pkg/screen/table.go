package screen

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Column is one column of a Table.
type Column struct {
	// Header is printed as given (callers write it in capitals); at a
	// narrow width it wraps at its spaces like any cell.
	Header string
	// Wrap lets the column's cells break at spaces when the table is too
	// wide: reasons and details wrap, times and counts never do.
	Wrap bool
	// Min is the narrowest a wrapping column may get; 0 means its
	// longest word. A phrase that must stay on one line ("live → dead")
	// sets it.
	Min int
	// Drop orders the columns that give way when wrapping is not enough:
	// the highest Drop goes first; 0 never goes.
	Drop int
}

// Table is a header and rows of cells, drawn with tablewriter.
type Table struct {
	Columns []Column
	Rows    [][]string
}

// border is what each column adds to a boxed table's width: a rule and a
// space either side of the cell; one more rule closes the row.
const border = 3

// Render writes the table no wider than width columns (0: no limit, every
// cell on one line) and returns the headers of the columns it left out,
// in the table's order, for the caller to name under the table.
//
// At a width, columns first shrink to what they need (cells that wrap
// down to their Min, headers down to their longest word); only when that
// is still too wide do columns give way by Drop. A table that cannot fit
// even so is drawn at its narrowest.
func (t Table) Render(w io.Writer, width int) ([]string, error) {
	keep := make([]bool, len(t.Columns))
	for i := range keep {
		keep[i] = true
	}
	var widths []int
	for {
		var fits bool
		widths, fits = t.layout(keep, width)
		if fits {
			break
		}
		next := -1
		for i, c := range t.Columns {
			if keep[i] && c.Drop > 0 && (next < 0 || c.Drop > t.Columns[next].Drop) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		keep[next] = false
	}
	var dropped []string
	var header []string
	var perColumn map[int]int
	if widths != nil {
		perColumn = map[int]int{}
	}
	for i, c := range t.Columns {
		if !keep[i] {
			dropped = append(dropped, c.Header)
			continue
		}
		if widths != nil {
			perColumn[len(header)] = widths[i] + 2 // tablewriter counts the padding
		}
		header = append(header, c.Header)
	}
	wrap := tw.WrapNone
	if widths != nil {
		wrap = tw.WrapNormal
	}
	// Options are pinned rather than left to the library's defaults, some
	// of which look at the environment (locale): output must not change
	// from one machine to the next.
	opts := []tablewriter.Option{
		tablewriter.WithEastAsian(tw.Off),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAutoWrap(wrap),
		tablewriter.WithRowAutoWrap(wrap),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	}
	if perColumn != nil {
		opts = append(opts, tablewriter.WithColumnWidths(perColumn))
	}
	tb := tablewriter.NewTable(w, opts...)
	tb.Header(header)
	for _, row := range t.Rows {
		cells := make([]string, 0, len(header))
		for i, cell := range row {
			if i < len(keep) && keep[i] {
				cells = append(cells, cell)
			}
		}
		if err := tb.Append(cells); err != nil {
			return nil, fmt.Errorf("table: %w", err)
		}
	}
	if err := tb.Render(); err != nil {
		return nil, fmt.Errorf("table: %w", err)
	}
	return dropped, nil
}

// layout chooses the content width of each kept column for a table at
// most width wide. It returns nil widths when every column may take its
// natural width (no limit, or the table fits as it is), and fits false
// when even the narrowest layout is too wide.
func (t Table) layout(keep []bool, width int) ([]int, bool) {
	n := len(t.Columns)
	natural := make([]int, n)
	least := make([]int, n)
	total, totalLeast := 1, 1
	for i := range t.Columns {
		if !keep[i] {
			continue
		}
		natural[i], least[i] = t.measure(i)
		total += natural[i] + border
		totalLeast += least[i] + border
	}
	if width <= 0 || total <= width {
		return nil, true
	}
	widths := append([]int(nil), least...)
	if totalLeast > width {
		return widths, false
	}
	spare := width - totalLeast
	// First the columns whose cells fit and only the header would wrap,
	// the least short first, while each takes at most half the room left:
	// a whole header costs a few columns and saves a line. Then the room left goes to the wrapping columns in
	// proportion to what each still lacks, so the reason column (the
	// widest) gets most of it.
	for {
		best := -1
		for i := range widths {
			lack := natural[i] - widths[i]
			if keep[i] && lack > 0 && 2*lack <= spare && t.headerOnly(i, widths[i]) &&
				(best < 0 || lack < natural[best]-widths[best]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		spare -= natural[best] - widths[best]
		widths[best] = natural[best]
	}
	lack := 0
	for i := range widths {
		if keep[i] {
			lack += natural[i] - widths[i]
		}
	}
	given := 0
	for i := range widths {
		if !keep[i] || lack == 0 {
			continue
		}
		extra := spare * (natural[i] - widths[i]) / lack
		widths[i] += extra
		given += extra
	}
	// Rounding leaves a few columns of room: the widest cells take them.
	for given < spare {
		best := -1
		for i := range widths {
			if keep[i] && widths[i] < natural[i] && (best < 0 || natural[i]-widths[i] > natural[best]-widths[best]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		widths[best]++
		given++
	}
	return widths, true
}

// measure returns a column's natural width (its widest line, header
// included) and the least it can take: its longest word (or Min) when it
// wraps, its widest cell otherwise; a header wraps at its spaces in
// either case.
func (t Table) measure(i int) (natural, least int) {
	c := t.Columns[i]
	for _, line := range strings.Split(c.Header, "\n") {
		natural = max(natural, Width(line))
	}
	least = longestWord(c.Header)
	for _, row := range t.Rows {
		if i >= len(row) {
			continue
		}
		for _, line := range strings.Split(row[i], "\n") {
			natural = max(natural, Width(line))
			if c.Wrap {
				least = max(least, longestWord(line))
			} else {
				least = max(least, Width(line))
			}
		}
	}
	if c.Wrap && c.Min > 0 {
		least = max(least, min(c.Min, natural))
	}
	return natural, least
}

// headerOnly says whether column i's cells all fit in w columns, so that
// only its header would wrap at that width.
func (t Table) headerOnly(i, w int) bool {
	for _, row := range t.Rows {
		if i >= len(row) {
			continue
		}
		for _, line := range strings.Split(row[i], "\n") {
			if Width(line) > w {
				return false
			}
		}
	}
	return true
}

func longestWord(s string) int {
	most := 0
	for _, word := range strings.Fields(s) {
		most = max(most, Width(word))
	}
	return most
}
