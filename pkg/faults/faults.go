// Package faults is hbsim's one fault interpreter: it turns a run's fault
// schedule into steps in time order and gives each step its meaning — which
// processes die, freeze or wake, which links degrade or heal — and its
// words in the trace.
//
// The simulator and live mode both drive their processes through it: each
// implements Target (kill a process, pause it, fault a link...) and calls
// Apply at each step's time, the simulator from its event queue, live mode
// from a timer. So a scenario's faults mean the same thing, and read the
// same in the report, whichever runtime ran them.
package faults

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/model"
	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/trace"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// Target is a runtime's processes and network, as the interpreter drives
// them. Node arguments are handles into the run's Nodes. The interpreter
// calls each method only when it changes something: Kill a running or
// paused process, Restart a dead one, Pause a running one, Resume a paused
// one.
type Target interface {
	Kill(node int32)
	Restart(node int32)
	Pause(node int32)
	Resume(node int32)
	// Drift makes node's clock run ratio times as fast from now on (1:
	// true speed again).
	Drift(node int32, ratio float64)
	// LinkFault puts f in force on node's link (on) or lifts it.
	LinkFault(node int32, f network.Fault, on bool)
	// GroupCut puts a partition between groups in force, or lifts it.
	GroupCut(g network.GroupCut, on bool)
	// Overload slows the NameNode's RPC queue as f says (on), or brings
	// it back to its configured server.
	Overload(f model.Fault, on bool)
}

// Operator is what a runtime that can carry out an operator's requests,
// failing disks and a paused NameNode adds to Target (the simulator
// does; live mode refuses those faults before the run, through Check).
type Operator interface {
	// Decommission, StartMaintenance (until 0: no end) and Recommission
	// hand an operator's request to the NameNode; an error is its
	// refusal (a node it does not know yet).
	Decommission(node int32) error
	StartMaintenance(node int32, until time.Duration) error
	Recommission(node int32) error
	// FailVolumes fails k of node's disks; shutdown reports that the
	// DataNode stopped itself (more failed volumes than it tolerates).
	FailVolumes(node int32, k int) (shutdown bool)
	// PauseNameNode freezes the NameNode: no handling, no scans; what
	// reaches it waits. ResumeNameNode runs it again.
	PauseNameNode()
	ResumeNameNode()
}

// Step is one moment of the schedule: a fault starts, or one with a span
// ends.
type Step struct {
	At    time.Duration
	Fault int // index in the run's Faults
	End   bool
}

// Steps lists the run's steps in time order: each fault's start, and the
// end of each fault with a span that ends before the run does. Ties keep
// the schedule's order, starts before ends.
func Steps(r *model.Run) []Step {
	var out []Step
	for k, f := range r.Faults {
		out = append(out, Step{At: f.At, Fault: k})
		if f.Kind.Lasts() && !f.Kind.EndsItself() && f.For > 0 && f.End() < r.Duration {
			out = append(out, Step{At: f.End(), Fault: k, End: true})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].At < out[b].At })
	return out
}

// State is a process's state.
type State uint8

// Process states.
const (
	Running State = iota
	Paused
	Dead
)

func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Paused:
		return "paused"
	case Dead:
		return "dead"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Interpreter applies a run's steps to a Target.
type Interpreter struct {
	run    *model.Run
	target Target
	state  []State
	record func(trace.Event)
}

// New returns an interpreter of r's faults for t, with every process
// running. record receives the trace's ground-truth events; the caller
// stamps their time.
func New(r *model.Run, t Target, record func(trace.Event)) *Interpreter {
	return &Interpreter{run: r, target: t, state: make([]State, len(r.Nodes)), record: record}
}

// State is node's process state.
func (in *Interpreter) State(node int32) State { return in.state[node] }

// Alive reports whether node's process runs or is paused (not crashed).
func (in *Interpreter) Alive(node int32) bool { return in.state[node] != Dead }

func (in *Interpreter) note(kind trace.Kind, node string, f model.Fault, what string) {
	in.record(trace.Event{Node: node, Kind: kind, Reason: f.Source + ": " + what})
}

func (in *Interpreter) id(i int32) string { return in.run.Nodes[i].ID }

// span says how long a fault lasts, for the trace.
func span(f model.Fault) string {
	if f.For > 0 {
		return "for " + vtime.Seconds(f.For)
	}
	return "until the end"
}

// dirWords says which way a partition cuts.
func dirWords(d network.Dir) string {
	switch d {
	case network.Up:
		return "messages from it lost"
	case network.Down:
		return "messages to it lost"
	}
	return "both ways"
}

// Apply carries out one step.
func (in *Interpreter) Apply(s Step) {
	f := in.run.Faults[s.Fault]
	switch f.Kind {
	case model.Kill:
		for _, i := range f.Nodes {
			if in.state[i] == Dead {
				continue
			}
			in.state[i] = Dead
			in.target.Kill(i)
			in.note(trace.Kill, in.id(i), f, "process killed (crash-stop)")
		}
	case model.Restart:
		for _, i := range f.Nodes {
			if in.state[i] != Dead {
				continue
			}
			in.state[i] = Running
			in.target.Restart(i)
			in.note(trace.Restart, in.id(i), f, "fresh process started")
		}
	case model.Pause:
		for _, i := range f.Nodes {
			switch {
			case !s.End && in.state[i] == Running:
				in.state[i] = Paused
				in.target.Pause(i)
				in.note(trace.Pause, in.id(i), f, "process paused "+span(f)+" (alive, but silent)")
			case s.End && in.state[i] == Paused:
				in.state[i] = Running
				in.target.Resume(i)
				in.note(trace.Resume, in.id(i), f, "process resumed: late timers fire now")
			}
		}
	case model.Drift:
		for _, i := range f.Nodes {
			if s.End {
				in.target.Drift(i, 1)
				in.note(trace.DriftEnd, in.id(i), f, "clock back to true speed")
			} else {
				in.target.Drift(i, f.Ratio)
				in.note(trace.Drift, in.id(i), f, fmt.Sprintf("clock runs %g× as fast %s", f.Ratio, span(f)))
			}
		}
	case model.Overload:
		in.target.Overload(f, !s.End)
		if s.End {
			in.note(trace.OverloadEnd, trace.NameNodeID, f, "NameNode back to normal")
		} else {
			in.note(trace.Overload, trace.NameNodeID, f, fmt.Sprintf("NameNode overloaded %s: %d handlers, %s per message, %g background requests/s",
				span(f), f.Handlers, vtime.Seconds(f.ServiceTime), f.Load))
		}
	case model.Partition, model.Slow, model.Loss:
		in.network(s.Fault, s.End)
	case model.Decommission, model.Maintenance, model.Recommission, model.VolumeFailure, model.PauseNameNode:
		op, ok := in.target.(Operator)
		if !ok {
			// Check refuses such runs before they start; a runtime
			// that skipped it still says what it did not do.
			in.note(trace.Kind(f.Kind.String()), trace.NameNodeID, f, "not carried out: this runtime cannot")
			return
		}
		in.operate(op, f, s.End)
	}
}

// operate carries out an operator's request, a disk failure or a pause of
// the NameNode.
func (in *Interpreter) operate(op Operator, f model.Fault, end bool) {
	switch f.Kind {
	case model.Decommission, model.Maintenance, model.Recommission:
		in.admin(op, f)
	case model.VolumeFailure:
		for _, i := range f.Nodes {
			if in.state[i] == Dead {
				in.note(trace.VolumeFailure, in.id(i), f, "refused: the process is down (its disks fail with no one to notice)")
				continue
			}
			in.note(trace.VolumeFailure, in.id(i), f, fmt.Sprintf("%d volume(s) failed", f.Volumes))
			if op.FailVolumes(i, f.Volumes) {
				in.state[i] = Dead
				in.note(trace.Shutdown, in.id(i), f, "the DataNode shut itself down: more failed volumes than dfs.datanode.failed.volumes.tolerated")
			}
		}
	case model.PauseNameNode:
		if end {
			in.note(trace.Resume, trace.NameNodeID, f, "NameNode resumed: its overdue scan runs, then what waited for it is read")
			op.ResumeNameNode()
		} else {
			in.note(trace.Pause, trace.NameNodeID, f, "NameNode paused "+span(f)+" (a full GC): no handling, no scans")
			op.PauseNameNode()
		}
	}
}

// admin hands an operator's request about each target to the NameNode.
func (in *Interpreter) admin(op Operator, f model.Fault) {
	kind := map[model.Kind]trace.Kind{model.Decommission: trace.Decommission, model.Maintenance: trace.Maintenance,
		model.Recommission: trace.Recommission}[f.Kind]
	for _, i := range f.Nodes {
		var err error
		switch f.Kind {
		case model.Decommission:
			in.note(kind, in.id(i), f, "decommission requested (dfs.hosts.exclude, refreshNodes)")
			err = op.Decommission(i)
		case model.Maintenance:
			in.note(kind, in.id(i), f, "maintenance requested "+span(f))
			err = op.StartMaintenance(i, f.End())
		case model.Recommission:
			in.note(kind, in.id(i), f, "recommission requested: back in service")
			err = op.Recommission(i)
		}
		if err != nil {
			in.note(kind, in.id(i), f, fmt.Sprintf("refused by the NameNode: %v", err))
		}
	}
}

// network starts or ends a fault that lives in the network.
func (in *Interpreter) network(k int, end bool) {
	f := in.run.Faults[k]
	if f.IsGroupCut() {
		in.target.GroupCut(GroupCut(in.run, k), !end)
		if end {
			in.note(trace.Heal, trace.NameNodeID, f, "groups reconnected")
		} else {
			in.note(trace.Partition, trace.NameNodeID, f, fmt.Sprintf("groups %s and %s cut apart (%s) %s",
				in.group(f, 0), in.group(f, 1), dirWords(f.Dir), span(f)))
		}
		return
	}
	nf := f.NetworkFault()
	for _, i := range f.Nodes {
		in.target.LinkFault(i, nf, !end)
		switch {
		case f.Kind == model.Partition && !end:
			in.note(trace.Partition, in.id(i), f, fmt.Sprintf("cut off the network (%s) %s", dirWords(f.Dir), span(f)))
		case f.Kind == model.Partition:
			in.note(trace.Heal, in.id(i), f, "reconnected to the network")
		case f.Kind == model.Slow && !end:
			in.note(trace.Slow, in.id(i), f, "links slowed "+span(f))
		case f.Kind == model.Slow:
			in.note(trace.SlowEnd, in.id(i), f, "links back to normal speed")
		case !end:
			in.note(trace.Loss, in.id(i), f, fmt.Sprintf("%g%% of messages lost %s", f.P*100, span(f)))
		default:
			in.note(trace.LossEnd, in.id(i), f, "loss fault over")
		}
	}
}

// group names one side of a group partition, the NameNode included.
func (in *Interpreter) group(f model.Fault, side int) string {
	var names []string
	for _, i := range f.Groups[side] {
		names = append(names, in.id(i))
	}
	if int(f.NameNodeSide) == side+1 {
		names = append(names, trace.NameNodeID)
	}
	return "[" + strings.Join(names, " ") + "]"
}

// GroupCut is the network cut the group partition Faults[k] puts in
// force; its ID is k.
func GroupCut(r *model.Run, k int) network.GroupCut {
	f := r.Faults[k]
	g := network.GroupCut{Side: make([]uint8, len(r.Nodes)), NameNode: f.NameNodeSide, Dir: f.Dir, ID: k}
	for side, ids := range f.Groups {
		for _, i := range ids {
			g.Side[i] = uint8(side + 1)
		}
	}
	return g
}

// Unsupported is a runtime's refusal of one fault kind: why it cannot run
// it, and what to do instead.
type Unsupported func(f model.Fault) string

// Check refuses a run with a fault the runtime cannot carry out, naming
// the first such fault by its source.
func Check(r *model.Run, why Unsupported) error {
	for _, f := range r.Faults {
		if reason := why(f); reason != "" {
			return fmt.Errorf("%s: %s", f.Source, reason)
		}
	}
	return nil
}

// GroupRecords are the run's partitions between groups, as the trace
// records them for views that draw them on their members: who was on each
// side, from when to when (cut at the run's end).
func GroupRecords(r *model.Run) []trace.GroupCut {
	var out []trace.GroupCut
	for _, f := range r.Faults {
		if !f.IsGroupCut() {
			continue
		}
		g := trace.GroupCut{From: f.At, To: r.Duration, NameNodeSide: int(f.NameNodeSide), Direction: f.Dir.Word(), Source: f.Source}
		if f.For > 0 {
			g.To = min(f.End(), r.Duration)
		}
		for side, ids := range f.Groups {
			for _, h := range ids {
				g.Groups[side] = append(g.Groups[side], r.Nodes[h].ID)
			}
		}
		out = append(out, g)
	}
	return out
}
