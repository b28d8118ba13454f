package htmlreport

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/trace"
)

// pageData is everything the template shows, computed up front so the
// template only lays it out.
type pageData struct {
	R            *report.Report
	Duration     string
	Stats        []stat
	Legend       []legendItem
	Timeline     timeline
	Charts       []chart
	Width        float64
	PlotX        float64
	PlotEnd      float64
	PlotW        float64
	RowH         float64
	Geo          geo
	Passed       int
	Failed       int
	QoS          []qosRow
	Config       []setting
	Events       []eventRow
	Explanations []string
	// Acting names the detector the NameNode acted on, when the run
	// says; Watchers the ones that only watched.
	Acting   string
	Watchers []string
	Gossip   *gossipView
}

// gossipView is the gossip section: how each death spread.
type gossipView struct {
	Rows                 []gossipRow
	First, All, Messages string
}

type gossipRow struct{ Node, Killed, First, All string }

// geo passes the timeline's row geometry to the template.
type geo struct {
	TruthY, TruthH, ViewY, ViewH, TickY, TickH, LabelY, ChartBottom, ChartH float64
}

type stat struct{ Label, Value string }

type legendItem struct {
	Class, Label, Shape string
}

type qosRow struct {
	Detector, Role                                     string
	Crashes, Detected, TDP50, TDP99, Mistakes, PerHour string
	PA                                                 string
}

type setting struct{ Key, Value string }

type eventRow struct {
	Time, Node, Kind, Change, Reason string
}

// legend names every mark on the timeline, in reading order.
var legend = []legendItem{
	{"b-live", "live", "band"},
	{"b-stale", "stale (suspected)", "band"},
	{"b-dead", "dead", "band"},
	{"b-dead mistake", "dead while running (false positive)", "band"},
	{"b-none", "not registered", "band"},
	{"b-killed", "killed (ground truth)", "truth"},
	{"b-paused", "paused", "truth"},
	{"b-partitioned", "partitioned", "truth"},
	{"tick", "heartbeat arrival", "tick"},
	{"m-dead", "declared dead (hover for why)", "mark"},
}

// extraLegend names the bands only some runs have; each is listed when
// the page draws it.
var extraLegend = []legendItem{
	{"b-slow", "links slowed", "truth"},
	{"b-lossy", "messages lost (loss fault)", "truth"},
	{"b-drifting", "clock drifting", "truth"},
	{"b-split", "cut from the other group (NameNode hears it)", "truth"},
	{"b-overloaded", "NameNode overloaded", "truth"},
	{"b-netsplit", "network split between groups", "truth"},
	{"m-stale", "suspected (stale)", "mark"},
}

// legendFor is the usual legend plus the extra bands tl draws.
func legendFor(tl timeline, watchers []string) []legendItem {
	out := append([]legendItem(nil), legend...)
	for _, l := range extraLegend {
		if tl.Classes[l.Class] {
			out = append(out, l)
		}
	}
	if len(watchers) > 0 {
		out = append(out, legendItem{"b-live", "thin lanes: what " + strings.Join(watchers, " and ") + " would have believed (watching only)", "watch"})
	}
	return out
}
func build(r *report.Report, tr *trace.Trace) pageData {
	sentences := r.ExplainEvents(tr)
	tl := buildTimeline(r, tr, sentences)
	p := pageData{
		R:        r,
		Duration: short(time.Duration(r.DurationMs * float64(time.Millisecond))),
		Timeline: tl,
		Charts:   buildCharts(r),
		Width:    svgWidth,
		PlotX:    plotX,
		PlotEnd:  plotX + plotW,
		PlotW:    plotW,
		RowH:     rowH,
		Geo: geo{TruthY: truthY, TruthH: truthH, ViewY: viewY, ViewH: viewH, TickY: tickY, TickH: tickH,
			LabelY: viewY + viewH/2 + 4, ChartBottom: chartTop + chartPlotH, ChartH: chartH},
		Config: flatten("", r.Config),
	}
	for _, e := range r.Expectations {
		if e.Passed {
			p.Passed++
		} else {
			p.Failed++
		}
	}
	if len(r.Detectors) > 0 {
		p.Acting = r.Detectors[0]
		p.Watchers = r.Detectors[1:]
	}
	p.Legend = legendFor(tl, p.Watchers)
	p.Stats = stats(r)
	p.QoS = qosRows(r)
	p.Gossip = gossipSection(r)
	for i, e := range r.Events {
		change := ""
		if e.Kind == "transition" {
			change = orDash(e.From) + " → " + orDash(e.To)
		}
		p.Events = append(p.Events, eventRow{Time: clock(e.TMs), Node: e.Node, Kind: e.Kind, Change: change, Reason: e.Reason})
		p.Explanations = append(p.Explanations, fmt.Sprintf("%s %s %s", clock(e.TMs), e.Node, sentences[i]))
	}
	return p
}

// stats are the headline numbers above the timeline.
func stats(r *report.Report) []stat {
	crashes, detected, fps := 0, 0, 0
	var worst float64
	for _, n := range r.Nodes {
		fps += n.FalsePositives
		crashes += len(n.Crashes)
		for _, c := range n.Crashes {
			if c.DetectionMs != nil {
				detected++
				worst = max(worst, *c.DetectionMs)
			}
		}
	}
	out := []stat{
		{"DataNodes", fmt.Sprint(len(r.Nodes))},
		{"Crashes", fmt.Sprint(crashes)},
		{"Detected", fmt.Sprint(detected)},
	}
	// With several detectors, say whose numbers these are: the NameNode's.
	by := ""
	if len(r.Detectors) > 1 {
		by = " (" + r.Detectors[0] + ")"
	}
	if detected > 0 {
		out = append(out, stat{"Slowest detection" + by, report.FormatSeconds(worst)})
	}
	out = append(out, stat{"False positives" + by, fmt.Sprint(fps)})
	if r.MessagesPerSec > 0 {
		out = append(out, stat{"Messages/s", num(r.MessagesPerSec)})
	}
	return out
}

// qosRows lists the detectors in the run's order, the acting one first;
// any the run does not name come last, sorted.
func qosRows(r *report.Report) []qosRow {
	var names, rest []string
	for _, d := range r.Detectors {
		if _, ok := r.QoS[d]; ok && !contains(names, d) {
			names = append(names, d)
		}
	}
	for k := range r.QoS {
		if !contains(names, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	names = append(names, rest...)
	var out []qosRow
	for i, k := range names {
		q := r.QoS[k]
		role := "watching only"
		if i == 0 && len(r.Detectors) > 0 && r.Detectors[0] == k {
			role = "acting: drove the NameNode"
			if k == "gossip" {
				role = "acting: the group's own view"
			}
		}
		out = append(out, qosRow{
			Detector: k, Role: role, Crashes: fmt.Sprint(q.Crashes), Detected: fmt.Sprint(q.Detected),
			TDP50: optSeconds(q.DetectionMs.P50), TDP99: optSeconds(q.DetectionMs.P99),
			Mistakes: fmt.Sprint(q.Mistakes), PerHour: num(q.MistakesPerHour), PA: num(q.PA),
		})
	}
	return out
}

// flatten lists nested config maps as dotted keys, sorted, as the
// scenario file and --set name them.
func flatten(prefix string, m map[string]any) []setting {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []setting
	for _, k := range keys {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := m[k].(map[string]any); ok {
			out = append(out, flatten(key, sub)...)
			continue
		}
		out = append(out, setting{Key: key, Value: fmt.Sprint(m[k])})
	}
	return out
}

func optSeconds(ms *float64) string {
	if ms == nil {
		return "—"
	}
	return report.FormatSeconds(*ms)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return strings.ToLower(s)
}

func gossipSection(r *report.Report) *gossipView {
	g := r.Gossip
	if g == nil {
		return nil
	}
	v := &gossipView{First: optSeconds(g.FirstMs.Max), All: optSeconds(g.AllMs.Max), Messages: num(g.MessagesPerNodePerSec)}
	for _, c := range g.Convergence {
		v.Rows = append(v.Rows, gossipRow{Node: c.Node, Killed: clock(c.KilledAtMs), First: optSeconds(c.FirstMs), All: optSeconds(c.AllMs)})
	}
	return v
}
