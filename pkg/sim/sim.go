package sim

import (
	"context"
	"errors"
	"fmt"
	"github.com/hbsim/hbsim/pkg/vtime"
	"math"
	"slices"
	"time"

	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/faults"
	"github.com/hbsim/hbsim/pkg/model"
	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/rng"
	"github.com/hbsim/hbsim/pkg/trace"
)

// Options asks for more than the default record of a run.
type Options struct {
	// Arrivals records every heartbeat's arrival time at the NameNode,
	// per node, for timelines. It costs memory: 8 bytes a heartbeat.
	Arrivals bool
	// NoFastPath sends every heartbeat through the event-per-message
	// path. Results are the same either way (a property test checks it);
	// only speed differs.
	NoFastPath bool
	// NoStretch runs fused heartbeats in time order, never in quiet
	// stretches node by node (stretch.go); results are the same.
	NoStretch bool
	// CheckInvariants checks the run's invariants after every event and
	// stops at the first violation (invariants.go).
	CheckInvariants bool
	// Windows records the messages in a window around each fault
	// (trace.Window), at most trace.WindowCap a window, for the page's
	// space-time diagrams. Every heartbeat then takes the event path.
	Windows bool
	// Beliefs records every gossip member's changes of mind about its
	// peers (trace.Belief), for the page's who-suspects-whom matrix.
	Beliefs bool
}

// Event kinds.
const (
	kBoot             kind = iota // a DataNode process first starts
	kFault                        // a fault step (ref: index in steps)
	kToNameNode                   // a message reaches the NameNode's socket
	kStepNameNode                 // an RPC handler hands a message to the NameNode
	kFused                        // a heartbeat on the fast path (fast.go)
	kWakeNameNode                 // the NameNode's scan may be due
	kBackground                   // a background request joins the NameNode's queue
	kToDataNode                   // a message reaches a DataNode
	kWakeDataNode                 // a DataNode's timer may be due
	kSample                       // a point of the time series
	kGossipTo                     // a gossip digest reaches a member (gossip.go)
	kGossipWake                   // a gossip member's timer may be due
	kTransferDone                 // a block copy between DataNodes finished (blocks.go)
	kRead                         // a client reads a block (workload.go)
	kWrite                        // a client starts writing a block
	kClientToNameNode             // a client's call reaches the NameNode
	kClientTo                     // a reply reaches the client
	kClientWake                   // the client's timer may be due
)

var kindClass = [...]class{
	kBoot: classFault, kFault: classFault,
	kToNameNode: classToNameNode, kStepNameNode: classToNameNode, kFused: classToNameNode, kBackground: classToNameNode,
	kWakeNameNode: classNameNode,
	kToDataNode:   classToDataNode, kGossipTo: classToDataNode,
	kWakeDataNode: classDataNode, kGossipWake: classDataNode,
	kTransferDone: classBlocks, kRead: classBlocks, kWrite: classBlocks,
	kClientToNameNode: classBlocks, kClientTo: classBlocks, kClientWake: classBlocks,
	kSample: classSample,
}

// Sim is one simulated cluster: its processes, the network between them,
// the fault interpreter that drives both, and, as plug-ins of that one
// world, the NameNode with its DataNodes (central detectors) and the
// gossip members (the decentralized one).
//
// Nodes are stored in boot-phase order (slot order): heartbeats then come
// due in memory order, which is what lets ten thousand nodes fit the
// cache's prefetcher. Ids and model handles map back for the trace.
type Sim struct {
	run  *model.Run
	opts Options
	seed uint64
	q    *queue
	fq   *queue // fused heartbeats alone (fast.go), beside q
	// aside holds the events of DataNodes cut off from everything (a
	// partition on their own link), beside q, so a quiet stretch sees
	// past them (stretch.go); made when first needed.
	aside *queue
	now   time.Duration
	net   *network.Net

	in    *faults.Interpreter
	steps []faults.Step
	// nextFault is when the next fault step fires (MaxInt64 when none).
	nextFault time.Duration

	order []int32 // order[slot] = model handle
	slot  []int32 // slot[handle] = slot

	// The central cluster; nn is nil when gossip runs alone.
	nn      *namenode.NameNode
	nnWake  time.Duration
	latency rng.StreamKey      // the network's draws (linkDraws)
	timers  [2]timer           // the NameNode's scan (at nnWake) and the next sample
	rpc     namenode.RPCServer // registrations, heartbeats, block reports
	life    namenode.RPCServer // lifelines (HDFS-9239)
	load    float64            // background requests per second
	loads   int64              // background requests drawn
	dns     []datanode.DataNode
	tm      timers
	booted  []bool
	pending map[int32][]int32 // messages that reached a paused node
	index   map[string]int32  // id → slot, when messages name nodes
	// up and down count the messages each link has carried, per slot: a
	// message's draws are keyed by its number on its link.
	up, down []uint32
	fused    fastPath
	// stretching is set while a quiet stretch runs (stretch.go); hbMax is
	// the longest heartbeat interval of any DataNode.
	stretching  bool
	stretchedTo time.Duration
	hbMax       time.Duration
	msgs        []proto.Message // in-flight messages
	hb          proto.Message   // the fast path's heartbeat (fast.go)
	free        []int32

	blk *blockLayer
	gsp *gossipCluster

	// nnPaused freezes the NameNode (a pause namenode fault); nnHeld is
	// what reached it meanwhile (admin.go).
	nnPaused bool
	nnHeld   []nnHeld

	tr       trace.Trace
	log      trace.Log         // the events, compact until trace builds them
	acting   bool              // the NameNode's detector acts (not gossip)
	arrivals [][]time.Duration // per slot, with Options.Arrivals
	regs     [][]time.Duration // registrations reaching the NameNode, likewise
	step     time.Duration
	check    *checker
	rec      *recorder // with Options.Windows
}

// Run simulates m to its end, or until ctx is done, and returns what
// happened. A cancelled run returns the trace so far, whose End is the
// virtual time reached, with ctx's error.
func Run(ctx context.Context, m *model.Run, opts Options) (*trace.Trace, error) {
	s, err := New(m, opts)
	if err != nil {
		return nil, err
	}
	err = s.RunUntilContext(ctx, m.Duration)
	s.tr.End = s.now
	return s.trace(true), err
}

// New builds the world of m at time zero. Each DataNode boots at a random
// phase within one heartbeat interval, as real nodes never start in
// lockstep.
func New(m *model.Run, opts Options) (*Sim, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if err := faults.Check(m, Unsupported(m)); err != nil {
		return nil, err
	}
	n := len(m.Nodes)
	if n > maxSlots {
		return nil, fmt.Errorf("sim: %d nodes: the simulator holds at most %d", n, maxSlots)
	}
	s := &Sim{run: m, opts: opts, seed: uint64(m.Seed), q: newQueue(),
		net:     network.NewNet(m.Network, n),
		steps:   faults.Steps(m),
		tr:      trace.Trace{End: m.Duration},
		step:    m.SampleStep(),
		pending: map[int32][]int32{},
	}
	// Every node's first registration is an event: room for them at once
	// (a million grown by doubling cost seconds).
	s.log.Grow(n + 16)
	s.fq = s.q.sibling(fusedSlotBits, fusedWheelBits)
	s.latency = rng.StreamOf(s.seed, rng.Latency)
	s.layout()
	s.in = faults.New(m, s, s.recordFault)
	s.tr.Detectors = slices.Clone(m.Detectors)
	s.acting = m.Acting() != "gossip"
	s.tr.Groups = faults.GroupRecords(m)
	if ncfg, central := m.NameNodeConfig(); central {
		if err := s.newCentral(ncfg); err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
	}
	if m.Has("gossip") {
		g, err := newGossip(s)
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		s.gsp = g
	}
	if opts.Windows {
		s.rec = newRecorder(m)
	}
	if opts.CheckInvariants {
		s.check = newChecker(s)
	}
	for k, st := range s.steps {
		s.push(st.At, kFault, -1, int32(k))
	}
	s.nextFault = math.MaxInt64
	if len(s.steps) > 0 {
		s.nextFault = s.steps[0].At
	}
	s.push(0, kSample, -1, 0)
	return s, nil
}

// layout orders the nodes by boot phase and queues each boot.
func (s *Sim) layout() {
	m := s.run
	n := len(m.Nodes)
	iv := m.DataNode.HeartbeatInterval
	phase := make([]time.Duration, n)
	key := rng.Key(s.seed, rng.Boot, 0)
	for i := range phase {
		phase[i] = time.Duration(rng.IntN(key, uint64(i), uint64(iv)))
	}
	s.order = make([]int32, n)
	for i := range s.order {
		s.order[i] = int32(i)
	}
	slices.SortStableFunc(s.order, func(a, b int32) int {
		switch {
		case phase[a] < phase[b]:
			return -1
		case phase[a] > phase[b]:
			return 1
		}
		return 0
	})
	s.slot = make([]int32, n)
	s.booted = make([]bool, n)
	for sl, h := range s.order {
		s.slot[h] = int32(sl)
		s.push(phase[h], kBoot, int32(sl), 0)
	}
}

// newCentral builds the NameNode and its DataNodes.
func (s *Sim) newCentral(ncfg namenode.Config) error {
	m := s.run
	n := len(m.Nodes)
	blk, err := newBlockLayer(s, &ncfg)
	if err != nil {
		return err
	}
	s.blk = blk
	nn, err := namenode.New(ncfg)
	if err != nil {
		return err
	}
	s.nn = nn
	s.rpc = namenode.NewRPCServer(m.RPC.Handlers, m.RPC.ServiceTime)
	s.life = namenode.NewRPCServer(m.RPC.LifelineHandlers, m.RPC.ServiceTime)
	s.dns = make([]datanode.DataNode, n)
	s.tm = newTimers(n)
	s.up = make([]uint32, n)
	s.down = make([]uint32, n)
	s.fused = newFastPath(n)
	var profiles datanode.Profiles
	for sl, h := range s.order {
		dcfg := m.DataNodeConfig(int(h))
		blk.dataNode(int(h), &dcfg)
		if err := profiles.Init(&s.dns[sl], dcfg); err != nil {
			return err
		}
		s.hbMax = max(s.hbMax, s.dns[sl].Interval())
	}
	if s.opts.Arrivals {
		s.arrivals = make([][]time.Duration, n)
		s.regs = make([][]time.Duration, n)
	}
	if blk.on {
		s.indexNodes()
	}
	s.wakeNameNode(nn.Ready().Wake)
	s.startWorkload()
	return nil
}

// id is slot i's node's id.
func (s *Sim) id(i int32) string { return s.run.Nodes[s.order[i]].ID }

// indexNodes builds the id → slot map, for messages that name nodes.
func (s *Sim) indexNodes() {
	if s.index != nil {
		return
	}
	s.index = make(map[string]int32, len(s.order))
	for sl := range s.order {
		s.index[s.id(int32(sl))] = int32(sl)
	}
}

// push schedules an event of kind k at time at for slot node (-1: none).
func (s *Sim) push(at time.Duration, k kind, node, ref int32) {
	e := event{at: at, key: eventKey(kindClass[k], node), ref: ref, k: k}
	switch k {
	case kFused:
		s.fq.push(e)
	case kWakeNameNode, kSample:
		// The run's two lone timers stay out of the queue, numbered in its
		// sequence, so a quiet stretch sees past them (stretch.go).
		*s.q.seq++
		e.key |= *s.q.seq & seqMask
		t := &s.timers[timerOf(k)]
		t.ev, t.armed = e, true
	case kWakeDataNode, kToDataNode:
		if s.net.CutOff(network.Endpoint(s.order[node])) {
			if s.aside == nil {
				s.aside = s.q.sibling(fusedSlotBits, fusedWheelBits)
			}
			s.aside.push(e)
			return
		}
		s.q.push(e)
	default:
		s.q.push(e)
	}
}

// timer is one of the run's lone timers: the NameNode's scan and the
// time series' next point. Only the latest setting counts.
type timer struct {
	ev    event
	armed bool
}

func timerOf(k kind) int {
	if k == kSample {
		return 1
	}
	return 0
}

// wakeNameNode sets the NameNode's scan timer to at.
func (s *Sim) wakeNameNode(at time.Duration) {
	s.nnWake = at
	s.push(at, kWakeNameNode, -1, 0)
}

// next takes the earliest event due by end from the run's sources (the
// queue, the fused heartbeats, the cut-off nodes' events, the lone
// timers), first running a quiet stretch when one can start.
func (s *Sim) next(end time.Duration, done <-chan struct{}) (event, bool) {
	for {
		best, src := s.q.peek(), 0
		other := best
		if e := s.fq.peek(); e != nil && (best == nil || e.before(best)) {
			best, src = e, 1
		}
		if s.aside != nil {
			if e := s.aside.peek(); e != nil && (best == nil || e.before(best)) {
				best, src = e, 2
			}
		}
		for k := range s.timers {
			if t := &s.timers[k]; t.armed && (best == nil || t.ev.before(best)) {
				best, src = &t.ev, 3+k
			}
		}
		if best == nil || best.at > end {
			return event{}, false
		}
		if src == 1 && s.stretchFrom(best.at, other, end, done) {
			continue
		}
		e := *best
		switch src {
		case 0:
			s.q.take()
		case 1:
			s.fq.take()
		case 2:
			s.aside.take()
		default:
			s.timers[src-3].armed = false
		}
		return e, true
	}
}

// ErrInvariant wraps a violated invariant (Options.CheckInvariants).
var ErrInvariant = errors.New("invariant violated")

// RunUntil fires every event up to and including time end.
func (s *Sim) RunUntil(end time.Duration) { _ = s.RunUntilContext(context.Background(), end) }

// cancelEvery is how many events pass between two looks at the context:
// often enough that a cancelled run stops within milliseconds, rarely
// enough to cost nothing per event.
const cancelEvery = 4096

// RunUntilContext fires every event up to and including time end, or
// until ctx is done (checked every cancelEvery events; the virtual time
// then stays at the last event fired) or an invariant fails.
func (s *Sim) RunUntilContext(ctx context.Context, end time.Duration) error {
	done := ctx.Done()
	for k := 1; ; k++ {
		if done != nil && k%cancelEvery == 0 {
			select {
			case <-done:
				return ctx.Err()
			default:
			}
		}
		e, ok := s.next(end, done)
		if !ok {
			break
		}
		s.now = e.at
		s.fire(e)
		if s.check != nil {
			if err := s.check.after(e); err != nil {
				return err
			}
		}
	}
	s.now = end
	return nil
}

func (s *Sim) fire(e event) {
	i := e.node()
	if s.nnPaused && s.holdNameNode(e) {
		return
	}
	switch e.k {
	case kFused:
		s.fire1(i, e.ref)
	case kWakeDataNode:
		if !s.tm.due(i, e.at) || s.paused(i) {
			return // superseded, crashed, or fires late at resume
		}
		s.dns[i].Tick(s.local(i))
		s.drainDataNode(i)
	case kToNameNode:
		s.arrive(i, e.ref)
	case kStepNameNode:
		s.stepNameNode(i, e.ref)
	case kWakeNameNode:
		if e.at != s.nnWake {
			return // superseded
		}
		s.nn.Tick(s.now)
		s.drainNameNode(-1)
	case kToDataNode:
		s.toDataNode(i, e.ref)
	case kBoot:
		s.boot(i)
	case kFault:
		st := s.steps[e.ref]
		if int(e.ref)+1 < len(s.steps) {
			s.nextFault = s.steps[e.ref+1].At
		} else {
			s.nextFault = math.MaxInt64
		}
		s.in.Apply(st)
		if s.aside != nil {
			// The network changed: a node set aside may be cut off no
			// longer, and its events bound stretches again.
			s.aside.moveTo(s.q)
		}
	case kBackground:
		if s.load > 0 {
			s.rpc.Admit(s.now)
			s.push(s.now+s.exp(rng.Background, 0, s.loads, s.load), kBackground, -1, 0)
			s.loads++
		}
	case kSample:
		s.sample()
		s.push(s.now+s.step, kSample, -1, 0)
	case kGossipTo:
		s.gsp.deliver(i, e.ref)
	case kGossipWake:
		s.gsp.wake(i, e.at)
	default:
		s.fireBlocks(e)
	}
}

// exp draws an exponential gap for a Poisson process of rate per second:
// draw seq of stream st for subject.
func (s *Sim) exp(st rng.Stream, subject uint64, seq int64, rate float64) time.Duration {
	return vtime.Saturate(rng.Exp(rng.Key(s.seed, st, subject), uint64(seq)) / rate)
}

func (s *Sim) sample() {
	sm := trace.Sample{At: s.now}
	switch {
	case s.acting && s.nn != nil:
		sm.Live, sm.Stale, sm.Dead = s.nn.Count(namenode.Live), s.nn.Count(namenode.Stale), s.nn.Count(namenode.Dead)
	case s.gsp != nil:
		sm.Live, sm.Stale, sm.Dead = s.gsp.counts()
	}
	s.sampleBlocks(&sm)
	s.tr.Series = append(s.tr.Series, sm)
}

// paused reports whether slot i's process is frozen.
func (s *Sim) paused(i int32) bool { return s.in.State(s.order[i]) == faults.Paused }

// alive reports whether slot i's process runs or is paused.
func (s *Sim) alive(i int32) bool { return s.in.State(s.order[i]) != faults.Dead }

// local is slot i's clock now.
func (s *Sim) local(i int32) time.Duration { return s.tm.local(i, s.now) }

func (s *Sim) boot(i int32) {
	if s.booted[i] || !s.alive(i) || s.paused(i) {
		return // already started by a restart, or dead; a paused boot waits for resume
	}
	s.booted[i] = true
	if s.nn != nil {
		s.dns[i].Start(s.local(i))
		s.drainDataNode(i)
	}
	if s.gsp != nil {
		s.gsp.start(i)
	}
}

// arrive queues a message that reached the NameNode's socket: it is
// handled once an RPC handler gets to it. Lifelines have their own queue.
func (s *Sim) arrive(i, ref int32) {
	q := &s.rpc
	if s.msgs[ref].Type == proto.TypeLifeline {
		q = &s.life
	}
	if q.Idle() {
		s.stepNameNode(i, ref)
		return
	}
	s.push(q.Admit(s.now), kStepNameNode, i, ref)
}

func (s *Sim) stepNameNode(i, ref int32) {
	m := s.take(ref)
	if s.arrivals != nil {
		switch m.Type {
		case proto.TypeHeartbeat:
			s.arrivals[i] = append(s.arrivals[i], s.now)
		case proto.TypeRegister:
			s.regs[i] = append(s.regs[i], s.now)
		}
	}
	s.nn.Step(s.now, *m)
	s.drainNameNode(i)
}

func (s *Sim) toDataNode(i, ref int32) {
	if !s.alive(i) {
		s.take(ref) // a crashed node hears nothing
		return
	}
	if s.paused(i) {
		// The kernel keeps it in the socket buffer until the process runs
		// again.
		s.pending[i] = append(s.pending[i], ref)
		return
	}
	s.settle(i) // a late reply reaches a node whose next heartbeat is fused
	s.dns[i].Step(s.local(i), *s.take(ref))
	s.drainDataNode(i)
}

// drainNameNode sends the NameNode's replies, records its decisions and
// re-arms its wake-up. from is the slot whose message was just handled
// (-1 for none): its replies are routed without a lookup by name.
func (s *Sim) drainNameNode(from int32) {
	rd := s.nn.Ready()
	for k := range rd.Messages {
		m := &rd.Messages[k]
		if m.Client != "" {
			s.toClient(-1, m)
			continue
		}
		i := from
		if i < 0 || s.dns[i].ID() != m.Node {
			s.indexNodes()
			var ok bool
			if i, ok = s.index[m.Node]; !ok {
				continue // a reply to a node not in the run: nobody to hear it
			}
		}
		s.sendDown(s.now, i, m)
	}
	s.recordTransitions(rd.Transitions)
	s.recordAdmin(rd.Admin)
	if rd.Wake != s.nnWake {
		s.wakeNameNode(rd.Wake)
	}
	s.nn.Advance()
}

func (s *Sim) recordTransitions(ts []namenode.Transition) {
	for _, t := range ts {
		kind := trace.Transition
		if t.Watching || !s.acting {
			kind = trace.Verdict
		}
		s.log.Append(trace.Event{At: t.At, Node: t.Node, Kind: kind,
			From: t.From.String(), To: t.To.String(), Reason: t.Reason, Detector: t.Detector, ReportedAt: t.ReportedAt})
	}
}

// drainDataNode sends what slot i's DataNode wants sent, starts its
// transfers and re-arms its timer — or hands its next heartbeat to the
// fast path.
func (s *Sim) drainDataNode(i int32) {
	dn := &s.dns[i]
	rd := dn.Ready()
	for k := range rd.Messages {
		if m := &rd.Messages[k]; m.Client != "" {
			s.toClient(i, m)
		} else {
			s.sendUp(s.now, i, m)
		}
	}
	if len(rd.Transfers) > 0 {
		s.startTransfers(i, rd.Transfers)
	}
	wake := rd.Wake
	dn.Advance()
	if s.fuse(i, wake) {
		dn.Trim() // its heartbeats now build no message
	} else {
		s.arm(i, wake)
	}
}

// arm queues slot i's DataNode timer at its local time w (0: none).
func (s *Sim) arm(i int32, w time.Duration) {
	if at, ok := s.tm.arm(i, w, s.now); ok {
		s.push(at, kWakeDataNode, i, 0)
	}
}

// Link subjects for the draws of each message: DataNode i's link to the
// NameNode each way.
func upLink(i int32) uint64   { return uint64(i)<<2 | 0 }
func downLink(i int32) uint64 { return uint64(i)<<2 | 1 }

// linkDraws are the draws of message seq on link subject; subjects are
// model handles, not slots, so a run's draws do not depend on the layout.
func (s *Sim) linkDraws(subject uint64, seq uint32) network.Draws {
	return network.MessageDraws(s.latency.Key(subject), uint64(seq))
}

// sendUp sends a message from slot i to the NameNode, departing at t.
func (s *Sim) sendUp(t time.Duration, i int32, m *proto.Message) {
	s.tr.Messages++
	d := s.linkDraws(upLink(s.order[i]), s.up[i])
	s.up[i]++
	v := s.net.Fate(network.Endpoint(s.order[i]), network.NameNode, &d)
	if s.rec != nil {
		s.rec.message(t, int(s.order[i]), nameNode, m.Type.String(), v.Delay, v.Lost)
	}
	if v.Lost {
		return
	}
	s.push(t+v.Delay, kToNameNode, i, s.put(m))
}

// sendDown sends a message from the NameNode to slot i, departing at t.
func (s *Sim) sendDown(t time.Duration, i int32, m *proto.Message) {
	s.tr.Messages++
	d := s.linkDraws(downLink(s.order[i]), s.down[i])
	s.down[i]++
	v := s.net.Fate(network.NameNode, network.Endpoint(s.order[i]), &d)
	if s.rec != nil {
		s.rec.message(t, nameNode, int(s.order[i]), m.Type.String(), v.Delay, v.Lost)
	}
	if v.Lost {
		return
	}
	s.push(t+v.Delay, kToDataNode, i, s.put(m))
}

func (s *Sim) put(m *proto.Message) int32 {
	if k := len(s.free); k > 0 {
		slot := s.free[k-1]
		s.free = s.free[:k-1]
		s.msgs[slot] = *m
		return slot
	}
	s.msgs = append(s.msgs, *m)
	return int32(len(s.msgs) - 1)
}

// take frees a slot and returns its message. The slot keeps its contents
// until reused; what they reference lives as long as the run anyway.
func (s *Sim) take(slot int32) *proto.Message {
	s.free = append(s.free, slot)
	return &s.msgs[slot]
}

// Now is the virtual time.
func (s *Sim) Now() time.Duration { return s.now }

// NameNode gives read access to the NameNode, for tests and tools (nil
// when gossip runs alone).
func (s *Sim) NameNode() *namenode.NameNode { return s.nn }

// Trace returns what happened so far, with per-node counters filled in,
// in the run's node order.
func (s *Sim) Trace() *trace.Trace { return s.trace(false) }

// trace is Trace. Final is for a world that runs no further (Run): it
// hands over the run's own records, and lets go of the machines before
// the events are built, so a million nodes' world and their events in
// full are never held together.
func (s *Sim) trace(final bool) *trace.Trace {
	tr := s.tr
	if !final {
		tr.Series = slices.Clone(s.tr.Series)
		tr.Groups = slices.Clone(s.tr.Groups)
	}
	if s.rec != nil {
		tr.Windows = s.rec.windows
	}
	tr.Blocks, tr.IO = s.blockTrace()
	n := len(s.run.Nodes)
	tr.Nodes = make([]trace.Node, n)
	for h := range n {
		i := s.slot[h]
		nd := trace.Node{ID: s.id(i)}
		if s.nn != nil {
			info, _ := s.nn.Node(s.id(i)) // zero (unregistered) if it never registered
			nd.HeartbeatsSent = s.dns[i].HeartbeatsSent() + s.fused.unsent(i, s.now)
			nd.HeartbeatsReceived = info.HeartbeatsReceived
			nd.FinalState = info.State.String()
			nd.AdminState = info.Admin.String()
			if s.arrivals != nil {
				nd.Arrivals = slices.Clone(s.arrivals[i])
				nd.Registrations = slices.Clone(s.regs[i])
			}
		}
		if s.gsp != nil {
			s.gsp.node(i, &nd, s.nn == nil || !s.acting)
		}
		tr.Nodes[h] = nd
	}
	tr.Messages += s.fused.unsentTotal(s.now)
	if final {
		s.dns, s.nn, s.q, s.fq, s.aside, s.fused, s.tm, s.gsp, s.blk = nil, nil, nil, nil, nil, fastPath{}, timers{}, nil, nil
	}
	tr.Events = s.log.Events()
	return &tr
}

// recordFault stamps a fault interpreter's event with the time.
func (s *Sim) recordFault(e trace.Event) {
	e.At = s.now
	s.log.Append(e)
}
