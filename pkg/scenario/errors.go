package scenario

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
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

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError rewrites the YAML library's "yaml: line N: msg" as
// FILE:N: msg so every error of hbsim reads the same way.
func syntaxError(file string, err error) error {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Err: fmt.Errorf("invalid YAML: %s", m[2])}
	}
	return &Error{File: file, Err: fmt.Errorf("invalid YAML: %w", err)}
}
