package expect

import (
	"fmt"
	"strings"

	"github.com/hbsim/hbsim/pkg/report"
)

// falsePositives bounds the number of dead declarations of live processes,
// summed over nodes: {false_positives: 0} or {false_positives: {min: 1}}.
type falsePositives struct{ b bounds }

func parseFalsePositives(a *args) (Expectation, error) {
	const f = "false_positives"
	v := a.fields[f]
	m, isMap := v.(map[string]any)
	if !isMap {
		n, err := count(f, v)
		if err != nil {
			return nil, err
		}
		return falsePositives{b: bounds{min: float64(n), max: float64(n), hasMin: true, hasMax: true}}, nil
	}
	var b bounds
	for _, k := range sortedKeys(m) {
		field := f + "." + k
		n, err := count(field, m[k])
		switch {
		case k != "min" && k != "max":
			return nil, fieldErrorf(field, "unknown field (want min and/or max)")
		case err != nil:
			return nil, err
		case k == "min":
			b.min, b.hasMin = float64(n), true
		default:
			b.max, b.hasMax = float64(n), true
		}
	}
	if !b.hasMin && !b.hasMax {
		return nil, fieldErrorf(f, "needs a count, or min and/or max")
	}
	if b.hasMin && b.hasMax && b.min > b.max {
		return nil, fieldErrorf(f, "min %s is above max %s", num(b.min), num(b.max))
	}
	return falsePositives{b: b}, nil
}

func (e falsePositives) Name() string { return "false positives " + e.b.String() }

func (e falsePositives) Check(r *report.Report) (bool, string) {
	total := 0
	var per []string
	for _, n := range r.Nodes {
		total += n.FalsePositives
		if n.FalsePositives > 0 {
			per = append(per, fmt.Sprintf("%s %d", n.ID, n.FalsePositives))
		}
	}
	detail := fmt.Sprintf("%d false positives", total)
	if len(per) > 0 {
		detail += " (" + strings.Join(per, ", ") + ")"
	}
	return e.b.holds(float64(total)), detail
}
