package gossip

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// This file is a small deterministic driver for the tests: N members on a
// virtual clock, a network with constant latency and optional loss, and an
// event queue ordered by (time, sequence number), so one seed replays a
// run exactly. The simulator proper lives elsewhere; this is just enough
// to check the protocol's promises.

type evKind uint8

const (
	evTick evKind = iota
	evDeliver
)

type event struct {
	at   time.Duration
	seq  uint64
	kind evKind
	to   int32
	from int32
	msg  Message
}

type eventHeap []event

func (h eventHeap) less(i, j int) bool {
	return h[i].at < h[j].at || h[i].at == h[j].at && h[i].seq < h[j].seq
}

func (h *eventHeap) push(e event) {
	*h = append(*h, e)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

func (h *eventHeap) pop() event {
	q := *h
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q[n] = event{}
	q = q[:n]
	for i := 0; ; {
		l, s := 2*i+1, i
		if l < n && q.less(l, s) {
			s = l
		}
		if l+1 < n && q.less(l+1, s) {
			s = l + 1
		}
		if s == i {
			break
		}
		q[i], q[s] = q[s], q[i]
		i = s
	}
	*h = q
	return top
}

// cluster runs members on a virtual clock.
type cluster struct {
	t        testing.TB
	now      time.Duration
	seq      uint64
	q        eventHeap
	latency  time.Duration
	loss     float64
	net      *rand.Rand // loss draws
	members  []*Member
	ids      []string
	byID     map[string]int32
	up       []bool
	upSince  []time.Duration
	starts   []uint64
	wakeAt   []time.Duration // the pending Tick of each member, 0 if none
	views    [][]Status      // views[q][p]: what q believes of p
	messages int64
	// onChange, if set, sees every change as it is reported.
	onChange func(c *cluster, observer int, ch Change)
	// mistakes are changes to Dead about a member that was up, or to
	// Suspect when strict; each a line for the test log.
	mistakes []string
	// cut, if set, drops the messages it returns true for (a partition).
	cut func(from, to int) bool
	// afterEvent, if set, runs after member i handled a Tick or a message.
	afterEvent func(i int)
	actions    []action
}

type clusterOpts struct {
	n       int
	seed    uint64
	latency time.Duration
	loss    float64
	cfg     Config // template: Interval, Fanout, timeouts
	stagger bool   // start each member at a random phase within an interval
}

func newCluster(t testing.TB, o clusterOpts) *cluster {
	c := &cluster{t: t, latency: o.latency, loss: o.loss, byID: map[string]int32{},
		net: rand.New(rand.NewPCG(o.seed, 0xfeed))}
	for i := range o.n {
		c.ids = append(c.ids, fmt.Sprintf("m%03d", i))
		c.byID[c.ids[i]] = int32(i)
	}
	for i := range o.n {
		cfg := o.cfg
		cfg.ID = c.ids[i]
		cfg.Peers = c.ids
		cfg.Rand = rand.New(rand.NewPCG(o.seed, uint64(i)))
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c.members = append(c.members, m)
	}
	c.up = make([]bool, o.n)
	c.upSince = make([]time.Duration, o.n)
	c.starts = make([]uint64, o.n)
	c.wakeAt = make([]time.Duration, o.n)
	c.views = make([][]Status, o.n)
	for i := range c.views {
		c.views[i] = make([]Status, o.n)
	}
	phase := rand.New(rand.NewPCG(o.seed, 0xbeef))
	interval := c.members[0].cfg.Interval
	for i := range o.n {
		at := time.Duration(0)
		if o.stagger {
			at = time.Duration(phase.Int64N(int64(interval)))
		}
		c.at(at, func() { c.start(i) })
	}
	return c
}

// at runs f at virtual time at (before the run reaches it).
func (c *cluster) at(at time.Duration, f func()) {
	c.actions = append(c.actions, action{at, f})
}

type action struct {
	at time.Duration
	f  func()
}

func (c *cluster) start(i int) {
	c.starts[i]++
	c.up[i] = true
	c.upSince[i] = c.now
	for p := range c.views[i] {
		c.views[i][p] = Alive
	}
	c.members[i].Start(c.now, c.starts[i])
	c.flush(i)
}

func (c *cluster) kill(i int) {
	c.up[i] = false
	c.members[i].Stop()
	c.wakeAt[i] = 0
}

// flush takes member i's output: messages into the network, changes into
// the views, its wake-up into the queue.
func (c *cluster) flush(i int) {
	m := c.members[i]
	rd := m.Ready()
	for _, env := range rd.Messages {
		c.messages++
		to := c.byID[env.To]
		if c.loss > 0 && c.net.Float64() < c.loss || c.cut != nil && c.cut(i, int(to)) {
			continue
		}
		c.seq++
		c.q.push(event{at: c.now + c.latency, seq: c.seq, kind: evDeliver, to: to, from: int32(i), msg: env.Msg})
	}
	for _, ch := range rd.Changes {
		p := c.byID[ch.Peer]
		if c.views[i][p] != ch.From {
			c.t.Errorf("%s: change %v of %s does not start from the view %v", c.ids[i], ch, ch.Peer, c.views[i][p])
		}
		c.views[i][p] = ch.To
		if c.up[p] && (ch.To == Dead || ch.To == Suspect) {
			c.mistakes = append(c.mistakes, fmt.Sprintf("%v %s: %v", ch.At, c.ids[i], ch))
		}
		if c.onChange != nil {
			c.onChange(c, i, ch)
		}
	}
	if rd.Wake != 0 && rd.Wake != c.wakeAt[i] {
		c.wakeAt[i] = rd.Wake
		c.seq++
		c.q.push(event{at: rd.Wake, seq: c.seq, kind: evTick, to: int32(i)})
	}
	m.Advance()
}

// run processes events until end, interleaving the scripted actions.
func (c *cluster) run(end time.Duration) {
	slices.SortStableFunc(c.actions, func(a, b action) int { return cmp.Compare(a.at, b.at) })
	for {
		next := end
		if len(c.q) > 0 {
			next = min(next, c.q[0].at)
		}
		if len(c.actions) > 0 && c.actions[0].at <= next {
			a := c.actions[0]
			c.actions = c.actions[1:]
			c.now = a.at
			a.f()
			continue
		}
		if len(c.q) == 0 || c.q[0].at > end {
			c.now = end
			return
		}
		e := c.q.pop()
		c.now = e.at
		i := int(e.to)
		switch e.kind {
		case evTick:
			if !c.up[i] || c.wakeAt[i] != e.at {
				continue // stale
			}
			c.wakeAt[i] = 0
			c.members[i].Tick(c.now)
		case evDeliver:
			if !c.up[i] {
				continue
			}
			c.members[i].Step(c.now, c.ids[e.from], e.msg)
		}
		if c.afterEvent != nil {
			c.afterEvent(i)
		}
		c.flush(i)
	}
}
