package gossip

import (
	"fmt"
	"slices"
	"time"

	"github.com/hbsim/hbsim/pkg/vtime"
)

// row is what a member knows of one member of the group, itself included.
type row struct {
	id string
	// inc, counter: the freshest heartbeat version seen; 0, 0 if none.
	inc, counter uint64
	status       Status
	// lastIncrease is when the version last rose here (or when the member
	// started, for a row never heard of): the suspicion clock.
	lastIncrease time.Duration
	// suspectSince is when the row became suspect.
	suspectSince time.Duration
}

func (r *row) heard() bool { return r.inc != 0 || r.counter != 0 }

// cmpVersion orders heartbeat versions (inc, counter) lexicographically.
func cmpVersion(inc1, c1, inc2, c2 uint64) int {
	switch {
	case inc1 != inc2:
		if inc1 < inc2 {
			return -1
		}
		return 1
	case c1 < c2:
		return -1
	case c1 > c2:
		return 1
	}
	return 0
}

// Member is one group member's protocol state.
type Member struct {
	cfg     Config
	rows    []row // sorted by id
	index   map[string]int32
	self    int32
	running bool
	// nextRound is when the next gossip round is due; nextReconnect when
	// a round may next send to a dead peer.
	nextRound, nextReconnect time.Duration
	// wake is the next Tick wanted: the earliest of the next round and
	// every suspicion clock's deadline, computed by Tick. Step only makes
	// deadlines later, except that an adopted suspicion brings its own.
	wake    time.Duration
	sent    int64
	outbox  []Envelope
	changes []Change
	// scratch holds candidate row numbers while a round picks its fanout.
	scratch []int32

	// health is Lifeguard's local health (awareness.go).
	health awareness
	// stall is how late the round due at the last Tick came, beyond one
	// interval (reported in Ready until Advance); lost and missed add up
	// every stall and the whole intervals it covered.
	stall  time.Duration
	lost   time.Duration
	missed int64
	// refutedInc, refutedCounter: the freshest version of this member
	// that a peer's suspicion was about, so one suspicion gossiped by many
	// counts once.
	refutedInc, refutedCounter uint64
}

// New returns a stopped member; Start boots it.
func New(cfg Config) (*Member, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ids := append(slices.Clone(cfg.Peers), cfg.ID)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	cfg.Peers = ids
	if cfg.SuspectAfter == 0 {
		// At least two rounds, so always longer than the interval.
		cfg.SuspectAfter = DefaultSuspectAfter(cfg.Interval, cfg.Fanout, len(ids))
	}
	m := &Member{cfg: cfg, rows: make([]row, len(ids)), index: make(map[string]int32, len(ids)),
		health: awareness{max: cfg.AwarenessMaxMultiplier}}
	for i, id := range ids {
		m.rows[i].id = id
		m.index[id] = int32(i)
		if id == cfg.ID {
			m.self = int32(i)
		}
	}
	return m, nil
}

// ID is the member's id.
func (m *Member) ID() string { return m.cfg.ID }

// Config is the validated configuration, defaults filled in; Peers is the
// sorted group, the member included.
func (m *Member) Config() Config {
	c := m.cfg
	c.Peers = slices.Clone(c.Peers)
	return c
}

// Running reports whether the member is started and not stopped.
func (m *Member) Running() bool { return m.running }

// Incarnation is the incarnation the member was last started with.
func (m *Member) Incarnation() uint64 { return m.rows[m.self].inc }

// Counter is the member's own heartbeat counter in this incarnation.
func (m *Member) Counter() uint64 { return m.rows[m.self].counter }

// MessagesSent counts messages sent over all of the member's lives.
func (m *Member) MessagesSent() int64 { return m.sent }

// Health is the local health score: 0 is healthy; with
// AwarenessMaxMultiplier off it stays 0.
func (m *Member) Health() int { return m.health.score }

// Lost is the time the member could not run, over all of its lives: the
// sum of how late its own rounds came beyond one interval. MissedRounds
// counts the whole intervals in it.
func (m *Member) Lost() time.Duration { return m.lost }

// MissedRounds is how many of its own rounds the member missed.
func (m *Member) MissedRounds() int64 { return m.missed }

// suspectAfter and suspicionTimeout are the accusation timers, scaled by
// local health.
func (m *Member) suspectAfter() time.Duration { return m.health.scale(m.cfg.SuspectAfter) }

func (m *Member) suspicionTimeout() time.Duration { return m.health.scale(m.cfg.SuspicionTimeout) }

// healthNote says how local health stretched a timer, for reasons.
func (m *Member) healthNote() string {
	if m.health.score == 0 {
		return ""
	}
	return fmt.Sprintf(", × %d for local health %d/%d", m.health.score+1, m.health.score, m.health.max-1)
}

// Status is what the member believes about peer; ok is false if peer is
// not in the group. A member believes itself alive.
func (m *Member) Status(peer string) (s Status, ok bool) {
	i, ok := m.index[peer]
	if !ok {
		return Alive, false
	}
	return m.rows[i].status, true
}

// Start boots a fresh process at now: it forgets what it knew of its
// peers, believes them all alive (their suspicion clocks start now), and
// gossips at once. incarnation must be higher than in every earlier life
// of this member, so that peers who remember its old counter accept the
// new, lower one (Cassandra calls it the generation and uses the boot
// time in seconds; a simulator can count starts). Under a reused or lower
// incarnation, peers ignore the member until its counter passes the old
// one. Starting a running member restarts it.
func (m *Member) Start(now time.Duration, incarnation uint64) {
	for i := range m.rows {
		r := &m.rows[i]
		*r = row{id: r.id, lastIncrease: now}
	}
	m.rows[m.self].inc = incarnation
	m.running = true
	m.health.score, m.stall = 0, 0
	m.refutedInc, m.refutedCounter = 0, 0
	m.outbox = m.outbox[:0]
	m.changes = m.changes[:0]
	m.nextReconnect = now
	m.round(now)
	m.updateWake()
}

// Stop crashes the process: it stops gossiping and drops what it had not
// yet sent.
func (m *Member) Stop() {
	m.running = false
	m.outbox = m.outbox[:0]
	m.changes = m.changes[:0]
}

// Tick does what is due at now: suspicions and deaths whose time has come,
// then the gossip round if due.
//
// A member that was not run for a while (a long GC pause, a starved
// process) notices its round is late by more than an interval. The time
// it could not run is no evidence against its peers, whose heartbeats may
// be waiting unread, so it moves every suspicion clock forward by that
// time (never past now) before judging anyone: it neither suspects nor
// buries the whole group on waking up. It does not hide the lost time
// either: Ready reports the stall, Lost and MissedRounds add it up, and
// with local health on each missed interval raises the score. A round on
// time lowers it by one.
func (m *Member) Tick(now time.Duration) {
	if !m.running {
		return
	}
	late := now - m.nextRound
	if late > m.cfg.Interval {
		for i := range m.rows {
			r := &m.rows[i]
			r.lastIncrease = min(r.lastIncrease+late, now)
			r.suspectSince = min(r.suspectSince+late, now)
		}
		missed := late / m.cfg.Interval
		m.stall, m.lost, m.missed = late, m.lost+late, m.missed+int64(missed)
		m.health.apply(int(min(missed, time.Duration(max(m.health.max, 1)))))
	}
	m.expire(now)
	if now >= m.nextRound {
		m.round(now)
		if late <= m.cfg.Interval {
			m.health.apply(-1)
		}
	}
	m.updateWake()
}

func (m *Member) updateWake() {
	wake := m.nextRound
	for i := range m.rows {
		r := &m.rows[i]
		switch {
		case int32(i) == m.self:
		case r.status == Alive:
			wake = min(wake, r.lastIncrease+m.suspectAfter())
		case r.status == Suspect:
			wake = min(wake, r.suspectSince+m.suspicionTimeout())
		}
	}
	m.wake = wake
}

// expire turns silent peers suspect and long-suspected ones dead.
func (m *Member) expire(now time.Duration) {
	for i := range m.rows {
		r := &m.rows[i]
		switch {
		case int32(i) == m.self:
		case r.status == Alive && now-r.lastIncrease >= m.suspectAfter():
			r.status, r.suspectSince = Suspect, now
			m.change(now, r, Alive, fmt.Sprintf("no heartbeat counter increase from %s for %s (suspect after %s%s)",
				r.id, vtime.Seconds(now-r.lastIncrease), vtime.Seconds(m.cfg.SuspectAfter), m.healthNote()))
		case r.status == Suspect && now-r.suspectSince >= m.suspicionTimeout():
			r.status = Dead
			m.change(now, r, Suspect, fmt.Sprintf("suspected for %s (suspicion timeout %s%s)",
				vtime.Seconds(now-r.suspectSince), vtime.Seconds(m.cfg.SuspicionTimeout), m.healthNote()))
		}
	}
}

func (m *Member) change(now time.Duration, r *row, from Status, reason string) {
	m.changes = append(m.changes, Change{At: now, Peer: r.id, From: from, To: r.status, Reason: reason})
}

// round increments the heartbeat counter and sends the digest to Fanout
// random peers not believed dead, and now and then to one believed dead.
func (m *Member) round(now time.Duration) {
	m.nextRound = now + m.cfg.Interval
	m.rows[m.self].counter++
	m.rows[m.self].lastIncrease = now

	// One allocation per round, shared by its messages and never written
	// again: messages may sit in a runtime's queues for as long as they
	// like. Rows never heard of and believed alive are left out.
	digest := make([]Entry, len(m.rows))
	live, dead, n := m.scratch[:0], 0, 0
	for i := range m.rows {
		r := &m.rows[i]
		if r.heard() || r.status != Alive {
			digest[n] = Entry{Peer: r.id, Incarnation: r.inc, Counter: r.counter, Status: r.status}
			n++
		}
		switch {
		case int32(i) == m.self:
		case r.status == Dead:
			dead++
		default:
			live = append(live, int32(i))
		}
	}
	digest = digest[:n:n]
	msg := Message{From: m.cfg.ID, Digest: digest}
	// A partial Fisher–Yates shuffle: the first k of live are a uniform
	// random k-subset.
	k := min(m.cfg.Fanout, len(live))
	for j := 0; j < k; j++ {
		s := j + m.cfg.Rand.IntN(len(live)-j)
		live[j], live[s] = live[s], live[j]
		m.send(m.rows[live[j]].id, msg)
	}
	m.scratch = live
	if dead > 0 && m.cfg.ReconnectInterval > 0 && now >= m.nextReconnect {
		m.nextReconnect = now + m.cfg.ReconnectInterval
		pick := m.cfg.Rand.IntN(dead)
		for i := range m.rows {
			if m.rows[i].status != Dead || int32(i) == m.self {
				continue
			}
			if pick == 0 {
				m.send(m.rows[i].id, msg)
				break
			}
			pick--
		}
	}
}

func (m *Member) send(to string, msg Message) {
	m.sent++
	m.outbox = append(m.outbox, Envelope{To: to, Msg: msg})
}

// Step handles a message from peer from at now: it merges the digest
// entry by entry. A fresher heartbeat version is taken and makes its peer
// alive again if suspect or dead (a refutation, or a restart); a Dead
// entry is adopted unless a fresher version is known here; a Suspect
// entry starts a suspicion here, on this member's own clock, unless a
// fresher version is known here. Entries about this member itself change
// nothing here: its own counter, gossiped every round, is its
// refutation. A Suspect or Dead entry about its current life is a
// suspicion it must refute, and raises its local health score (once per
// suspected version).
//
// A message from a member not in the group, from this member itself, or
// whose From disagrees with from is ignored, as is every message while
// stopped: a runtime's mistake must not corrupt the member.
func (m *Member) Step(now time.Duration, from string, msg Message) {
	if !m.running || msg.From != from || from == m.cfg.ID {
		return
	}
	if _, ok := m.index[from]; !ok {
		return
	}
	// Digests come in the sender's order, which is ours when both were
	// given the same group: guess each entry's row as the one after the
	// last, and look the id up only when the guess is wrong.
	next := 0
	for k := range msg.Digest {
		e := &msg.Digest[k]
		i := next
		if i >= len(m.rows) || m.rows[i].id != e.Peer {
			j, ok := m.index[e.Peer]
			if !ok {
				continue
			}
			i = int(j)
		}
		next = i + 1
		r := &m.rows[i]
		if e.Incarnation == r.inc && e.Counter <= r.counter && e.Status == Alive {
			continue // the common case: nothing new
		}
		switch {
		case int32(i) != m.self && e.Status.Valid():
			m.merge(now, from, e, r)
		case int32(i) == m.self && (e.Status == Suspect || e.Status == Dead):
			m.refute(e)
		}
	}
}

// refute notes a peer's suspicion of this member's current life.
func (m *Member) refute(e *Entry) {
	if e.Incarnation != m.rows[m.self].inc || cmpVersion(e.Incarnation, e.Counter, m.refutedInc, m.refutedCounter) <= 0 {
		return
	}
	m.refutedInc, m.refutedCounter = e.Incarnation, e.Counter
	m.health.apply(1)
}

// merge folds one digest entry into r.
func (m *Member) merge(now time.Duration, from string, e *Entry, r *row) {
	cmp := cmpVersion(e.Incarnation, e.Counter, r.inc, r.counter)
	if cmp < 0 {
		return // we know better; our own digest will tell them
	}
	old := r.status
	restarted := e.Incarnation > r.inc && r.heard()
	if cmp > 0 {
		r.inc, r.counter, r.lastIncrease = e.Incarnation, e.Counter, now
	}
	switch {
	case e.Status == Dead && old != Dead:
		r.status = Dead
		m.change(now, r, old, fmt.Sprintf("%s reported %s dead", from, r.id))
	case e.Status == Suspect && (old == Alive || old == Dead && cmp > 0):
		r.status, r.suspectSince = Suspect, now
		m.wake = min(m.wake, now+m.suspicionTimeout())
		m.change(now, r, old, fmt.Sprintf("%s suspects %s, and no heartbeat counter above %d is known here",
			from, r.id, r.counter))
	case e.Status == Alive && old != Alive && cmp > 0:
		r.status = Alive
		if restarted {
			m.change(now, r, old, fmt.Sprintf("%s restarted with incarnation %d (heard via %s)", r.id, r.inc, from))
		} else {
			m.change(now, r, old, fmt.Sprintf("heartbeat counter of %s rose to %d (heard via %s)", r.id, r.counter, from))
		}
	}
}

// Ready returns what the member wants done. The slices are valid until
// Advance. Wake is never late, but may be early when fresh heartbeats
// arrived since the last Tick: a Tick then finds nothing due and asks for
// the next time.
func (m *Member) Ready() Ready {
	rd := Ready{Messages: m.outbox, Changes: m.changes, Stall: m.stall}
	if !m.running {
		return rd
	}
	rd.Wake = m.wake
	return rd
}

// Advance tells the member its messages were taken and its changes
// recorded.
func (m *Member) Advance() {
	m.outbox = m.outbox[:0]
	m.changes = m.changes[:0]
	m.stall = 0
}
