package sweep

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Chart geometry: wide enough to project, with the legend in a column of
// its own to the right of the plot, never over the points.
const (
	chartW       = 10 * vg.Inch
	chartH       = 6.5 * vg.Inch
	legendGap    = 0.25 * vg.Inch
	pointRadius  = 3.5 // points, as vg.Length
	markerRadius = 6.5 // the rings around Pareto and recommended points
)

// The colours of the HTML page: Okabe–Ito for the curves, told apart
// with every common colour-vision deficiency, and the page's marks.
var (
	curveColors = []color.NRGBA{
		{0x00, 0x72, 0xB2, 0xFF}, {0xD5, 0x5E, 0x00, 0xFF}, {0x00, 0x9E, 0x73, 0xFF}, {0xCC, 0x79, 0xA7, 0xFF},
		{0xE6, 0x9F, 0x00, 0xFF}, {0x56, 0xB4, 0xE9, 0xFF}, {0x1F, 0x29, 0x37, 0xFF},
	}
	inkColor = color.NRGBA{0x1F, 0x29, 0x37, 0xFF} // Pareto outline
	recColor = color.NRGBA{0x00, 0x7A, 0x5A, 0xFF} // recommended ring
	gridGray = color.NRGBA{0xE5, 0xE7, 0xEB, 0xFF}
)

// shapes tell the curves apart in print too.
var shapes = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PyramidGlyph{},
	draw.BoxGlyph{}, draw.RingGlyph{}, draw.CrossGlyph{},
}

// Chart draws the trade-off: detection time p99 (x, seconds) against
// false positives per hour (y, on a logarithmic scale that keeps zero),
// one line per curve (combination of the other params), each point
// labelled with the first param's value where the label has room.
// Pareto-optimal points are outlined and each curve's recommended point
// ringed, as on the HTML page; the legend stands right of the plot.
// format is "svg" or "png".
func (r *Result) Chart(format string) ([]byte, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: detection time vs false positives (%s)", r.Scenario, seeds(r.Seeds))
	p.Title.TextStyle.Font.Size = vg.Points(14)
	p.Title.Padding = vg.Points(12)
	p.X.Label.Text = "detection time p99"
	p.Y.Label.Text = "false positives per hour (log scale)"
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = gridGray, gridGray
	p.Add(grid)

	legend := plot.NewLegend()
	legend.Left, legend.Top = true, true
	legend.Padding = vg.Points(5)
	labels := &pointLabels{}
	maxX, maxY := 0.0, 0.0
	var ringed []plot.Plotter // drawn over the lines
	for k, c := range r.Curves() {
		var xys, line plotter.XYs
		var pareto, recommended plotter.XYs
		for _, i := range c.Points {
			pt := r.Points[i]
			if pt.DetectionP99Ms == nil {
				continue // never detected a crash: no x to put it at
			}
			xy := plotter.XY{X: *pt.DetectionP99Ms / 1e3, Y: symLog(pt.FalsePositivesPerHour)}
			xys = append(xys, xy)
			maxX, maxY = math.Max(maxX, xy.X), math.Max(maxY, pt.FalsePositivesPerHour)
			if pt.Pareto {
				pareto = append(pareto, xy)
			}
			if i == c.Recommended {
				recommended = append(recommended, xy)
			}
			labels.add(xy, pt.Values[0], curveColors[k%len(curveColors)], pt.Pareto || i == c.Recommended)
			line = append(line, xy)
		}
		if len(xys) == 0 {
			continue
		}
		labels.lines = append(labels.lines, line)
		ln, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		col := curveColors[k%len(curveColors)]
		ln.Color, ln.Width = col, vg.Points(1.5)
		points.Color, points.Shape, points.Radius = col, shapes[k%len(shapes)], vg.Points(pointRadius)
		p.Add(ln, points)
		legend.Add(c.Name, ln, points)
		if len(pareto) > 0 {
			ringed = append(ringed, rings(pareto, inkColor, markerRadius-2, 1.6))
		}
		if len(recommended) > 0 {
			ringed = append(ringed, rings(recommended, recColor, markerRadius+1.5, 2.2))
		}
	}
	p.Add(ringed...)
	p.Add(labels)
	if len(labels.items) == 0 {
		// Detection time needs a crash; say so rather than draw bare axes.
		p.Title.Text += "\nno point detected a crash: add a kill event to the scenario to measure detection"
	} else {
		// Thumbnails a line high, so the legend's rows do not touch.
		legend.Add("Pareto-optimal", rings(nil, inkColor, 4, 1.6))
		legend.Add("recommended", rings(nil, recColor, 5, 2.2))
		legend.Add("labels: " + r.Params[0].Key)
	}
	// Axes start at zero: a time and a rate are never negative.
	p.X.Min, p.X.Max = 0, niceCeil(maxX)
	p.X.Tick.Marker = secondsTicks{}
	// The y axis is drawn in symLog units (gonum's non-linear scales
	// misplace the axis title); its ticks are labelled in rates.
	// A little headroom keeps the top point's ring inside the frame.
	p.Y.Min, p.Y.Max = 0, 1.03*symLog(math.Max(10, math.Pow(10, math.Ceil(math.Log10(math.Max(maxY, 1))))))
	p.Y.Tick.Marker = symLogTicks{}

	canvas, err := draw.NewFormattedCanvas(chartW, chartH, format)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	plotC, legendC := layout(draw.New(canvas), p, &legend)
	p.Draw(plotC)
	legend.Draw(legendC)
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return buf.Bytes(), nil
}

// layout splits the canvas into the plot, left, and the legend's column,
// right, top-aligned with the plot's data area.
func layout(dc draw.Canvas, p *plot.Plot, legend *plot.Legend) (plotC, legendC draw.Canvas) {
	lw := legend.Rectangle(dc).Size().X
	plotC = draw.Crop(dc, 0, -(lw + 2*legendGap), 0, 0)
	legendC = draw.Crop(dc, dc.Size().X-lw-legendGap, 0, 0, 0)
	legendC.Max.Y = p.DataCanvas(plotC).Max.Y
	return plotC, legendC
}

// rings draws hollow circles at xys: the Pareto outline and the
// recommended ring. As a legend thumbnail it draws one ring.
func rings(xys plotter.XYs, c color.Color, radius, width float64) *plotter.Scatter {
	s := &plotter.Scatter{XYs: xys, GlyphStyle: draw.GlyphStyle{Color: c, Radius: vg.Points(radius), Shape: thickRing{vg.Points(width)}}}
	return s
}

// thickRing is draw.RingGlyph with a line width of its own.
type thickRing struct{ width vg.Length }

func (g thickRing) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: g.width})
	var p vg.Path
	p.Move(vg.Point{X: pt.X + sty.Radius, Y: pt.Y})
	p.Arc(pt, sty.Radius, 0, 2*math.Pi)
	p.Close()
	c.Stroke(p)
}

// niceCeil rounds v up to a round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8
// times a power of ten, at least 1): the x axis ends close past the last
// point.
func niceCeil(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

// secondsTicks labels the x axis every 1, 2 or 5 × 10ⁿ seconds, 5 to
// 10 labels across, with a minor tick between each two.
type secondsTicks struct{}

func (secondsTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	step := math.Pow(10, math.Floor(math.Log10(span)))
	for _, m := range []float64{0.1, 0.2, 0.5, 1, 2, 5} {
		if s := m * step; span/s <= 10 {
			step = s
			break
		}
	}
	var out []plot.Tick
	for k := math.Ceil(lo / step); k*step <= hi+step/1e6; k++ {
		v := k * step
		out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64) + "s"})
		if m := v + step/2; m < hi {
			out = append(out, plot.Tick{Value: m})
		}
	}
	return out
}

// symLog maps a rate to the y axis: log10(1 + y), linear near zero and
// logarithmic beyond one, so 0, 3 and 900 false positives an hour all
// show (matplotlib's symlog with a linear threshold of 1).
func symLog(y float64) float64 { return math.Log10(1 + y) }

// symLogTicks labels 0 and the powers of ten, with minor ticks at 2 to
// 9 times each, at their symLog positions; lo and hi are symLog units.
type symLogTicks struct{}

func (symLogTicks) Ticks(lo, hi float64) []plot.Tick {
	out := []plot.Tick{{Value: 0, Label: "0"}}
	for p := 1.0; symLog(p) <= hi+1e-9; p *= 10 {
		out = append(out, plot.Tick{Value: symLog(p), Label: strconv.FormatFloat(p, 'f', -1, 64)})
		for m := 2.0; m < 10 && symLog(m*p) < hi; m++ {
			out = append(out, plot.Tick{Value: symLog(m * p)})
		}
	}
	return out
}
