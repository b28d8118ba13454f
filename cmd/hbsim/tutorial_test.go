package main

import (
	"bytes"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The tutorial for teachers promises what each command prints. This test
// runs every command of docs/TUTORIAL.md in-process and checks each
// promise, so the tutorial cannot drift from the program.

const tutorialPath = "../../docs/TUTORIAL.md"

// tutorialBlock is one ```sh block of a lesson and the phrases promised
// for its output.
type tutorialBlock struct {
	lesson   string
	line     int // of the opening fence, for messages
	commands []tutorialCommand
	phrases  []string
	// pagePhrases are promised for the HTML pages the block's commands
	// write (--html), under a line containing "page should show".
	pagePhrases []string
}

type tutorialCommand struct {
	args []string
	exit int
}

var (
	codeSpan = regexp.MustCompile("`([^`]+)`")
	exitNote = regexp.MustCompile(`#\s*exit\s+(\d+)\s*$`)
)

// parseTutorial reads lessons ("## Lesson" headings), their sh blocks and,
// after each block, the code spans of the bullets under a line containing
// "should see" (promised in the commands' output) or "page should show"
// (promised in the pages they write).
func parseTutorial(text string) ([]tutorialBlock, error) {
	var blocks []tutorialBlock
	lesson := ""
	inSh, inFence, inSee, inPage := false, false, false, false
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimRight(raw, " \t\r")
		switch {
		case inSh && line == "```":
			inSh = false
			continue
		case inSh:
			if cmd, ok, err := parseCommand(line); err != nil {
				return nil, err
			} else if ok {
				b := &blocks[len(blocks)-1]
				b.commands = append(b.commands, cmd)
			}
			continue
		case inFence:
			inFence = line != "```"
			continue
		case line == "```sh":
			if lesson == "" {
				return nil, errorf("line %d: a sh block outside a lesson", i+1)
			}
			blocks = append(blocks, tutorialBlock{lesson: lesson, line: i + 1})
			inSh, inSee, inPage = true, false, false
			continue
		case strings.HasPrefix(line, "```"):
			inFence, inSee, inPage = true, false, false
			continue
		case strings.HasPrefix(line, "## "):
			lesson, inSee, inPage = "", false, false
			if strings.HasPrefix(line, "## Lesson") {
				lesson = strings.TrimPrefix(line, "## ")
			}
			continue
		case strings.Contains(strings.ToLower(line), "should see"):
			inSee = len(blocks) > 0 && blocks[len(blocks)-1].lesson == lesson
			inPage = false
			continue
		case strings.Contains(strings.ToLower(line), "page should show"):
			inPage = len(blocks) > 0 && blocks[len(blocks)-1].lesson == lesson
			inSee = false
			continue
		}
		if !inSee && !inPage {
			continue
		}
		switch {
		case strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "  "):
			for _, m := range codeSpan.FindAllStringSubmatch(line, -1) {
				b := &blocks[len(blocks)-1]
				if inPage {
					b.pagePhrases = append(b.pagePhrases, m[1])
				} else {
					b.phrases = append(b.phrases, m[1])
				}
			}
		case line == "":
			// Blank lines may separate bullets.
		default:
			inSee, inPage = false, false
		}
	}
	return blocks, nil
}

// parseCommand splits one "hbsim ..." line into arguments. Arguments are
// plain words: the tutorial quotes nothing, which keeps commands easy to
// type for a class too.
func parseCommand(line string) (tutorialCommand, bool, error) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return tutorialCommand{}, false, nil
	}
	cmd := tutorialCommand{}
	if m := exitNote.FindStringSubmatch(line); m != nil {
		cmd.exit = int(m[1][0] - '0')
		line = strings.TrimSpace(line[:len(line)-len(m[0])])
	}
	if strings.ContainsAny(line, `'"|;&$<>\`) {
		return cmd, false, errorf("command %q: only plain words are supported", line)
	}
	words := strings.Fields(line)
	if words[0] != "hbsim" {
		return cmd, false, errorf("command %q: every command must start with hbsim", line)
	}
	cmd.args = words[1:]
	return cmd, true, nil
}

type tutorialError string

func (e tutorialError) Error() string { return string(e) }

func errorf(format string, args ...any) error {
	return tutorialError(strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func TestTutorial(t *testing.T) {
	text, err := os.ReadFile(tutorialPath)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := parseTutorial(string(text))
	if err != nil {
		t.Fatalf("docs/TUTORIAL.md: %v", err)
	}
	lessons := map[string]bool{}
	for _, b := range blocks {
		lessons[b.lesson] = true
	}
	if len(lessons) < 5 {
		t.Errorf("found %d lessons with commands, want at least 5", len(lessons))
	}
	// Commands name scenarios relative to the repository root.
	t.Chdir("../..")
	// Live runs (calibrate) start this test binary as hbsim.
	t.Setenv(asHbsimEnv, "1")
	out := t.TempDir()
	// Files a command writes (--html, --record) go to out; a later
	// argument naming the same file reads it from there.
	written := map[string]string{}
	mentioned := map[string]bool{}
	for _, b := range blocks {
		where := fmt.Sprintf("%s (TUTORIAL.md:%d)", b.lesson, b.line)
		if len(b.commands) == 0 {
			t.Errorf("%s: empty sh block", where)
			continue
		}
		if len(b.phrases) == 0 {
			t.Errorf("%s: no phrases promised after the block (\"The class should see:\" and `code` in bullets)", where)
		}
		var all, pages bytes.Buffer
		for _, c := range b.commands {
			args := append([]string(nil), c.args...)
			var files []string
			for i := range args {
				if strings.HasSuffix(args[i], ".yaml") {
					mentioned[filepath.Base(args[i])] = true
				}
				// Pages and traces go to a temporary directory,
				// not the working tree.
				switch {
				case i > 0 && (args[i-1] == "--html" || args[i-1] == "--record"):
					tmp := filepath.Join(out, filepath.Base(args[i]))
					written[args[i]] = tmp
					if args[i-1] == "--html" {
						files = append(files, tmp)
					}
					args[i] = tmp
				case written[args[i]] != "":
					args[i] = written[args[i]]
				}
			}
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr, noEnv)
			all.Write(stdout.Bytes())
			all.Write(stderr.Bytes())
			if code != c.exit {
				t.Errorf("%s: hbsim %s: exit %d, the tutorial says %d\n%s", where, strings.Join(c.args, " "), code, c.exit, stderr.String())
			}
			for _, f := range files {
				page, err := os.ReadFile(f)
				if err != nil || len(page) == 0 {
					t.Errorf("%s: hbsim %s wrote no page: %v", where, strings.Join(c.args, " "), err)
				}
				pages.Write(page)
			}
		}
		for _, p := range b.phrases {
			if !strings.Contains(all.String(), p) {
				t.Errorf("%s: the class should see %q, but the output lacks it:\n%s", where, p, all.String())
			}
		}
		// Pages escape text for HTML; compare with the phrase escaped
		// the same way.
		for _, p := range b.pagePhrases {
			if !strings.Contains(pages.String(), template.HTMLEscapeString(p)) {
				t.Errorf("%s: the page should show %q, but the pages written lack it", where, p)
			}
		}
	}
	// New scenarios appear over time; name the ones without a lesson so
	// whoever adds one remembers to append a lesson.
	shipped, _ := filepath.Glob("scenarios/*.yaml")
	for _, s := range shipped {
		if !mentioned[filepath.Base(s)] {
			t.Logf("no lesson yet for %s", s)
		}
	}
}

func TestParseTutorial(t *testing.T) {
	doc := "# T\n\n```\nmake build\n```\n\n## Lesson 1: x\n\n```sh\nhbsim run a.yaml\nhbsim run a.yaml --set k=1   # exit 1\n```\n\nThe class should see:\n\n- one `A` and `B`\n  more `C`\n\nThe page should show:\n\n- `P`\n\nNot `D`.\n\n## Appendix\n\n`E`\n"
	blocks, err := parseTutorial(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 1 {
		t.Fatalf("%d blocks, want 1", len(blocks))
	}
	b := blocks[0]
	if b.lesson != "Lesson 1: x" || len(b.commands) != 2 || b.commands[1].exit != 1 ||
		strings.Join(b.commands[1].args, " ") != "run a.yaml --set k=1" {
		t.Errorf("block %+v", b)
	}
	if got := strings.Join(b.phrases, ","); got != "A,B,C" {
		t.Errorf("phrases %q, want A,B,C", got)
	}
	if got := strings.Join(b.pagePhrases, ","); got != "P" {
		t.Errorf("page phrases %q, want P", got)
	}
	for _, bad := range []string{"## Lesson 1\n```sh\nls\n```\n", "## Lesson 1\n```sh\nhbsim run 'a b'\n```\n", "```sh\nhbsim run\n```\n"} {
		if _, err := parseTutorial(bad); err == nil {
			t.Errorf("parseTutorial(%q) succeeded", bad)
		}
	}
}
