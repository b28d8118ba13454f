package expect

import (
	"fmt"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// dead expects every crash of a node to be detected within a bound:
// {dead: dn3, within: 35s}.
type dead struct {
	node   string
	within time.Duration
}

func parseDead(a *args) (Expectation, error) {
	n, err := a.node("dead", a.fields["dead"])
	if err != nil {
		return nil, err
	}
	w, err := a.duration("within")
	if err != nil {
		return nil, err
	}
	return dead{node: n, within: w}, nil
}

func (d dead) Name() string { return fmt.Sprintf("%s dead within %s", d.node, d.within) }

func (d dead) Check(r *report.Report) (bool, string) {
	n := findNode(r, d.node)
	if n == nil {
		return false, d.node + " is not in the report"
	}
	crashes := n.Crashes
	if len(crashes) == 0 && n.KilledAtMs != nil {
		// Reports list Crashes only when needed; the summary fields then
		// describe the one crash.
		crashes = []report.Crash{{KilledAtMs: *n.KilledAtMs, DeadAtMs: n.DeadAtMs, DetectionMs: n.DetectionMs}}
	}
	if len(crashes) == 0 {
		return false, d.node + " was never killed, so there was nothing to detect"
	}
	ok := true
	details := make([]string, 0, len(crashes))
	for _, c := range crashes {
		if c.DeadAtMs == nil {
			ok = false
			details = append(details, fmt.Sprintf("killed at %s, never declared dead", clock(c.KilledAtMs)))
			continue
		}
		det := *c.DeadAtMs - c.KilledAtMs
		if c.DetectionMs != nil {
			det = *c.DetectionMs
		}
		detection := msDuration(det)
		cmp := "≤"
		if detection > d.within {
			ok = false
			cmp = ">"
		}
		details = append(details, fmt.Sprintf("killed at %s, declared dead at %s: detection %s %s %s",
			clock(c.KilledAtMs), clock(*c.DeadAtMs), vtime.Seconds(detection), cmp, vtime.Seconds(d.within)))
	}
	return ok, strings.Join(details, "; ")
}
