package expect

import (
	"fmt"
	"strings"

	"github.com/hbsim/hbsim/pkg/report"
)

// neverDead expects no dead declaration for any of the nodes:
// {never_dead: [dn1, dn2]} or {never_dead: dn1}.
type neverDead struct{ nodes []string }

func parseNeverDead(a *args) (Expectation, error) {
	nodes, err := a.nodeList("never_dead")
	if err != nil {
		return nil, err
	}
	return neverDead{nodes: nodes}, nil
}

func (e neverDead) Name() string { return "never dead: " + strings.Join(e.nodes, ", ") }

func (e neverDead) Check(r *report.Report) (bool, string) {
	watch := map[string]bool{}
	for _, n := range e.nodes {
		watch[n] = true
	}
	var seen []string
	for _, ev := range r.Events {
		if ev.To == "dead" && watch[ev.Node] {
			s := fmt.Sprintf("%s declared dead at %s", ev.Node, clock(ev.TMs))
			if ev.Reason != "" {
				s += " (" + ev.Reason + ")"
			}
			seen = append(seen, s)
		}
	}
	if len(seen) == 0 {
		return true, "no dead declaration for " + strings.Join(e.nodes, ", ")
	}
	const most = 3 // keep the verdict one readable line
	more := ""
	if len(seen) > most {
		more = fmt.Sprintf("; and %d more", len(seen)-most)
		seen = seen[:most]
	}
	return false, strings.Join(seen, "; ") + more
}
