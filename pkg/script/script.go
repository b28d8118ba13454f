// Package script runs the state machines' script tests, in the style of
// etcd raft's testdata/*.txt: a file of commands, each followed by the
// output it must produce, read and rewritten by
// github.com/cockroachdb/datadriven.
//
//	# Pins: HeartbeatManager.heartbeatCheck (TestDeadDatanode#testDeadDatanode)
//	register dn1
//	----
//	0s dn1 unregistered→live: registered
//
// A machine's package declares its commands in a _test.go file (the
// harness) and calls Run on its testdata folder; each file starts from a
// fresh harness. `go test ./namenode -rewrite` writes the outputs the
// machines produce now into the files, to be reviewed as a diff.
//
// A command's words are datadriven's: a name, then positional words
// (`register dn1 dn2`) and key=value arguments (`heartbeat dn1 at=27s`,
// `report blocks=1,2,3` or `blocks=(1, 2, 3)`). An argument no command
// reads, a malformed value or an unknown command fails the test at its
// file:line: a typo cannot make a script pass by doing nothing. What a
// machine refuses is output ("error: ..."), so scripts can pin refusals.
//
// Every file must open with a comment naming the HDFS behaviour it pins
// and the Hadoop test or method it follows, on a line starting "# Pins:".
package script

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

// Violation starts the line a harness prints when a machine's invariant
// check fails; a script whose output holds one fails, even with -rewrite.
const Violation = "INVARIANT VIOLATED"

// Command is one verb of a harness's language.
type Command struct {
	// Name is the first word of the directive.
	Name string
	// Usage shows the arguments, for the error an unknown command gets:
	// "heartbeat NODE [at=DUR] [xmits=N]".
	Usage string
	// Run does the command and returns its output. An error is the
	// machine's refusal and becomes the output "error: ...".
	Run func(a *Args) (string, error)
}

// Run runs every script in dir (usually "testdata") against a fresh set
// of commands from setup.
func Run(t *testing.T, dir string, setup func(t testing.TB) []Command) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in %s (%v)", dir, err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txt"), func(t *testing.T) {
			if err := checkHeader(path); err != nil {
				t.Fatal(err)
			}
			cmds := setup(t)
			datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
				return dispatch(t, cmds, td)
			})
		})
	}
}

// checkHeader insists on the "# Pins:" line before the first command.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "# Pins:"):
			return nil
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		}
		break
	}
	return fmt.Errorf("%s: the header comment has no \"# Pins:\" line naming the Hadoop test or method the script follows", path)
}

func dispatch(t *testing.T, cmds []Command, td *datadriven.TestData) string {
	k := slices.IndexFunc(cmds, func(c Command) bool { return c.Name == td.Cmd })
	if k < 0 {
		var usage strings.Builder
		for _, c := range cmds {
			fmt.Fprintf(&usage, "\n  %s", c.Usage)
		}
		td.Fatalf(t, "unknown command %q; the commands are:%s", td.Cmd, usage.String())
	}
	a := &Args{td: td, read: make([]bool, len(td.CmdArgs))}
	out, err := cmds[k].Run(a)
	if a.err != nil {
		td.Fatalf(t, "%s: %v (usage: %s)", td.Cmd, a.err, cmds[k].Usage)
	}
	for i, arg := range td.CmdArgs {
		if !a.read[i] {
			td.Fatalf(t, "%s: argument %q is not used (usage: %s)", td.Cmd, arg.String(), cmds[k].Usage)
		}
	}
	if err != nil {
		out += "error: " + err.Error() + "\n"
	}
	if strings.Contains(out, Violation) {
		// Never a thing to accept with -rewrite.
		t.Errorf("%s: %s: an invariant is violated:\n%s", td.Pos, td.Cmd, out)
	}
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return out
}

// Args reads one directive's arguments. A malformed value is remembered
// and fails the test once the command returns; the getters then return
// their defaults, so a command need not check each one.
type Args struct {
	td   *datadriven.TestData
	read []bool
	err  error
}

// Input is the text between the directive and the "----" line.
func (a *Args) Input() string { return a.td.Input }

// Failf records a malformed use of the command.
func (a *Args) Failf(format string, args ...any) {
	if a.err == nil {
		a.err = fmt.Errorf(format, args...)
	}
}

// Words returns the positional words: arguments with no "=value".
func (a *Args) Words() []string {
	var w []string
	for i, arg := range a.td.CmdArgs {
		if len(arg.Vals) == 0 {
			a.read[i] = true
			w = append(w, arg.Key)
		}
	}
	return w
}

// Word returns the only positional word, failing if there is not exactly
// one (what says what it names: "node").
func (a *Args) Word(what string) string {
	w := a.Words()
	if len(w) != 1 {
		a.Failf("want one %s, got %q", what, w)
		return ""
	}
	return w[0]
}

// Has reports whether key was given, with or without a value; a flag such
// as `stop` is read this way.
func (a *Args) Has(key string) bool {
	for i, arg := range a.td.CmdArgs {
		if arg.Key == key {
			a.read[i] = true
			return true
		}
	}
	return false
}

// List returns key's values, commas splitting them whether or not they
// were given in parentheses; nil if key is absent.
func (a *Args) List(key string) []string {
	for i, arg := range a.td.CmdArgs {
		if arg.Key != key {
			continue
		}
		a.read[i] = true
		var out []string
		for _, v := range arg.Vals {
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		}
		return out
	}
	return nil
}

// String returns key's one value, or def.
func (a *Args) String(key, def string) string {
	v := a.List(key)
	switch len(v) {
	case 0:
		return def
	case 1:
		return v[0]
	}
	a.Failf("%s takes one value, got %q", key, v)
	return def
}

// Dur returns key's value as a duration ("27s", "1m30s"), or def.
func (a *Args) Dur(key string, def time.Duration) time.Duration {
	s := a.String(key, "")
	if s == "" {
		return def
	}
	d, err := ParseDur(s)
	if err != nil {
		a.Failf("%s: %v", key, err)
		return def
	}
	return d
}

// Int returns key's value as an integer, or def.
func (a *Args) Int(key string, def int) int {
	s := a.String(key, "")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		a.Failf("%s: %q is not an integer", key, s)
		return def
	}
	return n
}

// Float returns key's value as a number, or def.
func (a *Args) Float(key string, def float64) float64 {
	s := a.String(key, "")
	if s == "" {
		return def
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		a.Failf("%s: %q is not a number", key, s)
		return def
	}
	return f
}

// Ints returns key's values as integers; nil if key is absent.
func (a *Args) Ints(key string) []int64 {
	var out []int64
	for _, s := range a.List(key) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			a.Failf("%s: %q is not an integer", key, s)
			return nil
		}
		out = append(out, n)
	}
	return out
}

// ParseDur reads a non-negative duration as Go writes it ("1m30s"), a
// bare 0 included.
func ParseDur(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 27s or 1m30s", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}

// At reads at=DUR, when the command happens, defaulting to now. Time
// never goes back in a script: an earlier at= is a mistake in it.
func (a *Args) At(now time.Duration) time.Duration {
	at := a.Dur("at", now)
	if at < now {
		a.Failf("at=%v is before now (%v): time never goes back", at, now)
		return now
	}
	return at
}

// Until reads how far a tick or a run goes: one duration word (that long
// after now) or until=DUR (not before now). Words among flags are switches
// the command takes besides ("answer", "verbose"); they come back set.
// It reports false, after failing the command, on anything else.
func (a *Args) Until(now time.Duration, flags ...string) (time.Duration, map[string]bool, bool) {
	set := map[string]bool{}
	var words []string
	for _, w := range a.Words() {
		if slices.Contains(flags, w) {
			set[w] = true
			continue
		}
		words = append(words, w)
	}
	if len(words) == 1 {
		d, err := ParseDur(words[0])
		if err != nil {
			a.Failf("%v", err)
			return 0, nil, false
		}
		return now + d, set, true
	}
	until := a.Dur("until", -1)
	if len(words) != 0 || until < now {
		a.Failf("want a duration, or until=DUR not before now (%v)", now)
		return 0, nil, false
	}
	return until, set, true
}
