package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/setup"
	"github.com/hbsim/hbsim/pkg/trace"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// Options asks for more than the default record of a run.
type Options struct {
	// Arrivals records every heartbeat's arrival time at the NameNode,
	// per node, for timelines. It costs memory: 8 bytes a heartbeat.
	Arrivals bool
	// Windows records the messages in a window around each fault
	// (trace.Window), at most trace.WindowCap a window, for the page's
	// space-time diagrams.
	Windows bool
	// Beliefs records every gossip member's changes of mind about its
	// peers (trace.Belief), for the page's who-suspects-whom matrix.
	Beliefs bool
}

// Sim is one simulated cluster: a NameNode, its DataNodes and the network
// between them.
type Sim struct {
	scn *scenario.Scenario
	rng *rand.Rand
	q   queue
	now time.Duration
	net *network

	nn     *namenode.NameNode
	nnWake time.Duration // the NameNode wake-up currently queued
	rpc    handlers      // the NameNode's queue for registrations and heartbeats
	life   handlers      // its separate lifeline queue (HDFS-9239)
	load   float64       // background requests per second competing for rpc

	dns     []datanode.DataNode // one slice: heartbeats touch them all, in no order
	tm      timers              // per DataNode, queued wake-ups and drifting clocks
	alive   []bool              // ground truth: is the process running?
	paused  []bool
	pending [][]int32 // message slots that reached a paused node
	index   map[string]int32

	// In-flight messages live in slots so that events stay small and flat.
	slots []proto.Message
	free  []int32

	tr       trace.Trace
	arrivals [][]time.Duration // per DataNode, with Options.Arrivals
	regs     [][]time.Duration // registrations reaching the NameNode, likewise
	step     time.Duration     // of the time series

	blk *blockLayer // blocks, transfers and clients (blocks.go, workload.go)
	rec *recorder   // with Options.Windows
}

// New builds the cluster of a scenario at time zero.
func New(scn *scenario.Scenario) (*Sim, error) { return NewWith(scn, Options{}) }

// NewWith builds the cluster of a scenario at time zero, with options. Each
// DataNode boots at a seeded random phase within one heartbeat interval, as
// real nodes never start in lockstep.
func NewWith(scn *scenario.Scenario, opts Options) (*Sim, error) {
	cfg := scn.Config
	ncfg, err := setup.NameNode(cfg, scn.Watching())
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	seed := uint64(scn.Seed)
	ncfg.Seed = seed
	blk, err := newBlockLayer(scn, &ncfg)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	nn, err := namenode.New(ncfg)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	n := len(scn.Nodes)
	s := &Sim{
		scn:     scn,
		rng:     rng,
		net:     newNetwork(cfg.Network, rng, n),
		nn:      nn,
		rpc:     newHandlers(cfg.NameNode.Handlers, cfg.NameNode.ServiceTime),
		life:    newHandlers(cfg.NameNode.LifelineHandlers, cfg.NameNode.ServiceTime),
		dns:     make([]datanode.DataNode, n),
		tm:      newTimers(n),
		alive:   make([]bool, n),
		paused:  make([]bool, n),
		pending: make([][]int32, n),
		index:   make(map[string]int32, n),
		tr:      trace.Trace{End: scn.Duration, Detectors: nn.Detectors()},
		// About 500 points whatever the length of the run, never finer
		// than a second.
		step: max(scn.Duration/500, time.Second),
		blk:  blk,
	}
	if opts.Arrivals {
		s.arrivals = make([][]time.Duration, n)
		s.regs = make([][]time.Duration, n)
	}
	if opts.Windows {
		s.rec = newRecorder(scn)
	}
	for i, id := range scn.Nodes {
		dcfg := setup.DataNode(cfg, id)
		blk.dataNode(i, &dcfg, scn.Capacity)
		dn, err := datanode.New(dcfg)
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		s.dns[i] = *dn
		s.index[id] = int32(i)
	}
	s.nnWake = nn.Ready().Wake
	s.q.push(event{at: s.nnWake, kind: wakeNameNode})
	for i := range s.dns {
		phase := time.Duration(s.rng.Int64N(int64(cfg.Heartbeat.Interval)))
		s.alive[i] = true
		s.q.push(event{at: phase, kind: fault, node: int32(i), ref: -1}) // boot
	}
	for k, ev := range scn.Events {
		s.q.push(event{at: ev.At, kind: fault, ref: int32(k)})
		if ev.For > 0 && ev.End() < scn.Duration {
			s.q.push(event{at: ev.End(), kind: faultEnd, ref: int32(k)})
		}
	}
	s.q.push(event{at: 0, kind: sample})
	s.startWorkload()
	return s, nil
}

// Run simulates a scenario to its end and returns what happened.
func Run(scn *scenario.Scenario) (*trace.Trace, error) { return RunWith(scn, Options{}) }

// RunWith is Run with options.
func RunWith(scn *scenario.Scenario, opts Options) (*trace.Trace, error) {
	return RunContext(context.Background(), scn, opts)
}

// RunContext is RunWith that stops early when ctx is done (Ctrl-C): it
// then returns the trace so far, whose End is the virtual time reached,
// with ctx's error.
func RunContext(ctx context.Context, scn *scenario.Scenario, opts Options) (*trace.Trace, error) {
	if scn.Config.Heartbeat.Detector == "gossip" {
		if len(scn.Watching()) > 0 {
			return nil, fmt.Errorf("sim: the gossip detector has no central monitor for %v to watch beside; compare it in a scenario of its own", scn.Watching())
		}
		g, err := newGossipSim(scn, opts)
		if err != nil {
			return nil, err
		}
		return g.run(ctx)
	}
	s, err := NewWith(scn, opts)
	if err != nil {
		return nil, err
	}
	reached, err := s.runUntil(ctx, scn.Duration)
	s.tr.End = reached
	return s.Trace(), err
}

// RunUntil fires every event up to and including time end.
func (s *Sim) RunUntil(end time.Duration) {
	_, _ = s.runUntil(context.Background(), end) // never cancelled
}

func (s *Sim) runUntil(ctx context.Context, end time.Duration) (time.Duration, error) {
	reached, err := loop(ctx, &s.q, end, func(e event) {
		s.now = e.at
		s.fire(e)
	})
	s.now = reached
	return reached, err
}

func (s *Sim) fire(e event) {
	switch e.kind {
	case wakeNameNode:
		if e.at != s.nnWake {
			return // superseded
		}
		s.nn.Tick(s.now)
		s.drainNameNode(-1)
	case wakeDataNode:
		if !s.tm.due(e.node, e.at) {
			return // superseded, or the node crashed
		}
		if s.paused[e.node] {
			return // fires late, at resume
		}
		s.dns[e.node].Tick(s.local(e.node))
		s.drainDataNode(e.node)
	case toNameNode:
		s.arrive(e)
	case stepNameNode:
		m := s.take(e.ref)
		if s.arrivals != nil {
			switch m.Type {
			case proto.TypeHeartbeat:
				s.arrivals[e.node] = append(s.arrivals[e.node], s.now)
			case proto.TypeRegister:
				s.regs[e.node] = append(s.regs[e.node], s.now)
			}
		}
		s.nn.Step(s.now, *m)
		s.drainNameNode(e.node)
	case toDataNode:
		if s.paused[e.node] {
			// The kernel keeps it in the socket buffer until the
			// process runs again.
			s.pending[e.node] = append(s.pending[e.node], e.ref)
			return
		}
		// A crashed node ignores what reaches it.
		s.dns[e.node].Step(s.local(e.node), *s.take(e.ref))
		s.drainDataNode(e.node)
	case background:
		if s.load > 0 {
			s.rpc.admit(s.now)
			s.q.push(event{at: s.now + s.exp(s.load), kind: background})
		}
	case sample:
		sm := trace.Sample{At: s.now,
			Live: s.nn.Count(namenode.Live), Stale: s.nn.Count(namenode.Stale), Dead: s.nn.Count(namenode.Dead)}
		s.sampleBlocks(&sm)
		s.tr.Series = append(s.tr.Series, sm)
		s.q.push(event{at: s.now + s.step, kind: sample})
	case fault:
		if e.ref < 0 {
			s.boot(e.node)
			return
		}
		s.inject(s.scn.Events[e.ref])
	case faultEnd:
		s.end(s.scn.Events[e.ref])
	default:
		s.fireBlocks(e)
	}
}

// arrive queues a message that reached the NameNode's socket: it is handled
// once an RPC handler gets to it. Lifelines have their own queue.
func (s *Sim) arrive(e event) {
	q := &s.rpc
	if s.slots[e.ref].Type == proto.TypeLifeline {
		q = &s.life
	}
	if q.service == 0 {
		s.fire(event{at: s.now, kind: stepNameNode, node: e.node, ref: e.ref})
		return
	}
	s.q.push(event{at: q.admit(s.now), kind: stepNameNode, node: e.node, ref: e.ref})
}

// exp draws an exponential gap for a Poisson process of rate per second.
func (s *Sim) exp(rate float64) time.Duration {
	return time.Duration(s.rng.ExpFloat64() / rate * float64(time.Second))
}

func (s *Sim) boot(i int32) {
	s.dns[i].Start(s.local(i))
	s.drainDataNode(i)
}

// local is DataNode i's clock now.
func (s *Sim) local(i int32) time.Duration { return s.tm.local(i, s.now) }

func (s *Sim) record(e trace.Event) { s.tr.Events = append(s.tr.Events, e) }

func (s *Sim) note(kind trace.Kind, node string, ev scenario.Event, what string) {
	s.record(trace.Event{At: s.now, Node: node, Kind: kind,
		Reason: fmt.Sprintf("scenario line %d: %s", ev.Line, what)})
}

// inject starts a scenario event.
func (s *Sim) inject(ev scenario.Event) {
	if s.net.fault(ev, s.index, true, "the NameNode", s.note) {
		return
	}
	switch ev.Action {
	case scenario.Overload:
		// Only the main queue slows down: HDFS-9239's lifeline handlers
		// skip the contended namesystem path that makes heartbeats slow.
		s.rpc.reset(ev.Handlers, ev.ServiceTime, s.now)
		s.load = ev.Load
		if ev.Load > 0 {
			s.q.push(event{at: s.now + s.exp(ev.Load), kind: background})
		}
		s.note(trace.Overload, trace.NameNodeID, ev, fmt.Sprintf("NameNode overloaded %s: %d handlers, %s per message, %g background requests/s",
			span(ev), ev.Handlers, vtime.Seconds(ev.ServiceTime), ev.Load))
		return
	}
	for _, id := range ev.Nodes {
		i := s.index[id]
		switch ev.Action {
		case scenario.Kill:
			if !s.alive[i] {
				continue
			}
			s.alive[i], s.paused[i] = false, false
			s.dropPending(i)
			s.dns[i].Stop()
			s.tm.wake[i] = 0
			s.note(trace.Kill, id, ev, "process killed (crash-stop)")
		case scenario.Restart:
			if s.alive[i] {
				continue
			}
			s.alive[i] = true
			s.note(trace.Restart, id, ev, "fresh process started")
			s.boot(i)
		case scenario.Pause:
			if !s.alive[i] || s.paused[i] {
				continue
			}
			s.paused[i] = true
			s.note(trace.Pause, id, ev, "process paused "+span(ev)+" (alive, but silent)")
		case scenario.Drift:
			s.tm.drift(i, s.now, ev.Ratio)
			s.rearm(i)
			s.note(trace.Drift, id, ev, fmt.Sprintf("clock runs %g× as fast %s", ev.Ratio, span(ev)))
		}
	}
}

// end stops a fault with a duration.
func (s *Sim) end(ev scenario.Event) {
	if s.net.fault(ev, s.index, false, "the NameNode", s.note) {
		return
	}
	if ev.Action == scenario.Overload {
		nn := s.scn.Config.NameNode
		s.rpc.reset(nn.Handlers, nn.ServiceTime, s.now)
		s.load = 0
		s.note(trace.OverloadEnd, trace.NameNodeID, ev, "NameNode back to normal")
		return
	}
	for _, id := range ev.Nodes {
		i := s.index[id]
		switch ev.Action {
		case scenario.Pause:
			if !s.paused[i] {
				continue
			}
			s.paused[i] = false
			s.note(trace.Resume, id, ev, "process resumed: late timers fire now")
			s.resume(i)
		case scenario.Drift:
			s.tm.drift(i, s.now, 1)
			s.rearm(i)
			s.note(trace.DriftEnd, id, ev, "clock back to true speed")
		}
	}
}

func removeOne[T comparable](list []T, v T) []T {
	if k := slices.Index(list, v); k >= 0 {
		return slices.Delete(list, k, k+1)
	}
	return list
}

func groupCutOf(ev scenario.Event, index map[string]int32, nodes int) groupCut {
	g := groupCut{side: make([]uint8, nodes), nn: uint8(ev.NameNode), direction: ev.Direction, line: ev.Line}
	for side, ids := range ev.Groups {
		for _, id := range ids {
			g.side[index[id]] = uint8(side + 1)
		}
	}
	return g
}

func removeGroup(gs []groupCut, line int) []groupCut {
	return slices.DeleteFunc(gs, func(g groupCut) bool { return g.line == line })
}

// resume lets a paused process run again: what reached it meanwhile is
// read, then its overdue timers fire, late, as a real process's would.
func (s *Sim) resume(i int32) {
	dn := &s.dns[i]
	for _, ref := range s.pending[i] {
		dn.Step(s.local(i), *s.take(ref))
	}
	s.pending[i] = s.pending[i][:0]
	dn.Tick(s.local(i))
	s.tm.wake[i] = 0
	s.drainDataNode(i)
}

func (s *Sim) dropPending(i int32) {
	for _, ref := range s.pending[i] {
		s.take(ref)
	}
	s.pending[i] = s.pending[i][:0]
}

// rearm queues DataNode i's wake-up again after its clock changed speed.
func (s *Sim) rearm(i int32) {
	s.tm.wake[i] = 0
	s.drainDataNode(i)
}

// drainNameNode sends the NameNode's replies, records its decisions and
// re-arms its wake-up. from is the DataNode whose message was just handled
// (-1 for none): its replies are routed without a lookup by name.
func (s *Sim) drainNameNode(from int32) {
	rd := s.nn.Ready()
	for k := range rd.Messages {
		m := &rd.Messages[k]
		i := from
		if i < 0 || s.dns[i].ID() != m.Node {
			var ok bool
			if i, ok = s.index[m.Node]; !ok {
				continue // a reply to a node not in the scenario: nobody to hear it
			}
		}
		s.send(nameNode, int(i), toDataNode, i, *m)
	}
	for _, t := range rd.Transitions {
		kind := trace.Transition
		if t.Watching {
			kind = trace.Verdict
		}
		s.record(trace.Event{At: t.At, Node: t.Node, Kind: kind,
			From: t.From.String(), To: t.To.String(), Reason: t.Reason, Detector: t.Detector, ReportedAt: t.ReportedAt})
	}
	if rd.Wake != s.nnWake {
		s.nnWake = rd.Wake
		s.q.push(event{at: rd.Wake, kind: wakeNameNode})
	}
	s.nn.Advance()
}

func (s *Sim) drainDataNode(i int32) {
	dn := &s.dns[i]
	rd := dn.Ready()
	for _, m := range rd.Messages {
		s.send(int(i), nameNode, toNameNode, i, m)
	}
	if len(rd.Transfers) > 0 {
		s.startTransfers(i, rd.Transfers)
	}
	s.tm.arm(&s.q, i, rd.Wake, s.now)
	dn.Advance()
}

// send puts a message on the network from endpoint a to endpoint b.
func (s *Sim) send(a, b int, k kind, node int32, m proto.Message) {
	s.tr.Messages++
	d, ok := s.net.send(a, b)
	if s.rec != nil {
		s.rec.message(s.now, a, b, m.Type.String(), d, !ok)
	}
	if !ok {
		return // lost
	}
	s.q.push(event{at: s.now + d, kind: k, node: node, ref: s.put(m)})
}

func (s *Sim) put(m proto.Message) int32 {
	if k := len(s.free); k > 0 {
		slot := s.free[k-1]
		s.free = s.free[:k-1]
		s.slots[slot] = m
		return slot
	}
	s.slots = append(s.slots, m)
	return int32(len(s.slots) - 1)
}

// take frees a slot and returns its message. The slot keeps its old
// contents until reused; what they reference (node ids, shared command
// lists) lives as long as the run anyway.
func (s *Sim) take(slot int32) *proto.Message {
	s.free = append(s.free, slot)
	return &s.slots[slot]
}

// Now is the virtual time.
func (s *Sim) Now() time.Duration { return s.now }

// NameNode gives read access to the NameNode, for tests and tools.
func (s *Sim) NameNode() *namenode.NameNode { return s.nn }

// Trace returns what happened so far, with per-node counters filled in.
func (s *Sim) Trace() *trace.Trace {
	tr := s.tr
	tr.Events = append([]trace.Event(nil), s.tr.Events...)
	tr.Series = append([]trace.Sample(nil), s.tr.Series...)
	tr.Blocks, tr.IO = s.blockTrace()
	if s.rec != nil {
		tr.Windows = s.rec.windows
	}
	tr.Nodes = make([]trace.Node, len(s.dns))
	for i := range s.dns {
		dn := &s.dns[i]
		info, _ := s.nn.Node(dn.ID()) // zero (unregistered) if it never registered
		tr.Nodes[i] = trace.Node{
			ID:                 dn.ID(),
			HeartbeatsSent:     dn.HeartbeatsSent(),
			HeartbeatsReceived: info.HeartbeatsReceived,
			FinalState:         info.State.String(),
		}
		if s.arrivals != nil {
			tr.Nodes[i].Arrivals = append([]time.Duration(nil), s.arrivals[i]...)
			tr.Nodes[i].Registrations = append([]time.Duration(nil), s.regs[i]...)
		}
	}
	return &tr
}
