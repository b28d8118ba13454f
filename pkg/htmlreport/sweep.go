package htmlreport

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/atomicfile"
	"github.com/hbsim/hbsim/pkg/sweep"
)

var sweepPage = template.Must(template.New("sweep.html.tmpl").ParseFS(files, "sweep.html.tmpl"))

// WriteSweep renders a sweep as one self-contained HTML page: the
// recommendation, the trade-off chart (detection time p99 against false
// positives per hour, one line per combination of the other params) as
// inline SVG, and the grid with its Pareto-optimal points marked.
func WriteSweep(w io.Writer, r *sweep.Result) error {
	if r == nil {
		return fmt.Errorf("html sweep: no result")
	}
	if err := sweepPage.Execute(w, buildSweep(r)); err != nil {
		return fmt.Errorf("html sweep: %w", err)
	}
	return nil
}

// WriteSweepFile writes the page to path atomically, as WriteFile does.
func WriteSweepFile(path string, r *sweep.Result) error {
	var buf bytes.Buffer
	if err := WriteSweep(&buf, r); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}

// Trade-off chart geometry, in SVG user units.
const (
	tcW      = 1200.0
	tcH      = 460.0
	tcLeft   = 96.0
	tcRight  = 190.0 // room for the curves' names
	tcTop    = 20.0
	tcBottom = 74.0
)

// Okabe–Ito colours for the curves, as on the report's timeline.
var curveColors = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#1F2937"}

type sweepData struct {
	R               *sweep.Result
	Keys            []string // the params' keys, the first being each curve's x labels
	Rows            []sweepRow
	Chart           tradeoff
	Recommendations []string
	Pareto          int
	Undetected      int // points that never detected a crash: not on the chart
}

type sweepRow struct {
	Values                                      []string
	Pareto, Recommended                         bool
	P50, P99, FPH, MistakeDuration, PA, MsgsPer string
	Runs, Crashes, Detected, FP, SeedsWithFP    int
}

type tradeoff struct {
	W, H, PlotX, PlotY, PlotW, PlotH, PlotEnd, PlotBottom float64
	XTicks, YTicks                                        []tick
	Curves                                                []curve
	Empty                                                 bool
}

type curve struct {
	Name, Color string
	D           string
	Points      []chartPoint
	LegendY     float64
}

type chartPoint struct {
	X, Y                float64
	LabelDY             float64 // above the point, or below for every other curve
	Label, Title        string
	Pareto, Recommended bool
}

func buildSweep(r *sweep.Result) sweepData {
	d := sweepData{R: r, Recommendations: r.Recommendations}
	for _, p := range r.Params {
		d.Keys = append(d.Keys, p.Key)
	}
	recommended := recommendedPoints(r)
	for i, p := range r.Points {
		row := sweepRow{
			Values: p.Values, Pareto: p.Pareto, Recommended: recommended[i],
			P50: sweep.FormatMs(p.DetectionP50Ms), P99: sweep.FormatMs(p.DetectionP99Ms),
			FPH:             strconv.FormatFloat(p.FalsePositivesPerHour, 'f', 2, 64),
			MistakeDuration: sweep.FormatMs(p.MistakeDurationMs),
			PA:              strconv.FormatFloat(p.PA, 'f', 6, 64),
			MsgsPer:         strconv.FormatFloat(p.MessagesPerSec, 'f', 1, 64),
			Runs:            p.Runs, Crashes: p.Crashes, Detected: p.Detected, FP: p.FalsePositives, SeedsWithFP: p.SeedsWithFP,
		}
		if p.Pareto {
			d.Pareto++
		}
		if p.DetectionP99Ms == nil {
			d.Undetected++
		}
		d.Rows = append(d.Rows, row)
	}
	d.Chart = buildTradeoff(r, recommended)
	return d
}

// recommendedPoints marks, per curve, the point the recommendation names:
// the smallest value of the first param with no false positive in any
// seed (the rule of sweep's recommendation).
func recommendedPoints(r *sweep.Result) map[int]bool {
	out := map[int]bool{}
	best := map[string]int{}
	var order []string
	for i, p := range r.Points {
		if p.FalsePositives != 0 || len(p.Values) == 0 {
			continue
		}
		k := strings.Join(p.Values[1:], "\x00")
		j, ok := best[k]
		if !ok {
			order = append(order, k)
		}
		if !ok || valueLess(p.Values[0], r.Points[j].Values[0]) {
			best[k] = i
		}
	}
	for _, k := range order {
		out[best[k]] = true
	}
	return out
}

// valueLess orders values by size when both are numbers or durations.
func valueLess(a, b string) bool {
	x, okA := numericValue(a)
	y, okB := numericValue(b)
	return okA && okB && x < y
}

func numericValue(v string) (float64, bool) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return f, true
	}
	if d, err := time.ParseDuration(v); err == nil {
		return float64(d), true
	}
	return 0, false
}

// buildTradeoff draws detection p99 (x, seconds) against false positives
// per hour (y): one line per combination of the other params, through its
// points in the order of the first param, each labelled with its value.
func buildTradeoff(r *sweep.Result, recommended map[int]bool) tradeoff {
	c := tradeoff{W: tcW, H: tcH, PlotX: tcLeft, PlotY: tcTop, PlotW: tcW - tcLeft - tcRight, PlotH: tcH - tcTop - tcBottom}
	c.PlotEnd, c.PlotBottom = c.PlotX+c.PlotW, c.PlotY+c.PlotH
	type pt struct {
		i    int
		x, y float64
	}
	var names []string
	byName := map[string][]pt{}
	maxX, maxY := 0.0, 0.0
	for i, p := range r.Points {
		if p.DetectionP99Ms == nil || len(p.Values) == 0 {
			continue
		}
		name := r.Params[0].Key
		if len(r.Params) > 1 {
			var parts []string
			for k, prm := range r.Params[1:] {
				parts = append(parts, prm.Key+"="+p.Values[k+1])
			}
			name = strings.Join(parts, " ")
		}
		if _, ok := byName[name]; !ok {
			names = append(names, name)
		}
		x := *p.DetectionP99Ms / 1e3
		byName[name] = append(byName[name], pt{i, x, p.FalsePositivesPerHour})
		maxX, maxY = math.Max(maxX, x), math.Max(maxY, p.FalsePositivesPerHour)
	}
	c.Empty = len(names) == 0
	xStep := niceStep(maxX, false)
	xTop := xStep * math.Max(math.Ceil(maxX/xStep), 1)
	yStep := niceStep(maxY, false)
	yTop := yStep * math.Max(math.Ceil(maxY/yStep), 1)
	if maxY == 0 {
		yStep, yTop = 1, 1 // no mistakes anywhere: every point on the axis
	}
	sx := func(v float64) float64 { return round1(c.PlotX + v/xTop*c.PlotW) }
	sy := func(v float64) float64 { return round1(c.PlotBottom - v/yTop*c.PlotH) }
	for v := 0.0; v <= xTop+xStep/2; v += xStep {
		c.XTicks = append(c.XTicks, tick{Pos: sx(v), Label: num(v) + "s"})
	}
	for v := 0.0; v <= yTop+yStep/2; v += yStep {
		c.YTicks = append(c.YTicks, tick{Pos: sy(v), Label: num(v)})
	}
	for k, name := range names {
		pts := byName[name]
		sort.SliceStable(pts, func(a, b int) bool {
			return valueLess(r.Points[pts[a].i].Values[0], r.Points[pts[b].i].Values[0])
		})
		cv := curve{Name: name, Color: curveColors[k%len(curveColors)], LegendY: c.PlotY + 8 + float64(k)*22}
		var b strings.Builder
		for j, q := range pts {
			p := r.Points[q.i]
			cmd := "L"
			if j == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&b, "%s%s %s", cmd, num(sx(q.x)), num(sy(q.y)))
			title := fmt.Sprintf("%s=%s", r.Params[0].Key, p.Values[0])
			if len(r.Params) > 1 {
				title += " " + name
			}
			title += fmt.Sprintf(": detection p99 %s, p50 %s; %s false positives per hour (%d in %d runs); P_A %s",
				sweep.FormatMs(p.DetectionP99Ms), sweep.FormatMs(p.DetectionP50Ms),
				strconv.FormatFloat(p.FalsePositivesPerHour, 'f', 2, 64), p.FalsePositives, p.Runs,
				strconv.FormatFloat(p.PA, 'f', 6, 64))
			if p.Pareto {
				title += "; Pareto-optimal"
			}
			if recommended[q.i] {
				title += "; recommended"
			}
			// Curves often meet on the axis (no false positives):
			// alternate curves label above and below their points.
			dy := -9.0
			if k%2 == 1 {
				dy = 19
			}
			cv.Points = append(cv.Points, chartPoint{X: sx(q.x), Y: sy(q.y), LabelDY: dy, Label: p.Values[0], Title: title,
				Pareto: p.Pareto, Recommended: recommended[q.i]})
		}
		cv.D = b.String()
		c.Curves = append(c.Curves, cv)
	}
	return c
}
