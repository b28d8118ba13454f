package screen

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func sample() Table {
	return Table{
		Columns: []Column{
			{Header: "TIME"}, {Header: "NODE"},
			{Header: "HB RECEIVED", Drop: 1},
			{Header: "REASON", Wrap: true},
		},
		Rows: [][]string{
			{"00:59.000", "dn3", "10", "missed 10 of 10 heartbeats; last heard at 00:28.106, which is long ago"},
			{"01:30.000", "dn12", "1892", "scenario line 16: process killed (crash-stop)"},
		},
	}
}

// widest is the widest line of out in display columns.
func widest(out string) int {
	most := 0
	for _, l := range strings.Split(out, "\n") {
		most = max(most, Width(l))
	}
	return most
}

func TestTableWholeRowsWithoutWidth(t *testing.T) {
	var b bytes.Buffer
	dropped, err := sample().Render(&b, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(dropped) != 0 {
		t.Errorf("dropped %v with no width", dropped)
	}
	if !strings.Contains(b.String(), "missed 10 of 10 heartbeats; last heard at 00:28.106, which is long ago") {
		t.Errorf("a reason was wrapped with no width:\n%s", b.String())
	}
	// A table that fits is drawn as it is, whatever the width.
	var wide bytes.Buffer
	if _, err := sample().Render(&wide, 500); err != nil {
		t.Fatal(err)
	}
	if wide.String() != b.String() {
		t.Errorf("a table that fits changed at width 500:\n%s", wide.String())
	}
}

func TestTableFits(t *testing.T) {
	for _, width := range []int{100, 80, 60, 50} {
		var b bytes.Buffer
		dropped, err := sample().Render(&b, width)
		if err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if got := widest(out); got > width {
			t.Errorf("width %d: a line is %d wide:\n%s", width, got, out)
		}
		// Times never wrap, however narrow.
		for _, tm := range []string{"00:59.000", "01:30.000"} {
			if !strings.Contains(out, tm) {
				t.Errorf("width %d: %s was broken:\n%s", width, tm, out)
			}
		}
		t.Logf("width %d, dropped %v:\n%s", width, dropped, out)
	}
}

func TestTableDropsByPriority(t *testing.T) {
	tb := Table{
		Columns: []Column{
			{Header: "NODE"}, {Header: "A", Drop: 1}, {Header: "B", Drop: 2}, {Header: "C"},
		},
		Rows: [][]string{{"dn1", strings.Repeat("a", 20), strings.Repeat("b", 20), strings.Repeat("c", 20)}},
	}
	cases := []struct {
		width int
		want  []string
	}{
		{200, nil},
		{60, []string{"B"}},      // B goes first: the highest Drop
		{40, []string{"A", "B"}}, // then A, reported in the table's order
		{10, []string{"A", "B"}}, // NODE and C never go: drawn at their narrowest
		{0, nil},                 // no limit
		{-1, nil},                // treated as no limit
		{3*4 + 1 + 4 + 60, nil},  // exactly wide enough
		{3*4 + 1 + 4 + 59, []string{"B"}},
	}
	for _, c := range cases {
		var b bytes.Buffer
		dropped, err := tb.Render(&b, c.width)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(dropped, c.want) {
			t.Errorf("width %d: dropped %v, want %v\n%s", c.width, dropped, c.want, b.String())
		}
	}
}

func TestTableHeaderWrapsBeforeCells(t *testing.T) {
	tb := Table{
		Columns: []Column{{Header: "FALSE POSITIVES"}, {Header: "REASON", Wrap: true}},
		Rows:    [][]string{{"0", strings.Repeat("word ", 12)}},
	}
	var b bytes.Buffer
	if _, err := tb.Render(&b, 30); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "│ FALSE ") || !strings.Contains(out, "│ POSITIVES ") {
		t.Errorf("header did not wrap at its space:\n%s", out)
	}
	if widest(out) > 30 {
		t.Errorf("wider than 30:\n%s", out)
	}
	// With room, the whole header is worth a line.
	b.Reset()
	if _, err := tb.Render(&b, 40); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "│ FALSE POSITIVES │") {
		t.Errorf("header wrapped with room to spare:\n%s", b.String())
	}
}

func TestHang(t *testing.T) {
	lines := Hang("01:30.000 dn3 ", "LIVE → DEAD: no heartbeat for 30.936s (last at 00:59.064); 10 missed with threshold 10", 40)
	if len(lines) < 2 {
		t.Fatalf("not wrapped: %q", lines)
	}
	if !strings.HasPrefix(lines[0], "01:30.000 dn3 LIVE → DEAD:") {
		t.Errorf("first line %q", lines[0])
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, strings.Repeat(" ", 14)) || l[14] == ' ' {
			t.Errorf("continuation %q does not hang under the sentence", l)
		}
	}
	for _, l := range lines {
		if Width(l) > 40 {
			t.Errorf("line %q is %d wide", l, Width(l))
		}
	}
	if got := Hang("x ", "short", 0); len(got) != 1 || got[0] != "x short" {
		t.Errorf("no width: %q", got)
	}
}

func TestParagraphKeepsLongWords(t *testing.T) {
	word := strings.Repeat("w", 30)
	lines := Paragraph("a "+word+" b", 10)
	if !slices.Contains(lines, word) {
		t.Errorf("a long word was broken: %q", lines)
	}
}

func TestWidthCountsColumns(t *testing.T) {
	for s, want := range map[string]int{"live → dead": 11, "█░!·": 4, "φ ≥ σ": 5, "": 0} {
		if got := Width(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}
