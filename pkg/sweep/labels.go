package sweep

import (
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Box is a rectangle in the units of a drawing (points for the PNG and
// SVG charts, SVG user units for the HTML page).
type Box struct{ X0, Y0, X1, Y1 float64 }

func (a Box) overlaps(b Box) bool { return a.X0 < b.X1 && b.X0 < a.X1 && a.Y0 < b.Y1 && b.Y0 < a.Y1 }

func (a Box) inside(b Box) bool { return a.X0 >= b.X0 && a.Y0 >= b.Y0 && a.X1 <= b.X1 && a.Y1 <= b.Y1 }

// Label is a point's label to place: the point, the label's size, and
// whether it chooses before the others (Pareto, recommended).
type Label struct {
	X, Y, W, H float64
	First      bool
}

// PlaceLabels gives each label a box where it overlaps nothing: neither
// another label nor an obstacle (the points, the curves), and stays in
// bounds. It tries eight places around each point (above, below, right,
// left, then the diagonals) at one, two and three gaps; a label with no
// free place gets ok false and is left out (its point and its row in the
// table remain). yUp says which way "above" is: true for the charts,
// false for SVG, where y grows down.
func PlaceLabels(labels []Label, obstacles []Box, bounds Box, gap float64, yUp bool) (boxes []Box, ok []bool) {
	taken := append([]Box(nil), obstacles...)
	boxes, ok = make([]Box, len(labels)), make([]bool, len(labels))
	order := make([]int, len(labels))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return labels[order[a]].First && !labels[order[b]].First })
	up := 1.0
	if !yUp {
		up = -1
	}
	for _, i := range order {
		l := labels[i]
		for _, d := range []float64{gap, 2 * gap, 3 * gap} {
			e := d * 0.7
			found := false
			for _, c := range [][2]float64{
				{-l.W / 2, up*d - boolf(!yUp)*l.H}, // above
				{-l.W / 2, -up*d - boolf(yUp)*l.H}, // below
				{d, -l.H / 2},                      // right
				{-d - l.W, -l.H / 2},               // left
				{e, up*e - boolf(!yUp)*l.H},        // above right
				{e, -up*e - boolf(yUp)*l.H},        // below right
				{-e - l.W, up*e - boolf(!yUp)*l.H}, // above left
				{-e - l.W, -up*e - boolf(yUp)*l.H}, // below left
			} {
				b := Box{X0: l.X + c[0], Y0: l.Y + c[1]}
				b.X1, b.Y1 = b.X0+l.W, b.Y0+l.H
				if !b.inside(bounds) || overlapsAny(b, taken) {
					continue
				}
				taken = append(taken, b)
				boxes[i], ok[i], found = b, true, true
				break
			}
			if found {
				break
			}
		}
	}
	return boxes, ok
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func overlapsAny(a Box, bs []Box) bool {
	for _, b := range bs {
		if a.overlaps(b) {
			return true
		}
	}
	return false
}

// CurveObstacles are small boxes along each polyline, so that labels keep
// off the curves; step is the spacing, r half a box's side.
func CurveObstacles(lines [][][2]float64, step, r float64) []Box {
	var out []Box
	for _, ln := range lines {
		for k := 1; k < len(ln); k++ {
			a, b := ln[k-1], ln[k]
			n := int(math.Hypot(b[0]-a[0], b[1]-a[1])/step) + 1
			for j := 0; j <= n; j++ {
				f := float64(j) / float64(n)
				x, y := a[0]+(b[0]-a[0])*f, a[1]+(b[1]-a[1])*f
				out = append(out, Box{x - r, y - r, x + r, y + r})
			}
		}
	}
	return out
}

// pointLabels draws the chart's point labels where PlaceLabels puts
// them, in canvas space, once the axes are laid out.
type pointLabels struct {
	items []labelItem
	// lines are the curves through the points: labels keep off them.
	lines []plotter.XYs
}

type labelItem struct {
	xy     plotter.XY
	text   string
	color  color.Color
	marked bool
}

func (l *pointLabels) add(xy plotter.XY, text string, c color.Color, marked bool) {
	l.items = append(l.items, labelItem{xy, text, c, marked})
}

// Plot implements plot.Plotter.
func (l *pointLabels) Plot(c draw.Canvas, p *plot.Plot) {
	sty := l.style(p)
	for _, pl := range l.place(c, p) {
		sty.Color = l.items[pl.item].color
		c.FillText(sty, vg.Point{X: vg.Length(pl.box.X0), Y: vg.Length(pl.box.Y0)}, l.items[pl.item].text)
	}
}

// placed is a label given a box in canvas space.
type placed struct {
	item int
	box  Box
}

func (l *pointLabels) style(p *plot.Plot) text.Style {
	sty := text.Style{Font: p.X.Tick.Label.Font, Handler: p.X.Tick.Label.Handler}
	sty.Font.Size = vg.Points(10)
	return sty
}

// place finds each label a free box, or none: every point is an
// obstacle a ring's size around it, and so is every curve.
func (l *pointLabels) place(c draw.Canvas, p *plot.Plot) []placed {
	trX, trY := p.Transforms(&c)
	at := func(xy plotter.XY) (float64, float64) { return float64(trX(xy.X)), float64(trY(xy.Y)) }
	r := markerRadius + 3
	var obstacles []Box
	labels := make([]Label, len(l.items))
	sty := l.style(p)
	for i, it := range l.items {
		x, y := at(it.xy)
		obstacles = append(obstacles, Box{x - r, y - r, x + r, y + r})
		size := sty.Rectangle(it.text).Size()
		labels[i] = Label{X: x, Y: y, W: float64(size.X), H: float64(size.Y), First: it.marked}
	}
	var lines [][][2]float64
	for _, ln := range l.lines {
		var pts [][2]float64
		for _, xy := range ln {
			x, y := at(xy)
			pts = append(pts, [2]float64{x, y})
		}
		lines = append(lines, pts)
	}
	obstacles = append(obstacles, CurveObstacles(lines, 3, 1.5)...)
	bounds := Box{float64(c.Min.X), float64(c.Min.Y), float64(c.Max.X), float64(c.Max.Y)}
	boxes, ok := PlaceLabels(labels, obstacles, bounds, r, true)
	var out []placed
	for i := range boxes {
		if ok[i] {
			out = append(out, placed{i, boxes[i]})
		}
	}
	return out
}
