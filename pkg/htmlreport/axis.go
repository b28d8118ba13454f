package htmlreport

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Every drawing across the run's time (timeline rows, charts) is an SVG
// stretched to the width of the page (preserveAspectRatio none), its x in
// thousandths of the run: the same time lands at the same x in every
// drawing at every window width, and the labels, which live in HTML
// beside and under the drawings, keep their size in CSS pixels (at least
// 11px, at 800px as at 1400px). Vertical units are pixels.
const spanW = 1000.0

// xScale maps milliseconds since the start to x in [0, spanW].
type xScale struct{ totalMs float64 }

func (s xScale) x(ms float64) float64 {
	if s.totalMs <= 0 {
		return 0
	}
	return round1(math.Min(math.Max(ms, 0), s.totalMs) / s.totalMs * spanW)
}

// tick is one labelled position on an axis.
type tick struct {
	Pos   float64
	Label string
}

// Pct is a tick's position as a share of the width, for HTML labels.
func (t tick) Pct() string { return num(t.Pos / spanW * 100) }

// timeTicks picks round times (10s, 1m, 5m...) giving 4 to 8 labels: few
// enough to stay apart on an 800px page.
func timeTicks(s xScale) []tick {
	steps := []time.Duration{
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
		time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	}
	total := time.Duration(s.totalMs * float64(time.Millisecond))
	step := steps[len(steps)-1]
	for _, st := range steps {
		if total/st <= 8 {
			step = st
			break
		}
	}
	var out []tick
	for t := time.Duration(0); t <= total; t += step {
		out = append(out, tick{Pos: s.x(float64(t) / float64(time.Millisecond)), Label: short(t)})
	}
	return out
}

// short renders a duration as people say it: "0s", "45s", "1m30s", "2h".
func short(d time.Duration) string {
	if d < time.Minute {
		return num(d.Seconds()) + "s"
	}
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// niceStep is the y-axis step for values up to top: 1, 2 or 5 times a
// power of ten, giving at most five steps; whole numbers for counts, so a
// chart of nodes never shows 3.75 of them.
func niceStep(top float64, integral bool) float64 {
	if top <= 0 {
		return 1
	}
	for p := math.Pow(10, math.Floor(math.Log10(top/5))); ; p *= 10 {
		for _, m := range []float64{1, 2, 5} {
			step := m * p
			if integral && step < 1 {
				continue
			}
			if top/step <= 5 {
				return step
			}
		}
	}
}

// round1 keeps coordinates to a tenth of a unit: finer is invisible and
// only makes the file bigger.
func round1(v float64) float64 { return math.Round(v*10) / 10 }

// num formats a number without float noise or trailing zeros.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}
