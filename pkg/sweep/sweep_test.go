package sweep

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/sim"
)

func noEnv(string) (string, bool) { return "", false }

// jittery is small (3 nodes, 3 minutes) but has both a crash and enough
// jitter that miss_threshold 1 makes false positives.
const jittery = `name: jittery
seed: 5
duration: 3m
cluster: {datanodes: 3}
heartbeat: {interval: 1s, check_interval: 50ms, miss_threshold: 10}
network: {latency: 300ms, jitter: 250ms}
events:
  - {at: 1m, kill: dn2}
`

func TestParseParam(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  string
	}{
		{"heartbeat.miss_threshold=2..5", []string{"2", "3", "4", "5"}, ""},
		{"heartbeat.miss_threshold=3..3", []string{"3"}, ""},
		{"heartbeat.interval=1s, 3s", []string{"1s", "3s"}, ""},
		{"network.jitter=5ms", []string{"5ms"}, ""},
		{"heartbeat.miss_threshold=5..2", nil, "is empty"},
		{"heartbeat.miss_threshold=a..3", nil, "whole numbers"},
		{"heartbeat.miss_threshold=1..5000", nil, "more than 1000"},
		{"heartbeat.interval=1s,,3s", nil, "empty value"},
		{"heartbeat.interval=1s,1s", nil, "given twice"},
		{"heartbeat.interval", nil, "want KEY=A..B"},
		{"=1..2", nil, "want KEY=A..B"},
		{"heartbeat.miss_treshold=1..3", nil, "param heartbeat.miss_treshold: unknown key; did you mean heartbeat.miss_threshold?"},
		{"dfs.heartbeat.intervall=1,3", nil, "did you mean dfs.heartbeat.interval?"},
		{"dfs.heartbeat.interval=1,3", []string{"1", "3"}, ""},
	}
	for _, c := range cases {
		p, err := ParseParam(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(p.Values, c.want) {
			t.Errorf("%q = %v, %v; want %v", c.in, p.Values, err, c.want)
		}
	}
	if _, err := ParseParams([]string{"network.loss=0", "network.loss=0.1"}); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Error("a key swept twice must be an error")
	}
}

func TestGridOrder(t *testing.T) {
	g := grid([]Param{{Key: "a", Values: []string{"1", "2"}}, {Key: "b", Values: []string{"x", "y"}}})
	want := [][]string{{"1", "x"}, {"2", "x"}, {"1", "y"}, {"2", "y"}}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("grid = %v, want %v (first param fastest)", g, want)
	}
}

func ptr(f float64) *float64 { return &f }

func TestParetoAndRecommend(t *testing.T) {
	r := &Result{
		Params: []Param{{Key: "t", Values: []string{"10", "2", "5"}}, {Key: "i", Values: []string{"1s"}}},
		Seeds:  20,
		Points: []Point{
			{Values: []string{"10", "1s"}, DetectionP99Ms: ptr(30000)},
			{Values: []string{"2", "1s"}, DetectionP99Ms: ptr(6000), FalsePositives: 4, FalsePositivesPerHour: 3},
			{Values: []string{"5", "1s"}, DetectionP99Ms: ptr(15000)},
			{Values: []string{"7", "1s"}, DetectionP99Ms: ptr(15000), FalsePositivesPerHour: 1},
			{Values: []string{"9", "1s"}}, // detected nothing: not judged
		},
	}
	markPareto(r.Points)
	var marked []string
	for _, p := range r.Points {
		if p.Pareto {
			marked = append(marked, p.Values[0])
		}
	}
	if got := strings.Join(marked, ","); got != "2,5" {
		t.Errorf("Pareto points %s, want 2,5", got)
	}
	// Smallest by value, not by position: 5 before 9 and 10.
	want := []string{"smallest t with no false positive in 20 seeds: 5 (i=1s)"}
	if got := recommend(r); !reflect.DeepEqual(got, want) {
		t.Errorf("recommend = %q, want %q", got, want)
	}
	r.Points = r.Points[1:2]
	if got := recommend(r); len(got) != 1 || !strings.HasPrefix(got[0], "every t tried had false positives") {
		t.Errorf("recommend = %q", got)
	}
}

// direct runs one point and seed without the sweep, as hbsim run would.
func direct(t *testing.T, sets []string, seed int64) *report.Report {
	t.Helper()
	sc, err := scenario.Parse("jittery.yaml", []byte(jittery), scenario.Options{Sets: sets, Seed: &seed, Env: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := sim.Run(context.Background(), sc.MustModel(), sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return report.Build(report.Meta{Name: sc.Name, Seed: sc.Seed, Config: sc.Effective}, tr)
}

func TestSweepMatchesSeparateRuns(t *testing.T) {
	params, err := ParseParams([]string{"heartbeat.miss_threshold=1,6", "heartbeat.interval=1s"})
	if err != nil {
		t.Fatal(err)
	}
	one, err := Run("jittery.yaml", []byte(jittery), Options{Params: params, Seeds: 1, Jobs: 2, Scenario: scenario.Options{Env: noEnv}})
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Points) != 2 || one.Detector == "" {
		t.Fatalf("points %d, detector %q", len(one.Points), one.Detector)
	}
	// With one seed a point's metrics are that run's report's.
	for i, p := range one.Points {
		r := direct(t, []string{"heartbeat.miss_threshold=" + p.Values[0], "heartbeat.interval=1s"}, 5)
		q := r.QoS[one.Detector]
		got := []any{p.Crashes, p.Detected, p.FalsePositives, deref(p.DetectionP50Ms), deref(p.DetectionP99Ms),
			p.FalsePositivesPerHour, deref(p.MistakeDurationMs), p.PA, p.MessagesPerSec}
		want := []any{q.Crashes, q.Detected, q.Mistakes, deref(q.DetectionMs.P50), deref(q.DetectionMs.P99),
			q.MistakesPerHour, deref(q.MistakeDurationMs), round(q.PA, 9), r.MessagesPerSec}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("point %d (%v): sweep %v, separate run %v", i, p.Values, got, want)
		}
	}
	if one.Points[0].FalsePositives == 0 || one.Points[1].FalsePositives != 0 {
		t.Errorf("threshold 1 should make false positives and 6 none: %+v", one.Points)
	}

	// With three seeds, detection percentiles are over every crash of
	// every seed, and mistakes add up.
	three, err := Run("jittery.yaml", []byte(jittery), Options{Params: params, Seeds: 3, Scenario: scenario.Options{Env: noEnv}})
	if err != nil {
		t.Fatal(err)
	}
	p := three.Points[1]
	var detections []float64
	mistakes := 0
	for seed := int64(5); seed < 8; seed++ {
		r := direct(t, []string{"heartbeat.miss_threshold=6", "heartbeat.interval=1s"}, seed)
		for _, n := range r.Nodes {
			for _, c := range n.Crashes {
				if c.DetectionMs != nil {
					detections = append(detections, *c.DetectionMs)
				}
			}
		}
		mistakes += r.QoS[three.Detector].Mistakes
	}
	slices.Sort(detections)
	if p.Runs != 3 || p.Detected != len(detections) || p.FalsePositives != mistakes ||
		*p.DetectionP50Ms != detections[1] || *p.DetectionP99Ms != detections[2] {
		t.Errorf("pooled point %+v, separate detections %v, mistakes %d", p, detections, mistakes)
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func TestSweepBadValue(t *testing.T) {
	params, _ := ParseParams([]string{"heartbeat.miss_threshold=lots"})
	_, err := Run("jittery.yaml", []byte(jittery), Options{Params: params, Seeds: 1, Scenario: scenario.Options{Env: noEnv}})
	if err == nil || !strings.Contains(err.Error(), "heartbeat.miss_threshold=lots") {
		t.Errorf("error %v, want one naming the point", err)
	}
}

func TestWriteFiles(t *testing.T) {
	params, _ := ParseParams([]string{"heartbeat.miss_threshold=1,6", "heartbeat.interval=1s,2s"})
	res, err := Run("jittery.yaml", []byte(jittery), Options{Params: params, Seeds: 1, Scenario: scenario.Options{Env: noEnv}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := res.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	rows, err := csv.NewReader(bytes.NewReader(read("sweep.csv"))).ReadAll()
	if err != nil || len(rows) != 5 || rows[0][0] != "heartbeat.miss_threshold" || rows[0][1] != "heartbeat.interval" {
		t.Errorf("CSV: %v %v", rows, err)
	}
	var back Result
	if err := json.Unmarshal(read("sweep.json"), &back); err != nil || !reflect.DeepEqual(back.Points, res.Points) {
		t.Errorf("JSON does not round-trip: %v", err)
	}
	if !bytes.Contains(read("sweep.svg"), []byte("<svg")) {
		t.Error("sweep.svg is not SVG")
	}
	if !bytes.HasPrefix(read("sweep.png"), []byte("\x89PNG")) {
		t.Error("sweep.png is not PNG")
	}
	var table bytes.Buffer
	if err := res.WriteTable(&table, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "smallest heartbeat.miss_threshold with no false positive in 1 seed: 6 (heartbeat.interval=1s)") {
		t.Errorf("table:\n%s", table.String())
	}
}
