package htmlreport

import (
	"fmt"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/trace"
)

// Row geometry of the timeline, in pixels from a row's top. Each detector
// has a lane of its own: the one the NameNode acted on thick, the ones
// that only watched thinner, one under the other, so a disagreement is a
// difference of colour straight above or below.
const (
	truthY   = 3.0 // ground truth: killed, paused, partitioned...
	truthH   = 6.0
	laneTop  = 12.0
	actingH  = 16.0
	watchH   = 10.0
	laneGap  = 3.0
	tickH    = 7.0 // heartbeat arrivals, under the lanes
	rowPad   = 4.0
	nnRowH   = 16.0 // the NameNode's row: a ground-truth lane only
	markOver = 3.0  // decision marks reach past their lane
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
	Ticks []tick
	// NameNode is the NameNode's own row, nil when it had no faults.
	NameNode *row
	// Racks group the rows: one group with no name when the scenario
	// names no racks.
	Racks []rackGroup
	// Classes are the band classes drawn, for the legend.
	Classes map[string]bool
}

type rackGroup struct {
	Name  string
	Nodes string // the rack's nodes, for its heading
	Rows  []row
}

type row struct {
	ID string
	// Folded says how many quiet nodes the row stands for, when it does.
	Folded string
	H      float64
	Truth  []rect
	Lanes  []lane
	TickY  float64
	Ticks  string // one SVG path for every arrival: a handful of bytes each
	NTicks int
	Marks  []mark
}

// lane is one detector's view of one node.
type lane struct {
	Detector string
	Acting   bool
	Y, H     float64
	Bands    []rect
}

type rect struct {
	X, W  float64
	Class string
	Title string
	// Href links a fault to its space-time diagram.
	Href string
}

// mark flags a decision: a rule across the acting lane at the moment.
type mark struct {
	X, Y1, Y2 float64
	Class     string
	Title     string
}

func buildTimeline(r *report.Report, tr *trace.Trace, sentences []string, windows []spaceTime) timeline {
	sc := xScale{r.DurationMs}
	arrivals := map[string][]time.Duration{}
	if tr != nil {
		for _, n := range tr.Nodes {
			arrivals[n.ID] = n.Arrivals
		}
	}
	clock := r.Clock
	tl := timeline{Ticks: timeTicks(sc), Classes: map[string]bool{}}
	if nn := r.NameNodeSpans(); len(nn) > 0 {
		rw := row{ID: "NameNode", H: nnRowH}
		for _, s := range nn {
			class := bandClass[s.State]
			what := s.State
			if s.State == report.BandPartitioned {
				class, what = "b-netsplit", "network split between groups"
			}
			tl.Classes[class] = true
			rw.Truth = append(rw.Truth, rect{X: sc.x(s.FromMs), W: width(sc, s), Class: class,
				Title: fmt.Sprintf("NameNode: %s from %s to %s (%s)", what, clock(s.FromMs), clock(s.ToMs), r.Words(s.Reason)),
				Href:  linkFor(windows, "", s.FromMs)})
		}
		tl.NameNode = &rw
	}
	acting := ""
	if len(r.Detectors) > 0 {
		acting = r.Detectors[0]
	}
	rows := map[string]*row{}
	var order []string
	for _, n := range r.Spans() {
		rw := row{ID: n.ID}
		y := laneTop
		ln := lane{Detector: acting, Acting: true, Y: y, H: actingH}
		for _, s := range n.View {
			ln.Bands = append(ln.Bands, viewRect(r, sc, n.ID, "", s, &tl))
		}
		rw.Lanes = append(rw.Lanes, ln)
		y += actingH
		for _, w := range n.Watchers {
			y += laneGap
			ln := lane{Detector: w.Detector, Y: y, H: watchH}
			for _, s := range w.View {
				ln.Bands = append(ln.Bands, viewRect(r, sc, n.ID, w.Detector, s, &tl))
			}
			rw.Lanes = append(rw.Lanes, ln)
			y += watchH
		}
		rw.TickY = y + laneGap
		rw.Ticks, rw.NTicks = tickPath(sc, arrivals[n.ID], rw.TickY)
		rw.H = rw.TickY + rowPad
		if rw.NTicks > 0 {
			rw.H += tickH
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
					Title: fmt.Sprintf("%s %s from %s to %s (%s)", n.ID, s.State, clock(s.FromMs), clock(s.ToMs), r.Words(s.Reason)),
					Href:  linkFor(windows, n.ID, s.FromMs)})
			}
		}
		rows[n.ID] = &rw
		order = append(order, n.ID)
	}
	for i, e := range r.Events {
		rw, ok := rows[e.Node]
		if !ok || e.Kind != "transition" || (e.To != report.ViewDead && e.To != report.ViewStale) {
			continue
		}
		tl.Classes["m-"+e.To] = true
		ln := rw.Lanes[0]
		rw.Marks = append(rw.Marks, mark{X: sc.x(e.TMs), Y1: ln.Y - markOver, Y2: ln.Y + ln.H + markOver,
			Class: "m-" + e.To, Title: fmt.Sprintf("%s %s %s", clock(e.TMs), e.Node, r.Words(sentences[i]))})
	}
	tl.Racks = groupByRack(r, rows, order)
	if len(order) > foldRows {
		for k := range tl.Racks {
			tl.Racks[k].Rows = foldQuiet(tl.Racks[k].Rows)
		}
	}
	return tl
}

// foldRows is the cluster size above which runs of quiet rows (live
// throughout, no fault, no decision) fold into one row named by their
// range, as the terminal's strip does: a hundred green rows hide the
// four that matter.
const foldRows = 24

func foldQuiet(rows []row) []row {
	quiet := func(rw row) bool {
		if len(rw.Truth) > 0 || len(rw.Marks) > 0 {
			return false
		}
		for _, ln := range rw.Lanes {
			for _, b := range ln.Bands {
				if b.Class != "b-live" && b.Class != "b-none" {
					return false
				}
			}
		}
		return true
	}
	var out []row
	for i := 0; i < len(rows); {
		j := i
		for j+1 < len(rows) && quiet(rows[i]) && quiet(rows[j+1]) {
			j++
		}
		if j-i+1 < 3 {
			out = append(out, rows[i])
			i++
			continue
		}
		rw := rows[i]
		rw.Folded = fmt.Sprintf("%d nodes, live throughout", j-i+1)
		rw.ID = rows[i].ID + "–" + rows[j].ID
		rw.Ticks, rw.NTicks = "", 0
		rw.H = rw.TickY + rowPad
		out = append(out, rw)
		i = j + 1
	}
	return out
}

// groupByRack orders the rows by rack, racks in the order their first
// node appears, nodes in the scenario's order within each.
func groupByRack(r *report.Report, rows map[string]*row, order []string) []rackGroup {
	rackOf := map[string]string{}
	named := false
	for _, n := range r.Nodes {
		rackOf[n.ID] = n.Rack
		named = named || n.Rack != ""
	}
	if !named {
		g := rackGroup{}
		for _, id := range order {
			g.Rows = append(g.Rows, *rows[id])
		}
		return []rackGroup{g}
	}
	var out []rackGroup
	index := map[string]int{}
	for _, id := range order {
		k, ok := index[rackOf[id]]
		if !ok {
			k = len(out)
			index[rackOf[id]] = k
			out = append(out, rackGroup{Name: rackOf[id]})
		}
		out[k].Rows = append(out[k].Rows, *rows[id])
	}
	for k := range out {
		var ids []string
		for _, rw := range out[k].Rows {
			ids = append(ids, rw.ID)
		}
		out[k].Nodes = strings.Join(ids, ", ")
		if out[k].Name == "" {
			out[k].Name = "no rack"
		}
	}
	return out
}

// linkFor is the anchor of the space-time diagram of the fault that
// started at ms on node ("": any, for the NameNode's row), or "".
func linkFor(windows []spaceTime, node string, ms float64) string {
	for _, w := range windows {
		if w.AtMs != ms {
			continue
		}
		if node == "" || contains(w.Nodes, node) {
			return "#" + w.ID
		}
	}
	return ""
}

// viewRect draws one span of a detector's view: the NameNode's (detector
// "") or a watcher's, whose title says it only watched and why it would
// have changed its mind.
func viewRect(r *report.Report, sc xScale, node, detector string, s report.Span, tl *timeline) rect {
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
	title := fmt.Sprintf("%s %s from %s to %s", node, what, r.Clock(s.FromMs), r.Clock(s.ToMs))
	if detector != "" {
		title = fmt.Sprintf("%s detector (watching only) would say %s", detector, title)
		if s.State != report.ViewUnregistered {
			title += ": " + r.Words(s.Reason)
		}
	}
	return rect{X: sc.x(s.FromMs), W: width(sc, s), Class: class, Title: title}
}

// width is a span's drawn width; never below 0.4 units (a hairline at
// any page width), and never below 2 for a dead span, so a short false
// positive can be seen, not only hovered.
func width(sc xScale, s report.Span) float64 {
	least := 0.4
	if s.State == report.ViewDead {
		least = 2
	}
	return max(round1(sc.x(s.ToMs)-sc.x(s.FromMs)), least)
}

// tickPath draws every arrival as a short vertical line in one path.
// Arrivals closer than the path's resolution share a line: an hour of
// heartbeats is then a few hundred segments, not thousands.
func tickPath(sc xScale, at []time.Duration, y float64) (string, int) {
	var b strings.Builder
	last := -1.0
	for _, t := range at {
		x := sc.x(report.Ms(t))
		if x == last {
			continue
		}
		last = x
		fmt.Fprintf(&b, "M%s %sv%s", num(x), num(y), num(tickH))
	}
	return b.String(), len(at)
}
