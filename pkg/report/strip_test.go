package report

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

// faultsFixture has every kind of band: a pause that ends in a false
// positive, a partition that heals in time, a stale spell and a kill that
// lasts to the end.
func faultsFixture() *Report {
	return Build(Meta{Name: "faults", Config: map[string]any{
		"heartbeat": map[string]any{"interval": "3s", "miss_threshold": 10, "stale_after": "15s"},
	}}, faultsTrace())
}

func faultsTrace() *trace.Trace {
	return &trace.Trace{
		End: 4 * time.Minute,
		Nodes: []trace.Node{
			{ID: "dn1", FinalState: "live", Arrivals: []time.Duration{at(1000), at(4000), at(7000), at(61000)}},
			{ID: "dn2", FinalState: "live", Arrivals: []time.Duration{at(1500), at(4500), at(88500), at(111000)}},
			{ID: "dn3", FinalState: "dead", Arrivals: []time.Duration{at(2000), at(146000), at(149000)}},
		},
		Events: []trace.Event{
			reg(1000, "dn1"), reg(1500, "dn2"), reg(2000, "dn3"),
			fault(10000, "dn1", "pause"),
			tr(25000, "dn1", "live", "stale", "no heartbeat for 18s (stale after 15s); last heard at 00:00:07.000"),
			tr(40000, "dn1", "stale", "dead", "missed 11 of 10 heartbeats; last heard at 00:00:07.000"),
			fault(60000, "dn1", "resume"),
			tr(61000, "dn1", "dead", "live", "re-registered after REGISTER command"),
			fault(90000, "dn2", "partition"),
			tr(108000, "dn2", "live", "stale", "no heartbeat for 18s (stale after 15s)"),
			fault(110000, "dn2", "heal"),
			tr(111000, "dn2", "stale", "live", "heartbeat received after 21s of silence"),
			fault(150000, "dn3", trace.Kill),
			tr(181000, "dn3", "live", "dead", "missed 10 of 10 heartbeats; last heard at 00:02:29.000"),
		},
	}
}

func TestStripGolden(t *testing.T) {
	cases := []struct {
		name string
		r    *Report
	}{
		{"strip_faults.golden", faultsFixture()},
		{"strip_three_nodes.golden", fixtureReport()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := c.r.WriteStrip(&got, TableOptions{}); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, c.name, got.Bytes())
		})
	}
}

func TestStripColor(t *testing.T) {
	var plain, color bytes.Buffer
	r := faultsFixture()
	if err := r.WriteStrip(&plain, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteStrip(&color, TableOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(plain.Bytes(), []byte("\x1b[")) {
		t.Error("plain strip contains ANSI escapes")
	}
	if !bytes.Contains(color.Bytes(), []byte("\x1b[32m█")) {
		t.Error("coloured strip has no green live cells")
	}
	// Stripping the escapes gives the plain strip back: colour adds
	// nothing but colour.
	stripped := ansi.ReplaceAllString(color.String(), "")
	if stripped != plain.String() {
		t.Errorf("coloured strip without escapes differs from plain:\n%s\n---\n%s", stripped, plain.String())
	}
}

// ansi matches an SGR escape sequence.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestStripSlice(t *testing.T) {
	cases := []struct {
		total, want float64
		room, cols  int
	}{
		{60_000, 750, 80, 80},
		{180_000, 2500, 80, 72},
		{240_000, 3000, 80, 80},
		{600_000, 7500, 80, 80},
		{3_600_000, 50_000, 80, 72},
		{1, 1, 80, 1},
		// An 80-column terminal beside "dn12  ": 74 columns of room.
		{180_000, 2500, 74, 72},
		{600_000, 10_000, 74, 60},
		// A wide terminal draws finer slices.
		{180_000, 1000, 200, 180},
	}
	for _, c := range cases {
		got := stripSlice(c.total, c.room)
		cols := int((c.total + got - 1) / got)
		if got != c.want || cols != c.cols {
			t.Errorf("stripSlice(%v, %d) = %v (%d columns), want %v (%d)", c.total, c.room, got, cols, c.want, c.cols)
		}
		if cols > c.room {
			t.Errorf("stripSlice(%v, %d): %d columns, more than the room", c.total, c.room, cols)
		}
	}
}

func TestCellAt(t *testing.T) {
	cases := []struct {
		name  string
		view  Span
		truth []string
		want  rune
	}{
		{"live", Span{State: ViewLive}, nil, '█'},
		{"stale", Span{State: ViewStale}, nil, '░'},
		{"unregistered", Span{}, nil, ' '},
		{"false positive", Span{State: ViewDead, Mistake: true}, nil, 'x'},
		{"paused and suspected", Span{State: ViewDead, Mistake: true}, []string{BandPaused}, 'x'},
		{"killed, not noticed", Span{State: ViewLive}, []string{BandKilled}, '!'},
		{"killed, stale", Span{State: ViewStale}, []string{BandKilled}, '░'},
		{"killed, dead", Span{State: ViewDead}, []string{BandKilled}, '·'},
		{"restarted, not yet registered", Span{State: ViewDead}, nil, '·'},
		{"killed before registering", Span{}, []string{BandKilled}, '·'},
		{"paused", Span{State: ViewLive}, []string{BandPaused}, '~'},
		{"partitioned, stale", Span{State: ViewStale}, []string{BandPartitioned}, '░'},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var truth bandSet
			for _, b := range c.truth {
				truth |= bandBit(b)
			}
			if got := looks[cellAt(c.view, truth)].char; got != c.want {
				t.Errorf("cellAt = %q, want %q", got, c.want)
			}
		})
	}
}

func TestSpans(t *testing.T) {
	spans := faultsFixture().Spans()
	if len(spans) != 3 {
		t.Fatalf("%d nodes, want 3", len(spans))
	}
	dn1 := spans[0]
	var states []string
	for _, s := range dn1.View {
		states = append(states, s.State)
	}
	if got := strings.Join(states, ","); got != ",live,stale,dead,live" {
		t.Errorf("dn1 view %q", got)
	}
	if !dn1.View[3].Mistake {
		t.Error("dn1 declared dead while paused should be a mistake")
	}
	if len(dn1.Truth) != 1 || dn1.Truth[0].State != BandPaused || dn1.Truth[0].ToMs != 60000 {
		t.Errorf("dn1 truth %+v, want one pause to 60s", dn1.Truth)
	}
	dn3 := spans[2]
	if last := dn3.View[len(dn3.View)-1]; last.State != ViewDead || last.Mistake || last.ToMs != 240000 {
		t.Errorf("dn3 last view span %+v, want dead (not a mistake) to the end", last)
	}
	if len(dn3.Truth) != 1 || dn3.Truth[0].ToMs != 240000 {
		t.Errorf("dn3 truth %+v, want killed to the end", dn3.Truth)
	}
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update if intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestSpansSkipNameNode: NameNode-wide faults have no DataNode row.
func TestSpansSkipNameNode(t *testing.T) {
	tr := faultsTrace()
	tr.Events = append(tr.Events,
		trace.Event{At: at(200000), Node: trace.NameNodeID, Kind: "namenode_overload", Reason: "busy"},
		trace.Event{At: at(210000), Node: trace.NameNodeID, Kind: trace.Partition, Reason: "groups [dn1] and [dn2 dn3] cut apart"})
	r := Build(Meta{Name: "nn"}, tr)
	spans := r.Spans()
	if len(spans) != 3 {
		t.Errorf("%d rows, want the 3 DataNodes", len(spans))
	}
	var b bytes.Buffer
	if err := r.WriteExplain(&b, TableOptions{Trace: tr}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"namenode OVERLOADED: the NameNode is busy", "namenode PARTITIONED: the network splits in two"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("explanation lacks %q", want)
		}
	}
}
