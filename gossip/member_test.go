package gossip

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

var group = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}

// testMember is member a of group, started at 0 with incarnation 1, with
// a 1s interval, suspect after 5s, suspicion timeout 10s, fanout 3. Its
// first round's output has been taken.
func testMember(t *testing.T, edit func(*Config)) *Member {
	t.Helper()
	cfg := DefaultConfig()
	cfg.ID, cfg.Peers, cfg.Interval, cfg.SuspectAfter, cfg.Rand = "a", group, time.Second, 5*time.Second, rand.New(rand.NewPCG(1, 2))
	if edit != nil {
		edit(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.Start(0, 1)
	m.Advance()
	return m
}

const sec = time.Second

// hb is a digest entry for peer at incarnation 1.
func hb(peer string, counter uint64, s Status) Entry {
	return Entry{Peer: peer, Incarnation: 1, Counter: counter, Status: s}
}

func msg(from string, es ...Entry) Message { return Message{From: from, Digest: es} }

// changes takes the member's pending changes.
func changes(m *Member) []Change {
	ch := slices.Clone(m.Ready().Changes)
	m.Advance()
	return ch
}

func status(t *testing.T, m *Member, peer string) Status {
	t.Helper()
	s, ok := m.Status(peer)
	if !ok {
		t.Fatalf("%s not in the group", peer)
	}
	return s
}

// Validate only checks: it reports what is wrong and changes nothing.
func TestValidate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	with := func(f func(*Config)) Config {
		c := DefaultConfig()
		c.ID, c.Peers, c.Rand = "a", []string{"a", "b"}, r
		f(&c)
		return c
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // substring of the error; "" for none
	}{
		{"ok", with(func(*Config) {}), ""},
		{"self not listed", with(func(c *Config) { c.Peers = []string{"b"} }), ""},
		{"zero value", Config{ID: "a", Rand: r}, "interval 0s must be positive"},
		{"no id", with(func(c *Config) { c.ID = "" }), "ID is empty"},
		{"empty peer", with(func(c *Config) { c.Peers = []string{"b", ""} }), "peer id is empty"},
		{"duplicate", with(func(c *Config) { c.Peers = []string{"b", "b"} }), "b is listed twice"},
		{"negative interval", with(func(c *Config) { c.Interval = -sec }), "interval -1s must be positive"},
		{"negative fanout", with(func(c *Config) { c.Fanout = -1 }), "fanout -1 is negative"},
		{"suspect within interval", with(func(c *Config) { c.Interval, c.SuspectAfter = 2*sec, 2*sec }), "must exceed the interval"},
		{"negative suspicion timeout", with(func(c *Config) { c.SuspicionTimeout = -sec }), "suspicion timeout -1s must be positive"},
		{"no reconnect", with(func(c *Config) { c.ReconnectInterval = 0 }), "reconnect interval is 0"},
		{"no rand", with(func(c *Config) { c.Rand = nil }), "Rand is nil"},
	} {
		before := fmt.Sprintf("%+v", tc.cfg)
		err := tc.cfg.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrConfig)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if fmt.Sprintf("%+v", tc.cfg) != before {
			t.Errorf("%s: Validate changed the config", tc.name)
		}
	}
}

// The defaults, and the suspect-after New derives for 100 members.
func TestDefaults(t *testing.T) {
	peers := make([]string, 100)
	for i := range peers {
		peers[i] = string(rune('A'+i/26)) + string(rune('a'+i%26))
	}
	c := DefaultConfig()
	if c.Interval != 3*sec || c.Fanout != 3 || c.SuspectAfter != 0 || c.SuspicionTimeout != 10*sec || c.ReconnectInterval != 30*sec {
		t.Errorf("defaults %+v", c)
	}
	c.ID, c.Peers, c.Rand = peers[0], peers, rand.New(rand.NewPCG(1, 1))
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Peers, peers) {
		t.Error("New changed the caller's Peers")
	}
	if got := m.Config().SuspectAfter; got != 36*sec {
		t.Errorf("derived suspect after %v, want 36s (2 × 6 rounds × 3s)", got)
	}
}

// TestSpreadRounds: log_{f+1}(N) growth rounds plus ln(N)/f rounds to
// reach the last members, each rounded up.
func TestSpreadRounds(t *testing.T) {
	for _, tc := range []struct {
		fanout, members, rounds int
		suspectAfter            time.Duration // at a 1s interval
	}{
		{3, 1, 1, 2 * sec},
		{3, 2, 2, 4 * sec},  // 1 + 1
		{3, 10, 3, 6 * sec}, // 2 + 1
		{3, 100, 6, 12 * sec},
		{3, 1000, 8, 16 * sec},
		{1, 100, 12, 24 * sec}, // 7 + 5
		{0, 100, 1, 2 * sec},
		{10, 100, 3, 6 * sec}, // 2 + 1
	} {
		if got := SpreadRounds(tc.fanout, tc.members); got != tc.rounds {
			t.Errorf("SpreadRounds(%d, %d) = %d, want %d", tc.fanout, tc.members, got, tc.rounds)
		}
		if got := DefaultSuspectAfter(sec, tc.fanout, tc.members); got != tc.suspectAfter {
			t.Errorf("DefaultSuspectAfter(1s, %d, %d) = %v, want %v", tc.fanout, tc.members, got, tc.suspectAfter)
		}
	}
}

func TestStartGossipsAtOnce(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ID, cfg.Peers, cfg.Interval, cfg.Rand = "c", []string{"b", "a", "d"}, time.Second, rand.New(rand.NewPCG(1, 1))
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Config().Peers; !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("group %v, want sorted with self", got)
	}
	m.Start(5*sec, 7)
	rd := m.Ready()
	if len(rd.Messages) != 3 || rd.Wake != 6*sec {
		t.Fatalf("after Start: %d messages, wake %v; want 3 and 6s", len(rd.Messages), rd.Wake)
	}
	// Only its own row is known: peers never heard of are left out.
	want := []Entry{{Peer: "c", Incarnation: 7, Counter: 1}}
	for _, env := range rd.Messages {
		if env.Msg.From != "c" || !slices.Equal(env.Msg.Digest, want) {
			t.Errorf("message %v: digest %v, want %v", env.Msg, env.Msg.Digest, want)
		}
	}
	if m.MessagesSent() != 3 || m.Counter() != 1 || m.Incarnation() != 7 {
		t.Errorf("sent %d, counter %d, incarnation %d", m.MessagesSent(), m.Counter(), m.Incarnation())
	}
}

// TestFanout: each round goes to Fanout distinct peers, never to the
// member itself or to a peer it believes dead, and all of them when fewer
// are left.
func TestFanout(t *testing.T) {
	m := testMember(t, func(c *Config) { c.ReconnectInterval = -1 })
	dead := map[string]bool{"b": true, "e": true, "f": true, "g": true, "h": true}
	var es []Entry
	for p := range dead {
		es = append(es, hb(p, 1, Dead))
	}
	slices.SortFunc(es, func(x, y Entry) int { return strings.Compare(x.Peer, y.Peer) })
	m.Step(sec/2, "c", msg("c", es...))
	if n := len(changes(m)); n != len(dead) {
		t.Fatalf("%d changes, want %d deaths", n, len(dead))
	}
	seen := map[string]int{}
	for now := sec; now < 200*sec; now += sec {
		// Keep the live ones fresh so that none is suspected.
		m.Step(now, "c", msg("c", hb("c", uint64(now/sec), Alive), hb("d", uint64(now/sec), Alive),
			hb("i", uint64(now/sec), Alive), hb("j", uint64(now/sec), Alive)))
		m.Tick(now)
		rd := m.Ready()
		to := map[string]bool{}
		for _, env := range rd.Messages {
			if env.To == "a" || dead[env.To] || to[env.To] {
				t.Fatalf("at %v: sent to %s (self, dead or twice)", now, env.To)
			}
			to[env.To] = true
			seen[env.To]++
		}
		if len(to) != 3 {
			t.Fatalf("at %v: %d messages, want fanout 3", now, len(to))
		}
		m.Advance()
	}
	// All four live peers get picked, about equally (3/4 of 199 rounds).
	for _, p := range []string{"c", "d", "i", "j"} {
		if seen[p] < 120 || seen[p] > 180 {
			t.Errorf("%s picked %d times in 199 rounds, want about 149", p, seen[p])
		}
	}

	// Fewer candidates than the fanout: all of them.
	m2 := testMember(t, func(c *Config) { c.Peers = []string{"a", "b", "c"} })
	m2.Tick(sec)
	if rd := m2.Ready(); len(rd.Messages) != 2 {
		t.Errorf("2 peers, fanout 3: %d messages, want 2", len(rd.Messages))
	}
}

// TestSuspectThenDead: a peer whose counter has not risen for
// SuspectAfter is suspected; suspected for SuspicionTimeout it is dead.
// The wake-up asked for is exactly each deadline.
func TestSuspectThenDead(t *testing.T) {
	m := testMember(t, func(c *Config) { c.Peers = []string{"a", "b"} })
	m.Step(sec, "b", msg("b", hb("b", 1, Alive)))
	m.Step(2*sec, "b", msg("b", hb("b", 2, Alive)))
	for now := sec; now < 7*sec; now += sec {
		m.Tick(now)
	}
	if rd := m.Ready(); rd.Wake != 7*sec {
		t.Errorf("wake %v, want 7s (heard at 2s + suspect after 5s)", rd.Wake)
	}
	if ch := changes(m); len(ch) != 0 {
		t.Fatalf("changes before the deadline: %v", ch)
	}
	m.Tick(7 * sec)
	want := []Change{{At: 7 * sec, Peer: "b", From: Alive, To: Suspect,
		Reason: "no heartbeat counter increase from b for 5s (suspect after 5s)"}}
	if ch := changes(m); !slices.Equal(ch, want) {
		t.Errorf("at 7s: %v, want %v", ch, want)
	}
	if rd := m.Ready(); rd.Wake != 8*sec {
		t.Errorf("wake %v, want the next round at 8s", rd.Wake)
	}
	for now := 8 * sec; now < 17*sec; now += sec {
		m.Tick(now)
		if rd := m.Ready(); rd.Wake != now+sec {
			t.Errorf("at %v wake %v", now, rd.Wake)
		}
	}
	// The digest carries the suspicion.
	rd := m.Ready()
	if d := rd.Messages[len(rd.Messages)-1].Msg.Digest; !slices.Contains(d, hb("b", 2, Suspect)) {
		t.Errorf("digest %v does not carry the suspicion of b", d)
	}
	m.Advance()
	m.Tick(17 * sec)
	want = []Change{{At: 17 * sec, Peer: "b", From: Suspect, To: Dead, Reason: "suspected for 10s (suspicion timeout 10s)"}}
	if ch := changes(m); !slices.Equal(ch, want) {
		t.Errorf("at 17s: %v, want %v", ch, want)
	}
}

// TestMerge: one digest entry against what the member knows of b
// (incarnation 1, counter 5, in the given status).
func TestMerge(t *testing.T) {
	for _, tc := range []struct {
		name   string
		known  Status
		entry  Entry
		want   Status
		reason string // "" for no change
	}{
		{"fresher counter keeps alive", Alive, hb("b", 6, Alive), Alive, ""},
		{"stale counter ignored", Alive, hb("b", 4, Alive), Alive, ""},
		{"refute suspicion", Suspect, hb("b", 6, Alive), Alive, "heartbeat counter of b rose to 6 (heard via c)"},
		{"same counter does not refute", Suspect, hb("b", 5, Alive), Suspect, ""},
		{"revive the dead", Dead, hb("b", 6, Alive), Alive, "heartbeat counter of b rose to 6 (heard via c)"},
		{"rejoin", Dead, Entry{Peer: "b", Incarnation: 2, Counter: 1}, Alive, "b restarted with incarnation 2 (heard via c)"},
		{"rejoin while suspect", Suspect, Entry{Peer: "b", Incarnation: 2, Counter: 1}, Alive, "b restarted with incarnation 2 (heard via c)"},
		{"old incarnation ignored", Dead, Entry{Peer: "b", Incarnation: 0, Counter: 99}, Dead, ""},
		{"death adopted", Alive, hb("b", 5, Dead), Dead, "c reported b dead"},
		{"death of suspect adopted", Suspect, hb("b", 5, Dead), Dead, "c reported b dead"},
		{"death at a fresher counter adopted", Alive, hb("b", 7, Dead), Dead, "c reported b dead"},
		{"stale death ignored", Alive, hb("b", 4, Dead), Alive, ""},
		{"suspicion adopted", Alive, hb("b", 5, Suspect), Suspect, "c suspects b, and no heartbeat counter above 5 is known here"},
		{"suspicion at a fresher counter adopted", Alive, hb("b", 6, Suspect), Suspect, "c suspects b, and no heartbeat counter above 6 is known here"},
		{"stale suspicion ignored", Alive, hb("b", 4, Suspect), Alive, ""},
		{"suspicion of the dead at the same counter", Dead, hb("b", 5, Suspect), Dead, ""},
		{"suspicion at a fresher counter revives the dead to suspect", Dead, hb("b", 6, Suspect), Suspect, "c suspects b, and no heartbeat counter above 6 is known here"},
		{"invalid status ignored", Alive, hb("b", 5, Status(9)), Alive, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMember(t, nil)
			r := &m.rows[m.index["b"]]
			r.inc, r.counter, r.status = 1, 5, tc.known
			m.Step(sec, "c", msg("c", tc.entry))
			if got := status(t, m, "b"); got != tc.want {
				t.Errorf("status %v, want %v", got, tc.want)
			}
			ch := changes(m)
			switch {
			case tc.reason == "" && len(ch) > 0:
				t.Errorf("unexpected change %v", ch)
			case tc.reason != "" && (len(ch) != 1 || ch[0].Reason != tc.reason || ch[0].From != tc.known || ch[0].To != tc.want || ch[0].At != sec):
				t.Errorf("changes %v, want one %v→%v at 1s: %q", ch, tc.known, tc.want, tc.reason)
			}
		})
	}
}

// TestIgnored: messages the member must not act on.
func TestIgnored(t *testing.T) {
	for _, tc := range []struct {
		name string
		from string
		m    Message
		stop bool
	}{
		{"about itself", "c", msg("c", hb("a", 99, Dead)), false},
		{"from a stranger", "z", msg("z", hb("b", 1, Dead)), false},
		{"from disagrees", "c", msg("d", hb("b", 1, Dead)), false},
		{"from itself", "a", msg("a", hb("b", 1, Dead)), false},
		{"while stopped", "c", msg("c", hb("b", 1, Dead)), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMember(t, nil)
			if tc.stop {
				m.Stop()
			}
			m.Step(sec, tc.from, tc.m)
			if s := status(t, m, "b"); s != Alive {
				t.Errorf("b is %v", s)
			}
			if s := status(t, m, "a"); s != Alive {
				t.Errorf("a believes itself %v", s)
			}
			if rd := m.Ready(); len(rd.Changes)+len(rd.Messages) > 0 {
				t.Errorf("output %+v", rd)
			}
		})
	}
	// Unknown peers inside a digest are skipped, the rest merged.
	m := testMember(t, nil)
	m.Step(sec, "c", msg("c", hb("b", 1, Dead), hb("bb", 1, Dead), hb("c", 3, Alive), hb("zz", 1, Dead)))
	if ch := changes(m); len(ch) != 1 || ch[0].Peer != "b" {
		t.Errorf("changes %v, want b's death only", ch)
	}
	if s, ok := m.Status("zz"); ok || s != Alive {
		t.Errorf("Status(zz) = %v, %v", s, ok)
	}
}

// TestStoppedIsSilent: a crashed member sends nothing and asks for no Tick.
func TestStoppedIsSilent(t *testing.T) {
	m := testMember(t, nil)
	m.Tick(sec)
	m.Stop()
	if m.Running() {
		t.Error("running after Stop")
	}
	m.Tick(100 * sec)
	if rd := m.Ready(); len(rd.Messages)+len(rd.Changes) > 0 || rd.Wake != 0 {
		t.Errorf("stopped member's output %+v", rd)
	}
	// Restarted, it forgets: its peers are alive again, its counter
	// starts over under the new incarnation.
	m.Start(200*sec, 2)
	if m.Counter() != 1 || m.Incarnation() != 2 || status(t, m, "b") != Alive {
		t.Errorf("after restart: counter %d, incarnation %d, b %v", m.Counter(), m.Incarnation(), status(t, m, "b"))
	}
}

// TestReconnect: a member that believes peers dead sends one digest to
// one of them every ReconnectInterval, on top of its fanout.
func TestReconnect(t *testing.T) {
	m := testMember(t, func(c *Config) { c.Peers = []string{"a", "b", "c"}; c.ReconnectInterval = 10 * sec })
	m.Step(sec/2, "c", msg("c", hb("b", 1, Dead), hb("c", 1, Alive)))
	changes(m)
	toDead := 0
	for now := sec; now <= 60*sec; now += sec {
		m.Step(now, "c", msg("c", hb("c", uint64(now/sec)+1, Alive)))
		m.Tick(now)
		for _, env := range m.Ready().Messages {
			if env.To == "b" {
				toDead++
				if now%(10*sec) != sec {
					t.Errorf("reconnect to b at %v, want every 10s from 1s", now)
				}
			}
		}
		m.Advance()
	}
	if toDead != 6 {
		t.Errorf("%d reconnect messages in 60s, want 6", toDead)
	}
}

// TestStallNotHeldAgainstPeers: a member whose round is late by more than
// an interval (it was paused) shifts its suspicion clocks by the stall
// rather than suspecting every peer at once.
func TestStallNotHeldAgainstPeers(t *testing.T) {
	m := testMember(t, func(c *Config) { c.Peers = []string{"a", "b"} })
	m.Step(sec/2, "b", msg("b", hb("b", 1, Alive)))
	// Paused from 0.5s to 30s: the Tick due at 1s comes at 30s.
	m.Tick(30 * sec)
	if ch := changes(m); len(ch) != 0 {
		t.Fatalf("after the pause: %v", ch)
	}
	// The clock restarted from the stall: b is suspected 5s after the
	// member came back (heard at 0.5s, shifted by the 29s stall to 29.5s,
	// so at 34.5s), unless it is heard from.
	if rd := m.Ready(); rd.Wake != 31*sec {
		t.Errorf("wake %v, want the next round at 31s", rd.Wake)
	}
	for now := 31 * sec; now <= 34*sec; now += sec {
		m.Tick(now)
	}
	m.Tick(34*sec + sec/2)
	if ch := changes(m); len(ch) != 1 || ch[0].To != Suspect {
		t.Errorf("changes %v, want b suspected at 34.5s", ch)
	}
}

// TestDeterministic: the same seed and inputs give the same messages.
func TestDeterministic(t *testing.T) {
	run := func() []string {
		m := testMember(t, nil)
		var to []string
		for now := sec; now < 30*sec; now += sec {
			m.Tick(now)
			for _, env := range m.Ready().Messages {
				to = append(to, env.To)
			}
			m.Advance()
		}
		return to
	}
	if a, b := run(), run(); !slices.Equal(a, b) {
		t.Errorf("two runs differ:\n%v\n%v", a, b)
	}
}

// TestDigestsAreNotReused: a digest already handed out is never written
// again, so messages can wait in a runtime's queues.
func TestDigestsAreNotReused(t *testing.T) {
	m := testMember(t, func(c *Config) { c.Peers = []string{"a", "b"} })
	m.Step(sec/2, "b", msg("b", hb("b", 1, Alive)))
	m.Tick(sec)
	first := m.Ready().Messages[0].Msg
	keep := slices.Clone(first.Digest)
	m.Advance()
	for now := 2 * sec; now < 20*sec; now += sec {
		m.Step(now, "b", msg("b", hb("b", uint64(now/sec), Alive)))
		m.Tick(now)
		m.Advance()
	}
	if !slices.Equal(first.Digest, keep) {
		t.Errorf("digest changed after Advance: %v, was %v", first.Digest, keep)
	}
}
