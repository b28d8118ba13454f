package sweep

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// chartResult is a sweep as jittery-crash gives it: two curves whose
// points meet on the axis (no false positives) and false positives from
// 0 to 934 an hour.
func chartResult() *Result {
	r := &Result{Scenario: "jittery-crash", Detector: "missed-count", Seeds: 20,
		Params: []Param{{Key: "heartbeat.miss_threshold"}, {Key: "heartbeat.interval"}}}
	for _, iv := range []struct {
		interval string
		p99      []float64
		fph      []float64
	}{
		{"1s", []float64{3600, 4700, 5700, 6700, 7700, 8700, 9700, 10700}, []float64{934.11, 290.37, 25.58, 0, 0, 0, 0, 0}},
		{"3s", []float64{5000, 7700, 10700, 13700, 16700, 19700, 22700, 25700}, []float64{301.89, 0, 0, 0, 0, 0, 0, 0}},
	} {
		for k := range iv.p99 {
			p99 := iv.p99[k]
			fp := 0
			if iv.fph[k] > 0 {
				fp = 1
			}
			r.Points = append(r.Points, Point{Values: []string{fmt.Sprint(k + 1), iv.interval}, Runs: 20,
				DetectionP99Ms: &p99, FalsePositivesPerHour: iv.fph[k], FalsePositives: fp})
		}
	}
	markPareto(r.Points)
	r.Recommendations = recommend(r)
	return r
}

func TestChartAxesMarksAndLegend(t *testing.T) {
	svg, err := chartResult().Chart("svg")
	if err != nil {
		t.Fatal(err)
	}
	text := map[string]bool{}
	for _, m := range regexp.MustCompile(`>([^<>]+)</text>`).FindAllStringSubmatch(string(svg), -1) {
		text[m[1]] = true
	}
	for _, want := range []string{
		// Ticks on both axes: seconds every 5s, rates on a log scale
		// that keeps zero.
		"0s", "5s", "10s", "15s", "20s", "25s", "30s",
		"0", "1", "10", "100", "1000",
		// The legend names the curves and the marks.
		"heartbeat.interval=1s", "heartbeat.interval=3s", "Pareto-optimal", "recommended",
		"labels: heartbeat.miss_threshold",
		// Point labels, the first param's values.
		"1", "4", "8",
	} {
		if !text[want] {
			t.Errorf("chart lacks the text %q; it has %v", want, text)
		}
	}
	png, err := chartResult().Chart("png")
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("png: %v", err)
	}
}

func TestChartWithoutCrashSaysWhy(t *testing.T) {
	r := chartResult()
	for i := range r.Points {
		r.Points[i].DetectionP99Ms = nil
	}
	svg, err := r.Chart("svg")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "no point detected a crash") {
		t.Error("an empty chart does not say why")
	}
}

// TestChartLabelsNeverOverlap places the labels of points piled on one
// spot and along the axis: no two boxes may meet, and none may leave the
// plot.
func TestChartLabelsNeverOverlap(t *testing.T) {
	p := plot.New()
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 10, 0, 3
	l := &pointLabels{}
	for k := 0; k < 40; k++ {
		l.add(plotter.XY{X: float64(k % 5), Y: 0}, fmt.Sprint(k), curveColors[0], k%7 == 0)
	}
	l.lines = []plotter.XYs{{{X: 0, Y: 3}, {X: 4, Y: 0}}}
	canvas, err := draw.NewFormattedCanvas(6*vg.Inch, 4*vg.Inch, "svg")
	if err != nil {
		t.Fatal(err)
	}
	dc := p.DataCanvas(draw.New(canvas))
	got := l.place(dc, p)
	if len(got) == 0 {
		t.Fatal("no label placed")
	}
	bounds := Box{float64(dc.Min.X), float64(dc.Min.Y), float64(dc.Max.X), float64(dc.Max.Y)}
	for i, a := range got {
		if !a.box.inside(bounds) {
			t.Errorf("label %q leaves the plot: %v", l.items[a.item].text, a.box)
		}
		for _, b := range got[i+1:] {
			if a.box.overlaps(b.box) {
				t.Errorf("labels %q and %q overlap", l.items[a.item].text, l.items[b.item].text)
			}
		}
	}
	// Marked points choose first: all six get their label.
	marked := 0
	for _, pl := range got {
		if l.items[pl.item].marked {
			marked++
		}
	}
	if marked != 6 {
		t.Errorf("%d marked labels placed, want 6", marked)
	}
}

func TestChartLegendBesideThePlot(t *testing.T) {
	p := plot.New()
	p.Title.Text = "t"
	legend := plot.NewLegend()
	legend.Add("heartbeat.interval=1s, a long curve name")
	canvas, err := draw.NewFormattedCanvas(chartW, chartH, "svg")
	if err != nil {
		t.Fatal(err)
	}
	plotC, legendC := layout(draw.New(canvas), p, &legend)
	if data := p.DataCanvas(plotC); legendC.Min.X <= data.Max.X {
		t.Errorf("legend starts at x=%v, inside the plot (ends at %v)", legendC.Min.X, data.Max.X)
	}
	if legendC.Max.X > chartW {
		t.Errorf("legend ends at %v, past the chart (%v)", legendC.Max.X, chartW)
	}
}

func TestSymLogKeepsZero(t *testing.T) {
	if symLog(0) != 0 || symLog(9) != 1 || symLog(99) != 2 {
		t.Errorf("symLog(0, 9, 99) = %v, %v, %v; want 0, 1, 2", symLog(0), symLog(9), symLog(99))
	}
	ticks := symLogTicks{}.Ticks(0, symLog(1000))
	var labels []string
	for _, tk := range ticks {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if strings.Join(labels, ",") != "0,1,10,100,1000" {
		t.Errorf("labels %v", labels)
	}
	var sec []string
	for _, tk := range (secondsTicks{}).Ticks(0, 30) {
		if tk.Label != "" {
			sec = append(sec, tk.Label)
		}
	}
	if strings.Join(sec, ",") != "0s,5s,10s,15s,20s,25s,30s" {
		t.Errorf("seconds ticks %v", sec)
	}
}
