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
	// Each watching detector gets a thin lane under the ticks: what it
	// would have believed, apart from the band the NameNode acted on.
	watchY    = 49.0 // first watcher lane, relative to the row's top
	watchH    = 5.0
	watchStep = 9.0
	// The NameNode's row has only a ground-truth lane (overload, splits).
	nnRowH = 30.0
	nnY    = 6.0
	nnH    = 8.0
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
	report.BandSlow:         "b-slow",
	report.BandLossy:        "b-lossy",
	report.BandDrifting:     "b-drifting",
	report.BandSplit:        "b-split",
	report.BandOverloaded:   "b-overloaded",
}

// silencing bands hide a node from the NameNode; they are drawn over the
// bands that only degrade it, so an overlap shows what mattered.
var silencing = map[string]bool{report.BandKilled: true, report.BandPaused: true, report.BandPartitioned: true}

type timeline struct {
	Height float64
	AxisY  float64
	Ticks  []tick
	// NameNode is the NameNode's own row, nil when it had no faults.
	NameNode *row
	Rows     []row
	// Classes are the band classes drawn, for the legend.
	Classes map[string]bool
}

type row struct {
	ID     string
	Y      float64
	Bands  []rect
	Truth  []rect
	Ticks  string // one SVG path for every arrival: a handful of bytes each
	NTicks int
	Marks  []mark
	Lanes  []lane
}

// lane is a watching detector's view of one node, in absolute y.
type lane struct {
	Detector string
	Y        float64
	Bands    []rect
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
	tl := timeline{Ticks: timeTicks(sc), Classes: map[string]bool{}}
	y := 0.0
	if nn := r.NameNodeSpans(); len(nn) > 0 {
		rw := row{ID: "NameNode"}
		for _, s := range nn {
			class := bandClass[s.State]
			what := s.State
			if s.State == report.BandPartitioned {
				class, what = "b-netsplit", "network split between groups"
			}
			tl.Classes[class] = true
			rw.Truth = append(rw.Truth, rect{X: sc.x(s.FromMs), W: width(sc, s), Class: class,
				Title: fmt.Sprintf("NameNode: %s from %s to %s (%s)", what, clock(s.FromMs), clock(s.ToMs), s.Reason)})
		}
		tl.NameNode = &rw
		y = nnRowH
	}
	rowOf := map[string]int{}
	for i, n := range spans {
		rw := row{ID: n.ID, Y: y}
		rowOf[n.ID] = i
		for _, s := range n.View {
			rw.Bands = append(rw.Bands, viewRect(sc, n.ID, "", s, &tl))
		}
		// Degrading faults first, silencing ones over them.
		for _, silent := range []bool{false, true} {
			for _, s := range n.Truth {
				if silencing[s.State] != silent {
					continue
				}
				class := bandClass[s.State]
				if class == "" {
					class = "b-other"
				}
				tl.Classes[class] = true
				rw.Truth = append(rw.Truth, rect{X: sc.x(s.FromMs), W: width(sc, s), Class: class,
					Title: fmt.Sprintf("%s %s from %s to %s (%s)", n.ID, s.State, clock(s.FromMs), clock(s.ToMs), s.Reason)})
			}
		}
		rw.Ticks, rw.NTicks = tickPath(sc, arrivals[n.ID], rw.Y)
		for k, w := range n.Watchers {
			ln := lane{Detector: w.Detector, Y: y + watchY + float64(k)*watchStep}
			for _, s := range w.View {
				ln.Bands = append(ln.Bands, viewRect(sc, n.ID, w.Detector, s, &tl))
			}
			rw.Lanes = append(rw.Lanes, ln)
		}
		tl.Rows = append(tl.Rows, rw)
		y += rowHeight(len(n.Watchers))
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
		tl.Classes["m-"+e.To] = true
		tl.Rows[k].Marks = append(tl.Rows[k].Marks, mark{
			Points: fmt.Sprintf("%s,%s %s,%s %s,%s", num(x-half), num(base), num(x+half), num(base), num(x), num(tip)),
			Class:  "m-" + e.To,
			Title:  fmt.Sprintf("%s %s %s", clock(e.TMs), e.Node, sentences[i]),
		})
	}
	tl.AxisY = y
	tl.Height = tl.AxisY + axisSpace
	return tl
}

// rowHeight is a DataNode row's height with its watcher lanes.
func rowHeight(watchers int) float64 {
	if watchers == 0 {
		return rowH
	}
	return watchY + float64(watchers)*watchStep + 4
}

// viewRect draws one span of a detector's view: the NameNode's (detector
// "") or a watcher's, whose title says it only watched and why it would
// have changed its mind.
func viewRect(sc xScale, node, detector string, s report.Span, tl *timeline) rect {
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
	tl.Classes[class] = true
	title := fmt.Sprintf("%s %s from %s to %s", node, what, clock(s.FromMs), clock(s.ToMs))
	if detector != "" {
		title = fmt.Sprintf("%s detector (watching only) would say %s", detector, title)
		if s.State != report.ViewUnregistered {
			title += ": " + s.Reason
		}
	}
	return rect{X: sc.x(s.FromMs), W: width(sc, s), Class: class, Title: title}
}

// width is a span's drawn width; never below 0.4 units, so a 10ms blip
// in an hour's run still shows as a hairline, and never below 1.5 for a
// dead span, so a short false positive can be seen, not only hovered.
func width(sc xScale, s report.Span) float64 {
	least := 0.4
	if s.State == report.ViewDead {
		least = 1.5
	}
	return max(round1(sc.x(s.ToMs)-sc.x(s.FromMs)), least)
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
