package sweep

import (
	"math"
	"time"

	"github.com/hbsim/hbsim/pkg/qos"
)

// Result is a whole sweep: one Point per grid combination, in grid order.
type Result struct {
	Scenario  string  `json:"scenario"`
	Path      string  `json:"path"`
	Detector  string  `json:"detector"`
	Params    []Param `json:"params"`
	FirstSeed int64   `json:"first_seed"`
	Seeds     int     `json:"seeds"`
	Points    []Point `json:"points"`
	// Recommendations are the closing sentences, one per curve.
	Recommendations []string `json:"recommendations"`
}

// Point is one grid combination's metrics pooled over every seed. Times
// are milliseconds as in the JSON report; null when nothing was measured.
type Point struct {
	// Values are the params' values, in the order of Result.Params.
	Values   []string `json:"values"`
	Runs     int      `json:"runs"`
	Crashes  int      `json:"crashes"`
	Detected int      `json:"detected"`
	// DetectionP50Ms and DetectionP99Ms are over every detected crash of
	// every seed.
	DetectionP50Ms *float64 `json:"detection_p50_ms"`
	DetectionP99Ms *float64 `json:"detection_p99_ms"`
	// FalsePositives counts mistakes over all seeds; SeedsWithFP how many
	// seeds had at least one.
	FalsePositives int `json:"false_positives"`
	SeedsWithFP    int `json:"seeds_with_false_positives"`
	// FalsePositivesPerHour is λ_M: all mistakes over all process uptime.
	FalsePositivesPerHour float64 `json:"false_positives_per_hour"`
	// MistakeDurationMs is the mean T_M, false death to correction.
	MistakeDurationMs *float64 `json:"mistake_duration_ms"`
	// PA is the query accuracy probability over all uptime.
	PA             float64 `json:"p_a"`
	MessagesPerSec float64 `json:"messages_per_sec"`
	// Pareto marks points no other point beats on both detection p99
	// and false positives per hour.
	Pareto bool `json:"pareto"`
}

// aggregate pools a point's samples.
func aggregate(vals []string, samples []sample) Point {
	var pooled qos.Result
	var messages int64
	var span time.Duration
	p := Point{Values: vals, Runs: len(samples)}
	for _, s := range samples {
		pooled.Crashes += s.q.Crashes
		pooled.Detected += s.q.Detected
		pooled.Detection = append(pooled.Detection, s.q.Detection...)
		pooled.Mistakes += s.q.Mistakes
		pooled.MistakeDurations = append(pooled.MistakeDurations, s.q.MistakeDurations...)
		pooled.Uptime += s.q.Uptime
		pooled.Suspected += s.q.Suspected
		messages += s.messages
		span += s.span
		if s.q.Mistakes > 0 {
			p.SeedsWithFP++
		}
	}
	p.Crashes, p.Detected, p.FalsePositives = pooled.Crashes, pooled.Detected, pooled.Mistakes
	if d, ok := qos.Percentile(pooled.Detection, 50); ok {
		p.DetectionP50Ms = msPtr(d)
	}
	if d, ok := qos.Percentile(pooled.Detection, 99); ok {
		p.DetectionP99Ms = msPtr(d)
	}
	if d, ok := qos.Mean(pooled.MistakeDurations); ok {
		p.MistakeDurationMs = msPtr(d)
	}
	p.FalsePositivesPerHour = round(pooled.MistakesPerHour(), 3)
	p.PA = round(pooled.PA(), 9)
	if span > 0 {
		p.MessagesPerSec = round(float64(messages)/span.Seconds(), 3)
	}
	return p
}

// markPareto sets Pareto on the points that minimise detection p99 and
// false positives per hour. A point that never detected a crash has no
// p99 and cannot be judged fast: it is left out.
func markPareto(points []Point) {
	for i := range points {
		a := &points[i]
		if a.DetectionP99Ms == nil {
			continue
		}
		a.Pareto = true
		for j, b := range points {
			if i == j || b.DetectionP99Ms == nil {
				continue
			}
			noWorse := *b.DetectionP99Ms <= *a.DetectionP99Ms && b.FalsePositivesPerHour <= a.FalsePositivesPerHour
			better := *b.DetectionP99Ms < *a.DetectionP99Ms || b.FalsePositivesPerHour < a.FalsePositivesPerHour
			if noWorse && better {
				a.Pareto = false
				break
			}
		}
	}
}

// msPtr converts to the report's unit, milliseconds to the microsecond.
func msPtr(d time.Duration) *float64 {
	ms := float64(d.Round(time.Microsecond)/time.Microsecond) / 1e3
	return &ms
}

func round(f float64, digits int) float64 {
	s := math.Pow(10, float64(digits))
	return math.Round(f*s) / s
}
