package namenode

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

const s = time.Second

// missedCount is the default configuration with the missed-count
// detector's threshold and check interval set.
func missedCount(threshold int, check time.Duration) Config {
	cfg := DefaultConfig()
	cfg.Detectors[0].MissedCount = MissedCountConfig{Threshold: threshold, CheckInterval: check}
	return cfg
}

func newNN(t *testing.T) *NameNode {
	t.Helper()
	cfg := missedCount(10, s)
	cfg.StaleAfter = 20 * s
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func reg(id string) proto.Message { return proto.Message{Type: proto.TypeRegister, Node: id} }
func hb(id string, handle uint32) proto.Message {
	return proto.Message{Type: proto.TypeHeartbeat, Node: id, Handle: handle}
}

// drain takes the NameNode's output.
func drain(n *NameNode) Ready {
	rd := n.Ready()
	rd.Messages = append([]proto.Message(nil), rd.Messages...)
	rd.Transitions = append([]Transition(nil), rd.Transitions...)
	n.Advance()
	return rd
}

// tickTo runs every scan up to and including t and returns the transitions.
func tickTo(n *NameNode, t time.Duration) []Transition {
	var out []Transition
	for n.Ready().Wake <= t {
		n.Tick(n.Ready().Wake)
		out = append(out, drain(n).Transitions...)
	}
	return out
}

func TestRegisterAndHeartbeat(t *testing.T) {
	n := newNN(t)
	n.Step(100*time.Millisecond, reg("dn1"))
	rd := drain(n)
	if len(rd.Messages) != 1 || rd.Messages[0].Type != proto.TypeRegisterReply || rd.Messages[0].Refused != "" || rd.Messages[0].Handle != 1 {
		t.Fatalf("register reply %+v, want an accepted RegisterReply with handle 1", rd.Messages)
	}
	if len(rd.Transitions) != 1 || rd.Transitions[0].From != Unregistered || rd.Transitions[0].To != Live {
		t.Fatalf("transitions %+v, want unregistered → live", rd.Transitions)
	}
	n.Step(3*s, proto.Message{Type: proto.TypeHeartbeat, Node: "dn1", Handle: 1, Seq: 5})
	if rd := drain(n); len(rd.Messages) != 1 || rd.Messages[0].Seq != 5 || len(rd.Messages[0].Commands) != 0 {
		t.Fatalf("heartbeat replies %+v, want one empty reply echoing seq 5", rd.Messages)
	}
	info, _ := n.Node("dn1")
	if info.LastHeard != 3*s || info.HeartbeatsReceived != 1 {
		t.Fatalf("record %+v, want last heard 3s and 1 heartbeat", info)
	}
	// A wrong handle is only a slower lookup, never the wrong node.
	n.Step(4*s, hb("dn1", 99))
	if info, _ := n.Node("dn1"); info.HeartbeatsReceived != 2 {
		t.Fatalf("heartbeat with a wrong handle not counted: %+v", info)
	}
}

func TestDeadAfterThresholdWithReason(t *testing.T) {
	n := newNN(t)
	n.Step(0, reg("dn1"))
	n.Step(27*s, hb("dn1", 1))
	drain(n)
	// missed = ⌊(now − 27s) / 3s⌋ reaches 10 at 57s; stale (20s) at 47s.
	got := tickTo(n, 70*s)
	if len(got) != 2 {
		t.Fatalf("transitions %+v, want stale then dead", got)
	}
	if got[0].To != Stale || got[0].At != 47*s {
		t.Errorf("first %+v, want stale at 47s", got[0])
	}
	if got[1].To != Dead || got[1].At != 57*s {
		t.Errorf("second %+v, want dead at 57s", got[1])
	}
	if want := "missed 10 of 10 heartbeats; last heard at 00:00:27.000"; got[1].Reason != want {
		t.Errorf("reason %q, want %q", got[1].Reason, want)
	}
}

func TestNeverDeadBeforeThreshold(t *testing.T) {
	n := newNN(t)
	n.Step(0, reg("dn1"))
	drain(n)
	for at := 3 * s; at <= 10*time.Minute; at += 3 * s {
		n.Step(at, hb("dn1", 1))
		for _, tr := range tickTo(n, at) {
			t.Fatalf("a node heartbeating on time changed state: %+v", tr)
		}
	}
}

func TestDeadNodeIsToldToRegisterAndComesBack(t *testing.T) {
	n := newNN(t)
	n.Step(0, reg("dn1"))
	drain(n)
	tickTo(n, 40*s)
	if info, _ := n.Node("dn1"); info.State != Dead {
		t.Fatalf("state %v, want dead", info.State)
	}
	n.Step(41*s, hb("dn1", 1))
	rd := drain(n)
	if len(rd.Messages) != 1 || len(rd.Messages[0].Commands) != 1 || rd.Messages[0].Commands[0].Action != proto.ActionRegister {
		t.Fatalf("reply to a dead node %+v, want exactly one REGISTER", rd.Messages)
	}
	if len(rd.Transitions) != 0 {
		t.Fatalf("a heartbeat revived a dead node without registration: %+v", rd.Transitions)
	}
	n.Step(42*s, reg("dn1"))
	rd = drain(n)
	if len(rd.Transitions) != 1 || rd.Transitions[0].From != Dead || rd.Transitions[0].To != Live ||
		!strings.Contains(rd.Transitions[0].Reason, "re-registered") {
		t.Fatalf("transitions %+v, want dead → live by re-registration", rd.Transitions)
	}
}

func TestUnknownNodeHeartbeatGetsRegister(t *testing.T) {
	n := newNN(t)
	n.Step(s, hb("ghost", 0))
	rd := drain(n)
	if len(rd.Messages) != 1 || rd.Messages[0].Node != "ghost" || rd.Messages[0].Commands[0].Action != proto.ActionRegister {
		t.Fatalf("reply %+v, want REGISTER to ghost", rd.Messages)
	}
	if _, err := n.Node("ghost"); err == nil {
		t.Fatal("a heartbeat registered an unknown node")
	}
}

func TestStaleNodeHeartbeatMakesItLive(t *testing.T) {
	n := newNN(t)
	n.Step(0, reg("dn1"))
	tickTo(n, 25*s)
	n.Step(25500*time.Millisecond, hb("dn1", 1))
	rd := drain(n)
	if len(rd.Transitions) != 1 || rd.Transitions[0].From != Stale || rd.Transitions[0].To != Live ||
		rd.Transitions[0].Reason != "heartbeat received after 25.5s of silence" {
		t.Fatalf("transitions %+v, want stale → live with the silence in words", rd.Transitions)
	}
}

// HDFS-9239: a lifeline keeps a registered node alive, gets no reply and
// carries no command, and never revives a dead node.
func TestLifeline(t *testing.T) {
	n := newNN(t)
	n.Step(0, reg("dn1"))
	drain(n)
	for at := 9 * s; at <= 60*s; at += 9 * s {
		n.Step(at, proto.Message{Type: proto.TypeLifeline, Node: "dn1", Handle: 1})
		tickTo(n, at)
	}
	rd := drain(n)
	if info, _ := n.Node("dn1"); info.State != Live || info.LifelinesReceived != 6 || len(rd.Messages) != 0 {
		t.Fatalf("after lifelines only: %+v, replies %v; want live, 6 lifelines, no reply", info, rd.Messages)
	}
	tickTo(n, 100*s)
	n.Step(101*s, proto.Message{Type: proto.TypeLifeline, Node: "dn1", Handle: 1})
	if info, _ := n.Node("dn1"); info.State != Dead {
		t.Fatalf("a lifeline revived a dead node: %+v", info)
	}
}

func TestLateTickKeepsCadence(t *testing.T) {
	n := newNN(t)
	n.Tick(5500 * time.Millisecond) // the scans at 1s..5s were missed: one scan now
	if w := n.Ready().Wake; w != 6*s {
		t.Fatalf("next scan at %v, want 6s (the original cadence)", w)
	}
}

// Validate only checks: it reports what is wrong and changes nothing.
func TestConfigValidate(t *testing.T) {
	with := func(f func(*Config)) Config {
		c := DefaultConfig()
		f(&c)
		return c
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // "" for valid
	}{
		{"defaults", DefaultConfig(), ""},
		{"zero value", Config{}, "heartbeat interval"},
		{"negative interval", with(func(c *Config) { c.HeartbeatInterval = -s }), "dfs.heartbeat.interval"},
		{"zero check", with(func(c *Config) { c.Detectors[0].MissedCount.CheckInterval = 0 }), "check interval"},
		{"negative threshold", with(func(c *Config) { c.Detectors[0].MissedCount.Threshold = -1 }), "miss threshold"},
		{"negative stale", with(func(c *Config) { c.StaleAfter = -s }), "stale interval"},
		{"no detector", with(func(c *Config) { c.Detectors = nil }), "no detector"},
		{"twice", with(func(c *Config) { c.Detectors = append(c.Detectors, c.Detectors[0]) }), "listed twice"},
		{"unknown", with(func(c *Config) { c.Detectors[0].Name = "oracle" }), `unknown detector "oracle"`},
		{"gossip", with(func(c *Config) { c.Detectors[0].Name = "gossip" }), "no central monitor"},
		{"hdfs recheck", with(func(c *Config) { c.Detectors[0] = DefaultDetectorConfig(DetectorHDFS); c.Detectors[0].HDFS.Recheck = 0 }),
			"recheck-interval"},
		{"phi threshold", with(func(c *Config) { c.Detectors[0] = DefaultDetectorConfig(DetectorPhi); c.Detectors[0].Phi.Threshold = 0 }),
			"threshold 0"},
		{"ratio", with(func(c *Config) { c.WriteStaleRatio = 1.5 }), "write.stale.datanode.ratio"},
		{"blocks off are not checked", with(func(c *Config) { c.Blocks.Replication = 0 }), ""},
		{"replication", with(func(c *Config) { c.Blocks.Enable = true; c.Blocks.Replication = 0 }), "dfs.replication"},
		{"invalidate pct", with(func(c *Config) { c.Blocks.Enable = true; c.Blocks.InvalidateWorkPct = 0 }), "invalidate.work.pct"},
		{"admin interval", with(func(c *Config) { c.Admin.Interval = 0 }), "decommission.interval"},
		{"expected datanodes", with(func(c *Config) { c.DataNodes = -1 }), "expected DataNodes -1"},
	} {
		before := fmt.Sprintf("%+v", tc.cfg)
		err := tc.cfg.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: Validate() = %v, want nil", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrConfig)):
			t.Errorf("%s: Validate() = %v, want an ErrConfig naming %q", tc.name, err, tc.want)
		}
		if after := fmt.Sprintf("%+v", tc.cfg); after != before {
			t.Errorf("%s: Validate changed the config:\n%s\n%s", tc.name, before, after)
		}
	}
}

// A watching detector judges the same arrivals but changes nothing: its
// verdicts are recorded as watching, and a node it thinks dead keeps being
// served and is trusted again when heard from.
func TestWatchingDetector(t *testing.T) {
	cfg := DefaultConfig()
	cfg.StaleAfter = time.Hour
	acting := DefaultDetectorConfig(DetectorHDFS) // expiry 10m30s: never within the test
	eager := DefaultDetectorConfig(DetectorMissedCount)
	eager.MissedCount = MissedCountConfig{Threshold: 2, CheckInterval: 500 * time.Millisecond}
	cfg.Detectors = []DetectorConfig{acting, eager}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Detectors(); len(got) != 2 || got[0] != "hdfs" || got[1] != "missed-count" {
		t.Fatalf("Detectors() = %v", got)
	}
	n.Step(0, reg("dn1"))
	drain(n)
	got := tickTo(n, 7*s) // silent 7s: eager (6s) says dead, acting (30s) does not
	if len(got) != 1 || got[0].Detector != "missed-count" || !got[0].Watching || got[0].To != Dead || got[0].At != 6*s {
		t.Fatalf("transitions %+v, want one watching verdict: eager says dead at 6s", got)
	}
	if info, _ := n.Node("dn1"); info.State != Live {
		t.Fatalf("a watching verdict changed the registry: %+v", info)
	}
	n.Step(7500*time.Millisecond, hb("dn1", 1))
	rd := drain(n)
	if len(rd.Messages) != 1 || len(rd.Messages[0].Commands) != 0 {
		t.Fatalf("reply %+v: the node is live for the acting detector, no REGISTER", rd.Messages)
	}
	if len(rd.Transitions) != 1 || rd.Transitions[0].Detector != "missed-count" || rd.Transitions[0].To != Live {
		t.Fatalf("transitions %+v, want eager to trust dn1 again", rd.Transitions)
	}
}
