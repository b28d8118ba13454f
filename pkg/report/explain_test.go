package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestExplainGolden(t *testing.T) {
	cases := []struct {
		name string
		r    *Report
		arr  bool
	}{
		{name: "explain_faults.golden", r: faultsFixture(), arr: true},
		// Without arrivals the detector's own reasons explain decisions.
		{name: "explain_faults_noarrivals.golden", r: faultsFixture()},
		{name: "explain_three_nodes.golden", r: fixtureReport()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got bytes.Buffer
			tr := faultsTrace()
			if !c.arr {
				tr = nil
			}
			if err := c.r.WriteExplain(&got, TableOptions{Trace: tr}); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, c.name, got.Bytes())
		})
	}
}

// TestExplainSentences pins the phrases classes and the tutorial rely on.
func TestExplainSentences(t *testing.T) {
	var b bytes.Buffer
	if err := faultsFixture().WriteExplain(&b, TableOptions{Trace: faultsTrace()}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		// A run under an hour gives its times without the hours.
		"02:30.000 dn3 KILLED: the DataNode process crashed",
		"03:01.000 dn3 LIVE → DEAD: no heartbeat for 32s (last at 02:29.000); 10 missed with threshold 10 (10 × 3s = 30s); correct: the process was killed at 02:30.000; its replicas no longer count; re-replication scheduled",
		"00:40.000 dn1 STALE → DEAD: no heartbeat for 33s (last at 00:07.000); 11 missed with threshold 10",
		"a mistake: the process is only paused",
		"LIVE → STALE: no heartbeat for 18s (last at 00:07.000); longer than heartbeat.stale_after = 15s",
		"3 DataNodes registered by 00:02.000",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explanation lacks %q\n%s", want, out)
		}
	}
	if strings.Contains(out, "blocks") {
		t.Error("explanation mentions blocks, but the report has no block data")
	}
}
