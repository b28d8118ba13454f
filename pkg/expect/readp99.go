package expect

import (
	"fmt"

	"github.com/hbsim/hbsim/pkg/report"
)

// readP99Below bounds the 99th percentile of successful reads' latency:
// {read_p99_below: 200ms}.
type readP99Below struct{ bound float64 } // ms

func parseReadP99Below(a *args) (Expectation, error) {
	d, err := a.duration("read_p99_below")
	if err != nil {
		return nil, err
	}
	return readP99Below{bound: float64(d.Microseconds()) / 1e3}, nil
}

func (e readP99Below) Name() string {
	return fmt.Sprintf("read p99 below %s", msDuration(e.bound))
}

func (e readP99Below) Check(r *report.Report) (bool, string) {
	if r.IO == nil || r.IO.ReadLatencyMs.P99 == nil {
		return false, "no read succeeded, so there is no latency to judge"
	}
	p99 := *r.IO.ReadLatencyMs.P99
	cmp := "<"
	if p99 >= e.bound {
		cmp = "≥"
	}
	return p99 < e.bound, fmt.Sprintf("p99 of %d reads %s %s %s", r.IO.Reads-r.IO.ReadsFailed, msDuration(p99), cmp, msDuration(e.bound))
}
