package htmlreport

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/hbsim/hbsim/pkg/report"
)

// Chart geometry, in pixels: the plot is chartH high, stretched to the
// page's width like the timeline, its labels in HTML around it.
const chartH = 150.0

// nodeFields are the series drawn together in one chart, in this order,
// with the timeline's colours. Every other numeric field of report.Sample
// (under-replicated blocks, read latency, whatever comes next) gets a
// chart of its own without any change here.
var nodeFields = []string{"live", "stale", "dead"}

type chart struct {
	ID     string
	Title  string
	H      float64
	Lines  []line
	YTicks []yTick
	Hover  []hover
	// Faults are the periods a fault lasted, shaded on every chart.
	Faults []shade
	Empty  bool
}

type yTick struct {
	Y     float64
	Label string
}

// Top is a label's offset from the chart's top, centred on its grid line.
func (t yTick) Top() string { return num(t.Y - 8) }

type line struct {
	Name  string
	Class string
	D     string
	Title string
}

// hover is an invisible column over one sample whose title lists every
// value at that moment.
type hover struct {
	X, W  float64
	Title string
}

// shade is a fault period across a chart: from its start to its end, or
// a thin rule for an instant fault (a kill).
type shade struct {
	X, W  float64
	Title string
	Href  string
}

// seriesFields reads the samples generically, as the JSON report has them,
// so that new numeric fields are charted as soon as they exist.
func seriesFields(samples []report.Sample) (ts []float64, fields map[string][]float64) {
	fields = map[string][]float64{}
	raw, err := json.Marshal(samples)
	if err != nil {
		return nil, fields
	}
	var rows []map[string]any
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, fields
	}
	for i, row := range rows {
		t, _ := row["t_ms"].(float64)
		ts = append(ts, t)
		for k, v := range row {
			f, ok := v.(float64)
			if !ok || k == "t_ms" {
				continue
			}
			if _, seen := fields[k]; !seen {
				fields[k] = make([]float64, len(rows))
			}
			fields[k][i] = f
		}
	}
	return ts, fields
}

func buildCharts(r *report.Report, faults []shade) []chart {
	sc := xScale{r.DurationMs}
	ts, fields := seriesFields(r.Series)
	var groups [][]string
	var nodes []string
	for _, f := range nodeFields {
		if _, ok := fields[f]; ok {
			nodes = append(nodes, f)
		}
	}
	if len(nodes) > 0 || len(fields) == 0 {
		groups = append(groups, nodes)
	}
	var others []string
	for k := range fields {
		if !contains(nodeFields, k) {
			others = append(others, k)
		}
	}
	sort.Strings(others) // map order is random; the page must not be
	for _, k := range others {
		groups = append(groups, []string{k})
	}
	var out []chart
	for _, g := range groups {
		title := "DataNodes by NameNode view"
		id := "chart-nodes"
		if len(g) == 1 && !contains(nodeFields, g[0]) {
			title = humanize(g[0])
			id = "chart-" + strings.ReplaceAll(g[0], "_", "-")
		}
		c := drawChart(r, id, title, sc, ts, g, fields)
		c.Faults = faults
		out = append(out, c)
	}
	return out
}

// faultShades are the fault periods of the run, from every node's ground
// truth and the NameNode's, merged where they overlap; each links to the
// space-time diagram of the fault that opened it, when there is one.
func faultShades(r *report.Report, windows []spaceTime) []shade {
	type period struct {
		from, to float64
		what     []string
		node     string
	}
	var ps []period
	for _, n := range r.Spans() {
		for _, s := range n.Truth {
			ps = append(ps, period{s.FromMs, s.ToMs, []string{n.ID + " " + s.State}, n.ID})
		}
	}
	for _, s := range r.NameNodeSpans() {
		ps = append(ps, period{s.FromMs, s.ToMs, []string{"NameNode " + s.State}, ""})
	}
	sort.SliceStable(ps, func(a, b int) bool { return ps[a].from < ps[b].from })
	var merged []period
	for _, p := range ps {
		if k := len(merged) - 1; k >= 0 && p.from <= merged[k].to {
			merged[k].to = max(merged[k].to, p.to)
			if !contains(merged[k].what, p.what[0]) {
				merged[k].what = append(merged[k].what, p.what[0])
			}
			continue
		}
		merged = append(merged, p)
	}
	sc := xScale{r.DurationMs}
	var out []shade
	for _, p := range merged {
		w := max(round1(sc.x(p.to)-sc.x(p.from)), 1)
		out = append(out, shade{X: sc.x(p.from), W: w, Href: linkFor(windows, p.node, p.from),
			Title: fmt.Sprintf("%s to %s: %s", r.Clock(p.from), r.Clock(p.to), strings.Join(p.what, ", "))})
	}
	return out
}

func drawChart(r *report.Report, id, title string, sc xScale, ts []float64, names []string, fields map[string][]float64) chart {
	c := chart{ID: id, Title: title, H: chartH, Empty: len(ts) == 0}
	top, integral := 0.0, true
	for _, n := range names {
		for _, v := range fields[n] {
			top = max(top, v)
			integral = integral && v == math.Trunc(v)
		}
	}
	step := niceStep(top, integral)
	top = step * max(math.Ceil(top/step), 1)
	// A little room above and below, so a line at the top or at zero is
	// not cut by the frame.
	y := func(v float64) float64 { return round1(6 + (chartH-12)*(1-v/top)) }
	for v := 0.0; v <= top+step/2; v += step {
		c.YTicks = append(c.YTicks, yTick{Y: y(v), Label: num(v)})
	}
	for _, n := range names {
		vals := fields[n]
		var b strings.Builder
		lo, hi := 0.0, 0.0
		for i, t := range ts {
			x, yy := sc.x(t), y(vals[i])
			if i == 0 {
				fmt.Fprintf(&b, "M%s %s", num(x), num(yy))
				lo, hi = vals[i], vals[i]
			} else {
				// A step: the value holds until the next sample.
				fmt.Fprintf(&b, "H%s V%s", num(x), num(yy))
			}
			lo, hi = min(lo, vals[i]), max(hi, vals[i])
		}
		if len(ts) > 0 {
			fmt.Fprintf(&b, "H%s", num(spanW))
		}
		class := "l-" + n
		if !contains(nodeFields, n) {
			class = "l-other"
		}
		c.Lines = append(c.Lines, line{Name: n, Class: class, D: b.String(),
			Title: fmt.Sprintf("%s: between %s and %s", humanize(n), num(lo), num(hi))})
	}
	for i, t := range ts {
		next := sc.totalMs
		if i+1 < len(ts) {
			next = ts[i+1]
		}
		var parts []string
		for _, n := range names {
			parts = append(parts, fmt.Sprintf("%s %s", n, num(fields[n][i])))
		}
		c.Hover = append(c.Hover, hover{X: sc.x(t), W: max(round1(sc.x(next)-sc.x(t)), 0.1),
			Title: r.Clock(t) + ": " + strings.Join(parts, ", ")})
	}
	return c
}

// humanize turns a JSON field name into a title: "under_replicated" →
// "Under replicated".
func humanize(field string) string {
	s := strings.ReplaceAll(field, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
