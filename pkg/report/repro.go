package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hbsim/hbsim/pkg/screen"
)

// Repro is what anyone needs to replay a failed expectation on another
// machine: which hbsim, which seed, which settings, and the command.
type Repro struct {
	// Version and Commit are the hbsim that ran ("unknown" when the
	// binary does not know its commit).
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Seed    int64  `json:"seed"`
	// Settings are the settings whose value differs from the defaults,
	// in the documentation's order, with where each came from.
	Settings []ReproSetting `json:"settings"`
	// Command runs the same scenario with the same seed and settings:
	// layers outside the scenario file (environment, --set,
	// --hdfs-site) become --set flags.
	Command string `json:"command"`
}

// ReproSetting is one setting that differs from its default.
type ReproSetting struct {
	Key    string `json:"key"`
	Value  any    `json:"value"`
	Origin string `json:"origin"`
}

// shortCommit keeps a commit readable in text; the JSON has all of it.
func shortCommit(c string) string {
	hex, dirty := strings.CutSuffix(c, "-dirty")
	if len(hex) > 12 {
		hex = hex[:12]
	}
	if dirty {
		hex += "-dirty"
	}
	return hex
}

// WriteText writes the block as the table and JUnit show it, each line
// after indent. A command wider than width (0: no limit) breaks before
// its flags with backslashes, so it still pastes into a shell as one.
func (r *Repro) WriteText(w io.Writer, indent string, width int) {
	fmt.Fprintln(w, command(indent, r.Command, width))
	fmt.Fprintf(w, "%swith hbsim %s, commit %s, seed %d\n", indent, r.Version, shortCommit(r.Commit), r.Seed)
	if len(r.Settings) == 0 {
		fmt.Fprintf(w, "%sno setting differs from the defaults\n", indent)
		return
	}
	fmt.Fprintf(w, "%ssettings that differ from the defaults:\n", indent)
	for _, s := range r.Settings {
		v := plain(s.Value)
		line := fmt.Sprintf("%s  %s = %s  (%s)", indent, s.Key, v, s.Origin)
		if width > 0 && screen.Width(line) > width {
			// The origin on a line of its own: paths can be long.
			line = fmt.Sprintf("%s  %s = %s\n%s    (%s)", indent, s.Key, v, indent, s.Origin)
		}
		fmt.Fprintln(w, line)
	}
}

// firstRepro is the replay block of the first failed expectation; every
// failed expectation of one run carries the same.
func (r *Report) firstRepro() *Repro {
	for _, e := range r.Expectations {
		if !e.Passed && e.Repro != nil {
			return e.Repro
		}
	}
	return nil
}

// command breaks a shell command wider than width before its flags.
func command(indent, cmd string, width int) string {
	if width <= 0 || screen.Width(indent+cmd) <= width {
		return indent + cmd
	}
	parts := strings.Split(cmd, " --")
	var lines []string
	line := indent + parts[0]
	for _, p := range parts[1:] {
		p = "--" + p
		if screen.Width(line+" "+p+" \\") > width {
			lines = append(lines, line+" \\")
			line = indent + "  " + p
			continue
		}
		line += " " + p
	}
	return strings.Join(append(lines, line), "\n")
}

// plain writes a setting's value as a scenario would: a distribution as
// {dist: lognormal, median: 2ms, p99: 20ms}.
func plain(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprint(v)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "dist") != (keys[j] == "dist") {
			return keys[i] == "dist"
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + plain(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
