package htmlreport

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"

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
	// MinorY are the grid lines at 2 to 9 times each power of ten.
	MinorY []float64
	Curves []curve
	Empty  bool
}

type curve struct {
	Name, Color string
	D           string
	Points      []chartPoint
	LegendY     float64
}

type chartPoint struct {
	X, Y         float64
	Label, Title string
	// LabelX, LabelY place the label where it overlaps nothing; HasLabel
	// is false when no such place was left.
	LabelX, LabelY      float64
	HasLabel            bool
	Pareto, Recommended bool
}

func buildSweep(r *sweep.Result) sweepData {
	d := sweepData{R: r, Recommendations: r.Recommendations}
	for _, p := range r.Params {
		d.Keys = append(d.Keys, p.Key)
	}
	curves := r.Curves()
	recommended := map[int]bool{}
	for _, c := range curves {
		if c.Recommended >= 0 {
			recommended[c.Recommended] = true
		}
	}
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
	d.Chart = buildTradeoff(r, curves)
	return d
}

// buildTradeoff draws detection p99 (x, seconds) against false positives
// per hour (y, log10(1+y): logarithmic, zero kept, as the PNG chart), one
// line per curve through its points in the order of the first param. The
// labels (the first param's values) go where they overlap nothing, as on
// the PNG chart; a label with no room is left out.
func buildTradeoff(r *sweep.Result, curves []sweep.Curve) tradeoff {
	c := tradeoff{W: tcW, H: tcH, PlotX: tcLeft, PlotY: tcTop, PlotW: tcW - tcLeft - tcRight, PlotH: tcH - tcTop - tcBottom}
	c.PlotEnd, c.PlotBottom = c.PlotX+c.PlotW, c.PlotY+c.PlotH
	symLog := func(v float64) float64 { return math.Log10(1 + v) }
	maxX, maxY := 0.0, 0.0
	for _, p := range r.Points {
		if p.DetectionP99Ms != nil {
			maxX, maxY = math.Max(maxX, *p.DetectionP99Ms/1e3), math.Max(maxY, p.FalsePositivesPerHour)
		}
	}
	xStep := niceStep(maxX, false)
	xTop := xStep * math.Max(math.Ceil(maxX/xStep), 1)
	yTop := math.Max(10, math.Pow(10, math.Ceil(math.Log10(math.Max(maxY, 1)))))
	sx := func(v float64) float64 { return round1(c.PlotX + v/xTop*c.PlotW) }
	sy := func(v float64) float64 { return round1(c.PlotBottom - symLog(v)/(1.03*symLog(yTop))*c.PlotH) }
	for v := 0.0; v <= xTop+xStep/2; v += xStep {
		c.XTicks = append(c.XTicks, tick{Pos: sx(v), Label: num(v) + "s"})
	}
	c.YTicks = append(c.YTicks, tick{Pos: sy(0), Label: "0"})
	for v := 1.0; v <= yTop; v *= 10 {
		c.YTicks = append(c.YTicks, tick{Pos: sy(v), Label: num(v)})
		for m := 2.0; m < 10 && m*v < yTop; m++ {
			c.MinorY = append(c.MinorY, sy(m*v))
		}
	}
	// Labels: about 0.63em wide a character at 12px, bold.
	const labelH, charW, gap = 12.0, 7.6, 10.0
	var labels []sweep.Label
	var obstacles []sweep.Box
	var lines [][][2]float64
	type at struct{ curve, point int }
	var where []at
	for k, cv := range curves {
		out := curve{Name: cv.Name, Color: curveColors[k%len(curveColors)], LegendY: c.PlotY + 8 + float64(len(c.Curves))*22}
		var b strings.Builder
		var line [][2]float64
		for _, i := range cv.Points {
			p := r.Points[i]
			if p.DetectionP99Ms == nil {
				continue
			}
			x, y := sx(*p.DetectionP99Ms/1e3), sy(p.FalsePositivesPerHour)
			cmd := "L"
			if len(line) == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&b, "%s%s %s", cmd, num(x), num(y))
			line = append(line, [2]float64{x, y})
			title := fmt.Sprintf("%s=%s", r.Params[0].Key, p.Values[0])
			if len(r.Params) > 1 {
				title += " " + cv.Name
			}
			title += fmt.Sprintf(": detection p99 %s, p50 %s; %s false positives per hour (%d in %d runs); P_A %s",
				sweep.FormatMs(p.DetectionP99Ms), sweep.FormatMs(p.DetectionP50Ms),
				strconv.FormatFloat(p.FalsePositivesPerHour, 'f', 2, 64), p.FalsePositives, p.Runs,
				strconv.FormatFloat(p.PA, 'f', 6, 64))
			if p.Pareto {
				title += "; Pareto-optimal"
			}
			if i == cv.Recommended {
				title += "; recommended"
			}
			out.Points = append(out.Points, chartPoint{X: x, Y: y, Label: p.Values[0], Title: title,
				Pareto: p.Pareto, Recommended: i == cv.Recommended})
			labels = append(labels, sweep.Label{X: x, Y: y, W: charW * float64(len([]rune(p.Values[0]))), H: labelH,
				First: p.Pareto || i == cv.Recommended})
			obstacles = append(obstacles, sweep.Box{X0: x - 11, Y0: y - 11, X1: x + 11, Y1: y + 11})
			where = append(where, at{len(c.Curves), len(out.Points) - 1})
		}
		if len(line) == 0 {
			continue
		}
		lines = append(lines, line)
		out.D = b.String()
		c.Curves = append(c.Curves, out)
	}
	c.Empty = len(c.Curves) == 0
	obstacles = append(obstacles, sweep.CurveObstacles(lines, 4, 2)...)
	boxes, ok := sweep.PlaceLabels(labels, obstacles, sweep.Box{X0: c.PlotX, Y0: c.PlotY, X1: c.PlotEnd, Y1: c.PlotBottom}, gap, false)
	for k, w := range where {
		pt := &c.Curves[w.curve].Points[w.point]
		if ok[k] {
			// SVG text sits on its baseline: the box's bottom.
			pt.LabelX, pt.LabelY, pt.HasLabel = round1(boxes[k].X0), round1(boxes[k].Y1-1), true
		}
	}
	return c
}
