package htmlreport

import (
	"sort"
	"strings"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// maxDisagreements bounds the list: past it the page says how many more.
const maxDisagreements = 60

// disagreement is a stretch of time during which the detectors that
// judged one node's heartbeats did not all believe the same.
type disagreement struct {
	Node     string
	From, To string
	For      string
	// Views are the detectors' beliefs, in the report's detector order.
	Views []verdictCell
	// Truth is what the process was really doing.
	Truth string
}

type verdictCell struct {
	State string
	Class string
	// Wrong marks a belief the ground truth contradicts: dead while the
	// process ran, live while it was killed.
	Wrong bool
}

// disagreements lists, for runs with several detectors, every stretch in
// which they disagreed about a node, in time order, and how many were
// left out past maxDisagreements.
func disagreements(r *report.Report) ([]disagreement, int) {
	if len(r.Detectors) < 2 {
		return nil, 0
	}
	var out []disagreement
	for _, n := range r.Spans() {
		views := [][]report.Span{n.View}
		for _, w := range n.Watchers {
			views = append(views, w.View)
		}
		var cuts []float64
		for _, v := range views {
			for _, s := range v {
				cuts = append(cuts, s.FromMs, s.ToMs)
			}
		}
		sort.Float64s(cuts)
		var open *disagreement
		var openKey string
		var openFrom float64
		flush := func(to float64) {
			if open != nil {
				open.To, open.For = r.Clock(to), vtime.Seconds(duration(to-openFrom))
				out = append(out, *open)
				open = nil
			}
		}
		for k := 0; k+1 < len(cuts); k++ {
			a, b := cuts[k], cuts[k+1]
			if b <= a {
				continue
			}
			mid := (a + b) / 2
			states := make([]string, len(views))
			same := true
			for i, v := range views {
				states[i] = stateAt(v, mid)
				same = same && states[i] == states[0]
			}
			key := strings.Join(states, "\x00")
			if same {
				flush(a)
				continue
			}
			if open != nil && key == openKey {
				continue
			}
			flush(a)
			truth := truthAt(n.Truth, mid)
			d := disagreement{Node: n.ID, From: r.Clock(a), Truth: truth}
			killed := strings.Contains(truth, report.BandKilled)
			for _, s := range states {
				c := bandClass[s]
				if c == "" {
					c = "b-none"
				}
				name := s
				if s == report.ViewUnregistered {
					name = "not registered"
				}
				d.Views = append(d.Views, verdictCell{State: name, Class: c,
					Wrong: s == report.ViewDead && !killed || s == report.ViewLive && killed})
			}
			open, openKey, openFrom = &d, key, a
		}
		if len(cuts) > 0 {
			flush(cuts[len(cuts)-1])
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].From < out[b].From })
	if len(out) > maxDisagreements {
		return out[:maxDisagreements], len(out) - maxDisagreements
	}
	return out, 0
}

func stateAt(spans []report.Span, ms float64) string {
	for _, s := range spans {
		if s.FromMs <= ms && ms < s.ToMs {
			return s.State
		}
	}
	return report.ViewUnregistered
}

// truthAt names the faults in progress at ms, or "running".
func truthAt(spans []report.Span, ms float64) string {
	var in []string
	for _, s := range spans {
		if s.FromMs <= ms && ms < s.ToMs && !contains(in, s.State) {
			in = append(in, s.State)
		}
	}
	if len(in) == 0 {
		return "running"
	}
	return strings.Join(in, ", ")
}
