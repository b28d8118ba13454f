package sim

import (
	"fmt"
	"time"

	"github.com/hbsim/hbsim/gossip"
	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/trace"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// gossipCluster is the decentralized detector as a plug-in of the world:
// each DataNode process also runs a gossip member that heartbeats random
// peers over the same network and faults as the NameNode's heartbeats.
//
// The report needs one view per node, as for a NameNode: here it is the
// group's most pessimistic belief among running members (dead if any
// member believes the node dead, stale if any suspects it), and for each
// crash when the first member and when every live member knew.
type gossipCluster struct {
	s       *Sim
	members []*gossip.Member // by slot
	tm      timers
	pending map[int32][]int32
	starts  []uint64 // incarnations handed out
	sent    []uint32 // messages each member sent: its draws' numbers

	msgs     []gossipSlot
	free     []int32
	received []int64

	// opinions[x][s] counts running members that hold x in status s.
	opinions [][3]int
	view     []gossip.Status // the group's view of each node
	open     []int           // per node, the open crash in tr.Gossip, or -1
	kind     trace.Kind      // Transition when gossip acts, else Verdict
}

type gossipSlot struct {
	from int32
	msg  gossip.Message
}

func newGossip(s *Sim) (*gossipCluster, error) {
	n := len(s.order)
	g := &gossipCluster{s: s,
		members:  make([]*gossip.Member, n),
		tm:       newTimers(n),
		pending:  map[int32][]int32{},
		starts:   make([]uint64, n),
		sent:     make([]uint32, n),
		received: make([]int64, n),
		opinions: make([][3]int, n),
		view:     make([]gossip.Status, n),
		open:     make([]int, n),
		kind:     trace.Verdict,
	}
	if !s.acting {
		g.kind = trace.Transition
	}
	if s.tr.Gossip == nil {
		s.tr.Gossip = []trace.Convergence{}
	}
	s.indexNodes()
	peers := s.run.IDs()
	for i, h := range s.order {
		m, err := gossip.New(s.run.GossipConfig(int(h), peers))
		if err != nil {
			return nil, err
		}
		g.members[i] = m
		g.open[i] = -1
	}
	return g, nil
}

func (g *gossipCluster) local(i int32) time.Duration { return g.tm.local(i, g.s.now) }

func (g *gossipCluster) wake(i int32, at time.Duration) {
	if !g.tm.due(i, at) || g.s.paused(i) {
		return
	}
	g.members[i].Tick(g.local(i))
	g.drain(i)
}

func (g *gossipCluster) deliver(i, ref int32) {
	if g.s.paused(i) {
		g.pending[i] = append(g.pending[i], ref)
		return
	}
	g.receive(i, ref)
	g.drain(i)
}

func (g *gossipCluster) receive(i, ref int32) {
	sl := g.msgs[ref]
	g.free = append(g.free, ref)
	if !g.members[i].Running() {
		return
	}
	g.received[i]++
	g.members[i].Step(g.local(i), g.s.id(sl.from), sl.msg)
}

func (g *gossipCluster) start(i int32) {
	g.starts[i]++
	g.members[i].Start(g.local(i), g.starts[i])
	g.drain(i)
}

// gossipLink is member i's outgoing messages' subject for draws.
func gossipLink(h int32) uint64 { return 1<<62 | uint64(h) }

// drain sends a member's digests, records its changes of belief and
// re-arms its wake-up.
func (g *gossipCluster) drain(i int32) {
	s := g.s
	m := g.members[i]
	rd := m.Ready()
	for _, env := range rd.Messages {
		j := s.index[env.To]
		s.tr.Messages++
		d := s.linkDraws(gossipLink(s.order[i]), g.sent[i])
		g.sent[i]++
		v := s.net.Fate(network.Endpoint(s.order[i]), network.Endpoint(s.order[j]), &d)
		if s.rec != nil {
			s.rec.message(s.now, int(s.order[i]), int(s.order[j]), "gossip", v.Delay, v.Lost)
		}
		if v.Lost {
			continue
		}
		s.push(s.now+v.Delay, kGossipTo, j, g.put(gossipSlot{from: i, msg: env.Msg}))
	}
	for _, c := range rd.Changes {
		g.believe(i, s.index[c.Peer], c.From, c.To, c.Reason)
	}
	g.arm(i, rd.Wake)
	m.Advance()
}

// arm queues member i's wake-up at local time w.
func (g *gossipCluster) arm(i int32, w time.Duration) {
	if at, ok := g.tm.arm(i, w, g.s.now); ok {
		g.s.push(at, kGossipWake, i, 0)
	}
}

func (g *gossipCluster) put(sl gossipSlot) int32 {
	if k := len(g.free); k > 0 {
		ref := g.free[k-1]
		g.free = g.free[:k-1]
		g.msgs[ref] = sl
		return ref
	}
	g.msgs = append(g.msgs, sl)
	return int32(len(g.msgs) - 1)
}

// believe records that observer o changed its mind about x, and updates
// the group's view and the open crash's convergence.
func (g *gossipCluster) believe(o, x int32, from, to gossip.Status, reason string) {
	s := g.s
	if s.opts.Beliefs {
		s.tr.Beliefs = append(s.tr.Beliefs, trace.Belief{At: s.now, Observer: s.id(o), Subject: s.id(x),
			From: stateName(from), To: stateName(to)})
	}
	g.opinions[x][from]--
	g.opinions[x][to]++
	id := s.id(x)
	if c := g.open[x]; c >= 0 && to == gossip.Dead {
		conv := &s.tr.Gossip[c]
		if conv.FirstAt < 0 {
			conv.FirstAt = s.now
		}
		if conv.AllAt < 0 && g.opinions[x][gossip.Dead] >= g.liveObservers(x) {
			conv.AllAt = s.now
			s.log.Append(trace.Event{At: s.now, Node: id, Kind: trace.Converged, Detector: "gossip",
				Reason: fmt.Sprintf("all %d live members know %s is dead, %s after the crash (first knew after %s)",
					g.liveObservers(x), id, vtime.Seconds(s.now-conv.KillAt), vtime.Seconds(conv.FirstAt-conv.KillAt))})
		}
	}
	g.review(x, fmt.Sprintf("%s: %s", s.id(o), reason))
}

// review recomputes the group's view of x: the most pessimistic belief of
// any running member.
func (g *gossipCluster) review(x int32, reason string) {
	v := gossip.Alive
	switch {
	case g.opinions[x][gossip.Dead] > 0:
		v = gossip.Dead
	case g.opinions[x][gossip.Suspect] > 0:
		v = gossip.Suspect
	}
	if v == g.view[x] {
		return
	}
	from := g.view[x]
	g.view[x] = v
	if v == gossip.Dead {
		reason = fmt.Sprintf("%s (%d of %d live members know)", reason, g.opinions[x][gossip.Dead], g.liveObservers(x))
	}
	s := g.s
	s.log.Append(trace.Event{At: s.now, Node: s.id(x), Kind: g.kind,
		From: stateName(from), To: stateName(v), Reason: reason, Detector: "gossip"})
}

func stateName(s gossip.Status) string {
	switch s {
	case gossip.Dead:
		return "dead"
	case gossip.Suspect:
		return "stale"
	}
	return "live"
}

// liveObservers counts running members other than x.
func (g *gossipCluster) liveObservers(x int32) int {
	n := 0
	for i := range g.members {
		if int32(i) != x && g.s.alive(int32(i)) {
			n++
		}
	}
	return n
}

// counts is the group's view as live, stale and dead nodes, for samples.
func (g *gossipCluster) counts() (live, stale, dead int) {
	for i, v := range g.view {
		switch {
		case g.starts[i] == 0:
		case v == gossip.Dead:
			dead++
		case v == gossip.Suspect:
			stale++
		default:
			live++
		}
	}
	return live, stale, dead
}

func (g *gossipCluster) kill(i int32) {
	s := g.s
	g.forget(i)
	g.members[i].Stop()
	g.tm.wake[i] = 0
	g.open[i] = len(s.tr.Gossip)
	s.tr.Gossip = append(s.tr.Gossip, trace.Convergence{Node: s.id(i), KillAt: s.now, FirstAt: -1, AllAt: -1})
}

func (g *gossipCluster) restart(i int32) {
	g.open[i] = -1
	g.start(i)
}

func (g *gossipCluster) resume(i int32) {
	for _, ref := range g.pending[i] {
		g.receive(i, ref)
	}
	delete(g.pending, i)
	g.members[i].Tick(g.local(i))
	g.tm.wake[i] = 0
	g.drain(i)
}

func (g *gossipCluster) drift(i int32, ratio float64) {
	g.tm.drift(i, g.s.now, ratio)
	g.drain(i)
}

// forget removes a crashing member's beliefs from the group's view: a dead
// process holds no opinion.
func (g *gossipCluster) forget(o int32) {
	s := g.s
	m := g.members[o]
	for x := range s.order {
		if int32(x) == o {
			continue
		}
		id := s.id(int32(x))
		if st, ok := m.Status(id); ok && st != gossip.Alive {
			g.opinions[x][st]--
			g.opinions[x][gossip.Alive]++
			g.review(int32(x), fmt.Sprintf("%s, which held this view, crashed", s.id(o)))
		}
	}
	for _, ref := range g.pending[o] {
		g.free = append(g.free, ref)
	}
	delete(g.pending, o)
}

// node fills slot i's trace counters from its member; own is true when
// gossip is the run's view of the node.
func (g *gossipCluster) node(i int32, nd *trace.Node, own bool) {
	if !own {
		return
	}
	nd.HeartbeatsSent = g.members[i].MessagesSent()
	nd.HeartbeatsReceived = g.received[i]
	nd.FinalState = stateName(g.view[i])
}
