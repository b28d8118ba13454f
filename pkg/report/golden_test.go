package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

// update rewrites the golden files: go test ./pkg/report -update
var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func fixtureReport() *Report {
	r := Build(Meta{
		Name:        "three-nodes",
		Description: "dn3 crashes, dn1 crashes twice, dn2 is wrongly declared dead once.",
		Seed:        42,
		Config: map[string]any{
			"heartbeat": map[string]any{"interval": "3s", "miss_threshold": 10},
			"network":   map[string]any{"latency": "1ms"},
		},
	}, fixture())
	r.Expectations = []Expectation{
		{Name: "dn3 dead within 35s", Passed: true, Detail: "declared dead 31.002s after the crash"},
		{Name: "false_positives: 0", Passed: false, Detail: "dn2 declared dead while alive (1)"},
	}
	r.Passed = false
	return r
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name  string
		r     *Report
		write func(*Report, *bytes.Buffer) error
	}{
		{"table.golden", fixtureReport(), func(r *Report, b *bytes.Buffer) error { return r.WriteTable(b) }},
		{"json.golden", fixtureReport(), func(r *Report, b *bytes.Buffer) error { return r.WriteJSON(b) }},
		{"empty_table.golden", Build(Meta{Name: "idle"}, &trace.Trace{End: time.Minute}),
			func(r *Report, b *bytes.Buffer) error { return r.WriteTable(b) }},
		{"registered_table.golden", Build(Meta{Name: "one"}, &trace.Trace{
			End:    time.Minute,
			Nodes:  []trace.Node{{ID: "dn1", HeartbeatsSent: 20, HeartbeatsReceived: 20, FinalState: "live"}},
			Events: []trace.Event{reg(1.5, "dn1")},
		}), func(r *Report, b *bytes.Buffer) error { return r.WriteTable(b) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := c.write(c.r, &got); err != nil {
				t.Fatal(err)
			}
			// Same report, same bytes: write it again and compare.
			var again bytes.Buffer
			if err := c.write(c.r, &again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), again.Bytes()) {
				t.Fatal("two writes of the same report differ")
			}
			path := filepath.Join("testdata", c.name)
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("output differs from %s (run with -update if intended)\ngot:\n%s\nwant:\n%s", path, got.Bytes(), want)
			}
		})
	}
}

// TestJSONFields pins the documented field names scripts rely on.
func TestJSONFields(t *testing.T) {
	var b bytes.Buffer
	if err := fixtureReport().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("}\n")) {
		t.Error("JSON should end with a newline")
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"scenario", "seed", "duration_ms", "config", "events", "nodes", "expectations", "passed"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("missing top-level field %q", k)
		}
	}
	node := doc["nodes"].([]any)[1].(map[string]any) // dn2: never killed
	for _, k := range []string{"id", "state", "killed_at_ms", "dead_at_ms", "detection_ms", "false_positives", "heartbeats_sent", "heartbeats_received"} {
		if _, ok := node[k]; !ok {
			t.Errorf("missing node field %q", k)
		}
	}
	if node["killed_at_ms"] != nil {
		t.Errorf("killed_at_ms of a node never killed = %v, want null", node["killed_at_ms"])
	}
	if _, ok := node["crashes"]; ok {
		t.Error("crashes should be omitted for a node never killed")
	}
	ev := doc["events"].([]any)[0].(map[string]any)
	if ev["t_ms"] != 412.25 {
		t.Errorf("events[0].t_ms = %v, want 412.25", ev["t_ms"])
	}
}
