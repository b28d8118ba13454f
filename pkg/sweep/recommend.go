package sweep

import (
	"fmt"
	"sort"
)

// Curve is one line of the trade-off: the points that share the values
// of the params after the first, in the order of the first param.
type Curve struct {
	// Name is those params as key=value ("heartbeat.interval=1s"), or
	// the first param's key when it is the only one.
	Name string
	// Rest are the values of the params after the first.
	Rest []string
	// Points index Result.Points, by the first param's value.
	Points []int
	// Recommended indexes the point the recommendation names: the
	// smallest value of the first param with no false positive in any
	// seed; -1 when every value had some.
	Recommended int
}

// Curves groups the points into curves, in grid order.
func (r *Result) Curves() []Curve {
	if len(r.Params) == 0 {
		return nil
	}
	var out []Curve
	byRest := map[string]int{}
	for i, p := range r.Points {
		k := label(r.Params[1:], p.Values[1:])
		c, ok := byRest[k]
		if !ok {
			name := r.Params[0].Key
			if len(r.Params) > 1 {
				name = k
			}
			c = len(out)
			byRest[k] = c
			out = append(out, Curve{Name: name, Rest: p.Values[1:], Recommended: -1})
		}
		out[c].Points = append(out[c].Points, i)
	}
	for k := range out {
		pts := out[k].Points
		sort.SliceStable(pts, func(i, j int) bool { return less(r.Points[pts[i]].Values[0], r.Points[pts[j]].Values[0]) })
		for _, i := range pts {
			if r.Points[i].FalsePositives == 0 {
				out[k].Recommended = i
				break
			}
		}
	}
	return out
}

// recommend states, for each curve (each combination of the other
// params), the smallest value of the first param with no false positive
// in any seed: the most eager setting the sweep found safe.
func recommend(r *Result) []string {
	var out []string
	for _, c := range r.Curves() {
		first := r.Params[0].Key
		suffix := ""
		if len(r.Params) > 1 {
			suffix = " (" + c.Name + ")"
		}
		if c.Recommended < 0 {
			out = append(out, fmt.Sprintf("every %s tried had false positives in %s%s", first, seeds(r.Seeds), suffix))
			continue
		}
		out = append(out, fmt.Sprintf("smallest %s with no false positive in %s: %s%s",
			first, seeds(r.Seeds), r.Points[c.Recommended].Values[0], suffix))
	}
	return out
}

// less orders values by size when both are numbers or durations, else
// keeps them as given.
func less(a, b string) bool {
	x, okA := numeric(a)
	y, okB := numeric(b)
	return okA && okB && x < y
}

func seeds(n int) string {
	if n == 1 {
		return "1 seed"
	}
	return fmt.Sprintf("%d seeds", n)
}
