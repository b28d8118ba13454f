package expect

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/hint"
)

// kind is one form of expectation: the field that names it, the other
// fields it accepts, and how to build it.
type kind struct {
	extra []string // fields allowed besides the kind's own
	parse func(a *args) (Expectation, error)
}

// kinds is the registry of expectation forms. A new form is one entry here
// and one file with its parser and checker.
func kinds() map[string]kind {
	return map[string]kind{
		"dead":             {extra: []string{"within"}, parse: parseDead},
		"decommissioned":   {extra: []string{"within"}, parse: parseDecommissioned},
		"never_dead":       {parse: parseNeverDead},
		"false_positives":  {extra: []string{"detector"}, parse: parseFalsePositives},
		"metric":           {extra: []string{"min", "max"}, parse: parseMetric},
		"no_data_loss":     {parse: parseNoDataLoss},
		"recovered_within": {parse: parseRecoveredWithin},
		"failed_reads":     {parse: parseFailedReads},
		"read_p99_below":   {parse: parseReadP99Below},
	}
}

// Kinds returns the names of every expectation form, sorted.
func Kinds() []string {
	var names []string
	for k := range kinds() {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Parse builds an expectation from one decoded YAML mapping. Values are
// plain decoded YAML (string, int, float64, bool, []any, map[string]any;
// durations as strings). nodes are the scenario's DataNode ids; naming any
// other node is an error. Errors are *FieldError.
func Parse(fields map[string]any, nodes []string) (Expectation, error) {
	reg := kinds()
	var found []string
	for k := range fields {
		if _, ok := reg[k]; ok {
			found = append(found, k)
		}
	}
	sort.Strings(found)
	switch {
	case len(found) == 0:
		field := ""
		if keys := sortedKeys(fields); len(keys) > 0 {
			field = keys[0]
		}
		if dym := hint.DidYouMean(field, Kinds()); dym != "" {
			return nil, fieldErrorf(hint.Clip(field), "unknown expectation; %s", dym)
		}
		return nil, fieldErrorf(hint.Clip(field), "unknown expectation; want one of %s", strings.Join(Kinds(), ", "))
	case len(found) > 1:
		return nil, fieldErrorf(found[1], "one expectation per entry, got %s", strings.Join(found, " and "))
	}
	name := found[0]
	k := reg[name]
	allowed := map[string]bool{name: true}
	for _, e := range k.extra {
		allowed[e] = true
	}
	for _, f := range sortedKeys(fields) {
		if !allowed[f] {
			want := "no other field"
			if len(k.extra) > 0 {
				want = "only " + strings.Join(k.extra, ", ")
			}
			if dym := hint.DidYouMean(f, k.extra); dym != "" {
				want += "; " + dym
			}
			return nil, fieldErrorf(hint.Clip(f), "unknown field for %s (it takes %s)", name, want)
		}
	}
	return k.parse(&args{kind: name, fields: fields, nodes: nodes})
}

// args gives a kind's parser typed access to its fields with errors that
// name the field.
type args struct {
	kind   string
	fields map[string]any
	nodes  []string
}

func (a *args) has(f string) bool { _, ok := a.fields[f]; return ok }

func (a *args) node(field string, v any) (string, error) {
	s, ok := v.(string)
	if !ok || s == "" {
		return "", fieldErrorf(field, "must be a DataNode id, got %s", describe(v))
	}
	for _, n := range a.nodes {
		if n == s {
			return s, nil
		}
	}
	return "", fieldErrorf(field, "unknown DataNode %s (cluster has %s)", hint.Quote(s), clusterSummary(a.nodes))
}

// nodeList accepts one id or a list of ids.
func (a *args) nodeList(field string) ([]string, error) {
	v := a.fields[field]
	list, isList := v.([]any)
	if !isList {
		n, err := a.node(field, v)
		if err != nil {
			return nil, err
		}
		return []string{n}, nil
	}
	if len(list) == 0 {
		return nil, fieldErrorf(field, "must name at least one DataNode")
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(list))
	for i, item := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		n, err := a.node(f, item)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, fieldErrorf(f, "%s is listed twice", n)
		}
		seen[n] = true
		out = append(out, n)
	}
	return out, nil
}

func (a *args) duration(field string) (time.Duration, error) {
	v, ok := a.fields[field]
	if !ok {
		return 0, fieldErrorf(a.kind, "needs %s (a duration such as 35s)", field)
	}
	s, ok := v.(string)
	if !ok {
		return 0, fieldErrorf(field, "must be a duration with a unit, such as 35s, got %s", describe(v))
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fieldErrorf(field, "must be a duration with a unit, such as 35s, got %s", hint.Quote(s))
	}
	if d <= 0 {
		return 0, fieldErrorf(field, "must be a positive duration, got %s", d)
	}
	return d, nil
}

func (a *args) number(field string) (float64, error) {
	f, ok := toFloat(a.fields[field])
	if !ok {
		return 0, fieldErrorf(field, "must be a number, got %s", describe(a.fields[field]))
	}
	return f, nil
}

// count reads a whole number ≥ 0 from v.
func count(field string, v any) (int, error) {
	f, ok := toFloat(v)
	if !ok || f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
		return 0, fieldErrorf(field, "must be a whole number ≥ 0, got %s", describe(v))
	}
	return int(f), nil
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing (null)"
	case string:
		return hint.Quote(x)
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprint(v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// clusterSummary names the cluster compactly: "dn1..dn5" when the ids are
// the generated sequence, else the list.
func clusterSummary(nodes []string) string {
	if len(nodes) == 0 {
		return "no DataNodes"
	}
	seq := true
	for i, n := range nodes {
		if n != fmt.Sprintf("dn%d", i+1) {
			seq = false
			break
		}
	}
	if seq && len(nodes) > 2 {
		return fmt.Sprintf("dn1..dn%d", len(nodes))
	}
	return strings.Join(nodes, ", ")
}

// bounds is an optional min and max.
type bounds struct {
	min, max       float64
	hasMin, hasMax bool
}

func (b bounds) holds(v float64) bool {
	return (!b.hasMin || v >= b.min) && (!b.hasMax || v <= b.max)
}

func (b bounds) String() string {
	switch {
	case b.hasMin && b.hasMax && b.min == b.max:
		return "= " + num(b.min)
	case b.hasMin && b.hasMax:
		return fmt.Sprintf("between %s and %s", num(b.min), num(b.max))
	case b.hasMin:
		return "≥ " + num(b.min)
	default:
		return "≤ " + num(b.max)
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
