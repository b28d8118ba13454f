package gossip

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// suspectedAt drives m with a Tick at every wake-up (and every
// half-second) from `from` to `to`, and returns when it first suspects
// peer (−1: never).
func suspectedAt(m *Member, peer string, from, to time.Duration) time.Duration {
	for now := from; now <= to; now += sec / 2 {
		m.Tick(now)
		for _, c := range changes(m) {
			if c.Peer == peer && c.To == Suspect {
				return now
			}
		}
	}
	return -1
}

// TestLocalHealthAfterStall follows memberlist's awareness: a member that
// missed its own rounds (paused 1s → 6s: its round due at 1s comes 5s
// late) says so (Stall, Lost, MissedRounds), raises its score by the
// intervals missed, capped at max−1, and multiplies SuspectAfter by
// score+1 while the score comes down by one per round on time. b, heard
// at 0.5s and silent since, is suspected at 10.5s without local health
// (0.5s shifted by the 5s stall, + 5s); with memberlist's 8 (score 5),
// only once the score is back to 0 after the rounds at 7..11s; capped at
// 2, the score is 0 by 8s and b is suspected on time.
func TestLocalHealthAfterStall(t *testing.T) {
	for _, tc := range []struct {
		name      string
		max       int
		health    int
		suspected time.Duration
	}{
		{"off", 0, 0, 10*sec + sec/2},
		{"memberlist's 8", 8, 5, 11*sec + sec/2},
		{"capped at max−1", 3, 2, 10*sec + sec/2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMember(t, func(c *Config) { c.Peers = []string{"a", "b"}; c.AwarenessMaxMultiplier = tc.max })
			m.Step(sec/2, "b", msg("b", hb("b", 1, Alive)))
			m.Tick(6 * sec)
			if rd := m.Ready(); rd.Stall != 5*sec {
				t.Errorf("Ready.Stall %v, want 5s", rd.Stall)
			}
			if m.Lost() != 5*sec || m.MissedRounds() != 5 || m.Health() != tc.health {
				t.Errorf("lost %v, missed %d, health %d; want 5s, 5, %d", m.Lost(), m.MissedRounds(), m.Health(), tc.health)
			}
			m.Advance()
			if m.Ready().Stall != 0 {
				t.Error("the stall is reported after Advance")
			}
			if got := suspectedAt(m, "b", 6*sec+sec/2, 30*sec); got != tc.suspected {
				t.Errorf("b suspected at %v, want %v", got, tc.suspected)
			}
			if m.Health() != 0 {
				t.Errorf("health %d after rounds on time, want 0", m.Health())
			}
		})
	}
}

// TestLocalHealthRefute: a suspicion of this member's current life that
// reaches it raises its score once per suspected version, however many
// peers gossip it; a suspicion of an older life does not (the new
// incarnation refutes it by itself). The reasons of its accusations say
// how local health stretched the timer.
func TestLocalHealthRefute(t *testing.T) {
	m := testMember(t, func(c *Config) { c.Peers = []string{"a", "b", "c"}; c.AwarenessMaxMultiplier = 8 })
	self := func(counter uint64, s Status) Entry {
		return Entry{Peer: "a", Incarnation: 1, Counter: counter, Status: s}
	}
	for _, step := range []struct {
		from   string
		e      Entry
		health int
	}{
		{"b", self(1, Suspect), 1},
		{"c", self(1, Suspect), 1}, // the same suspicion, gossiped on
		{"b", self(1, Dead), 1},    // the same version, now dead
		{"c", self(2, Suspect), 2}, // a newer one
		{"b", Entry{Peer: "a", Incarnation: 0, Counter: 9, Status: Dead}, 2},
		{"b", self(2, Alive), 2},
	} {
		m.Step(sec/2, step.from, msg(step.from, hb(step.from, 1, Alive), step.e))
		if m.Health() != step.health {
			t.Errorf("after %+v from %s: health %d, want %d", step.e, step.from, m.Health(), step.health)
		}
	}
	// A member accused over and over (c suspects a newer version of it
	// twice a second) keeps its score up, so its suspicion of the silent
	// b waits for 2s × (score+1), and says why. Without local health b
	// is suspected at 2.5s (heard at 0.5s, suspect after 2s).
	for _, aware := range []int{0, 8} {
		m := testMember(t, func(c *Config) {
			c.Peers, c.AwarenessMaxMultiplier, c.SuspectAfter = []string{"a", "b", "c"}, aware, 2*sec
		})
		m.Step(sec/2, "b", msg("b", hb("b", 1, Alive)))
		var at time.Duration
		var reason string
		for k := uint64(1); k < 80 && reason == ""; k++ {
			now := time.Duration(k) * sec / 2
			m.Step(now, "c", msg("c", hb("c", k, Alive), self(k, Suspect)))
			m.Tick(now)
			for _, c := range changes(m) {
				if c.Peer == "b" && c.To == Suspect {
					at, reason = now, c.Reason
				}
			}
		}
		switch {
		case aware == 0 && (at != 5*sec/2 || reason != "no heartbeat counter increase from b for 2s (suspect after 2s)"):
			t.Errorf("off: b suspected at %v: %q", at, reason)
		case aware == 8 && (at <= 5*sec/2 || !strings.Contains(reason, "for local health")):
			t.Errorf("on: b suspected at %v: %q", at, reason)
		}
	}
}

func TestLocalHealthValidate(t *testing.T) {
	c := DefaultConfig()
	c.ID, c.Rand, c.AwarenessMaxMultiplier = "a", rand.New(rand.NewPCG(1, 1)), -1
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "awareness max multiplier -1") {
		t.Errorf("Validate: %v", err)
	}
	if DefaultConfig().AwarenessMaxMultiplier != 0 {
		t.Error("local health is on by default")
	}
}

// TestLocalHealthNeverAccusesEarlier is a property test: fed the same
// ticks (with stalls) and the same digests (with suspicions of the member
// itself), a member with local health on keeps its score in [0, max−1],
// accounts lost time exactly as one with it off, and never makes its own
// first suspicion of a peer earlier than the member without it.
func TestLocalHealthNeverAccusesEarlier(t *testing.T) {
	peers := []string{"a", "b", "c", "d"}
	rapid.Check(t, func(t *rapid.T) {
		maxMult := rapid.IntRange(2, 10).Draw(t, "max")
		mk := func(aware int) *Member {
			cfg := DefaultConfig()
			cfg.ID, cfg.Peers, cfg.Interval, cfg.SuspectAfter, cfg.SuspicionTimeout = "a", peers, sec, 3*sec, 4*sec
			cfg.Rand, cfg.AwarenessMaxMultiplier = rand.New(rand.NewPCG(7, 7)), aware
			m, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			m.Start(0, 1)
			m.Advance()
			return m
		}
		off, on := mk(0), mk(maxMult)
		firstOff, firstOn := map[string]time.Duration{}, map[string]time.Duration{}
		note := func(m *Member, first map[string]time.Duration, now time.Duration) {
			for _, c := range m.Ready().Changes {
				if c.From == Alive && c.To == Suspect && strings.HasPrefix(c.Reason, "no heartbeat") {
					if _, ok := first[c.Peer]; !ok {
						first[c.Peer] = now
					}
				}
			}
			m.Advance()
		}
		now := time.Duration(0)
		counters := map[string]uint64{}
		for step := range rapid.IntRange(1, 150).Draw(t, "steps") {
			now += time.Duration(rapid.IntRange(1, 4000).Draw(t, "gap")) * time.Millisecond
			if rapid.Bool().Draw(t, "tick") {
				if rapid.IntRange(0, 9).Draw(t, "stall") == 0 {
					now += time.Duration(rapid.IntRange(1, 20).Draw(t, "stallSecs")) * sec
				}
				off.Tick(now)
				on.Tick(now)
			} else {
				from := rapid.SampledFrom(peers[1:]).Draw(t, "from")
				counters[from]++
				es := []Entry{hb(from, counters[from], Alive)}
				if rapid.IntRange(0, 4).Draw(t, "accuse") == 0 {
					es = append(es, Entry{Peer: "a", Incarnation: 1, Counter: uint64(step), Status: Suspect})
				}
				if rapid.IntRange(0, 5).Draw(t, "gossip") == 0 {
					other := rapid.SampledFrom(peers[1:]).Draw(t, "other")
					es = append(es, Entry{Peer: other, Incarnation: 1, Counter: counters[other], Status: Status(rapid.IntRange(0, 2).Draw(t, "status"))})
				}
				off.Step(now, from, msg(from, es...))
				on.Step(now, from, msg(from, es...))
			}
			note(off, firstOff, now)
			note(on, firstOn, now)
			if h := on.Health(); h < 0 || h > maxMult-1 || off.Health() != 0 {
				t.Fatalf("health on %d (max %d), off %d", h, maxMult, off.Health())
			}
			if on.Lost() != off.Lost() || on.MissedRounds() != off.MissedRounds() {
				t.Fatalf("lost time differs: %v/%d vs %v/%d", on.Lost(), on.MissedRounds(), off.Lost(), off.MissedRounds())
			}
		}
		for p, tOn := range firstOn {
			if tOff, ok := firstOff[p]; !ok || tOn < tOff {
				t.Fatalf("with local health %s was first suspected at %v; without, at %v (ok %v)", p, tOn, tOff, ok)
			}
		}
	})
}
