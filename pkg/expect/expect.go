// Package expect checks what a scenario expects of a run against the run's
// report: readable shorthands such as {dead: dn3, within: 35s} and
// {false_positives: 0}, and one general form, {metric: PATH, min: X, max: Y},
// that reaches any number in the JSON report.
//
// New kinds register a parser in kinds; the scenario format grows without
// touching the scenario parser.
package expect

import "github.com/hbsim/hbsim/pkg/report"

// Expectation is one thing a scenario expects of its run.
type Expectation interface {
	// Name says what is expected, in the scenario's own words
	// ("dn3 dead within 35s").
	Name() string
	// Check judges a finished run. Detail says what was seen, pass or fail.
	Check(r *report.Report) (passed bool, detail string)
}
