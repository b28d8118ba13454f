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
	R        *report.Report
	Duration string
	Stats    []stat
	Legend   []legendItem
	Timeline timeline
	Charts   []chart
	Passed   int
	Failed   int
	QoS      []qosRow
	Config   []setting
	Events   []eventRow
	// Explanations are the timeline in words, one per event.
	Explanations []string
	// Acting names the detector the NameNode acted on, when the run
	// says; Watchers the ones that only watched.
	Acting   string
	Watchers []string
	Gossip   *gossipView
	Blocks   []report.BlockMeasure
	// Disagree lists where the detectors disagreed; DisagreeMore how
	// many more there were.
	Disagree     []disagreement
	DisagreeMore int
	Matrix       []matrixFault
	SpaceTimes   []spaceTime
	// Folded is true when quiet nodes share rows.
	Folded bool
}

// gossipView is the gossip section: how each death spread.
type gossipView struct {
	Rows                 []gossipRow
	First, All, Messages string
}

type gossipRow struct{ Node, Killed, First, All string }

type stat struct{ Label, Value string }

type legendItem struct {
	Class, Label, Shape string
}

type qosRow struct {
	Detector, Role                                     string
	Crashes, Detected, TDP50, TDP99, Mistakes, PerHour string
	TM, PA                                             string
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
func legendFor(tl timeline) []legendItem {
	out := append([]legendItem(nil), legend...)
	for _, l := range extraLegend {
		if tl.Classes[l.Class] {
			out = append(out, l)
		}
	}
	return out
}

func build(r *report.Report, tr *trace.Trace) pageData {
	sentences := r.ExplainEvents(tr)
	st := spaceTimes(r, tr)
	tl := buildTimeline(r, tr, sentences, st)
	p := pageData{
		R:          r,
		Duration:   short(time.Duration(r.DurationMs * float64(time.Millisecond))),
		Timeline:   tl,
		Charts:     buildCharts(r, faultShades(r, st)),
		Config:     flatten("", r.Config),
		Blocks:     r.BlockMeasures(r.Clock),
		Matrix:     matrixFaults(r, tr),
		SpaceTimes: st,
	}
	p.Disagree, p.DisagreeMore = disagreements(r)
	for _, g := range tl.Racks {
		for _, rw := range g.Rows {
			p.Folded = p.Folded || rw.Folded != ""
		}
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
	p.Legend = legendFor(tl)
	p.Stats = stats(r)
	p.QoS = qosRows(r)
	p.Gossip = gossipSection(r)
	for i, e := range r.Events {
		change := ""
		if e.Kind == "transition" || e.Kind == "verdict" {
			change = orDash(e.From) + " → " + orDash(e.To)
		}
		kind := e.Kind
		if e.Kind == "verdict" {
			kind = e.Detector + " would say"
		}
		p.Events = append(p.Events, eventRow{Time: r.Clock(e.TMs), Node: e.Node, Kind: kind, Change: change, Reason: r.Words(e.Reason)})
		p.Explanations = append(p.Explanations, fmt.Sprintf("%s %s %s", r.Clock(e.TMs), e.Node, r.Words(sentences[i])))
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
	if b := r.Blocks; b != nil {
		out = append(out, stat{"Blocks lost", fmt.Sprint(b.Lost)})
	}
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
			Mistakes: fmt.Sprint(q.Mistakes), PerHour: num(q.MistakesPerHour), TM: optSeconds(q.MistakeDurationMs), PA: num(q.PA),
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

func gossipSection(r *report.Report) *gossipView {
	g := r.Gossip
	if g == nil {
		return nil
	}
	v := &gossipView{First: optSeconds(g.FirstMs.Max), All: optSeconds(g.AllMs.Max), Messages: num(g.MessagesPerNodePerSec)}
	for _, c := range g.Convergence {
		v.Rows = append(v.Rows, gossipRow{Node: c.Node, Killed: r.Clock(c.KilledAtMs), First: optSeconds(c.FirstMs), All: optSeconds(c.AllMs)})
	}
	return v
}

// joinAnd lists names as a sentence does: "a", "a and b", "a, b and c".
func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
