package suite

import (
	"fmt"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/golden"
	"github.com/hbsim/hbsim/pkg/report"
)

// Status is a scenario's verdict.
type Status string

// Verdicts. Error means the scenario could not be judged: it does not
// parse, its golden file is missing or the simulator refused it.
const (
	Pass  Status = "PASS"
	Fail  Status = "FAIL"
	Error Status = "ERROR"
)

// Result is one scenario's outcome.
type Result struct {
	Path string
	// Name is the scenario's name, or the file name without extension
	// when the file does not parse.
	Name     string
	Status   Status
	Duration time.Duration // wall clock: loading, simulating and checking
	// Failures lists each failed expectation as "NAME: DETAIL" and, last,
	// a differing golden report.
	Failures []string
	// Golden lists the differences from the scenario's golden report.
	Golden []golden.Change
	// Err says why the scenario could not be judged (Status Error).
	Err error
	// Repro, for a failed scenario, says how to replay it.
	Repro *report.Repro
	// Report is the run's report, nil for errors.
	Report *report.Report
}

// Detail is the one line a table shows: the first failure or error, and
// how many more there are.
func (r Result) Detail() string {
	switch r.Status {
	case Error:
		if r.Err == nil {
			return ""
		}
		lines := strings.Split(strings.TrimSpace(r.Err.Error()), "\n")
		return firstAndMore(lines)
	case Fail:
		return firstAndMore(r.Failures)
	}
	return ""
}

func firstAndMore(lines []string) string {
	switch len(lines) {
	case 0:
		return ""
	case 1:
		return lines[0]
	}
	return fmt.Sprintf("%s (+%d more)", lines[0], len(lines)-1)
}

// Summary counts results by verdict.
type Summary struct{ Passed, Failed, Errors int }

// Summarize counts results.
func Summarize(results []Result) Summary {
	var s Summary
	for _, r := range results {
		switch r.Status {
		case Pass:
			s.Passed++
		case Fail:
			s.Failed++
		default:
			s.Errors++
		}
	}
	return s
}

// String is the closing line of hbsim test, a contract with scripts:
// "12 passed, 1 failed", with ", 2 errors" only when there were errors.
func (s Summary) String() string {
	out := fmt.Sprintf("%d passed, %d failed", s.Passed, s.Failed)
	switch {
	case s.Errors == 1:
		out += ", 1 error"
	case s.Errors > 1:
		out += fmt.Sprintf(", %d errors", s.Errors)
	}
	return out
}
