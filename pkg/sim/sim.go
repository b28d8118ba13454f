package sim

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/trace"
)

// Options asks for more than the default record of a run.
type Options struct {
	// Arrivals records every heartbeat's arrival time at the NameNode,
	// per node, for timelines. It costs memory: 8 bytes a heartbeat.
	Arrivals bool
}

// Sim is one simulated cluster: a NameNode, its DataNodes and the network
// between them.
type Sim struct {
	scn *scenario.Scenario
	rng *rand.Rand
	q   queue
	now time.Duration

	nn     *namenode.NameNode
	nnWake time.Duration       // the NameNode wake-up currently queued
	dns    []datanode.DataNode // one slice: heartbeats touch them all, in no order
	dnWake []time.Duration     // per DataNode, the wake-up currently queued (0: none)
	alive  []bool              // ground truth: is the process running?
	index  map[string]int32

	// In-flight messages live in slots so that events stay small and flat.
	slots []proto.Message
	free  []int32

	tr       trace.Trace
	opts     Options
	arrivals [][]time.Duration // per DataNode, with Options.Arrivals
	step     time.Duration     // of the time series
}

// New builds the cluster of a scenario at time zero. Each DataNode boots at
// a seeded random phase within one heartbeat interval, as real nodes never
// start in lockstep.
func New(scn *scenario.Scenario) (*Sim, error) { return NewWith(scn, Options{}) }

// NewWith is New with options.
func NewWith(scn *scenario.Scenario, opts Options) (*Sim, error) {
	cfg := scn.Config
	nn, err := namenode.New(namenode.Config{
		HeartbeatInterval: cfg.Heartbeat.Interval,
		CheckInterval:     cfg.Heartbeat.CheckInterval,
		MissThreshold:     cfg.Heartbeat.MissThreshold,
		StaleAfter:        cfg.Heartbeat.StaleAfter,
	})
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	seed := uint64(scn.Seed)
	s := &Sim{
		scn:    scn,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		nn:     nn,
		dns:    make([]datanode.DataNode, len(scn.Nodes)),
		dnWake: make([]time.Duration, len(scn.Nodes)),
		alive:  make([]bool, len(scn.Nodes)),
		index:  make(map[string]int32, len(scn.Nodes)),
		tr:     trace.Trace{End: scn.Duration, Detectors: nn.Detectors()},
		opts:   opts,
		// About 500 points whatever the length of the run, never finer
		// than a second.
		step: max(scn.Duration/500, time.Second),
	}
	if opts.Arrivals {
		s.arrivals = make([][]time.Duration, len(scn.Nodes))
	}
	for i, id := range scn.Nodes {
		dn, err := datanode.New(datanode.Config{ID: id, HeartbeatInterval: cfg.Heartbeat.Interval})
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
	}
	s.q.push(event{at: 0, kind: sample})
	return s, nil
}

// Run simulates a scenario to its end and returns what happened.
func Run(scn *scenario.Scenario) (*trace.Trace, error) { return RunWith(scn, Options{}) }

// RunWith is Run with options.
func RunWith(scn *scenario.Scenario, opts Options) (*trace.Trace, error) {
	s, err := NewWith(scn, opts)
	if err != nil {
		return nil, err
	}
	s.RunUntil(scn.Duration)
	return s.Trace(), nil
}

// RunUntil fires every event up to and including time end.
func (s *Sim) RunUntil(end time.Duration) {
	for {
		at, ok := s.q.peek()
		if !ok || at > end {
			break
		}
		e := s.q.pop()
		s.now = e.at
		s.fire(e)
	}
	s.now = end
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
		if e.at != s.dnWake[e.node] {
			return // superseded, or the node crashed
		}
		s.dnWake[e.node] = 0
		s.dns[e.node].Tick(s.now)
		s.drainDataNode(e.node)
	case toNameNode:
		m := s.take(e.ref)
		if s.arrivals != nil && m.Type == proto.TypeHeartbeat {
			s.arrivals[e.node] = append(s.arrivals[e.node], s.now)
		}
		s.nn.Step(s.now, *m)
		s.drainNameNode(e.node)
	case toDataNode:
		// A crashed node ignores what reaches it.
		s.dns[e.node].Step(s.now, *s.take(e.ref))
		s.drainDataNode(e.node)
	case sample:
		s.tr.Series = append(s.tr.Series, trace.Sample{At: s.now,
			Live: s.nn.Count(namenode.Live), Stale: s.nn.Count(namenode.Stale), Dead: s.nn.Count(namenode.Dead)})
		s.q.push(event{at: s.now + s.step, kind: sample})
	case fault:
		if e.ref < 0 {
			s.boot(e.node)
			return
		}
		s.inject(s.scn.Events[e.ref])
	}
}

func (s *Sim) boot(i int32) {
	s.dns[i].Start(s.now)
	s.drainDataNode(i)
}

func (s *Sim) inject(ev scenario.Event) {
	for _, id := range ev.Nodes {
		i := s.index[id]
		switch ev.Action {
		case scenario.Kill:
			if !s.alive[i] {
				continue
			}
			s.alive[i] = false
			s.dns[i].Stop()
			s.dnWake[i] = 0
			s.record(trace.Event{At: s.now, Node: id, Kind: trace.Kill,
				Reason: fmt.Sprintf("scenario: kill at line %d", ev.Line)})
		case scenario.Restart:
			if s.alive[i] {
				continue
			}
			s.alive[i] = true
			s.record(trace.Event{At: s.now, Node: id, Kind: trace.Restart,
				Reason: fmt.Sprintf("scenario: restart at line %d", ev.Line)})
			s.boot(i)
		}
	}
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
		s.tr.Messages++
		s.q.push(event{at: s.now + s.delay(), kind: toDataNode, node: i, ref: s.put(*m)})
	}
	for _, t := range rd.Transitions {
		kind := trace.Transition
		if t.Watching {
			kind = trace.Verdict
		}
		s.record(trace.Event{At: t.At, Node: t.Node, Kind: kind,
			From: t.From.String(), To: t.To.String(), Reason: t.Reason, Detector: t.Detector})
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
		s.tr.Messages++
		s.q.push(event{at: s.now + s.delay(), kind: toNameNode, node: i, ref: s.put(m)})
	}
	if rd.Wake != 0 && rd.Wake != s.dnWake[i] {
		s.dnWake[i] = rd.Wake
		s.q.push(event{at: rd.Wake, kind: wakeDataNode, node: i})
	}
	dn.Advance()
}

// delay draws one message's network delay: latency plus a uniform jitter in
// [-jitter, +jitter], never negative.
func (s *Sim) delay() time.Duration {
	n := s.scn.Config.Network
	d := n.Latency
	if n.Jitter > 0 {
		d += time.Duration(s.rng.Int64N(2*int64(n.Jitter)+1)) - n.Jitter
	}
	return max(d, 0)
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

func (s *Sim) record(e trace.Event) { s.tr.Events = append(s.tr.Events, e) }

// Now is the virtual time.
func (s *Sim) Now() time.Duration { return s.now }

// NameNode gives read access to the NameNode, for tests and tools.
func (s *Sim) NameNode() *namenode.NameNode { return s.nn }

// Trace returns what happened so far, with per-node counters filled in.
func (s *Sim) Trace() *trace.Trace {
	tr := s.tr
	tr.Events = append([]trace.Event(nil), s.tr.Events...)
	tr.Series = append([]trace.Sample(nil), s.tr.Series...)
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
		}
	}
	return &tr
}
