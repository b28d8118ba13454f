package replay

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
		want             []Arrival
		nodes            []string
		duration         time.Duration
	}{
		{"csv with comments and optional columns", "t.csv",
			"# a trace\n\n# duration: 2s\nseq,node,arrival_ms,sent_ms\n1,dn1,10.5,9\n1,dn2,10.5,9.25\n2,dn1,1010.000001,1009\n",
			[]Arrival{{"dn1", Heartbeat, 10500 * time.Microsecond, 1, 9 * time.Millisecond, 5}, {"dn2", Heartbeat, 10500 * time.Microsecond, 1, 9250 * time.Microsecond, 6}, {"dn1", Heartbeat, 1010000001, 2, 1009 * time.Millisecond, 7}},
			[]string{"dn1", "dn2"}, 2 * time.Second},
		{"jsonl by its first line", "t.txt",
			"# x\n{\"node\": \"a\", \"arrival_ms\": 1, \"kind\": \"register\"}\n{\"arrival_ms\": 2, \"node\": \"b\", \"seq\": 7}\n",
			[]Arrival{{"a", Register, time.Millisecond, -1, -1, 2}, {"b", Heartbeat, 2 * time.Millisecond, 7, -1, 3}}, []string{"a", "b"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := Parse(tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(tr.Arrivals) != len(tc.want) {
				t.Fatalf("arrivals %+v", tr.Arrivals)
			}
			for i, a := range tr.Arrivals {
				if a != tc.want[i] {
					t.Errorf("arrival %d: %+v, want %+v", i, a, tc.want[i])
				}
			}
			if strings.Join(tr.Nodes, ",") != strings.Join(tc.nodes, ",") || tr.Duration != tc.duration {
				t.Errorf("nodes %v duration %v", tr.Nodes, tr.Duration)
			}
		})
	}
}

// TestParseErrors: every bad trace is refused with its file and line.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		path, body, want string
	}{
		{"t.csv", "node,arrival_ms\ndn1,5\ndn2,4\n", "t.csv:3: arrival_ms: 4 is before the previous heartbeat's 5 (line 2)"},
		{"t.csv", "node,arrival_ms,rack\n", "t.csv:1: header: unknown column \"rack\""},
		{"t.csv", "# c\nnode,seq\n", "t.csv:2: header: no arrival_ms column"},
		{"t.csv", "node,node,arrival_ms\n", "t.csv:1: header: column \"node\" appears twice"},
		{"t.csv", "node,arrival_ms\ndn1,-3\n", "t.csv:2: arrival_ms: -3 is negative"},
		{"t.csv", "node,arrival_ms\ndn1,NaN\n", "t.csv:2: arrival_ms: \"NaN\" is not a number"},
		{"t.csv", "node,arrival_ms\ndn1,1e300\n", "t.csv:2: arrival_ms: 1e300 is too large"},
		{"t.csv", "node,arrival_ms\ndn1\n", "t.csv:2: 1 fields, but the header names 2"},
		{"t.csv", "node,arrival_ms\n,5\n", "t.csv:2: node: \"\""},
		{"t.csv", "node,arrival_ms,seq\ndn1,5,-1\n", "t.csv:2: seq: \"-1\""},
		{"t.csv", "node,arrival_ms,sent_ms\ndn1,5,6\n", "t.csv:2: sent_ms: 6 is after the arrival 5"},
		{"t.csv", "# duration: soon\nnode,arrival_ms\ndn1,5\n", "t.csv:1: duration: \"soon\""},
		{"t.csv", "# duration: 1ms\nnode,arrival_ms\ndn1,5\n", "t.csv:1: duration: 1ms ends before the last heartbeat"},
		{"t.csv", "# only comments\n", "t.csv:1: no heartbeat in the trace"},
		{"t.csv", "node,arrival_ms,kind\ndn1,5,lifeline\n", "t.csv:2: kind: \"lifeline\": want heartbeat or register"},
		{"t.jsonl", "{\"node\": \"a\", \"arrival_ms\": 1, \"rack\": 2}\n", "t.jsonl:1: not a trace record: json: unknown field \"rack\""},
		{"t.jsonl", "{\"node\": \"a\"}\n", "t.jsonl:1: node and arrival_ms are required"},
		{"t.jsonl", "{\"node\": \"a\", \"arrival_ms\": 3}\n{\"node\": \"a\", \"arrival_ms\": 2}\n", "t.jsonl:2: arrival_ms: 2 is before"},
	} {
		_, err := Parse(tc.path, strings.NewReader(tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want %q", tc.body, err, tc.want)
		}
	}
}

// TestWriteRoundTrip: what Write records, Parse reads back to the
// nanosecond, merged in time order.
func TestWriteRoundTrip(t *testing.T) {
	recs := []Recorded{{"dn1", []time.Duration{1, 3_000_000_001, 7_999_999_999}, []time.Duration{1}}, {"dn2", []time.Duration{2, 3_000_000_001}, nil}}
	var b bytes.Buffer
	if err := Write(&b, "test", 9*time.Second, recs); err != nil {
		t.Fatal(err)
	}
	tr, err := Parse("rt.csv", &b)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		node, kind string
		at         time.Duration
	}{{"dn1", Register, 1}, {"dn1", Heartbeat, 1}, {"dn2", Heartbeat, 2}, {"dn1", Heartbeat, 3_000_000_001}, {"dn2", Heartbeat, 3_000_000_001}, {"dn1", Heartbeat, 7_999_999_999}}
	for i, w := range want {
		if a := tr.Arrivals[i]; a.Node != w.node || a.At != w.at || a.Kind != w.kind {
			t.Errorf("record %d: %s %s at %d, want %s %s at %d", i, a.Node, a.Kind, a.At, w.node, w.kind, w.at)
		}
	}
	if tr.Duration != 9*time.Second || !tr.Kinds {
		t.Errorf("duration %v", tr.Duration)
	}
}
