package gossip

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/script"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// TestScripts runs the gossip member's scripts, testdata/*.txt: a small
// group on a deterministic network (a fixed latency, partitions, pauses)
// driven by a seeded random source. `go test ./gossip -run TestScripts
// -rewrite` rewrites the outputs.
func TestScripts(t *testing.T) {
	script.Run(t, "testdata", func(testing.TB) []script.Command {
		h := &gHarness{}
		return h.commands()
	})
}

// gHarness is a group of members and the network between them.
type gHarness struct {
	ids     []string
	members map[string]*Member
	now     time.Duration
	latency time.Duration
	// side maps a member to its side of a partition; members on
	// different sides do not hear each other. Empty: no partition.
	side map[string]int
	// pausedUntil holds a paused member's resume time: it is not ticked
	// and its messages wait until then.
	pausedUntil map[string]time.Duration
	inflight    []flight
	seq         int
	sent        int
	verbose     bool
}

// flight is a message on its way.
type flight struct {
	at   time.Duration
	seq  int
	from string
	to   string
	msg  Message
}

func (h *gHarness) commands() []script.Command {
	return []script.Command{
		{Name: "group", Usage: "group NODE... [interval=DUR] [fanout=N] [suspect-after=DUR] [timeout=DUR] [reconnect=DUR] " +
			"[awareness=N] [seed=N] [latency=DUR]", Run: h.group},
		{Name: "start", Usage: "start NODE...|all [inc=N] [at=DUR]", Run: h.start},
		{Name: "stop", Usage: "stop NODE... [at=DUR] (a crash)", Run: h.stop},
		{Name: "pause", Usage: "pause NODE... for=DUR [at=DUR] (a GC pause: no rounds, messages wait)", Run: h.pause},
		{Name: "partition", Usage: "partition NODE,NODE... NODE,NODE... [at=DUR] (the groups hear only themselves)", Run: h.partition},
		{Name: "heal", Usage: "heal [at=DUR]", Run: h.heal},
		{Name: "send", Usage: "send from=NODE to=NODE entries=PEER:INC:COUNTER:STATUS,... [at=DUR] (a hand-made digest)", Run: h.send},
		{Name: "run", Usage: "run DUR | run until=DUR [verbose] (deliver messages and tick members; print their changes of mind)", Run: h.run},
		{Name: "status", Usage: "status (each member's view of the group, and its local health)", Run: h.status},
	}
}

var errNoGroup = errors.New("no group yet: start the script with `group`")

func (h *gHarness) group(a *script.Args) (string, error) {
	ids := a.Words()
	if len(ids) < 2 {
		a.Failf("name at least two members")
		return "", nil
	}
	cfg := DefaultConfig()
	cfg.Peers = ids
	cfg.Interval = a.Dur("interval", time.Second)
	cfg.Fanout = a.Int("fanout", cfg.Fanout)
	cfg.SuspectAfter = a.Dur("suspect-after", 0)
	cfg.SuspicionTimeout = a.Dur("timeout", cfg.SuspicionTimeout)
	cfg.ReconnectInterval = a.Dur("reconnect", cfg.ReconnectInterval)
	cfg.AwarenessMaxMultiplier = a.Int("awareness", 0)
	seed := uint64(a.Int("seed", 1))
	cfg.Rand = rand.New(rand.NewPCG(seed, seed))
	*h = gHarness{ids: slices.Sorted(slices.Values(ids)), members: map[string]*Member{},
		latency: a.Dur("latency", 10*time.Millisecond), pausedUntil: map[string]time.Duration{}}
	for _, id := range ids {
		c := cfg
		c.ID = id
		m, err := New(c)
		if err != nil {
			return "", err
		}
		h.members[id] = m
	}
	c := h.members[h.ids[0]].Config()
	return fmt.Sprintf("%d members; interval %s, fanout %d, suspect after %s, suspicion timeout %s",
		len(ids), vtime.Seconds(c.Interval), c.Fanout, vtime.Seconds(c.SuspectAfter), vtime.Seconds(c.SuspicionTimeout)), nil
}

// named returns the members the command names; "all" names every one.
func (h *gHarness) named(a *script.Args) []string {
	w := a.Words()
	if len(w) == 1 && w[0] == "all" {
		return h.ids
	}
	for _, id := range w {
		if h.members[id] == nil {
			a.Failf("no member %q", id)
		}
	}
	if len(w) == 0 {
		a.Failf("name a member, or all")
	}
	return w
}

func (h *gHarness) start(a *script.Args) (string, error) {
	if h.members == nil {
		return "", errNoGroup
	}
	ids := h.named(a)
	inc := uint64(a.Int("inc", 1))
	h.now = a.At(h.now)
	var out strings.Builder
	for _, id := range ids {
		h.members[id].Start(h.now, inc)
		h.drain(id, &out)
	}
	return out.String(), nil
}

func (h *gHarness) stop(a *script.Args) (string, error) {
	if h.members == nil {
		return "", errNoGroup
	}
	ids := h.named(a)
	h.now = a.At(h.now)
	for _, id := range ids {
		h.members[id].Stop()
	}
	return "", nil
}

func (h *gHarness) pause(a *script.Args) (string, error) {
	if h.members == nil {
		return "", errNoGroup
	}
	ids := h.named(a)
	d := a.Dur("for", 0)
	if d <= 0 {
		a.Failf("want for=DUR")
	}
	h.now = a.At(h.now)
	for _, id := range ids {
		h.pausedUntil[id] = h.now + d
	}
	return "", nil
}

func (h *gHarness) partition(a *script.Args) (string, error) {
	if h.members == nil {
		return "", errNoGroup
	}
	h.now = a.At(h.now)
	h.side = map[string]int{}
	for k, g := range a.Words() {
		for _, id := range strings.Split(g, ",") {
			if h.members[id] == nil {
				a.Failf("no member %q", id)
			}
			h.side[id] = k + 1
		}
	}
	return "", nil
}

func (h *gHarness) heal(a *script.Args) (string, error) {
	h.now = a.At(h.now)
	h.side = nil
	return "", nil
}

// send delivers a hand-made digest now.
func (h *gHarness) send(a *script.Args) (string, error) {
	if h.members == nil {
		return "", errNoGroup
	}
	from, to := a.String("from", ""), a.String("to", "")
	if h.members[from] == nil || h.members[to] == nil {
		a.Failf("want from= and to= naming members")
		return "", nil
	}
	var digest []Entry
	for _, e := range a.List("entries") {
		f := strings.Split(e, ":")
		if len(f) != 4 {
			a.Failf("entry %q is not PEER:INC:COUNTER:STATUS", e)
			return "", nil
		}
		inc, err1 := strconv.ParseUint(f[1], 10, 64)
		ctr, err2 := strconv.ParseUint(f[2], 10, 64)
		st := slices.Index(statusNames[:], f[3])
		if err1 != nil || err2 != nil || st < 0 {
			a.Failf("entry %q is not PEER:INC:COUNTER:STATUS (alive, suspect or dead)", e)
			return "", nil
		}
		digest = append(digest, Entry{Peer: f[0], Incarnation: inc, Counter: ctr, Status: Status(st)})
	}
	h.now = a.At(h.now)
	h.members[to].Step(h.now, from, Message{From: from, Digest: digest})
	var out strings.Builder
	h.drain(to, &out)
	if h.members[to].cfg.AwarenessMaxMultiplier > 1 {
		fmt.Fprintf(&out, "%s health %d", to, h.members[to].Health())
	}
	return out.String(), nil
}

// run delivers messages and ticks members in time order up to the
// target. At one instant messages are delivered before members tick,
// each in a fixed order, so a run is reproducible from the seed.
func (h *gHarness) run(a *script.Args) (string, error) {
	if h.members == nil {
		return "", errNoGroup
	}
	until, set, ok := a.Until(h.now, "verbose")
	if !ok {
		return "", nil
	}
	h.verbose = set["verbose"]
	var out strings.Builder
	h.sent = 0
	for {
		t := h.next()
		if t < 0 || t > until {
			break
		}
		h.now = t
		h.deliver(&out)
		for _, id := range h.ids {
			m := h.members[id]
			if w := m.Ready().Wake; m.Running() && w > 0 && w <= h.now && !h.paused(id) {
				m.Tick(h.now)
				h.drain(id, &out)
			}
		}
	}
	h.now = until
	if h.verbose {
		fmt.Fprintf(&out, "%d messages sent\n", h.sent)
	}
	return out.String(), nil
}

func (h *gHarness) paused(id string) bool {
	u, ok := h.pausedUntil[id]
	return ok && h.now < u
}

// next is the time of the next thing to do, or −1.
func (h *gHarness) next() time.Duration {
	t := time.Duration(-1)
	earliest := func(x time.Duration) {
		if t < 0 || x < t {
			t = x
		}
	}
	for _, f := range h.inflight {
		earliest(max(f.at, h.pausedUntil[f.to]))
	}
	for _, id := range h.ids {
		if m := h.members[id]; m.Running() {
			if w := m.Ready().Wake; w > 0 {
				earliest(max(w, h.pausedUntil[id]))
			}
		}
	}
	return t
}

// deliver hands every message due now to its running, unpaused member.
func (h *gHarness) deliver(out *strings.Builder) {
	var due, later []flight
	for _, f := range h.inflight {
		if f.at <= h.now && !h.paused(f.to) {
			due = append(due, f)
		} else {
			later = append(later, f)
		}
	}
	h.inflight = later
	slices.SortFunc(due, func(x, y flight) int { return x.seq - y.seq })
	for _, f := range due {
		h.members[f.to].Step(h.now, f.from, f.msg)
		h.drain(f.to, out)
	}
}

// drain takes what member id wants done: its messages go on the network
// (dropped across a partition), its changes are printed.
func (h *gHarness) drain(id string, out *strings.Builder) {
	m := h.members[id]
	rd := m.Ready()
	if rd.Stall > 0 {
		fmt.Fprintf(out, "%s %s: round came %s late: lost time not held against peers; health %d\n",
			vtime.Seconds(h.now), id, vtime.Seconds(rd.Stall), m.Health())
	}
	for _, c := range rd.Changes {
		fmt.Fprintf(out, "%s %s: %s %s→%s: %s\n", vtime.Seconds(c.At), id, c.Peer, c.From, c.To, c.Reason)
	}
	for _, env := range rd.Messages {
		h.sent++
		if h.side != nil && h.side[id] != h.side[env.To] {
			continue
		}
		if h.verbose {
			fmt.Fprintf(out, "%s %s → %s: %s\n", vtime.Seconds(h.now), id, env.To, digestText(env.Msg.Digest))
		}
		h.seq++
		h.inflight = append(h.inflight, flight{at: h.now + h.latency, seq: h.seq, from: id, to: env.To, msg: env.Msg})
	}
	m.Advance()
}

func digestText(d []Entry) string {
	parts := make([]string, len(d))
	for k, e := range d {
		parts[k] = fmt.Sprintf("%s:%d:%d", e.Peer, e.Incarnation, e.Counter)
		if e.Status != Alive {
			parts[k] += ":" + e.Status.String()
		}
	}
	return strings.Join(parts, " ")
}

func (h *gHarness) status(a *script.Args) (string, error) {
	if h.members == nil {
		return "", errNoGroup
	}
	var b strings.Builder
	for _, id := range h.ids {
		m := h.members[id]
		if !m.Running() {
			fmt.Fprintf(&b, "%s: stopped\n", id)
			continue
		}
		fmt.Fprintf(&b, "%s:", id)
		for _, p := range h.ids {
			if p == id {
				continue
			}
			s, _ := m.Status(p)
			fmt.Fprintf(&b, " %s=%s", p, s)
		}
		fmt.Fprintf(&b, "; incarnation %d, counter %d", m.Incarnation(), m.Counter())
		if m.cfg.AwarenessMaxMultiplier > 1 {
			fmt.Fprintf(&b, ", health %d", m.Health())
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}
