package htmlreport

import (
	"fmt"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/trace"
)

// Row geometry of the timeline, relative to a row's top.
const (
	rowH      = 48.0
	truthY    = 2.0 // ground-truth lane: killed, paused, partitioned
	truthH    = 6.0
	markH     = 8.0  // decision marks point down at the band, between the lanes
	viewY     = 18.0 // the NameNode's view: live, stale, dead
	viewH     = 16.0
	tickY     = 37.0 // heartbeat arrivals
	tickH     = 7.0
	axisSpace = 28.0 // under the rows, for time labels
)

// bandClass maps a state or ground-truth band to its CSS class. Every
// colour lives in the stylesheet, keyed by these classes.
var bandClass = map[string]string{
	report.ViewUnregistered: "b-none",
	report.ViewLive:         "b-live",
	report.ViewStale:        "b-stale",
	report.ViewDead:         "b-dead",
	report.BandKilled:       "b-killed",
	report.BandPaused:       "b-paused",
	report.BandPartitioned:  "b-partitioned",
}

type timeline struct {
	Height float64
	AxisY  float64
	Ticks  []tick
	Rows   []row
}

type row struct {
	ID     string
	Y      float64
	Bands  []rect
	Truth  []rect
	Ticks  string // one SVG path for every arrival: a handful of bytes each
	NTicks int
	Marks  []mark
}

type rect struct {
	X, W  float64
	Class string
	Title string
}

// mark flags a decision on the band: a triangle pointing at the moment.
type mark struct {
	Points string
	Class  string
	Title  string
}

func buildTimeline(r *report.Report, tr *trace.Trace, sentences []string) timeline {
	sc := xScale{r.DurationMs}
	arrivals := map[string][]time.Duration{}
	if tr != nil {
		for _, n := range tr.Nodes {
			arrivals[n.ID] = n.Arrivals
		}
	}
	spans := r.Spans()
	tl := timeline{Ticks: timeTicks(sc)}
	rowOf := map[string]int{}
	for i, n := range spans {
		rw := row{ID: n.ID, Y: float64(i) * rowH}
		rowOf[n.ID] = i
		for _, s := range n.View {
			class := bandClass[s.State]
			if class == "" {
				class = "b-other"
			}
			what := s.State
			if what == report.ViewUnregistered {
				what = "not registered"
			}
			if s.Mistake {
				class += " mistake"
				what += " (a false positive: the process was running)"
			}
			rw.Bands = append(rw.Bands, rect{X: sc.x(s.FromMs), W: width(sc, s), Class: class,
				Title: fmt.Sprintf("%s %s from %s to %s", n.ID, what, clock(s.FromMs), clock(s.ToMs))})
		}
		for _, s := range n.Truth {
			rw.Truth = append(rw.Truth, rect{X: sc.x(s.FromMs), W: width(sc, s), Class: bandClass[s.State],
				Title: fmt.Sprintf("%s %s from %s to %s (%s)", n.ID, s.State, clock(s.FromMs), clock(s.ToMs), s.Reason)})
		}
		rw.Ticks, rw.NTicks = tickPath(sc, arrivals[n.ID], rw.Y)
		tl.Rows = append(tl.Rows, rw)
	}
	for i, e := range r.Events {
		k, ok := rowOf[e.Node]
		if !ok || e.Kind != "transition" || (e.To != report.ViewDead && e.To != report.ViewStale) {
			continue
		}
		x := sc.x(e.TMs)
		tip := tl.Rows[k].Y + viewY - 0.5
		half := 4.5
		if e.To == report.ViewStale {
			half = 3.5
		}
		base := tip - markH*half/4.5
		tl.Rows[k].Marks = append(tl.Rows[k].Marks, mark{
			Points: fmt.Sprintf("%s,%s %s,%s %s,%s", num(x-half), num(base), num(x+half), num(base), num(x), num(tip)),
			Class:  "m-" + e.To,
			Title:  fmt.Sprintf("%s %s %s", clock(e.TMs), e.Node, sentences[i]),
		})
	}
	tl.AxisY = float64(len(spans)) * rowH
	tl.Height = tl.AxisY + axisSpace
	return tl
}

// width is a span's drawn width; never below a third of a unit, so a
// 10ms false positive in an hour's run still shows as a hairline.
func width(sc xScale, s report.Span) float64 {
	return max(round1(sc.x(s.ToMs)-sc.x(s.FromMs)), 0.4)
}

// tickPath draws every arrival as a short vertical line in one path.
// Arrivals closer than the path's resolution share a line: an hour of
// heartbeats is then a few hundred segments, not thousands.
func tickPath(sc xScale, at []time.Duration, rowY float64) (string, int) {
	var b strings.Builder
	last := -1.0
	for _, t := range at {
		x := sc.x(report.Ms(t))
		if x == last {
			continue
		}
		last = x
		fmt.Fprintf(&b, "M%s %sv%s", num(x), num(rowY+tickY), num(tickH))
	}
	return b.String(), len(at)
}

func clock(ms float64) string {
	return report.FormatTime(time.Duration(ms * float64(time.Millisecond)))
}
