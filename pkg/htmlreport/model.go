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
}

// geo passes the timeline's row geometry to the template.
type geo struct {
	TruthY, TruthH, ViewY, ViewH, TickY, TickH, LabelY, ChartBottom, ChartH float64
}

type stat struct{ Label, Value string }

type legendItem struct {
	Class, Label, Shape string
}

type qosRow struct {
	Detector                                           string
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

func build(r *report.Report, tr *trace.Trace) pageData {
	sentences := r.ExplainEvents(tr)
	p := pageData{
		R:        r,
		Duration: short(time.Duration(r.DurationMs * float64(time.Millisecond))),
		Legend:   legend,
		Timeline: buildTimeline(r, tr, sentences),
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
	p.Stats = stats(r)
	p.QoS = qosRows(r)
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
	if detected > 0 {
		out = append(out, stat{"Slowest detection", report.FormatSeconds(worst)})
	}
	out = append(out, stat{"False positives", fmt.Sprint(fps)})
	if r.MessagesPerSec > 0 {
		out = append(out, stat{"Messages/s", num(r.MessagesPerSec)})
	}
	return out
}

func qosRows(r *report.Report) []qosRow {
	names := make([]string, 0, len(r.QoS))
	for k := range r.QoS {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []qosRow
	for _, k := range names {
		q := r.QoS[k]
		out = append(out, qosRow{
			Detector: k, Crashes: fmt.Sprint(q.Crashes), Detected: fmt.Sprint(q.Detected),
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
