package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hbsim/hbsim/gossip"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/setup"
	"github.com/hbsim/hbsim/pkg/trace"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// gossipSim runs the decentralized detector: no NameNode, every DataNode a
// gossip member heartbeating random peers over the same network model and
// faults as the central detectors.
//
// The report needs one view per node, as for a NameNode: here it is the
// group's most pessimistic belief among running members (dead if any
// member believes the node dead, stale if any suspects it), and for each
// crash when the first member and when every live member knew.
type gossipSim struct {
	scn     *scenario.Scenario
	rng     *rand.Rand
	q       queue
	now     time.Duration
	net     *network
	members []*gossip.Member
	tm      timers
	alive   []bool
	paused  []bool
	pending [][]int32
	starts  []uint64 // incarnations handed out
	index   map[string]int32

	msgs     []gossipSlot
	free     []int32
	received []int64

	// opinions[x][s] counts running members that hold x in status s.
	opinions [][3]int
	view     []gossip.Status // the group's view of each node
	open     []int           // per node, the open crash in tr.Gossip, or -1

	tr   trace.Trace
	step time.Duration

	rec     *recorder // with Options.Windows
	beliefs bool      // Options.Beliefs
}

type gossipSlot struct {
	from int32
	msg  gossip.Message
}

func newGossipSim(scn *scenario.Scenario, opts Options) (*gossipSim, error) {
	for _, ev := range scn.Events {
		if ev.Action == scenario.Overload {
			return nil, fmt.Errorf("line %d: namenode_overload has no meaning with the gossip detector: there is no NameNode", ev.Line)
		}
	}
	seed := uint64(scn.Seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	n := len(scn.Nodes)
	g := &gossipSim{
		scn: scn, rng: rng,
		net:      newNetwork(scn.Config.Network, rng, n),
		members:  make([]*gossip.Member, n),
		tm:       newTimers(n),
		alive:    make([]bool, n),
		paused:   make([]bool, n),
		pending:  make([][]int32, n),
		starts:   make([]uint64, n),
		index:    make(map[string]int32, n),
		received: make([]int64, n),
		opinions: make([][3]int, n),
		view:     make([]gossip.Status, n),
		open:     make([]int, n),
		tr:       trace.Trace{End: scn.Duration, Detectors: []string{"gossip"}, Gossip: []trace.Convergence{}},
		step:     max(scn.Duration/500, time.Second),
		beliefs:  opts.Beliefs,
	}
	if opts.Windows {
		g.rec = newRecorder(scn)
	}
	// No NameNode: a partition of a node cuts it from every peer.
	g.net.isolate = true
	hb := scn.Config.Heartbeat
	for i, id := range scn.Nodes {
		gc := setup.Gossip(scn.Config, id, scn.Nodes)
		gc.Rand = rng
		m, err := gossip.New(gc)
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		g.members[i] = m
		g.index[id] = int32(i)
		g.open[i] = -1
	}
	for i := range g.members {
		g.alive[i] = true
		g.q.push(event{at: time.Duration(rng.Int64N(int64(hb.Interval))), kind: fault, node: int32(i), ref: -1})
	}
	for k, ev := range scn.Events {
		g.q.push(event{at: ev.At, kind: fault, ref: int32(k)})
		if ev.For > 0 && ev.End() < scn.Duration {
			g.q.push(event{at: ev.End(), kind: faultEnd, ref: int32(k)})
		}
	}
	g.q.push(event{at: 0, kind: sample})
	return g, nil
}

// run simulates to the end, or until ctx is done: then the trace so far.
func (g *gossipSim) run(ctx context.Context) (*trace.Trace, error) {
	reached, err := loop(ctx, &g.q, g.scn.Duration, func(e event) {
		g.now = e.at
		g.fire(e)
	})
	g.now, g.tr.End = reached, reached
	return g.trace(), err
}

func (g *gossipSim) local(i int32) time.Duration { return g.tm.local(i, g.now) }

func (g *gossipSim) fire(e event) {
	switch e.kind {
	case wakeDataNode:
		if !g.tm.due(e.node, e.at) || g.paused[e.node] {
			return
		}
		g.members[e.node].Tick(g.local(e.node))
		g.drain(e.node)
	case toDataNode:
		if g.paused[e.node] {
			g.pending[e.node] = append(g.pending[e.node], e.ref)
			return
		}
		g.deliver(e.node, e.ref)
		g.drain(e.node)
	case sample:
		var live, stale, dead int
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
		g.tr.Series = append(g.tr.Series, trace.Sample{At: g.now, Live: live, Stale: stale, Dead: dead})
		g.q.push(event{at: g.now + g.step, kind: sample})
	case fault:
		if e.ref < 0 {
			g.start(e.node)
			return
		}
		g.inject(g.scn.Events[e.ref])
	case faultEnd:
		g.end(g.scn.Events[e.ref])
	}
}

func (g *gossipSim) deliver(i, ref int32) {
	s := g.msgs[ref]
	g.free = append(g.free, ref)
	if !g.members[i].Running() {
		return
	}
	g.received[i]++
	g.members[i].Step(g.local(i), g.scn.Nodes[s.from], s.msg)
}

func (g *gossipSim) start(i int32) {
	g.starts[i]++
	g.members[i].Start(g.local(i), g.starts[i])
	g.drain(i)
}

// drain sends a member's digests, records its changes of belief and
// re-arms its wake-up.
func (g *gossipSim) drain(i int32) {
	m := g.members[i]
	rd := m.Ready()
	for _, env := range rd.Messages {
		j := g.index[env.To]
		g.tr.Messages++
		d, ok := g.net.send(int(i), int(j))
		if g.rec != nil {
			g.rec.message(g.now, int(i), int(j), "gossip", d, !ok)
		}
		if !ok {
			continue
		}
		g.q.push(event{at: g.now + d, kind: toDataNode, node: j, ref: g.put(gossipSlot{from: i, msg: env.Msg})})
	}
	for _, c := range rd.Changes {
		g.believe(i, g.index[c.Peer], c.From, c.To, c.Reason)
	}
	g.tm.arm(&g.q, i, rd.Wake, g.now)
	m.Advance()
}

func (g *gossipSim) put(s gossipSlot) int32 {
	if k := len(g.free); k > 0 {
		ref := g.free[k-1]
		g.free = g.free[:k-1]
		g.msgs[ref] = s
		return ref
	}
	g.msgs = append(g.msgs, s)
	return int32(len(g.msgs) - 1)
}

// believe records that observer o changed its mind about x, and updates
// the group's view and the open crash's convergence.
func (g *gossipSim) believe(o, x int32, from, to gossip.Status, reason string) {
	if g.beliefs {
		g.tr.Beliefs = append(g.tr.Beliefs, trace.Belief{At: g.now, Observer: g.scn.Nodes[o], Subject: g.scn.Nodes[x],
			From: stateName(from), To: stateName(to)})
	}
	g.opinions[x][from]--
	g.opinions[x][to]++
	id := g.scn.Nodes[x]
	if c := g.open[x]; c >= 0 && to == gossip.Dead {
		conv := &g.tr.Gossip[c]
		if conv.FirstAt < 0 {
			conv.FirstAt = g.now
		}
		if conv.AllAt < 0 && g.opinions[x][gossip.Dead] >= g.liveObservers(x) {
			conv.AllAt = g.now
			g.tr.Events = append(g.tr.Events, trace.Event{At: g.now, Node: id, Kind: trace.Converged, Detector: "gossip",
				Reason: fmt.Sprintf("all %d live members know %s is dead, %s after the crash (first knew after %s)",
					g.liveObservers(x), id, vtime.Seconds(g.now-conv.KillAt), vtime.Seconds(conv.FirstAt-conv.KillAt))})
		}
	}
	g.review(x, fmt.Sprintf("%s: %s", g.scn.Nodes[o], reason))
}

// review recomputes the group's view of x: the most pessimistic belief of
// any running member.
func (g *gossipSim) review(x int32, reason string) {
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
	g.tr.Events = append(g.tr.Events, trace.Event{At: g.now, Node: g.scn.Nodes[x], Kind: trace.Transition,
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
func (g *gossipSim) liveObservers(x int32) int {
	n := 0
	for i, a := range g.alive {
		if a && int32(i) != x {
			n++
		}
	}
	return n
}

func (g *gossipSim) note(kind trace.Kind, id string, ev scenario.Event, what string) {
	g.tr.Events = append(g.tr.Events, trace.Event{At: g.now, Node: id, Kind: kind,
		Reason: fmt.Sprintf("scenario line %d: %s", ev.Line, what)})
}

func (g *gossipSim) inject(ev scenario.Event) {
	if g.net.fault(ev, g.index, true, "every peer", g.note) {
		return
	}
	for _, id := range ev.Nodes {
		i := g.index[id]
		switch ev.Action {
		case scenario.Kill:
			if !g.alive[i] {
				continue
			}
			g.forget(i)
			g.alive[i], g.paused[i] = false, false
			g.members[i].Stop()
			g.tm.wake[i] = 0
			g.note(trace.Kill, id, ev, "process killed (crash-stop)")
			g.open[i] = len(g.tr.Gossip)
			g.tr.Gossip = append(g.tr.Gossip, trace.Convergence{Node: id, KillAt: g.now, FirstAt: -1, AllAt: -1})
		case scenario.Restart:
			if g.alive[i] {
				continue
			}
			g.alive[i] = true
			g.open[i] = -1
			g.note(trace.Restart, id, ev, "fresh process started with a higher incarnation")
			g.start(i)
		case scenario.Pause:
			if g.alive[i] && !g.paused[i] {
				g.paused[i] = true
				g.note(trace.Pause, id, ev, "process paused (alive, but silent)")
			}
		case scenario.Drift:
			g.tm.drift(i, g.now, ev.Ratio)
			g.drain(i)
			g.note(trace.Drift, id, ev, fmt.Sprintf("clock runs %g× as fast", ev.Ratio))
		}
	}
}

func (g *gossipSim) end(ev scenario.Event) {
	if g.net.fault(ev, g.index, false, "every peer", g.note) {
		return
	}
	for _, id := range ev.Nodes {
		i := g.index[id]
		switch ev.Action {
		case scenario.Pause:
			if !g.paused[i] {
				continue
			}
			g.paused[i] = false
			g.note(trace.Resume, id, ev, "process resumed")
			for _, ref := range g.pending[i] {
				g.deliver(i, ref)
			}
			g.pending[i] = g.pending[i][:0]
			g.members[i].Tick(g.local(i))
			g.tm.wake[i] = 0
			g.drain(i)
		case scenario.Drift:
			g.tm.drift(i, g.now, 1)
			g.drain(i)
			g.note(trace.DriftEnd, id, ev, "clock back to true speed")
		}
	}
}

// forget removes a crashing member's beliefs from the group's view: a dead
// process holds no opinion.
func (g *gossipSim) forget(o int32) {
	m := g.members[o]
	for x, id := range g.scn.Nodes {
		if int32(x) == o {
			continue
		}
		if s, ok := m.Status(id); ok && s != gossip.Alive {
			g.opinions[x][s]--
			g.opinions[x][gossip.Alive]++
			g.review(int32(x), fmt.Sprintf("%s, which held this view, crashed", g.scn.Nodes[o]))
		}
	}
	for _, ref := range g.pending[o] {
		g.free = append(g.free, ref)
	}
	g.pending[o] = g.pending[o][:0]
}

func (g *gossipSim) trace() *trace.Trace {
	tr := g.tr
	tr.Events = append([]trace.Event(nil), g.tr.Events...)
	if g.rec != nil {
		tr.Windows = g.rec.windows
	}
	tr.Nodes = make([]trace.Node, len(g.members))
	for i, m := range g.members {
		tr.Nodes[i] = trace.Node{ID: m.ID(), HeartbeatsSent: m.MessagesSent(), HeartbeatsReceived: g.received[i],
			FinalState: stateName(g.view[i])}
	}
	return &tr
}
