package expect

import (
	"fmt"
	"strings"

	"github.com/hbsim/hbsim/pkg/report"
)

// falsePositives bounds the number of dead declarations of live processes,
// summed over nodes: {false_positives: 0} or {false_positives: {min: 1}}.
// With detector: it counts that detector's mistakes, acting or watching.
type falsePositives struct {
	b        bounds
	detector string
}

func parseFalsePositives(a *args) (Expectation, error) {
	e, err := parseFalsePositiveBounds(a)
	if err != nil || !a.has("detector") {
		return e, err
	}
	d, ok := a.fields["detector"].(string)
	if !ok || d == "" {
		return nil, fieldErrorf("detector", "must name a detector such as missed-count, got %s", describe(a.fields["detector"]))
	}
	fp := e.(falsePositives)
	fp.detector = d
	return fp, nil
}

func parseFalsePositiveBounds(a *args) (Expectation, error) {
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

func (e falsePositives) Name() string {
	if e.detector != "" {
		return e.detector + " false positives " + e.b.String()
	}
	return "false positives " + e.b.String()
}

func (e falsePositives) Check(r *report.Report) (bool, string) {
	if e.detector != "" {
		q, ok := r.QoS[e.detector]
		if !ok {
			return false, fmt.Sprintf("detector %s did not watch this run (detectors: %s)", e.detector, strings.Join(r.Detectors, ", "))
		}
		return e.b.holds(float64(q.Mistakes)), fmt.Sprintf("%s made %d %s (live nodes declared dead)", e.detector, q.Mistakes, plural(q.Mistakes, "mistake"))
	}
	total := 0
	var per []string
	for _, n := range r.Nodes {
		total += n.FalsePositives
		if n.FalsePositives > 0 {
			per = append(per, fmt.Sprintf("%s %d", n.ID, n.FalsePositives))
		}
	}
	detail := fmt.Sprintf("%d false %s", total, plural(total, "positive"))
	if len(per) > 0 {
		detail += " (" + strings.Join(per, ", ") + ")"
	}
	return e.b.holds(float64(total)), detail
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
