package sweep

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Chart draws the trade-off: detection time p99 (x, seconds) against
// false positives per hour (y), one line per curve (combination of the
// other params), each point labelled with the first param's value. format
// is "svg" or "png".
func (r *Result) Chart(format string) ([]byte, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: detection time vs false positives (%s)", r.Scenario, seeds(r.Seeds))
	p.X.Label.Text = "detection time p99 (s)"
	p.Y.Label.Text = "false positives per hour"
	p.Add(plotter.NewGrid())
	p.Legend.Top = true

	curves, names := r.curves()
	plotted := 0
	for i, pts := range curves {
		if len(pts) == 0 {
			continue
		}
		xys := make(plotter.XYs, len(pts))
		labels := make([]string, len(pts))
		for j, pt := range pts {
			xys[j] = plotter.XY{X: *pt.DetectionP99Ms / 1e3, Y: pt.FalsePositivesPerHour}
			labels[j] = pt.Values[0]
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		c := plotutil.Color(i)
		line.Color, points.Color = c, c
		points.Shape = plotutil.Shape(i)
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		for k := range lbl.TextStyle {
			lbl.TextStyle[k].Color = color.Gray{Y: 80}
			lbl.TextStyle[k].XAlign = -0.5
		}
		lbl.Offset = vg.Point{Y: 4} // above the point, not on it
		p.Add(line, points, lbl)
		p.Legend.Add(names[i], line, points)
		plotted += len(pts)
	}
	if plotted == 0 {
		// Detection time needs a crash; say so rather than draw bare axes.
		p.Title.Text += "\nno point detected a crash: add a kill event to the scenario to measure detection"
	}
	// A rate is never negative; without this a sweep with no false
	// positive at all gets an axis from -1 to 1.
	p.Y.Min, p.X.Min = 0, 0
	p.Y.Max, p.X.Max = max(p.Y.Max, 1), max(p.X.Max, 1)
	wt, err := p.WriterTo(8*vg.Inch, 5*vg.Inch, format)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return buf.Bytes(), nil
}

// curves groups the points that detected something by the values of the
// params after the first, in grid order, each sorted by the first param.
func (r *Result) curves() ([][]Point, []string) {
	var curves [][]Point
	var names []string
	index := map[string]int{}
	for _, pt := range r.Points {
		name := r.Params[0].Key
		if len(r.Params) > 1 {
			name = label(r.Params[1:], pt.Values[1:])
		}
		i, ok := index[name]
		if !ok {
			i = len(curves)
			index[name] = i
			curves = append(curves, nil)
			names = append(names, name)
		}
		if pt.DetectionP99Ms != nil {
			curves[i] = append(curves[i], pt)
		}
	}
	return curves, names
}
