package datanode

import (
	"fmt"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

const s = time.Second

func newNode(t *testing.T) *DataNode {
	t.Helper()
	cfg := DefaultConfig()
	cfg.ID, cfg.Capacity, cfg.Used = "dn1", 100, 40
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// take returns the node's pending output and acknowledges it.
func take(d *DataNode) Ready {
	rd := d.Ready()
	rd.Messages = append([]proto.Message(nil), rd.Messages...)
	d.Advance()
	return rd
}

func types(ms []proto.Message) []proto.Type {
	var ts []proto.Type
	for _, m := range ms {
		ts = append(ts, m.Type)
	}
	return ts
}

func TestDataNodeLifecycle(t *testing.T) {
	// Each step feeds the node one input and states what must come out.
	type step struct {
		name     string
		at       time.Duration
		tick     bool
		msg      *proto.Message
		wantSent []proto.Type
		wantWake time.Duration
		wantSeq  uint64 // of the heartbeat sent, if any
	}
	accepted := &proto.Message{Type: proto.TypeRegisterReply, Node: "dn1", Handle: 7}
	registerCmd := &proto.Message{Type: proto.TypeHeartbeatReply, Node: "dn1", Commands: []proto.Command{{Action: proto.ActionRegister}}}
	steps := []step{
		{name: "tick before any wake-up does nothing", at: 500 * time.Millisecond, tick: true, wantWake: 1*s + 0},
		{name: "no reply: Register retried after 1s", at: 1 * s, tick: true, wantSent: []proto.Type{proto.TypeRegister}, wantWake: 2 * s},
		{name: "accepted: heartbeat at once", at: 1500 * time.Millisecond, msg: accepted, wantSent: []proto.Type{proto.TypeHeartbeat}, wantWake: 4500 * time.Millisecond, wantSeq: 1},
		{name: "duplicate reply ignored", at: 1600 * time.Millisecond, msg: accepted, wantWake: 4500 * time.Millisecond},
		{name: "next heartbeat one interval after the start of the last", at: 4500 * time.Millisecond, tick: true, wantSent: []proto.Type{proto.TypeHeartbeat}, wantWake: 7500 * time.Millisecond, wantSeq: 2},
		{name: "late tick (paused): one heartbeat, no burst", at: 20 * s, tick: true, wantSent: []proto.Type{proto.TypeHeartbeat}, wantWake: 23 * s, wantSeq: 3},
		{name: "REGISTER command: register again", at: 21 * s, msg: registerCmd, wantSent: []proto.Type{proto.TypeRegister}, wantWake: 22 * s},
		{name: "message for another node ignored", at: 21500 * time.Millisecond, msg: &proto.Message{Type: proto.TypeRegisterReply, Node: "dn2"}, wantWake: 22 * s},
		{name: "accepted again: sequence goes on", at: 21600 * time.Millisecond, msg: accepted, wantSent: []proto.Type{proto.TypeHeartbeat}, wantWake: 24600 * time.Millisecond, wantSeq: 4},
	}
	d := newNode(t)
	d.Start(0)
	if rd := take(d); len(rd.Messages) != 1 || rd.Messages[0].Type != proto.TypeRegister || rd.Messages[0].Stats.Capacity != 100 {
		t.Fatalf("Start sent %v, want one Register carrying capacity", rd.Messages)
	}
	for _, st := range steps {
		if st.tick {
			d.Tick(st.at)
		} else {
			d.Step(st.at, *st.msg)
		}
		rd := take(d)
		if got := types(rd.Messages); len(got) != len(st.wantSent) || (len(got) > 0 && got[0] != st.wantSent[0]) {
			t.Fatalf("%s: sent %v, want %v", st.name, got, st.wantSent)
		}
		if rd.Wake != st.wantWake {
			t.Fatalf("%s: wake %v, want %v", st.name, rd.Wake, st.wantWake)
		}
		if st.wantSeq != 0 {
			hb := rd.Messages[0]
			if hb.Seq != st.wantSeq || hb.Handle != 7 || hb.Stats.Used != 40 {
				t.Fatalf("%s: heartbeat %+v, want seq %d, handle 7, used 40", st.name, hb, st.wantSeq)
			}
		}
	}
	if d.HeartbeatsSent() != 4 {
		t.Errorf("HeartbeatsSent = %d, want 4", d.HeartbeatsSent())
	}
}

func TestDataNodeCrashAndRestart(t *testing.T) {
	d := newNode(t)
	d.Start(0)
	take(d)
	d.Step(10*time.Millisecond, proto.Message{Type: proto.TypeRegisterReply, Node: "dn1", Handle: 1})
	take(d)
	d.Stop()
	if rd := take(d); rd.Wake != 0 || len(rd.Messages) != 0 {
		t.Fatalf("a crashed node wants %+v, want nothing", rd)
	}
	d.Tick(time.Hour)
	d.Step(time.Hour, proto.Message{Type: proto.TypeRegisterReply, Node: "dn1"})
	if rd := take(d); len(rd.Messages) != 0 {
		t.Fatalf("a crashed node sent %v", rd.Messages)
	}
	d.Start(2 * time.Hour)
	d.Step(2*time.Hour, proto.Message{Type: proto.TypeRegisterReply, Node: "dn1", Handle: 1})
	rd := take(d)
	if len(rd.Messages) != 2 || rd.Messages[1].Seq != 1 {
		t.Fatalf("after restart sent %v, want Register then heartbeat seq 1 (fresh process)", rd.Messages)
	}
}

func TestDataNodeRefused(t *testing.T) {
	d := newNode(t)
	d.Start(0)
	take(d)
	d.Step(0, proto.Message{Type: proto.TypeRegisterReply, Node: "dn1", Refused: "wrong secret"})
	if rd := take(d); rd.Wake != 0 || len(rd.Messages) != 0 || d.Refusal() != "wrong secret" {
		t.Fatalf("refused node wants %+v (refusal %q), want to stop", rd, d.Refusal())
	}
}

// Validate only checks: the defaults with an id are valid, the zero value
// is not, and nothing is changed.
func TestConfigValidate(t *testing.T) {
	with := func(f func(*Config)) Config {
		c := DefaultConfig()
		c.ID = "a"
		f(&c)
		return c
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"defaults", with(func(*Config) {}), true},
		{"no id", DefaultConfig(), false},
		{"zero value", Config{ID: "a"}, false},
		{"negative interval", with(func(c *Config) { c.HeartbeatInterval = -1 }), false},
		{"no rpc timeout", with(func(c *Config) { c.RPCTimeout = 0 }), false},
		{"used above capacity", with(func(c *Config) { c.Capacity, c.Used = 1, 2 }), false},
	} {
		before := fmt.Sprintf("%+v", tc.cfg)
		err := tc.cfg.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if after := fmt.Sprintf("%+v", tc.cfg); after != before {
			t.Errorf("%s: Validate changed the config", tc.name)
		}
	}
}

// registered returns a registered node whose first heartbeat (seq 1)
// started at 0, with the default configuration as set changes it.
func registered(t *testing.T, set func(*Config)) *DataNode {
	t.Helper()
	cfg := DefaultConfig()
	cfg.ID = "dn1"
	set(&cfg)
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	d.Start(0)
	d.Step(0, proto.Message{Type: proto.TypeRegisterReply, Node: "dn1", Handle: 1})
	take(d)
	return d
}

// With a long RPC timeout the node blocks in its heartbeat call, as HDFS's
// BPServiceActor does; the next heartbeat starts when the reply comes.
func TestHeartbeatCallBlocks(t *testing.T) {
	d := registered(t, func(c *Config) { c.RPCTimeout = 60 * s })
	d.Tick(3 * s)
	if rd := take(d); len(rd.Messages) != 0 || rd.Wake != 60*s {
		t.Fatalf("blocked node sent %v, wakes %v; want nothing until the 60s timeout", rd.Messages, rd.Wake)
	}
	d.Step(20*s, proto.Message{Type: proto.TypeHeartbeatReply, Node: "dn1", Seq: 1})
	if rd := take(d); len(rd.Messages) != 1 || rd.Messages[0].Seq != 2 || rd.Wake != 80*s {
		t.Fatalf("after a late reply: %v wake %v; want heartbeat 2 at once, blocked until its 80s deadline", rd.Messages, rd.Wake)
	}
	// A reply to an abandoned call does not unblock the current one.
	d.Step(21*s, proto.Message{Type: proto.TypeHeartbeatReply, Node: "dn1", Seq: 1})
	d.Tick(23 * s)
	if rd := take(d); len(rd.Messages) != 0 {
		t.Fatalf("a stale reply unblocked the call: %v", rd.Messages)
	}
}

// HDFS-9239's schedule at defaults: the first lifeline 12s after the last
// heartbeat started (next due at 3s, plus 9s), then one every 9s; none while
// heartbeats are on time.
func TestLifelineSchedule(t *testing.T) {
	d := registered(t, func(c *Config) { c.RPCTimeout, c.LifelineInterval = time.Hour, 9*s })
	var at []time.Duration
	for now := time.Duration(0); now <= 40*s; now += 500 * time.Millisecond {
		d.Tick(now)
		for _, m := range take(d).Messages {
			if m.Type == proto.TypeLifeline {
				at = append(at, now)
			}
		}
	}
	if want := []time.Duration{12 * s, 21 * s, 30 * s, 39 * s}; fmt.Sprint(at) != fmt.Sprint(want) {
		t.Fatalf("lifelines at %v, want %v", at, want)
	}
	// On-time replies: no lifeline ever.
	d = registered(t, func(c *Config) { c.RPCTimeout, c.LifelineInterval = time.Hour, 9*s })
	for now := time.Duration(0); now <= 60*s; now += 500 * time.Millisecond {
		d.Tick(now)
		for _, m := range take(d).Messages {
			if m.Type == proto.TypeLifeline {
				t.Fatalf("lifeline at %v with heartbeats on time", now)
			}
			d.Step(now, proto.Message{Type: proto.TypeHeartbeatReply, Node: "dn1", Seq: m.Seq})
		}
		d.Step(now, proto.Message{Type: proto.TypeHeartbeatReply, Node: "dn1", Seq: d.seq})
		take(d)
	}
}

// volumesNode is a registered node with blocks 0..9 on volumes volumes,
// tolerating tolerated failed ones.
func volumesNode(t *testing.T, volumes, tolerated int) *DataNode {
	t.Helper()
	return registered(t, func(c *Config) {
		c.BlockReports, c.Capacity = true, 100<<30
		c.Volumes, c.FailedVolumesTolerated = volumes, tolerated
		c.Blocks = []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	})
}

// TestDataNodeVolumeFailureToleration reproduces Hadoop's
// TestDataNodeVolumeFailure and TestDataNodeVolumeFailureToleration:
// within dfs.datanode.failed.volumes.tolerated the node loses the replicas
// on the failed volume, reports DISK_ERROR with them and a full block
// report at once, and carries on, its heartbeats counting the failed
// volume and its capacity shrunk; one failure more and it reports
// FATAL_DISK_ERROR and shuts down for good ("Too many failed volumes").
func TestDataNodeVolumeFailureToleration(t *testing.T) {
	d := volumesNode(t, 2, 1)
	if lost := d.FailVolumes(5*s, 1); lost != 5 {
		t.Fatalf("lost %d replicas, want 5 (round robin over 2 volumes)", lost)
	}
	rd := take(d)
	if got := types(rd.Messages); fmt.Sprint(got) != "[error-report block-report]" {
		t.Fatalf("after the failure: %v, want an error report and a block report", got)
	}
	if m := rd.Messages[0]; m.Code != proto.ErrorDisk || fmt.Sprint(m.Blocks) != "[0 2 4 6 8]" {
		t.Fatalf("error report %+v, want DISK_ERROR with the replicas of volume 0", m)
	}
	if fmt.Sprint(rd.Messages[1].Blocks) != "[1 3 5 7 9]" || len(d.Blocks()) != 5 {
		t.Fatalf("block report %v", rd.Messages[1].Blocks)
	}
	d.Tick(6 * s)
	hb := take(d).Messages
	if len(hb) != 1 || hb[0].Stats.FailedVolumes != 1 || hb[0].Stats.Capacity != 50<<30 || !d.Running() {
		t.Fatalf("heartbeat %+v, running %v: want one failed volume, half the capacity, still running", hb, d.Running())
	}
	// New replicas go to the working volume only.
	d.Receive(7*s, 42)
	if rd := take(d); len(rd.Messages) != 1 || d.x.vols[len(d.x.vols)-1] != 1 {
		t.Fatalf("replica 42: %v on volume %v, want its IBR and volume 1", rd.Messages, d.x.vols)
	}
	d.FailVolumes(8*s, 1)
	rd = take(d)
	if !d.ShutDown() || d.Running() || len(rd.Messages) != 1 || rd.Messages[0].Code != proto.ErrorFatalDisk {
		t.Fatalf("second failure: messages %+v, shut down %v; want FATAL_DISK_ERROR and shutdown", rd.Messages, d.ShutDown())
	}
	d.Start(9 * s)
	if rd := take(d); len(rd.Messages) != 0 || d.Running() {
		t.Fatalf("restart after shutdown: %v; the node must not come up", rd.Messages)
	}

	// HDFS's default, 0 tolerated: the first failure stops the node.
	d = volumesNode(t, 1, 0)
	d.FailVolumes(5*s, 1)
	if !d.ShutDown() {
		t.Error("one volume, none tolerated: the node goes on")
	}
	// −1: as long as one volume works.
	d = volumesNode(t, 3, -1)
	d.FailVolumes(5*s, 2)
	if d.ShutDown() || d.FailedVolumes() != 2 {
		t.Errorf("-1 tolerated, 2 of 3 failed: shut down %v", d.ShutDown())
	}
	d.FailVolumes(6*s, 1)
	if !d.ShutDown() {
		t.Error("-1 tolerated, every volume failed: the node goes on")
	}
	cfg := DefaultConfig()
	cfg.ID, cfg.Volumes, cfg.FailedVolumesTolerated = "x", 2, 2
	if err := cfg.Validate(); err == nil {
		t.Error("2 of 2 volumes tolerated: accepted")
	}
}

// TestPipelineForward: a TRANSFER's pipeline reaches the source as one
// transfer to every target; the first target, receiving it, forwards it to
// the rest (no xmit of its own) and counts as an xceiver meanwhile.
func TestPipelineForward(t *testing.T) {
	src := registered(t, func(c *Config) { c.BlockReports, c.Blocks = true, []int32{7} })
	src.Step(3*s, proto.Message{Type: proto.TypeHeartbeatReply, Node: "dn1", Seq: 1,
		Commands: []proto.Command{{Action: proto.ActionTransfer, Block: 7, Target: "dn2", Targets: []string{"dn2", "dn3"}}}})
	rd := take(src)
	if len(rd.Transfers) != 1 || fmt.Sprint(rd.Transfers[0].Targets) != "[dn2 dn3]" || rd.Transfers[0].Forward || src.Xmits() != 1 {
		t.Fatalf("transfers %+v, xmits %d: want one pipeline to dn2, dn3 and one xmit", rd.Transfers, src.Xmits())
	}
	// An older NameNode's command, Target only.
	src.Step(4*s, proto.Message{Type: proto.TypeHeartbeatReply, Node: "dn1", Seq: 1,
		Commands: []proto.Command{{Action: proto.ActionTransfer, Block: 7, Target: "dn4"}}})
	if rd := take(src); len(rd.Transfers) != 1 || fmt.Sprint(rd.Transfers[0].Targets) != "[dn4]" {
		t.Fatalf("Target-only command: %+v", rd.Transfers)
	}
	mid := registered(t, func(c *Config) { c.BlockReports = true })
	mid.ReceiveStart()
	mid.Tick(3 * s)
	if hb := take(mid).Messages; hb[0].Stats.Xceivers != 2 {
		t.Fatalf("receiving: xceivers %d, want 2 (the server and the receipt)", hb[0].Stats.Xceivers)
	}
	mid.ReceiveDone(4*s, 7, []string{"dn3"})
	rd = take(mid)
	if len(rd.Transfers) != 1 || !rd.Transfers[0].Forward || fmt.Sprint(rd.Transfers[0].Targets) != "[dn3]" || mid.Xmits() != 0 {
		t.Fatalf("forward %+v, xmits %d", rd.Transfers, mid.Xmits())
	}
	if got := types(rd.Messages); fmt.Sprint(got) != "[block-received]" || !mid.Has(7) {
		t.Fatalf("messages %v: want the IBR", got)
	}
}

// TestDataTransferProtocol follows DataXceiver.readBlock and writeBlock as
// the client sees them: a read of a replica the node holds is served, one
// it lacks is refused (ReplicaNotFoundException); a write's setup is
// acknowledged, and its data is stored, reported to the NameNode at once
// (IBR) and acknowledged; a stopped node answers nothing.
func TestDataTransferProtocol(t *testing.T) {
	dn := registered(t, func(c *Config) { c.BlockReports, c.Blocks = true, []int32{7} })
	ask := func(typ proto.Type, b, bytes int64) []proto.Message {
		dn.Step(4*s, proto.Message{Type: typ, Node: "dn1", Client: "client", Call: 9, Seq: 2, Block: b, Bytes: bytes})
		return take(dn).Messages
	}
	if got := ask(proto.TypeReadBlock, 7, 0); len(got) != 1 || got[0].Type != proto.TypeReadReply || got[0].Refused != "" ||
		got[0].Client != "client" || got[0].Call != 9 || got[0].Seq != 2 {
		t.Fatalf("read of a held replica: %+v", got)
	}
	if got := ask(proto.TypeReadBlock, 8, 0); len(got) != 1 || got[0].Refused != proto.RefusedNoReplica {
		t.Fatalf("read of a missing replica: %+v", got)
	}
	if got := ask(proto.TypeWriteBlock, 8, 0); len(got) != 1 || got[0].Type != proto.TypeWriteAck || got[0].Bytes != 0 || dn.Has(8) {
		t.Fatalf("write setup: %+v (stored: %v)", got, dn.Has(8))
	}
	got := ask(proto.TypeWriteBlock, 8, 1<<20)
	if fmt.Sprint(types(got)) != "[block-received write-ack]" || got[1].Bytes != 1<<20 || !dn.Has(8) {
		t.Fatalf("write data: %v, stored %v; want the IBR, then the ack", types(got), dn.Has(8))
	}
	dn.Stop()
	if got := ask(proto.TypeReadBlock, 7, 0); len(got) != 0 {
		t.Fatalf("a stopped node answered %v", types(got))
	}
}
