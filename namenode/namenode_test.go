package namenode

import (
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

const s = time.Second

func newNN(t *testing.T) *NameNode {
	t.Helper()
	n, err := New(Config{HeartbeatInterval: 3 * s, CheckInterval: 1 * s, MissThreshold: 10, StaleAfter: 20 * s})
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

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero means defaults", Config{}, true},
		{"negative interval", Config{HeartbeatInterval: -s}, false},
		{"negative check", Config{CheckInterval: -s}, false},
		{"negative threshold", Config{MissThreshold: -1}, false},
		{"negative stale", Config{StaleAfter: -s}, false},
	} {
		cfg := tc.cfg
		err := cfg.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err == nil && (cfg.HeartbeatInterval != 3*s || cfg.MissThreshold != 10 || len(cfg.Detectors) == 0) {
			t.Errorf("%s: defaults not filled: %+v", tc.name, cfg)
		}
	}
}

// named gives a MissedCount another name, so two can watch side by side.
type named struct {
	*MissedCount
	name string
}

func (d named) Name() string { return d.name }

// A watching detector judges the same arrivals but changes nothing: its
// verdicts are recorded as watching, and a node it thinks dead keeps being
// served and is trusted again when heard from.
func TestWatchingDetector(t *testing.T) {
	acting := &MissedCount{Interval: 3 * s, Threshold: 10, StaleAfter: time.Hour, CheckInterval: s}
	eager := named{&MissedCount{Interval: 3 * s, Threshold: 2, StaleAfter: time.Hour, CheckInterval: 500 * time.Millisecond}, "eager"}
	n, err := New(Config{Detectors: []Detector{acting, eager}})
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Detectors(); len(got) != 2 || got[0] != "missed-count" || got[1] != "eager" {
		t.Fatalf("Detectors() = %v", got)
	}
	n.Step(0, reg("dn1"))
	drain(n)
	got := tickTo(n, 7*s) // silent 7s: eager (6s) says dead, acting (30s) does not
	if len(got) != 1 || got[0].Detector != "eager" || !got[0].Watching || got[0].To != Dead || got[0].At != 6*s {
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
	if len(rd.Transitions) != 1 || rd.Transitions[0].Detector != "eager" || rd.Transitions[0].To != Live {
		t.Fatalf("transitions %+v, want eager to trust dn1 again", rd.Transitions)
	}
	if _, err := New(Config{Detectors: []Detector{acting, acting}}); err == nil {
		t.Fatal("two detectors with one name accepted")
	}
}
