package scenario

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Error is one problem in a scenario file, printed as FILE:LINE: FIELD: msg.
type Error struct {
	File  string
	Line  int    // 0 when unknown
	Field string // e.g. "events[0].kill"; empty for the whole file
	Err   error
}

func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	if e.Field != "" {
		s += ": " + e.Field
	}
	return s + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// maxErrors bounds the list so a badly broken file gives a readable answer.
const maxErrors = 20

// errorList collects problems so a user sees them all in one run.
type errorList struct {
	file string
	errs []error
}

func (l *errorList) add(line int, field, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: l.file, Line: line, Field: field, Err: fmt.Errorf(format, args...)})
}

func (l *errorList) addErr(err error) { l.errs = append(l.errs, err) }

func (l *errorList) err() error {
	if len(l.errs) > maxErrors {
		more := fmt.Errorf("... and %d more problems", len(l.errs)-maxErrors)
		return errors.Join(append(l.errs[:maxErrors:maxErrors], more)...)
	}
	return errors.Join(l.errs...)
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// parserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner). For them yaml.v3 reports the 0-based line of the construct the
// problem is in, so one is added to point at the line a reader counts.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// syntaxError rewrites the YAML library's "yaml: line N: msg" as
// FILE:N: msg so every error of hbsim reads the same way. yaml.v3 leaves
// the line out for problems on the first line.
func syntaxError(file string, err error) error {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil || strings.Contains(m[2], "\n") {
		return &Error{File: file, Err: fmt.Errorf("invalid YAML: %w", err)}
	}
	line := 0
	if m[1] != "" {
		line, _ = strconv.Atoi(m[1])
	}
	if parserProblems[m[2]] || line == 0 {
		line++
	}
	return &Error{File: file, Line: line, Err: fmt.Errorf("invalid YAML: %s", m[2])}
}
