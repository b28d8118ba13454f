package suite

import (
	"encoding/xml"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/atomicfile"
	"github.com/hbsim/hbsim/pkg/golden"
)

// The JUnit XML shape CI systems (Jenkins, GitLab, GitHub actions) read:
// testsuites > testsuite > testcase, with a failure or error child for a
// case that did not pass and counts on both levels.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// JUnit renders results as JUnit XML: one testsuite per directory, one
// testcase per scenario, classname the directory and name the scenario's,
// with wall-clock times.
func JUnit(results []Result) ([]byte, error) { return junit(results, true) }

// junit renders results; without wallClock every time is 0, so the same
// results give the same bytes on any machine, whole or merged from
// shards. CI readers take time="0" as "not measured".
func junit(results []Result, wallClock bool) ([]byte, error) {
	seconds := func(d time.Duration) string {
		if !wallClock {
			return "0"
		}
		return fmt.Sprintf("%.3f", d.Seconds())
	}
	byDir := map[string]*junitSuite{}
	var dirs []string
	var total time.Duration
	root := junitSuites{Name: "hbsim"}
	for _, r := range results {
		dir := filepath.ToSlash(filepath.Dir(r.Path))
		s, ok := byDir[dir]
		if !ok {
			s = &junitSuite{Name: dir}
			byDir[dir] = s
			dirs = append(dirs, dir)
		}
		c := junitCase{Classname: dir, Name: r.Name, File: filepath.ToSlash(r.Path), Time: seconds(r.Duration)}
		switch r.Status {
		case Fail:
			c.Failure = &junitProblem{Message: r.Detail(), Type: "expectation", Body: failureBody(r)}
			s.Failures++
		case Error:
			msg := ""
			if r.Err != nil {
				msg = r.Err.Error()
			}
			c.Error = &junitProblem{Message: r.Detail(), Type: "input", Body: msg}
			s.Errors++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
		total += r.Duration
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		s := byDir[d]
		var took time.Duration
		for _, r := range results {
			if filepath.ToSlash(filepath.Dir(r.Path)) == d {
				took += r.Duration
			}
		}
		s.Time = seconds(took)
		root.Suites = append(root.Suites, *s)
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Errors += s.Errors
	}
	root.Time = seconds(total)
	out, err := xml.MarshalIndent(root, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("JUnit XML: %w", err)
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// WriteJUnit writes the JUnit XML file atomically: CI never reads half a
// report, and a failed write keeps the previous one.
func WriteJUnit(path string, results []Result) error {
	data, err := JUnit(results)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("JUnit XML: %w", err)
	}
	return nil
}

// failureBody lists every failed expectation and golden difference, then
// how to replay the run.
func failureBody(r Result) string {
	var b strings.Builder
	for _, f := range r.Failures {
		b.WriteString(f)
		b.WriteByte('\n')
	}
	if len(r.Golden) > 0 {
		b.WriteString("golden differences:\n")
		b.WriteString(golden.Format(r.Golden))
	}
	if r.Repro != nil {
		b.WriteString("replay:\n")
		r.Repro.WriteText(&b, "  ", 0)
	}
	return b.String()
}
