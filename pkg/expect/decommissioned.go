package expect

import (
	"fmt"
	"time"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// decommissioned expects a decommission of a node to finish within a
// bound of its request: {decommissioned: dn3, within: 20m}. The NameNode
// says DECOMMISSIONED once no block needs the node's replicas any more.
type decommissioned struct {
	node   string
	within time.Duration
}

func parseDecommissioned(a *args) (Expectation, error) {
	n, err := a.node("decommissioned", a.fields["decommissioned"])
	if err != nil {
		return nil, err
	}
	w, err := a.duration("within")
	if err != nil {
		return nil, err
	}
	return decommissioned{node: n, within: w}, nil
}

func (d decommissioned) Name() string {
	return fmt.Sprintf("%s decommissioned within %s", d.node, d.within)
}

func (d decommissioned) Check(r *report.Report) (bool, string) {
	asked := -1.0
	for _, ev := range r.Events {
		switch {
		case ev.Node != d.node:
		case ev.Kind == "decommission" && asked < 0:
			asked = ev.TMs
		case ev.Kind == "admin" && ev.To == "decommissioned" && asked >= 0:
			took := msDuration(ev.TMs - asked)
			cmp, ok := "≤", took <= d.within
			if !ok {
				cmp = ">"
			}
			return ok, fmt.Sprintf("requested at %s, decommissioned at %s: %s %s %s",
				clock(asked), clock(ev.TMs), vtime.Seconds(took), cmp, vtime.Seconds(d.within))
		}
	}
	if asked < 0 {
		return false, d.node + " was never asked to decommission (add {at: ..., decommission: " + d.node + "})"
	}
	return false, fmt.Sprintf("requested at %s, still not decommissioned at the end of the run", clock(asked))
}
