package sweep

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/hint"
)

// maxValues bounds one parameter's values: 1..1000000 is a typo, not a
// sweep anyone wants to wait for.
const maxValues = 1000

// Param is one swept setting and the values it takes, as --set would
// write them.
type Param struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// ParseParam reads KEY=SPEC, SPEC being an integer range a..b (both ends
// included), a comma list (1s,3s or 0.5,1) or a single value. Whether a
// value suits the key is checked later, by the scenario loader, with the
// same messages as --set; the key is checked here, before any run.
func ParseParam(s string) (Param, error) {
	key, spec, ok := strings.Cut(s, "=")
	key, spec = strings.TrimSpace(key), strings.TrimSpace(spec)
	if !ok || key == "" || spec == "" {
		return Param{}, fmt.Errorf("param %q: want KEY=A..B or KEY=V1,V2,... such as heartbeat.miss_threshold=2..12", s)
	}
	if err := config.CheckKey(key); err != nil {
		return Param{}, fmt.Errorf("param %s: %w", hint.Clip(key), err)
	}
	p := Param{Key: key}
	if lo, hi, ok := strings.Cut(spec, ".."); ok {
		a, errA := strconv.Atoi(strings.TrimSpace(lo))
		b, errB := strconv.Atoi(strings.TrimSpace(hi))
		switch {
		case errA != nil || errB != nil:
			return Param{}, fmt.Errorf("param %s: range %q: want whole numbers such as 2..12", key, spec)
		case a > b:
			return Param{}, fmt.Errorf("param %s: range %q is empty: %d is above %d", key, spec, a, b)
		case b-a+1 > maxValues:
			return Param{}, fmt.Errorf("param %s: range %q has %d values, more than %d", key, spec, b-a+1, maxValues)
		}
		for v := a; v <= b; v++ {
			p.Values = append(p.Values, strconv.Itoa(v))
		}
		return p, nil
	}
	seen := map[string]bool{}
	for _, v := range strings.Split(spec, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			return Param{}, fmt.Errorf("param %s: %q has an empty value", key, spec)
		}
		if seen[v] {
			return Param{}, fmt.Errorf("param %s: value %s given twice", key, v)
		}
		seen[v] = true
		p.Values = append(p.Values, v)
	}
	if len(p.Values) > maxValues {
		return Param{}, fmt.Errorf("param %s: %d values, more than %d", key, len(p.Values), maxValues)
	}
	return p, nil
}

// ParseParams reads every --param, rejecting a key swept twice.
func ParseParams(specs []string) ([]Param, error) {
	var out []Param
	seen := map[string]bool{}
	for _, s := range specs {
		p, err := ParseParam(s)
		if err != nil {
			return nil, err
		}
		if seen[p.Key] {
			return nil, fmt.Errorf("param %s given twice; list all its values in one --param", p.Key)
		}
		seen[p.Key] = true
		out = append(out, p)
	}
	return out, nil
}

// numeric orders values: numbers and durations by size, so "smallest"
// means what it says for 2..12 and for 500ms,1s,3s alike.
func numeric(v string) (float64, bool) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return f, true
	}
	if d, err := time.ParseDuration(v); err == nil {
		return float64(d), true
	}
	return 0, false
}
