package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// corpusDir holds the adversarial inputs: scenarios, --set lines,
// environments and hdfs-site.xml files, each a case file run through the
// real command line (runApp) with its expected exit code and messages.
const corpusDir = "../../testdata/inputs"

// TestCorpus runs every case of testdata/inputs. A case file is a script
// of directives, then the files it needs, txtar style:
//
//	# what the input is and what must happen
//	env HBSIM_NETWORK_LOSS=nan         an environment variable
//	gen big.yaml 9000000               a scenario of that many bytes
//	chmod golden.json 0640             before the command
//	hbsim run s.yaml --set k=v         the command (quotes group words)
//	interrupt SIGINT 300ms             a signal, that long after the start
//	exit 2                             the exit code
//	stderr s.yaml:4: heartbeat.interval: must be   stderr contains this
//	stdout Scenario s                  stdout contains this
//	!stderr did you mean               stderr does not contain this
//	unchanged s.yaml                   the file is as the case wrote it
//	exists build/junit.xml             the file exists
//	absent out.html                    the file does not exist
//	mode golden.json 0640              the file's permission bits
//	-- s.yaml --
//	name: s
//	...
//
// Every case also checks what no input may cause: a panic, a goroutine
// dump, an error line longer than maxErrorLine, or a raw Go error.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 60 {
		t.Errorf("the corpus has %d cases; issue 12 asks for at least 60", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		c, err := parseCase(string(data))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) { c.run(t) })
	}
}

// maxErrorLine bounds one line of an error on stderr: a quoted value is
// cut to about 200 bytes, and the rest of a message is prose.
const maxErrorLine = 600

// corpusCase is one parsed case file.
type corpusCase struct {
	script []string
	files  map[string]string
	order  []string
}

func parseCase(text string) (*corpusCase, error) {
	c := &corpusCase{files: map[string]string{}}
	lines := strings.SplitAfter(text, "\n")
	var cur string
	for _, l := range lines {
		trimmed := strings.TrimRight(l, "\n")
		if name, ok := strings.CutPrefix(trimmed, "-- "); ok && strings.HasSuffix(name, " --") {
			cur = strings.TrimSuffix(name, " --")
			if _, dup := c.files[cur]; dup {
				return nil, fmt.Errorf("file %s twice", cur)
			}
			c.files[cur] = ""
			c.order = append(c.order, cur)
			continue
		}
		if cur != "" {
			c.files[cur] += l
			continue
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		c.script = append(c.script, trimmed)
	}
	if len(c.script) == 0 {
		return nil, fmt.Errorf("no directives")
	}
	return c, nil
}

func (c *corpusCase) run(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, name := range c.order {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(c.files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{}
	var args []string
	var sig os.Signal
	var sigAfter time.Duration
	code, stdout, stderr := -1, "", ""
	ran := false
	for _, line := range c.script {
		verb, rest, _ := strings.Cut(line, " ")
		switch verb {
		case "env":
			k, v, _ := strings.Cut(rest, "=")
			env[k] = v
		case "gen":
			f := strings.Fields(rest)
			n, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatalf("gen %s: %v", rest, err)
			}
			if err := os.WriteFile(f[0], bigScenario(n), 0o644); err != nil {
				t.Fatal(err)
			}
		case "chmod":
			f := strings.Fields(rest)
			m, err := strconv.ParseUint(f[1], 8, 32)
			if err != nil {
				t.Fatalf("chmod %s: %v", rest, err)
			}
			if err := os.Chmod(f[0], os.FileMode(m)); err != nil {
				t.Fatal(err)
			}
		case "interrupt":
			f := strings.Fields(rest)
			sig = map[string]os.Signal{"SIGINT": syscall.SIGINT, "SIGTERM": syscall.SIGTERM}[f[0]]
			d, err := time.ParseDuration(f[1])
			if sig == nil || err != nil {
				t.Fatalf("interrupt %s: want SIGINT or SIGTERM and a duration", rest)
			}
			sigAfter = d
		case "hbsim":
			var err error
			if args, err = splitArgs(rest); err != nil {
				t.Fatalf("hbsim %s: %v", rest, err)
			}
		default:
			if !ran {
				if args == nil {
					t.Fatalf("%q before the hbsim line", line)
				}
				code, stdout, stderr = runCase(args, env, sig, sigAfter)
				ran = true
				c.invariants(t, stdout, stderr)
			}
			c.check(t, verb, rest, code, stdout, stderr)
		}
	}
	if !ran {
		t.Fatal("no expectation after the hbsim line")
	}
	if t.Failed() {
		t.Logf("hbsim %s\nexit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, clip(stdout), clip(stderr))
	}
}

// runCase runs the command line in-process, with the case's environment
// both to look up and to list (for the HBSIM_* warning).
func runCase(args []string, env map[string]string, sig os.Signal, after time.Duration) (int, string, string) {
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut,
		env: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		environ: func() []string {
			var l []string
			for k, v := range env {
				l = append(l, k+"="+v)
			}
			return l
		},
	}
	if sig != nil {
		a.signals = func(c chan<- os.Signal) func() {
			timer := time.AfterFunc(after, func() { c <- sig })
			return func() { timer.Stop() }
		}
	}
	code := runApp(a, args)
	return code, out.String(), errOut.String()
}

func (c *corpusCase) check(t *testing.T, verb, rest string, code int, stdout, stderr string) {
	t.Helper()
	switch verb {
	case "exit":
		if want, err := strconv.Atoi(rest); err != nil || code != want {
			t.Errorf("exit %d, want %s", code, rest)
		}
	case "stderr", "stdout", "!stderr", "!stdout":
		got := stderr
		if strings.HasSuffix(verb, "stdout") {
			got = stdout
		}
		if has := strings.Contains(got, rest); has == strings.HasPrefix(verb, "!") {
			t.Errorf("%s %q: not as expected", verb, rest)
		}
	case "unchanged":
		got, err := os.ReadFile(rest)
		if err != nil || string(got) != c.files[rest] {
			t.Errorf("%s changed (%v)", rest, err)
		}
	case "exists", "absent":
		_, err := os.Stat(rest)
		if (err == nil) != (verb == "exists") {
			t.Errorf("%s %s: stat says %v", verb, rest, err)
		}
	case "mode":
		f := strings.Fields(rest)
		fi, err := os.Stat(f[0])
		if err != nil || fmt.Sprintf("%04o", fi.Mode().Perm()) != f[1] {
			t.Errorf("mode of %s: %v, %v; want %s", f[0], fi.Mode(), err, f[1])
		}
	default:
		t.Fatalf("unknown directive %q", verb)
	}
}

// invariants hold for every input, however hostile.
func (c *corpusCase) invariants(t *testing.T, stdout, stderr string) {
	t.Helper()
	for _, bad := range []string{"panic", "goroutine ", "runtime error", "strconv.", "json: unsupported value"} {
		if strings.Contains(stderr, bad) || strings.Contains(stdout, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
	for _, l := range strings.Split(stderr, "\n") {
		if utf8.RuneCountInString(l) > maxErrorLine {
			t.Errorf("stderr line of %d characters (at most %d): %.120s…", utf8.RuneCountInString(l), maxErrorLine, l)
		}
	}
}

// splitArgs splits a command line on spaces; single or double quotes group
// words, without escapes.
func splitArgs(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed quote")
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}

// bigScenario is a valid scenario padded with comments to n bytes.
func bigScenario(n int) []byte {
	head := "name: big\nduration: 1m\ncluster: {datanodes: 3}\n"
	var b bytes.Buffer
	b.WriteString(head)
	line := "# " + strings.Repeat("padding ", 12) + "\n"
	for b.Len()+len(line) <= n {
		b.WriteString(line)
	}
	for b.Len() < n {
		b.WriteString("\n")
	}
	return b.Bytes()
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

func TestSplitArgs(t *testing.T) {
	got, err := splitArgs(`run s.yaml --set 'a=b c' --x "y"`)
	if err != nil || strings.Join(got, "|") != "run|s.yaml|--set|a=b c|--x|y" {
		t.Errorf("splitArgs = %q, %v", got, err)
	}
	if _, err := splitArgs(`run 'x`); err == nil {
		t.Error("an unclosed quote was accepted")
	}
}
