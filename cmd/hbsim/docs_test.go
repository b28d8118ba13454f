package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The documents quote what hbsim prints. This test runs every quoted
// command and compares, so no quote can drift from the program:
//
//   - a fenced block whose first line is "$ hbsim ..." holds commands
//     (lines starting "$ ") each followed by its output, stdout then
//     stderr, as an 80-column terminal shows it (COLUMNS=80); a line "⋮"
//     stands for any lines left out (and -docs leaves such quotes as
//     they are);
//   - the code spans with a digit in the paragraph right after such a
//     block ("`00:28.107`") must appear in that block's output;
//   - an xml block after a block that wrote --junit FILE quotes that
//     file: its lines, but "...", must appear in it in order.
//
// go test ./cmd/hbsim -run TestDocsOutputs -docs rewrites the quotes from
// the current program; review the diff like any other change.
var updateDocs = flag.Bool("docs", false, "rewrite the outputs quoted in README.md and docs/*.md")

var docFiles = []string{"README.md", "docs/SUITES.md", "docs/TUTORIAL.md", "docs/SCALE.md"}

// docCmd is one "$ hbsim ..." line and the output quoted under it.
type docCmd struct {
	line int // 1-based, of the "$ " line
	text string
	want []string
}

type docBlock struct {
	fence, end int // 0-based lines of the opening and closing fences
	info       string
	cmds       []docCmd
	// spans are the code spans with a digit in the next paragraph.
	spans []string
}

func parseDocBlocks(lines []string) []docBlock {
	var out []docBlock
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") {
			continue
		}
		b := docBlock{fence: i, info: strings.TrimPrefix(lines[i], "```")}
		j := i + 1
		for j < len(lines) && lines[j] != "```" {
			j++
		}
		b.end = j
		body := lines[i+1 : min(j, len(lines))]
		if len(body) > 0 && strings.HasPrefix(body[0], "$ hbsim ") {
			for k, l := range body {
				if strings.HasPrefix(l, "$ ") {
					b.cmds = append(b.cmds, docCmd{line: i + 2 + k, text: strings.TrimPrefix(l, "$ ")})
					continue
				}
				c := &b.cmds[len(b.cmds)-1]
				c.want = append(c.want, l)
			}
			// The paragraph after the block.
			k := j + 1
			for k < len(lines) && strings.TrimSpace(lines[k]) == "" {
				k++
			}
			for ; k < len(lines) && strings.TrimSpace(lines[k]) != "" && !strings.HasPrefix(lines[k], "```"); k++ {
				for _, m := range codeSpan.FindAllStringSubmatch(lines[k], -1) {
					if strings.ContainsAny(m[1], "0123456789") {
						b.spans = append(b.spans, m[1])
					}
				}
			}
		}
		out = append(out, b)
		i = j
	}
	return out
}

// docRun runs one quoted command from the repository root as an 80-column
// terminal would, with the files it writes moved to dir, and returns what
// it printed with dir written back as the document names it.
func docRun(t *testing.T, text, dir string) (out string, junit string) {
	t.Helper()
	args := strings.Fields(text)[1:]
	back := map[string]string{}
	for i := 1; i < len(args); i++ {
		// hbsim merge reads the directories other commands wrote.
		merged := args[0] == "merge" && !strings.HasPrefix(args[i], "-") && !strings.HasPrefix(args[i-1], "-")
		switch {
		case merged, slices.Contains([]string{"--out", "--junit", "--html", "--golden"}, args[i-1]):
			moved := filepath.Join(dir, strings.TrimPrefix(filepath.Clean(args[i]), "/"))
			if err := os.MkdirAll(filepath.Dir(moved), 0o755); err != nil {
				t.Fatal(err)
			}
			back[moved] = args[i]
			args[i] = moved
			if args[i-1] == "--junit" {
				junit = moved
			}
		}
	}
	var stdout, stderr bytes.Buffer
	run(args, &stdout, &stderr, func(k string) (string, bool) {
		if k == "COLUMNS" {
			return "80", true
		}
		return "", false
	})
	out = stdout.String() + stderr.String()
	for moved, orig := range back {
		out = strings.ReplaceAll(out, moved, orig)
	}
	return strings.TrimRight(out, "\n"), junit
}

// wallClock matches a suite's wall-clock durations, which no two runs
// share: they are compared as "T", and a table's padding as one space.
var (
	wallClock = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s)\b`)
	padding   = regexp.MustCompile(`[ ─]+`)
)

func normalize(cmd, out string) string {
	if !strings.HasPrefix(cmd, "hbsim test") {
		return out
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "│ PASS") || strings.Contains(l, "│ FAIL") || strings.Contains(l, "│ ERROR") {
			l = wallClock.ReplaceAllString(l, "T")
		}
		lines = append(lines, padding.ReplaceAllString(l, " "))
	}
	return strings.Join(lines, "\n")
}

var junitTime = regexp.MustCompile(`time="[0-9.]+"`)

// elided marks lines left out of a quoted output.
const elided = "⋮"

// excerpt says whether want, where each elided line stands for any run of
// lines, matches got.
func excerpt(got, want []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == elided {
		for k := 0; k <= len(got); k++ {
			if excerpt(got[k:], want[1:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && got[0] == want[0] && excerpt(got[1:], want[1:])
}

func TestDocsOutputs(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	dir := t.TempDir()
	quoted := 0
	for _, file := range docFiles {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(raw), "\n")
		blocks := parseDocBlocks(lines)
		var rewritten []string
		last := 0
		junit := ""
		for _, b := range blocks {
			if b.info == "xml" && junit != "" {
				got, err := os.ReadFile(junit)
				if err != nil {
					t.Errorf("%s:%d: the quoted JUnit file was not written: %v", file, b.fence+1, err)
					continue
				}
				rest := junitTime.ReplaceAllString(string(got), `time="T"`)
				for _, l := range lines[b.fence+1 : b.end] {
					if strings.TrimSpace(l) == "..." {
						continue
					}
					i := strings.Index(rest, junitTime.ReplaceAllString(strings.TrimSpace(l), `time="T"`))
					if i < 0 {
						t.Errorf("%s:%d: %q is not in the JUnit file hbsim wrote (or not in that order):\n%s", file, b.fence+1, strings.TrimSpace(l), got)
						break
					}
					rest = rest[i:]
				}
				junit = ""
				continue
			}
			if len(b.cmds) == 0 {
				continue
			}
			rewritten = append(rewritten, lines[last:b.fence+1]...)
			var all strings.Builder
			for _, c := range b.cmds {
				quoted++
				got, j := docRun(t, c.text, dir)
				if j != "" {
					junit = j
				}
				all.WriteString(got + "\n")
				rewritten = append(rewritten, "$ "+c.text)
				want := strings.Join(c.want, "\n")
				if normalize(c.text, got) == normalize(c.text, want) {
					got = want // only wall-clock durations differ: keep the quote as it is
				}
				if got != "" {
					rewritten = append(rewritten, strings.Split(got, "\n")...)
				}
				if slices.Contains(c.want, elided) {
					// An excerpt: checked, never rewritten.
					rewritten = append(rewritten[:len(rewritten)-len(strings.Split(got, "\n"))], c.want...)
					if !excerpt(strings.Split(normalize(c.text, got), "\n"), strings.Split(normalize(c.text, want), "\n")) {
						t.Errorf("%s:%d: $ %s\nprints:\n%s\nwhich the excerpt quoted does not match:\n%s", file, c.line, c.text, got, want)
					}
					continue
				}
				if !*updateDocs && normalize(c.text, got) != normalize(c.text, want) {
					t.Errorf("%s:%d: $ %s\nprints:\n%s\nbut the document quotes:\n%s\n(go test ./cmd/hbsim -run TestDocsOutputs -docs rewrites it)",
						file, c.line, c.text, got, want)
				}
			}
			for _, s := range b.spans {
				if !strings.Contains(all.String(), s) {
					t.Errorf("%s:%d: the text after the block quotes `%s`, which the commands do not print", file, b.end+1, s)
				}
			}
			last = b.end
		}
		rewritten = append(rewritten, lines[last:]...)
		if *updateDocs {
			if err := os.WriteFile(file, []byte(strings.Join(rewritten, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if quoted == 0 {
		t.Error("no quoted output found: the documents should show what hbsim prints")
	}
}

func TestParseDocBlocks(t *testing.T) {
	doc := "x\n```\n$ hbsim run a.yaml\nout 1\nout 2\n$ hbsim test\nok\n```\n\nIt took `29.000s` and `check_interval`.\n\n```yaml\nname: x\n```\n"
	blocks := parseDocBlocks(strings.Split(doc, "\n"))
	if len(blocks) != 2 {
		t.Fatalf("%d blocks, want 2", len(blocks))
	}
	b := blocks[0]
	if len(b.cmds) != 2 || b.cmds[0].text != "hbsim run a.yaml" || strings.Join(b.cmds[0].want, "|") != "out 1|out 2" ||
		b.cmds[1].line != 6 || strings.Join(b.spans, ",") != "29.000s" {
		t.Errorf("block %+v", b)
	}
	if blocks[1].info != "yaml" || len(blocks[1].cmds) != 0 {
		t.Errorf("yaml block %+v", blocks[1])
	}
	for _, c := range []struct {
		got, want string
		ok        bool
	}{
		{"a b c", "a ⋮ c", true}, {"a c", "a ⋮ c", true}, {"a b c", "⋮", true},
		{"a b c", "a c", false}, {"a b c", "a ⋮ d", false}, {"a b", "a b ⋮", true},
	} {
		if got := excerpt(strings.Fields(c.got), strings.Fields(c.want)); got != c.ok {
			t.Errorf("excerpt(%q, %q) = %v", c.got, c.want, got)
		}
	}
}
