package replay

import (
	"fmt"
	"slices"
	"time"

	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/proto"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/setup"
	"github.com/hbsim/hbsim/pkg/trace"
)

// Crash is ground truth the trace cannot carry: node's process died at At
// (--crash dn3@600s).
type Crash struct {
	Node string
	At   time.Duration
}

// Run feeds the trace's arrivals to a NameNode built from s's settings
// (acting detector and watchers, as in a simulated run) and returns what
// it decided, as a run's trace ending at s.Duration.
//
// A trace with a kind column carries the registrations (hbsim run
// --record writes them), and they are replayed as recorded. Without one,
// the driver plays what the DataNodes' side must: a node's first
// heartbeat is preceded by its registration, at the same instant; a
// heartbeat answered with REGISTER (the node was declared dead) is
// followed by the node registering again at once, as hbsim's DataNode
// does a round trip later (lost replies and registrations are not seen).
//
// A crash is ground truth from crashes. A registration after a crash, or
// in a trace without kinds a heartbeat, means the process was restarted,
// unless the heartbeat left before the crash: by its sent_ms when the
// trace has it, otherwise by arriving within one heartbeat interval of
// the crash (it was in flight).
func Run(s *scenario.Scenario, t *Trace, crashes []Crash) (*trace.Trace, error) {
	ncfg, err := setup.NameNode(s.Config, s.Watching())
	if err != nil {
		return nil, err
	}
	nn, err := namenode.New(ncfg)
	if err != nil {
		return nil, err
	}
	r := &runner{s: s, nn: nn, index: map[string]int{}, kinds: t.Kinds, tr: trace.Trace{End: s.Duration, Detectors: nn.Detectors()},
		step: max(s.Duration/500, time.Second), wake: nn.Ready().Wake}
	for i, id := range s.Nodes {
		r.index[id] = i
	}
	r.nodes = make([]nodeState, len(s.Nodes))
	r.arrivals = make([][]time.Duration, len(s.Nodes))
	for _, c := range crashes {
		i, ok := r.index[c.Node]
		if !ok {
			return nil, fmt.Errorf("--crash %s@%v: no DataNode %q in the trace (it has %v)", c.Node, c.At, c.Node, s.Nodes)
		}
		if c.At > s.Duration {
			return nil, fmt.Errorf("--crash %s@%v: after the end of the trace (%v)", c.Node, c.At, s.Duration)
		}
		r.nodes[i].crashes = append(r.nodes[i].crashes, c.At)
	}
	for i := range r.nodes {
		slices.Sort(r.nodes[i].crashes)
	}
	for _, a := range t.Arrivals {
		if a.At > s.Duration {
			break
		}
		r.until(a.At)
		r.arrive(a)
	}
	r.until(s.Duration)
	return r.trace(), nil
}

type nodeState struct {
	handle     uint32
	registered bool // the NameNode holds a live registration for us
	crashes    []time.Duration
	next       int  // the next crash not yet applied
	down       bool // crashed, not restarted
	downAt     time.Duration
	received   int64
}

type runner struct {
	s        *scenario.Scenario
	nn       *namenode.NameNode
	index    map[string]int
	nodes    []nodeState
	arrivals [][]time.Duration
	tr       trace.Trace
	kinds    bool // registrations come from the trace
	wake     time.Duration
	step     time.Duration
	sampled  time.Duration // the next sample is due
}

// until advances to t: every NameNode wake-up, crash and sample due at or
// before t happens, in time order (wake-ups before a heartbeat arriving
// at the same instant).
func (r *runner) until(t time.Duration) {
	for {
		next, kind := r.wake, 0
		for i := range r.nodes {
			n := &r.nodes[i]
			if n.next < len(n.crashes) && n.crashes[n.next] < next {
				next, kind = n.crashes[n.next], i+1
			}
		}
		if r.sampled < next {
			next, kind = r.sampled, -1
		}
		if next > t {
			return
		}
		switch {
		case kind > 0:
			r.crash(kind-1, next)
		case kind < 0:
			r.sample(next)
		default:
			r.nn.Tick(next)
			r.drain(next)
		}
	}
}

func (r *runner) crash(i int, at time.Duration) {
	n := &r.nodes[i]
	n.next++
	if n.down {
		return
	}
	n.down, n.downAt = true, at
	r.tr.Events = append(r.tr.Events, trace.Event{At: at, Node: r.s.Nodes[i], Kind: trace.Kill, Reason: "--crash: process crashed (ground truth given on the command line)"})
}

func (r *runner) sample(at time.Duration) {
	r.tr.Series = append(r.tr.Series, trace.Sample{At: at,
		Live: r.nn.Count(namenode.Live), Stale: r.nn.Count(namenode.Stale), Dead: r.nn.Count(namenode.Dead)})
	r.sampled = at + r.step
}

func (r *runner) arrive(a Arrival) {
	i := r.index[a.Node]
	n := &r.nodes[i]
	if a.Kind == Register {
		if n.down {
			n.down = false
			r.restarted(a, "it registers again after the crash: a restarted process")
		}
		r.register(i, a.At)
		return
	}
	if n.down && !r.kinds {
		inFlight := a.Sent >= 0 && a.Sent <= n.downAt ||
			a.Sent < 0 && a.At-n.downAt <= r.s.Config.Heartbeat.Interval
		if !inFlight {
			n.down, n.registered = false, false // a fresh process registers
			r.restarted(a, "heartbeats resume after the crash: a restarted process")
		}
	}
	if !n.registered {
		r.register(i, a.At)
	}
	seq := uint64(max(a.Seq, 0))
	r.nn.Step(a.At, proto.Message{Type: proto.TypeHeartbeat, Node: a.Node, Handle: n.handle, Seq: seq})
	n.received++
	r.arrivals[i] = append(r.arrivals[i], a.At)
	r.drain(a.At)
}

func (r *runner) restarted(a Arrival, why string) {
	r.tr.Events = append(r.tr.Events, trace.Event{At: a.At, Node: a.Node, Kind: trace.Restart, Reason: why})
}

func (r *runner) register(i int, at time.Duration) {
	r.nodes[i].registered = true
	r.nn.Step(at, proto.Message{Type: proto.TypeRegister, Node: r.s.Nodes[i]})
	r.drain(at)
}

// drain takes the NameNode's output: handles from registrations, REGISTER
// commands (answered by registering again), transitions into the trace.
func (r *runner) drain(at time.Duration) {
	rd := r.nn.Ready()
	var again []int
	for _, m := range rd.Messages {
		i, ok := r.index[m.Node]
		if !ok {
			continue
		}
		switch m.Type {
		case proto.TypeRegisterReply:
			r.nodes[i].handle = m.Handle
		case proto.TypeHeartbeatReply:
			if r.kinds {
				continue // the trace says when the node registered again
			}
			for _, c := range m.Commands {
				if c.Action == proto.ActionRegister {
					again = append(again, i)
				}
			}
		}
	}
	for _, t := range rd.Transitions {
		kind := trace.Transition
		if t.Watching {
			kind = trace.Verdict
		}
		r.tr.Events = append(r.tr.Events, trace.Event{At: t.At, Node: t.Node, Kind: kind,
			From: t.From.String(), To: t.To.String(), Reason: t.Reason, Detector: t.Detector})
	}
	r.wake = rd.Wake
	r.nn.Advance()
	for _, i := range again {
		r.register(i, at)
	}
}

func (r *runner) trace() *trace.Trace {
	tr := r.tr
	tr.Nodes = make([]trace.Node, len(r.s.Nodes))
	for i, id := range r.s.Nodes {
		info, _ := r.nn.Node(id)
		n := r.nodes[i]
		tr.Nodes[i] = trace.Node{ID: id, HeartbeatsSent: n.received, HeartbeatsReceived: info.HeartbeatsReceived,
			FinalState: info.State.String(), Arrivals: r.arrivals[i]}
		tr.Messages += n.received
	}
	return &tr
}
