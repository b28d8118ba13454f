package expect

import (
	"fmt"
	"math"
	"time"

	"github.com/hbsim/hbsim/pkg/report"
)

// CheckAll judges every expectation against r and records the verdicts in
// r.Expectations, in order; r.Passed is true iff all hold (so also when there
// are none).
func CheckAll(exps []Expectation, r *report.Report) {
	r.Expectations = make([]report.Expectation, 0, len(exps))
	r.Passed = true
	for _, e := range exps {
		ok, detail := e.Check(r)
		r.Expectations = append(r.Expectations, report.Expectation{Name: e.Name(), Passed: ok, Detail: detail})
		r.Passed = r.Passed && ok
	}
}

// clock formats virtual milliseconds as hh:mm:ss.mmm, the timeline's form.
func clock(ms float64) string {
	d := msDuration(ms).Round(time.Millisecond)
	h := d / time.Hour
	m := (d % time.Hour) / time.Minute
	s := (d % time.Minute) / time.Second
	milli := (d % time.Second) / time.Millisecond
	return fmt.Sprintf("%02d:%02d:%02d.%03d", h, m, s, milli)
}

// msDuration converts report milliseconds to a Duration, to the microsecond.
func msDuration(ms float64) time.Duration {
	return time.Duration(math.Round(ms*1000)) * time.Microsecond
}

func findNode(r *report.Report, id string) *report.Node {
	for i := range r.Nodes {
		if r.Nodes[i].ID == id {
			return &r.Nodes[i]
		}
	}
	return nil
}
