package config

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/hbsim/hbsim/pkg/network"
)

// Latency is a distribution of one-way network delays: package network's,
// which samples it the same way in the simulator and the live proxy.
type Latency = network.Latency

// Constant is a fixed delay.
func Constant(d time.Duration) Latency { return network.Constant(d) }

// MaxLatency is the longest one-way delay: package network caps every draw
// there (TestMaxLatencyIsNetworksCap), so a longer setting would be
// silently shortened; it is refused instead.
const MaxLatency = time.Hour

// latencyFields lists, per distribution, the fields it needs.
var latencyFields = map[string][]string{
	"constant":  {"value"},
	"uniform":   {"min", "max"},
	"normal":    {"mean", "stddev"},
	"lognormal": {"median", "p99"},
	"pareto":    {"min", "alpha"},
}

func distNames() []string {
	names := make([]string, 0, len(latencyFields))
	for n := range latencyFields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParseLatency reads a latency given as a plain value (from YAML or the
// command line): a duration, or a mapping naming a distribution.
func ParseLatency(raw any) (Latency, error) { return toLatency(raw) }

// toLatency reads a latency written as a duration ("2ms") or a mapping
// ({dist: lognormal, median: 2ms, p99: 20ms}).
func toLatency(raw any) (Latency, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		d, err := toDuration(raw)
		if err != nil {
			return Latency{}, fmt.Errorf("must be a duration such as 2ms or a distribution such as {dist: lognormal, median: 2ms, p99: 20ms}: %w", err)
		}
		return Constant(d), checkLatency(Constant(d))
	}
	dist, _ := m["dist"].(string)
	need, ok := latencyFields[dist]
	if !ok {
		return Latency{}, fmt.Errorf("dist must be one of %v, got %s", distNames(), describe(m["dist"]))
	}
	l := Latency{Dist: dist}
	for k, v := range m {
		if k == "dist" {
			continue
		}
		if !slices.Contains(need, k) {
			return Latency{}, fmt.Errorf("%s: not a field of a %s distribution (want %v)", k, dist, need)
		}
		if k == "alpha" {
			f, err := toFloat(v)
			if err != nil {
				return Latency{}, fmt.Errorf("alpha: %w", err)
			}
			l.Alpha = f
			continue
		}
		d, err := toDuration(v)
		if err != nil {
			return Latency{}, fmt.Errorf("%s: %w", k, err)
		}
		*latencyField(&l, k) = d
	}
	for _, k := range need {
		if _, ok := m[k]; !ok {
			return Latency{}, fmt.Errorf("a %s distribution needs %v; %s is missing", dist, need, k)
		}
	}
	return l, checkLatency(l)
}

func latencyField(l *Latency, name string) *time.Duration {
	switch name {
	case "value":
		return &l.Value
	case "min":
		return &l.Min
	case "max":
		return &l.Max
	case "mean":
		return &l.Mean
	case "stddev":
		return &l.Stddev
	case "median":
		return &l.Median
	default:
		return &l.P99
	}
}

func checkLatency(l Latency) error {
	if l.Dist == "constant" && l.Value < 0 {
		return fmt.Errorf("must not be negative, got %s", l.Value)
	}
	if l.Dist == "constant" && l.Value > MaxLatency {
		return fmt.Errorf("%s is too long: a one-way delay is at most %s", l.Value, MaxLatency)
	}
	for _, k := range latencyFields[l.Dist] {
		if k == "alpha" {
			continue
		}
		if d := *latencyField(&l, k); d < 0 {
			return fmt.Errorf("%s must not be negative, got %s", k, d)
		} else if d > MaxLatency {
			return fmt.Errorf("%s %s is too long: a one-way delay is at most %s", k, d, MaxLatency)
		}
	}
	switch l.Dist {
	case "uniform":
		if l.Max < l.Min {
			return fmt.Errorf("max %s is below min %s", l.Max, l.Min)
		}
	case "lognormal":
		if l.Median <= 0 || l.P99 < l.Median {
			return fmt.Errorf("needs 0 < median ≤ p99, got median %s, p99 %s", l.Median, l.P99)
		}
	case "pareto":
		if l.Min <= 0 || !(l.Alpha > 0) || math.IsInf(l.Alpha, 0) {
			return fmt.Errorf("needs min > 0 and alpha > 0, got min %s, alpha %v", l.Min, l.Alpha)
		}
	}
	return nil
}

// plainLatency renders l the way a scenario writes it.
func plainLatency(l Latency) any {
	if l.Dist == "constant" || l.Dist == "" {
		return l.Value.String()
	}
	out := map[string]any{"dist": l.Dist}
	for _, k := range latencyFields[l.Dist] {
		if k == "alpha" {
			out[k] = l.Alpha
		} else {
			out[k] = latencyField(&l, k).String()
		}
	}
	return out
}
