// Package screen lays text out for a terminal of a known width: tables
// whose cells wrap and whose columns give way by priority, and paragraphs
// broken at spaces with a hanging indent.
//
// Width 0 means no limit: every table row and paragraph on one line, as
// piped output wants (a script or a file keeps whole rows). Widths are
// display columns, not bytes: "→" and "█" take one.
package screen

import (
	"strings"

	"github.com/olekukonko/tablewriter/pkg/twwarp"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// Width is how many terminal columns s takes, East Asian ambiguous
// characters counted as one, as the tables draw them.
func Width(s string) int {
	return twwidth.WidthWithOptions(s, twwidth.Options{})
}

// Hang wraps text to width behind prefix: the first line starts with
// prefix, the others with as many spaces, so a wrapped sentence hangs
// under its first word ("00:59.000 dn3 LIVE → DEAD: ..."). With width 0,
// or text that fits, it is one line.
func Hang(prefix, text string, width int) []string {
	indent := Width(prefix)
	lines := Paragraph(text, max(width-indent, 0))
	out := make([]string, len(lines))
	for i, l := range lines {
		if i == 0 {
			out[i] = prefix + l
		} else {
			out[i] = strings.Repeat(" ", indent) + l
		}
	}
	return out
}

// Paragraph breaks text into lines at most width columns wide, at
// spaces, with tablewriter's word wrapper (minimal raggedness: balanced
// lines rather than greedy ones). A word longer than the line stays
// whole. With width 0, or text that fits, it is one line.
func Paragraph(text string, width int) []string {
	if width <= 0 || Width(text) <= width {
		return []string{text}
	}
	twwidth.SetEastAsian(false) // the wrapper measures with the global setting
	lines, _ := twwarp.WrapString(text, width)
	return lines
}
