package expect

import (
	"errors"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/report"
)

var cluster = []string{"dn1", "dn2", "dn3", "dn4", "dn5"}

func f64(v float64) *float64 { return &v }

// sampleReport: dn3 crashed at 30s and was declared dead at 61.002s; dn2
// crashed twice, the second crash never detected; dn4 had a false positive.
func sampleReport() *report.Report {
	return &report.Report{
		Scenario: "sample",
		Events: []report.Event{
			{TMs: 30000, Node: "dn3", Kind: "kill", Reason: "scenario"},
			{TMs: 61002, Node: "dn3", Kind: "transition", From: "stale", To: "dead", Reason: "no heartbeat for 30s"},
			{TMs: 90000, Node: "dn4", Kind: "transition", From: "alive", To: "dead", Reason: "late heartbeat"},
		},
		Nodes: []report.Node{
			{ID: "dn1", HeartbeatsSent: 60, HeartbeatsReceived: 60},
			{ID: "dn2", KilledAtMs: f64(10000), DeadAtMs: f64(40000), DetectionMs: f64(30000),
				HeartbeatsReceived: 40,
				Crashes: []report.Crash{
					{KilledAtMs: 10000, DeadAtMs: f64(40000), DetectionMs: f64(30000), RestartedAtMs: f64(60000)},
					{KilledAtMs: 100000},
				}},
			{ID: "dn3", KilledAtMs: f64(30000), DeadAtMs: f64(61002), DetectionMs: f64(31002), HeartbeatsReceived: 10},
			{ID: "dn4", FalsePositives: 1, HeartbeatsReceived: 59},
			{ID: "dn5", HeartbeatsReceived: 60},
		},
	}
}

func mustParse(t *testing.T, fields map[string]any) Expectation {
	t.Helper()
	e, err := Parse(fields, cluster)
	if err != nil {
		t.Fatalf("Parse(%v): %v", fields, err)
	}
	return e
}

func TestCheck(t *testing.T) {
	tests := []struct {
		fields     map[string]any
		name       string
		pass       bool
		detailPart string
	}{
		{map[string]any{"dead": "dn3", "within": "35s"}, "dn3 dead within 35s", true,
			"killed at 00:00:30.000, declared dead at 00:01:01.002: detection 31.002s ≤ 35s"},
		{map[string]any{"dead": "dn3", "within": "30s"}, "dn3 dead within 30s", false, "detection 31.002s > 30s"},
		{map[string]any{"dead": "dn1", "within": "35s"}, "dn1 dead within 35s", false, "dn1 was never killed"},
		{map[string]any{"dead": "dn2", "within": "35s"}, "dn2 dead within 35s", false,
			"detection 30s ≤ 35s; killed at 00:01:40.000, never declared dead"},
		{map[string]any{"never_dead": []any{"dn1", "dn2", "dn5"}}, "never dead: dn1, dn2, dn5", true, "no dead declaration for dn1, dn2, dn5"},
		{map[string]any{"never_dead": "dn4"}, "never dead: dn4", false, "dn4 declared dead at 00:01:30.000 (late heartbeat)"},
		{map[string]any{"false_positives": 0}, "false positives = 0", false, "1 false positive (dn4 1)"},
		{map[string]any{"false_positives": 1}, "false positives = 1", true, "1 false positive"},
		{map[string]any{"false_positives": map[string]any{"min": 1}}, "false positives ≥ 1", true, ""},
		{map[string]any{"false_positives": map[string]any{"max": 2}}, "false positives ≤ 2", true, ""},
		{map[string]any{"false_positives": map[string]any{"min": 2, "max": 5}}, "false positives between 2 and 5", false, ""},
		{map[string]any{"metric": "nodes.dn3.detection_ms", "max": 35000}, "nodes.dn3.detection_ms ≤ 35000", true,
			"nodes.dn3.detection_ms = 31002, want ≤ 35000"},
		{map[string]any{"metric": "nodes.dn3.detection_ms", "min": 31500.5}, "nodes.dn3.detection_ms ≥ 31500.5", false,
			"= 31002, but want ≥ 31500.5"},
		{map[string]any{"metric": "nodes.dn1.detection_ms", "max": 1}, "", false, "nodes.dn1.detection_ms is null"},
		{map[string]any{"metric": "nodes.dn1.heartbeats_received", "min": 50}, "", true, "= 60"},
		{map[string]any{"metric": "totals.false_positives", "min": 1, "max": 1}, "totals.false_positives = 1", true, ""},
		{map[string]any{"metric": "totals.heartbeats_received", "min": 229}, "", true, "= 229"},
		{map[string]any{"metric": "nodes.dn2.crashes.1.killed_at_ms", "min": 100000}, "", true, "= 100000"},
		{map[string]any{"metric": "nodes.dn2.crashes.5.killed_at_ms", "min": 1}, "", false, "index 5 is past the end"},
		{map[string]any{"metric": "nodes.dn1.crashes.0.killed_at_ms", "min": 1}, "", false, "no \"crashes\" in the report"},
		{map[string]any{"metric": "duration_ms", "max": 0}, "", true, "duration_ms = 0"},
	}
	for _, tt := range tests {
		e := mustParse(t, tt.fields)
		if tt.name != "" && e.Name() != tt.name {
			t.Errorf("Name() = %q, want %q", e.Name(), tt.name)
		}
		pass, detail := e.Check(sampleReport())
		if pass != tt.pass || !strings.Contains(detail, tt.detailPart) {
			t.Errorf("%s: Check = %v %q, want %v containing %q", e.Name(), pass, detail, tt.pass, tt.detailPart)
		}
	}
}

func TestDeadFromSummaryFields(t *testing.T) {
	r := sampleReport()
	r.Nodes[2].Crashes = nil // dn3: only the summary fields
	pass, detail := mustParse(t, map[string]any{"dead": "dn3", "within": "35s"}).Check(r)
	if !pass || !strings.Contains(detail, "detection 31.002s") {
		t.Errorf("got %v %q", pass, detail)
	}
	r.Nodes = nil
	if pass, detail := mustParse(t, map[string]any{"dead": "dn3", "within": "35s"}).Check(r); pass || detail != "dn3 is not in the report" {
		t.Errorf("got %v %q", pass, detail)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		fields      map[string]any
		field, want string
	}{
		{map[string]any{"alive": "dn1"}, "alive", "unknown expectation; want one of dead, decommissioned, failed_reads, false_positives, metric, never_dead, no_data_loss, read_p99_below, recovered_within"},
		{map[string]any{}, "", "unknown expectation"},
		{map[string]any{"dead": "dn1", "never_dead": "dn2"}, "never_dead", "one expectation per entry, got dead and never_dead"},
		{map[string]any{"dead": "dn9", "within": "35s"}, "dead", `unknown DataNode "dn9" (cluster has dn1..dn5)`},
		{map[string]any{"dead": "dn1"}, "dead", "needs within"},
		{map[string]any{"dead": "dn1", "within": 35}, "within", "must be a duration with a unit, such as 35s, got 35"},
		{map[string]any{"dead": "dn1", "within": "-3s"}, "within", "must be a positive duration, got -3s"},
		{map[string]any{"dead": "dn1", "within": "3s", "by": "x"}, "by", "unknown field for dead (it takes only within)"},
		{map[string]any{"dead": []any{"dn1"}, "within": "3s"}, "dead", "must be a DataNode id, got a list"},
		{map[string]any{"never_dead": []any{"dn1", "dn7"}}, "never_dead[1]", `unknown DataNode "dn7"`},
		{map[string]any{"never_dead": []any{"dn1", "dn1"}}, "never_dead[1]", "dn1 is listed twice"},
		{map[string]any{"never_dead": []any{}}, "never_dead", "at least one"},
		{map[string]any{"never_dead": "dn1", "within": "3s"}, "within", "it takes no other field"},
		{map[string]any{"false_positives": -1}, "false_positives", "must be a whole number ≥ 0, got -1"},
		{map[string]any{"false_positives": 1.5}, "false_positives", "must be a whole number ≥ 0, got 1.5"},
		{map[string]any{"false_positives": map[string]any{"least": 1}}, "false_positives.least", "unknown field"},
		{map[string]any{"false_positives": map[string]any{}}, "false_positives", "needs a count"},
		{map[string]any{"false_positives": map[string]any{"min": 3, "max": 1}}, "false_positives", "min 3 is above max 1"},
		{map[string]any{"metric": "nodes.dn3.detection_ms"}, "metric", "needs min, max or both"},
		{map[string]any{"metric": "nodes.dn9.detection_ms", "min": 1}, "metric", `unknown DataNode "dn9"`},
		{map[string]any{"metric": "nodes.dn3.detecton_ms", "min": 1}, "metric", `no field "detecton_ms" at nodes.dn3; did you mean detection_ms?`},
		{map[string]any{"metric": "nodes.dn3.zzz", "min": 1}, "metric", `no field "zzz" at nodes.dn3 (known: crashes, dead_at_ms,`},
		{map[string]any{"daed": "dn3"}, "daed", "unknown expectation; did you mean dead?"},
		{map[string]any{"dead": "dn3", "witin": "3s"}, "witin", "unknown field for dead (it takes only within; did you mean within?)"},
		{map[string]any{"metric": "nodes..x", "min": 1}, "metric", "empty segment"},
		{map[string]any{"metric": 3, "min": 1}, "metric", "must be a dotted path"},
		{map[string]any{"metric": "seed", "min": "a"}, "min", `must be a number, got "a"`},
		{map[string]any{"metric": "seed", "min": 2, "max": 1}, "min", "2 is above max 1"},
		{map[string]any{"metric": "seed.x", "min": 1}, "metric", "seed is a number or text"},
		{map[string]any{"metric": "nodes.dn1.crashes.x.killed_at_ms", "min": 1}, "metric", "must be a list index"},
		{map[string]any{"metric": "totals.bogus", "min": 1}, "metric", `no field "bogus" at totals`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.fields, cluster)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("Parse(%v) = %v, want a *FieldError", tt.fields, err)
			continue
		}
		if fe.Field != tt.field || !strings.Contains(fe.Err.Error(), tt.want) {
			t.Errorf("Parse(%v) = field %q: %v\nwant field %q containing %q", tt.fields, fe.Field, fe.Err, tt.field, tt.want)
		}
	}
}

func TestCheckAll(t *testing.T) {
	r := sampleReport()
	CheckAll(nil, r)
	if !r.Passed || r.Expectations == nil || len(r.Expectations) != 0 {
		t.Errorf("no expectations: passed=%v %v", r.Passed, r.Expectations)
	}
	exps := []Expectation{
		mustParse(t, map[string]any{"dead": "dn3", "within": "35s"}),
		mustParse(t, map[string]any{"false_positives": 0}),
	}
	CheckAll(exps, r)
	if r.Passed || len(r.Expectations) != 2 || !r.Expectations[0].Passed || r.Expectations[1].Passed {
		t.Errorf("got passed=%v %+v", r.Passed, r.Expectations)
	}
	CheckAll(exps[:1], r)
	if !r.Passed || len(r.Expectations) != 1 {
		t.Errorf("got passed=%v %+v", r.Passed, r.Expectations)
	}
}
