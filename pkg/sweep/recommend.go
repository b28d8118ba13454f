package sweep

import (
	"fmt"
	"sort"
)

// recommend states, for each curve (each combination of the other
// params), the smallest value of the first param with no false positive
// in any seed: the most eager setting the sweep found safe.
func recommend(r *Result) []string {
	if len(r.Params) == 0 {
		return nil
	}
	first := r.Params[0]
	type curve struct {
		rest   []string
		points []Point
	}
	var curves []*curve
	byRest := map[string]*curve{}
	for _, p := range r.Points {
		k := label(r.Params[1:], p.Values[1:])
		c, ok := byRest[k]
		if !ok {
			c = &curve{rest: p.Values[1:]}
			byRest[k] = c
			curves = append(curves, c)
		}
		c.points = append(c.points, p)
	}
	var out []string
	for _, c := range curves {
		pts := c.points
		sort.SliceStable(pts, func(i, j int) bool { return less(pts[i].Values[0], pts[j].Values[0]) })
		suffix := ""
		if len(r.Params) > 1 {
			suffix = " (" + label(r.Params[1:], c.rest) + ")"
		}
		found := false
		for _, p := range pts {
			if p.FalsePositives == 0 {
				out = append(out, fmt.Sprintf("smallest %s with no false positive in %s: %s%s",
					first.Key, seeds(r.Seeds), p.Values[0], suffix))
				found = true
				break
			}
		}
		if !found {
			out = append(out, fmt.Sprintf("every %s tried had false positives in %s%s",
				first.Key, seeds(r.Seeds), suffix))
		}
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
