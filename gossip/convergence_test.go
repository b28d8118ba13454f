package gossip

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// lanConfig is the configuration the brief asks about: fanout 3, a 1s
// interval, the default suspect-after and a 10s suspicion timeout.
func lanConfig() Config {
	c := DefaultConfig()
	c.Interval = time.Second
	return c
}

// TestNoFalseSuspicionWithoutLoss: with no loss and a steady latency, no
// live member is ever suspected, let alone declared dead, by anyone; and
// each member sends Fanout messages per Interval.
func TestNoFalseSuspicionWithoutLoss(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n     int
		seeds int
		dur   time.Duration
		loss  float64
	}{
		{10, 10, 10 * time.Minute, 0},
		{100, 3, 10 * time.Minute, 0},
		// Not promised, but the redundancy of full digests to three peers
		// a round rides out heavy loss too.
		{100, 1, 3 * time.Minute, 0.2},
	} {
		for seed := range uint64(tc.seeds) {
			c := newCluster(t, clusterOpts{n: tc.n, seed: seed, latency: 5 * time.Millisecond, loss: tc.loss, cfg: lanConfig(), stagger: true})
			c.run(tc.dur)
			if len(c.mistakes) > 0 {
				t.Errorf("n=%d seed=%d loss=%v: %d false suspicions, first: %s", tc.n, seed, tc.loss, len(c.mistakes), c.mistakes[0])
			}
			perSec := float64(c.messages) / float64(tc.n) / tc.dur.Seconds()
			if perSec < 2.99 || perSec > 3.01 {
				t.Errorf("n=%d seed=%d: %.3f messages per member per second, want fanout/interval = 3", tc.n, seed, perSec)
			}
		}
	}
}

// crashRecord follows one crash: when the first live member and when all
// live members believed the victim dead.
type crashRecord struct {
	victim     int
	at         time.Duration // crash
	lastRound  time.Duration // the victim's last heartbeat
	first, all time.Duration // 0: not yet
}

// trackCrashes kills victims at the given times and records convergence.
func trackCrashes(c *cluster, victims []int, times []time.Duration) []*crashRecord {
	recs := make([]*crashRecord, len(victims))
	byVictim := map[int]*crashRecord{}
	check := func(r *crashRecord) {
		if r.all != 0 {
			return
		}
		for q := range c.members {
			if c.up[q] && c.views[q][r.victim] != Dead {
				return
			}
		}
		r.all = c.now
	}
	for k, v := range victims {
		r := &crashRecord{victim: v, at: times[k]}
		recs[k], byVictim[v] = r, r
		c.at(times[k], func() {
			r.lastRound = c.members[v].rows[c.members[v].self].lastIncrease
			c.kill(v)
			for _, o := range recs {
				if o != nil && o.at <= c.now {
					check(o)
				}
			}
		})
	}
	prev := c.onChange
	c.onChange = func(c *cluster, q int, ch Change) {
		if prev != nil {
			prev(c, q, ch)
		}
		r := byVictim[int(c.byID[ch.Peer])]
		if r == nil || c.now < r.at {
			return
		}
		if ch.To == Alive {
			c.t.Errorf("%s believes crashed %s alive again: %v", c.ids[q], ch.Peer, ch)
			return
		}
		if ch.To == Dead && r.first == 0 {
			r.first = c.now
		}
		check(r)
	}
	return recs
}

// TestCrashConvergence: every crash is known dead by every live member,
// within the bound derived in doc.go:
//
//	SuspectAfter + SuspicionTimeout − Interval ≤ first
//	all ≤ crash + SuspectAfter + SuspicionTimeout + H
//
// where H is how long the victim's last counter took to reach the last
// member (measured per crash from the members' state), which the default
// SuspectAfter is sized to exceed: all ≤ crash + 2·SuspectAfter +
// SuspicionTimeout.
func TestCrashConvergence(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n, kills, seeds int
		loss            float64
	}{
		{10, 3, 10, 0},
		{100, 10, 3, 0},
		{100, 10, 1, 0.05},
	} {
		var firsts, alls, hs []time.Duration
		for seed := range uint64(tc.seeds) {
			c := newCluster(t, clusterOpts{n: tc.n, seed: seed, latency: 5 * time.Millisecond, loss: tc.loss, cfg: lanConfig(), stagger: true})
			pick := rand.New(rand.NewPCG(seed, 7))
			victims := pick.Perm(tc.n)[:tc.kills]
			var times []time.Duration
			for k := range victims {
				// Spread over the first minutes, at random phases.
				times = append(times, time.Duration(30+20*k)*time.Second+time.Duration(pick.Int64N(int64(time.Second))))
			}
			recs := trackCrashes(c, victims, times)
			c.run(times[len(times)-1] + 2*time.Minute)
			if len(c.mistakes) > 0 {
				t.Errorf("n=%d seed=%d: false suspicion: %s", tc.n, seed, c.mistakes[0])
			}
			cfg := c.members[0].cfg
			for _, r := range recs {
				if r.all == 0 {
					t.Errorf("n=%d seed=%d: crash of %s at %v never converged", tc.n, seed, c.ids[r.victim], r.at)
					continue
				}
				// H: when the victim's last counter reached the last member.
				var h time.Duration
				for q, m := range c.members {
					if c.up[q] {
						h = max(h, m.rows[r.victim].lastIncrease-r.lastRound)
					}
				}
				lo := cfg.SuspectAfter + cfg.SuspicionTimeout - cfg.Interval
				if r.first-r.at < lo {
					t.Errorf("n=%d seed=%d: %s known dead %v after its crash, before the %v the design allows",
						tc.n, seed, c.ids[r.victim], r.first-r.at, lo)
				}
				if hi := cfg.SuspectAfter + cfg.SuspicionTimeout + h; r.all-r.at > hi {
					t.Errorf("n=%d seed=%d: %s known dead by all %v after its crash, over the derived bound %v (H=%v)",
						tc.n, seed, c.ids[r.victim], r.all-r.at, hi, h)
				}
				if hi := 2*cfg.SuspectAfter + cfg.SuspicionTimeout; r.all-r.at > hi {
					t.Errorf("n=%d seed=%d: convergence %v over 2·SuspectAfter+SuspicionTimeout = %v", tc.n, seed, r.all-r.at, hi)
				}
				firsts = append(firsts, r.first-r.at)
				alls = append(alls, r.all-r.at)
				hs = append(hs, h)
			}
		}
		cfg := newCluster(t, clusterOpts{n: tc.n, cfg: lanConfig()}).members[0].cfg
		t.Logf("loss %.0f%% n=%d fanout=%d interval=%v suspect-after=%v suspicion-timeout=%v: %d crashes; after the crash, first knew %s, all knew %s; H %s",
			100*tc.loss, tc.n, cfg.Fanout, cfg.Interval, cfg.SuspectAfter, cfg.SuspicionTimeout, len(alls), spread(firsts), spread(alls), spread(hs))
	}
}

// TestSpreadMeasured measures, for 100 members, fanout 3 and a 1s interval,
// the largest gap between two increases of a peer's counter seen by any
// member (and the silence since the last one at the end): the quantity
// SuspectAfter must exceed. The default is 12s.
func TestSpreadMeasured(t *testing.T) {
	t.Parallel()
	const n = 100
	c := newCluster(t, clusterOpts{n: n, seed: 42, latency: 5 * time.Millisecond, cfg: lanConfig(), stagger: true})
	last := make([][]time.Duration, n)
	for i := range last {
		last[i] = make([]time.Duration, n)
	}
	const warmup = 30 * time.Second
	var gaps []time.Duration
	c.afterEvent = func(q int) {
		m := c.members[q]
		for p := range m.rows {
			if li := m.rows[p].lastIncrease; li != last[q][p] {
				if p != q && last[q][p] >= warmup {
					gaps = append(gaps, li-last[q][p])
				}
				last[q][p] = li
			}
		}
	}
	c.run(3 * time.Minute)
	slices.Sort(gaps)
	sa := c.members[0].cfg.SuspectAfter
	worst := gaps[len(gaps)-1]
	t.Logf("gaps between counter increases seen, over %d: median %v, p99.9 %v, max %v; suspect after %v",
		len(gaps), gaps[len(gaps)/2], gaps[len(gaps)*999/1000], worst, sa)
	if worst*2 > sa {
		t.Errorf("a counter went %v without rising, over half of suspect-after %v: the default leaves too little margin", worst, sa)
	}
}

// TestRestartRejoins: a crashed member, known dead by all, restarts under
// a higher incarnation with a counter starting again from 1; every live
// member trusts it again within a few rounds, and nobody suspects it (or
// anyone else) afterwards. A member restarted before it was even
// suspected is trusted throughout.
func TestRestartRejoins(t *testing.T) {
	t.Parallel()
	for seed := range uint64(3) {
		c := newCluster(t, clusterOpts{n: 50, seed: seed, latency: 5 * time.Millisecond, cfg: lanConfig(), stagger: true})
		const victim, quick = 7, 21
		var killedAt, restartAt = 60 * time.Second, 120 * time.Second
		c.at(killedAt, func() { c.kill(victim); c.kill(quick) })
		c.at(killedAt+3*time.Second, func() { c.start(quick) })
		c.at(restartAt, func() { c.start(victim) })
		var trusted []time.Duration
		c.onChange = func(c *cluster, q int, ch Change) {
			switch {
			case c.byID[ch.Peer] == quick && c.now > killedAt:
				t.Errorf("seed %d: %s changed its view of the quickly restarted %s: %v", seed, c.ids[q], ch.Peer, ch)
			case c.byID[ch.Peer] != victim:
			case c.now < restartAt && ch.To == Alive:
				t.Errorf("seed %d: %s revived the crashed %s: %v", seed, c.ids[q], ch.Peer, ch)
			case c.now >= restartAt:
				if ch.To != Alive || !strings.Contains(ch.Reason, "restarted with incarnation 2") {
					t.Errorf("seed %d: after the restart %s: %v", seed, c.ids[q], ch)
				}
				trusted = append(trusted, c.now)
			}
		}
		c.run(restartAt - time.Second)
		for q := range c.members {
			if q != victim && c.views[q][victim] != Dead {
				t.Fatalf("seed %d: before the restart %s believes %s %v", seed, c.ids[q], c.ids[victim], c.views[q][victim])
			}
		}
		c.run(4 * time.Minute)
		if len(trusted) != 49 {
			t.Errorf("seed %d: %d members trust %s again, want 49", seed, len(trusted), c.ids[victim])
		} else if d := trusted[48] - restartAt; d > time.Duration(SpreadRounds(3, 50))*time.Second {
			t.Errorf("seed %d: rejoin took %v, over %d rounds", seed, d, SpreadRounds(3, 50))
		} else if seed == 0 {
			t.Logf("all 49 trust the restarted member %v after its restart", d)
		}
		// The restarted member learned who is alive: it believes nobody dead.
		for p, s := range c.views[victim] {
			if s != Alive {
				t.Errorf("seed %d: restarted %s believes %s %v", seed, c.ids[victim], c.ids[p], s)
			}
		}
		if len(c.mistakes) > 0 {
			t.Errorf("seed %d: false suspicion: %s", seed, c.mistakes[0])
		}
	}
}

// TestPartitionHeals: two halves cut from each other for 60s each declare
// the other dead; after the cut heals, the reconnect messages to dead
// peers bring them back together, and everyone trusts everyone within
// one ReconnectInterval and a few rounds.
func TestPartitionHeals(t *testing.T) {
	t.Parallel()
	const n = 20
	c := newCluster(t, clusterOpts{n: n, seed: 3, latency: 5 * time.Millisecond, cfg: lanConfig(), stagger: true})
	side := func(i int) bool { return i < n/2 }
	cutFrom, healAt := 60*time.Second, 120*time.Second
	c.at(cutFrom, func() { c.cut = func(a, b int) bool { return side(a) != side(b) } })
	c.at(healAt, func() { c.cut = nil })
	c.run(healAt)
	for q := range n {
		for p := range n {
			if want := side(p) != side(q); (c.views[q][p] == Dead) != want {
				t.Fatalf("at the heal %s believes %s %v", c.ids[q], c.ids[p], c.views[q][p])
			}
		}
	}
	var healed time.Duration
	c.onChange = func(c *cluster, _ int, _ Change) {
		for q := range n {
			for p := range n {
				if c.views[q][p] != Alive {
					return
				}
			}
		}
		if healed == 0 {
			healed = c.now
		}
	}
	c.run(healAt + 2*time.Minute)
	if healed == 0 || healed-healAt > DefaultConfig().ReconnectInterval+10*time.Second {
		t.Fatalf("healed at %v, %v after the cut healed", healed, healed-healAt)
	}
	t.Logf("all trusted again %v after the heal", healed-healAt)
}

// spread summarises durations as min/median/max, in seconds.
func spread(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return fmt.Sprintf("min %.2fs median %.2fs max %.2fs", ds[0].Seconds(), ds[len(ds)/2].Seconds(), ds[len(ds)-1].Seconds())
}
