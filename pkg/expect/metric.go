package expect

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hbsim/hbsim/pkg/hint"
	"github.com/hbsim/hbsim/pkg/report"
)

// metric bounds any number in the JSON form of the report:
// {metric: nodes.dn3.detection_ms, max: 35000}. It walks the marshalled
// report rather than the Go structs so fields added to the report later are
// reachable without touching this package.
//
// Path segments are JSON keys, except that the segment after "nodes" is a
// node id and a segment into any other list is an index. "totals.FIELD" is
// FIELD summed over all nodes.
type metric struct {
	path []string
	b    bounds
}

func parseMetric(a *args) (Expectation, error) {
	s, ok := a.fields["metric"].(string)
	if !ok || strings.TrimSpace(s) == "" {
		return nil, fieldErrorf("metric", "must be a dotted path into the JSON report such as nodes.dn3.detection_ms, got %s", describe(a.fields["metric"]))
	}
	path := strings.Split(s, ".")
	for _, seg := range path {
		if seg == "" {
			return nil, fieldErrorf("metric", "path %q has an empty segment", s)
		}
	}
	if err := checkPath(path, a.nodes); err != nil {
		return nil, &FieldError{Field: "metric", Err: err}
	}
	var b bounds
	var err error
	if a.has("min") {
		if b.min, err = a.number("min"); err != nil {
			return nil, err
		}
		b.hasMin = true
	}
	if a.has("max") {
		if b.max, err = a.number("max"); err != nil {
			return nil, err
		}
		b.hasMax = true
	}
	if !b.hasMin && !b.hasMax {
		return nil, fieldErrorf("metric", "needs min, max or both")
	}
	if b.hasMin && b.hasMax && b.min > b.max {
		return nil, fieldErrorf("min", "%s is above max %s", num(b.min), num(b.max))
	}
	return metric{path: path, b: b}, nil
}

func (m metric) Name() string { return strings.Join(m.path, ".") + " " + m.b.String() }

func (m metric) Check(r *report.Report) (bool, string) {
	p := strings.Join(m.path, ".")
	doc, err := toJSONTree(r)
	if err != nil {
		return false, fmt.Sprintf("cannot read the report: %v", err)
	}
	v, err := walk(doc, m.path)
	if err != nil {
		return false, fmt.Sprintf("%s: %v", p, err)
	}
	switch x := v.(type) {
	case nil:
		return false, p + " is null: the run produced no value for it"
	case float64:
		cmp := "want"
		if !m.b.holds(x) {
			cmp = "but want"
		}
		return m.b.holds(x), fmt.Sprintf("%s = %s, %s %s", p, num(x), cmp, m.b)
	default:
		return false, fmt.Sprintf("%s is %s, not a number", p, describe(x))
	}
}

// toJSONTree marshals r and decodes it generically, adding "totals": every
// numeric node field summed over the nodes (nulls skipped; null if no node
// has a value).
func toJSONTree(r *report.Report) (map[string]any, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("marshal report: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	if _, taken := doc["totals"]; !taken {
		doc["totals"] = totals(doc["nodes"])
	}
	return doc, nil
}

func totals(nodes any) map[string]any {
	sum := map[string]any{}
	list, _ := nodes.([]any)
	for _, n := range list {
		obj, _ := n.(map[string]any)
		for k, v := range obj {
			f, isNum := v.(float64)
			prev, seen := sum[k]
			switch {
			case isNum:
				p, _ := prev.(float64)
				sum[k] = p + f
			case !seen && v == nil:
				sum[k] = nil
			}
		}
	}
	return sum
}

// walk follows path through a decoded JSON document.
func walk(v any, path []string) (any, error) {
	for i, seg := range path {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[seg]
			if !ok {
				return nil, fmt.Errorf("no %s in the report (there: %s)", hint.Quote(seg), strings.Join(keysOf(x), ", "))
			}
			v = next
		case []any:
			next, err := index(x, seg, i > 0 && path[i-1] == "nodes")
			if err != nil {
				return nil, err
			}
			v = next
		case nil:
			return nil, nil
		default:
			return nil, fmt.Errorf("%s is a %s, it has no %s", strings.Join(path[:i], "."), describe(x), hint.Quote(seg))
		}
	}
	return v, nil
}

// index picks an element of a list: by node id in "nodes", else by number.
func index(list []any, seg string, byID bool) (any, error) {
	if byID {
		for _, e := range list {
			if obj, ok := e.(map[string]any); ok && obj["id"] == seg {
				return e, nil
			}
		}
		return nil, fmt.Errorf("no node %s in the report", hint.Quote(seg))
	}
	i, err := strconv.Atoi(seg)
	if err != nil || i < 0 {
		return nil, fmt.Errorf("%s is not a list index", hint.Quote(seg))
	}
	if i >= len(list) {
		return nil, fmt.Errorf("index %d is past the end of a list of %d", i, len(list))
	}
	return list[i], nil
}

// checkPath rejects at parse time paths no report can satisfy: unknown node
// ids and misspelt field names. It walks a report with one of everything;
// where that shape ends (a null, an empty map), anything goes.
func checkPath(path, nodes []string) error {
	if len(path) >= 2 && path[0] == "nodes" {
		if !contains(nodes, path[1]) {
			return fmt.Errorf("unknown DataNode %s (cluster has %s)", hint.Quote(path[1]), clusterSummary(nodes))
		}
	}
	shape, err := toJSONTree(shapeReport())
	if err != nil {
		return err
	}
	v := any(shape)
	for i, seg := range path {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 {
				return nil
			}
			next, ok := x[seg]
			if !ok {
				if dym := hint.DidYouMean(seg, keysOf(x)); dym != "" {
					return fmt.Errorf("no field %s at %s; %s", hint.Quote(seg), where(path[:i]), dym)
				}
				return fmt.Errorf("no field %s at %s (known: %s)", hint.Quote(seg), where(path[:i]), strings.Join(keysOf(x), ", "))
			}
			v = next
		case []any:
			if i > 0 && path[i-1] == "nodes" {
				v = x[0] // the id was checked above
				continue
			}
			if n, err := strconv.Atoi(seg); err != nil || n < 0 {
				return fmt.Errorf("%s at %s must be a list index", hint.Quote(seg), where(path[:i]))
			}
			v = x[0]
		case nil:
			return nil
		default:
			return fmt.Errorf("%s is a number or text; it has no %s", where(path[:i]), hint.Quote(seg))
		}
	}
	return nil
}

// shapeReport has one element in every list so checkPath can see every
// field name.
func shapeReport() *report.Report {
	return &report.Report{
		Config:       map[string]any{},
		Events:       []report.Event{{}},
		Nodes:        []report.Node{{ID: "shape", Crashes: []report.Crash{{}}}},
		Expectations: []report.Expectation{{}},
		Series:       []report.Sample{{}},
		// Optional sections appear only in some runs; the shape has them
		// all, so their paths are accepted everywhere.
		Gossip: &report.Gossip{Convergence: []report.Convergence{{}}},
		Blocks: &report.Blocks{},
		IO:     &report.IO{},
	}
}

func where(path []string) string {
	if len(path) == 0 {
		return "the top of the report"
	}
	return strings.Join(path, ".")
}

func keysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
