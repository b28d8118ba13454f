package shrink

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hbsim/hbsim/pkg/buildinfo"
)

// width keeps the comment inside 80 columns with its "# ".
const width = 76

// annotate puts the comment that says what was removed at the top of the
// small scenario.
func (sh *shrinker) annotate(yml []byte, c candidate, otherExpectations int, detail string) ([]byte, error) {
	var b strings.Builder
	commit := buildinfo.Commit()
	if len(commit) > 12 {
		commit = commit[:12]
	}
	fmt.Fprintf(&b, "Shrunk by hbsim shrink from %s (hbsim %s, commit %s) in %d runs: it still fails %q the same way: %s.",
		sh.path, buildinfo.Version(), commit, sh.runs, sh.target, detail)
	var removed []string
	keptEv := map[int]bool{}
	for _, i := range c.events {
		keptEv[i] = true
	}
	var lines []string
	for i, item := range sh.items {
		if !keptEv[i] {
			lines = append(lines, strconv.Itoa(item.Line))
		}
	}
	if len(lines) > 0 {
		removed = append(removed, fmt.Sprintf("%d of %d events (lines %s)", len(lines), len(sh.items), strings.Join(lines, ", ")))
	}
	keptNodes := map[string]bool{}
	for _, i := range c.nodes {
		keptNodes[sh.nodes[i]] = true
	}
	var gone []string
	for _, n := range sh.nodes {
		if !keptNodes[n] {
			gone = append(gone, n)
		}
	}
	if len(gone) > 0 {
		removed = append(removed, fmt.Sprintf("%d of %d DataNodes (%s)", len(gone), len(sh.nodes), ranges(gone, sh.nodes)))
	}
	switch {
	case otherExpectations == 1:
		removed = append(removed, "the other expectation")
	case otherExpectations > 1:
		removed = append(removed, fmt.Sprintf("the %d other expectations", otherExpectations))
	}
	if sh.hadGolden {
		removed = append(removed, "the golden: report")
	}
	if len(removed) > 0 {
		fmt.Fprintf(&b, " Removed %s.", strings.Join(removed, ", "))
	}
	if c.duration < sh.duration0 {
		fmt.Fprintf(&b, " Duration cut from %s to %s.", fmtDuration(sh.duration0), fmtDuration(c.duration))
	}
	if len(sh.notes) > 0 {
		fmt.Fprintf(&b, " Written out: %s.", strings.Join(sh.notes, "; "))
	}
	if sh.stopped != "" {
		fmt.Fprintf(&b, " Stopped early by %s: it may shrink further.", sh.stopped)
	}
	return append([]byte(wrap(b.String())), yml...), nil
}

// wrap writes text as "# " comment lines of at most width characters.
func wrap(text string) string {
	var out strings.Builder
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			out.WriteString("# " + line + "\n")
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		out.WriteString("# " + line + "\n")
	}
	return out.String()
}

// ranges lists names compactly: runs of three or more that are adjacent
// in all become first..last ("dn1..dn16, dn18").
func ranges(names, all []string) string {
	pos := map[string]int{}
	for i, n := range all {
		pos[n] = i
	}
	var parts []string
	for i := 0; i < len(names); {
		j := i
		for j+1 < len(names) && pos[names[j+1]] == pos[names[j]]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, names[i]+".."+names[j])
		case j == i+1:
			parts = append(parts, names[i], names[j])
		default:
			parts = append(parts, names[i])
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
