package cost

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/sim"
)

func parse(t *testing.T, src string, sets ...string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Parse("s.yaml", []byte(src), scenario.Options{Sets: sets, Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const small = "name: s\nduration: 1h\ncluster: {datanodes: 5}\n"

func TestEstimate(t *testing.T) {
	for _, tt := range []struct {
		name       string
		src        string
		sets       []string
		minEv      float64 // events, within [min, max]
		maxEv      float64
		maxBytes   float64
		field      string // of the largest term
		refused    string // in Check's error with DefaultLimits; "" accepted
		limitBytes float64
	}{
		{name: "5 nodes, 1h", src: small, minEv: 500, maxEv: 1e4, maxBytes: 64 << 20, field: "duration"},
		{name: "interval 1ns", src: small, sets: []string{"heartbeat.interval=1ns"}, minEv: 1e13, maxEv: 1e14, field: "heartbeat.interval",
			refused: "--set heartbeat.interval: the run would take 5.4e+13 engine events, more than the budget of 1e+10 (heartbeats of 5 DataNodes every 1ns for 1h0m0s); estimated 5.4e+13 events, 1.7 GiB, about 312 days. Lengthen heartbeat.interval or shorten the duration, or pass --force to run it anyway"},
		{name: "interval 1ns, memory", src: small, sets: []string{"heartbeat.interval=1ns"}, limitBytes: 1 << 30, minEv: 1e13, maxEv: 1e14,
			field: "heartbeat.interval", refused: "the run would take"},
		{name: "a long run", src: "name: s\nduration: 876000h\ncluster: {datanodes: 1000}\n", minEv: 1e11, maxEv: 1e12, field: "duration",
			refused: "s.yaml:2: duration: the run would take"},
		{name: "a million nodes for a minute", src: "name: s\nduration: 1m\ncluster: {datanodes: 100000}\n", minEv: 1e6, maxEv: 1e8, maxBytes: 1 << 30, field: "cluster"},
		{name: "workload", src: small + "data: {blocks: 1000}\nworkload: {reads_per_sec: 1000000}\n", minEv: 1e10, maxEv: 1e11,
			field: "workload.reads_per_sec", refused: "s.yaml:5: workload.reads_per_sec: the run would take"},
		{name: "overload", src: small + "events:\n  - {at: 1s, namenode_overload: {service_time: 1ms, load: 1000000}}\n", minEv: 3e9, maxEv: 4e9,
			field: "events[0]"},
		{name: "overload queue in memory", src: "name: s\nduration: 1h\ncluster: {datanodes: 100000}\nevents:\n  - {at: 1s, namenode_overload: {service_time: 1ms, load: 1000000}}\n",
			limitBytes: 10 << 30, minEv: 3e9, maxEv: 5e9, field: "events[0]",
			refused: "s.yaml:5: events[0]: the run would need 19.8 GiB of memory, more than the 10 GiB available (namenode_overload: 1e+06 background requests a second for 59m59s)"},
		{name: "gossip", src: "name: s\nduration: 10m\ncluster: {datanodes: 1000}\nheartbeat: {detector: gossip}\n", minEv: 1e8, maxEv: 1e9, field: "duration"},
		{name: "blocks", src: small + "data: {blocks: 1000000}\n", minEv: 5e7, maxEv: 1e8, maxBytes: 200 << 20, field: "data.blocks"},
		{name: "phi window", src: small + "detectors: [phi]\n", minEv: 1e4, maxEv: 1e5, maxBytes: 64 << 20, field: "duration"},
		{name: "gossip fanout", src: "name: s\nduration: 10m\ncluster: {datanodes: 1000}\nheartbeat: {detector: gossip, interval: 100ms, gossip: {fanout: 100}}\n",
			minEv: 1e11, maxEv: 1e12, field: "heartbeat.interval", refused: "s.yaml:4: heartbeat.interval: the run would take"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := Of(parse(t, tt.src, tt.sets...), Options{})
			if e.Events < tt.minEv || e.Events > tt.maxEv {
				t.Errorf("events %s, want %s to %s", Count(e.Events), Count(tt.minEv), Count(tt.maxEv))
			}
			if tt.maxBytes > 0 && e.Bytes > tt.maxBytes {
				t.Errorf("bytes %s, want at most %s", Bytes(e.Bytes), Bytes(tt.maxBytes))
			}
			if e.Terms[0].Field != tt.field {
				t.Errorf("largest term %+v, want field %s", e.Terms[0], tt.field)
			}
			l := Limits{MaxEvents: MaxEvents, MaxBytes: tt.limitBytes}
			err := e.Check(l)
			switch {
			case tt.refused == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.refused != "" && (err == nil || !strings.Contains(err.Error(), tt.refused)):
				t.Errorf("Check = %v\nwant it to contain %q", err, tt.refused)
			}
			var ce *Error
			if err != nil && !errors.As(err, &ce) {
				t.Errorf("Check's error is a %T, want *cost.Error", err)
			}
		})
	}
}

// TestEstimateTracksTheEngine runs small scenarios and compares the
// heartbeat term with the messages the engine sent (a heartbeat and its
// reply are two): if the engine changes how often it sends, the estimate
// must be recalibrated. Runs a and b take quiet stretches; c's NameNode
// service time keeps every heartbeat in time order.
func TestEstimateTracksTheEngine(t *testing.T) {
	for _, src := range []string{
		"name: a\nduration: 10m\ncluster: {datanodes: 20}\n",
		"name: b\nduration: 2m\ncluster: {datanodes: 10}\nheartbeat: {interval: 100ms}\n",
		"name: c\nduration: 5m\ncluster: {datanodes: 10}\nnamenode: {service_time: 1ms}\n",
	} {
		s := parse(t, src)
		tr, err := sim.Run(context.Background(), s.MustModel(), sim.Options{})
		if err != nil {
			t.Fatal(err)
		}
		e := Of(s, Options{})
		var hb float64
		for _, term := range e.Terms {
			if strings.HasPrefix(term.What, "heartbeats of") {
				hb = term.Events
			}
		}
		per := float64(EventsPerHeartbeat)
		if s.Config.NameNode.ServiceTime > 0 {
			per++
		}
		m := model{s: s, seconds: s.Duration.Seconds()}
		if _, quiet := m.quiet(); quiet != (s.Name != "c") {
			t.Errorf("%s: quiet stretches %v, want %v", s.Name, quiet, s.Name != "c")
		} else if quiet {
			per = UnitsPerQuietHeartbeat
		}
		if sent := float64(tr.Messages) / 2 * per; hb < sent/1.2 || hb > sent*1.2 {
			t.Errorf("%s: heartbeat term %s events; the engine sent %d messages (%s events)", s.Name, Count(hb), tr.Messages, Count(sent))
		}
	}
}

// TestQuietShare: the share of a run kept out of quiet stretches follows
// pkg/sim's stretch.go: a node partitioned both ways keeps nothing out
// (its events wait aside), nor does a paused one (its timers wait); a
// one-way partition or a group cut keeps its span out, and a clock drift
// the rest of the run.
func TestQuietShare(t *testing.T) {
	for _, c := range []struct {
		event string
		busy  float64
	}{
		{"{at: 1m, partition: dn2, for: 5m}", 0},
		{"{at: 1m, partition: dn2, for: 5m, direction: both}", 0},
		{"{at: 1m, partition: dn2, for: 5m, direction: to}", 0.5},
		{"{at: 1m, partition: {groups: [[dn1, namenode], [dn2]]}, for: 5m}", 0.5},
		{"{at: 1m, pause: dn2, for: 5m}", 0},
		{"{at: 1m, slow: dn2, latency: 50ms, for: 5m}", 0.5},
		{"{at: 5m, clock_drift: dn2, ratio: 1.1, for: 1m}", 0.5},
		{"{at: 1m, kill: dn2}", 0},
	} {
		s := parse(t, "name: q\nduration: 10m\ncluster: {datanodes: 4}\nevents:\n  - "+c.event+"\n")
		m := model{s: s, seconds: s.Duration.Seconds()}
		busy, ok := m.quiet()
		if !ok || math.Abs(busy-c.busy) > 1e-9 {
			t.Errorf("%s: busy %g (stretches %v), want %g", c.event, busy, ok, c.busy)
		}
	}
}

func TestFormat(t *testing.T) {
	for got, want := range map[string]string{
		Count(950): "950", Count(3.6e6): "3.6e+06",
		Bytes(512): "512 B", Bytes(1.5 * (1 << 30)): "1.5 GiB", Bytes(300 << 20): "300 MiB",
		Wall(0): "under a second", Wall(90e9): "1m", Wall(3 * 24 * 3600e9): "3 days",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestParseMemInfo(t *testing.T) {
	if got := parseMemInfo([]byte("MemTotal: 100 kB\nMemAvailable:   2048 kB\n")); got != 2<<20 {
		t.Errorf("parseMemInfo = %d", got)
	}
	if got := parseMemInfo([]byte("nothing\n")); got != 0 {
		t.Errorf("parseMemInfo = %d, want 0", got)
	}
}
