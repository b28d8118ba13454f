package model

import (
	"fmt"
	"time"

	"github.com/hbsim/hbsim/pkg/network"
)

// Kind is what a fault does.
type Kind uint8

// Fault kinds.
const (
	Kill      Kind = iota + 1 // crash-stop the processes
	Restart                   // start fresh processes (they register again)
	Pause                     // freeze the processes; they resume after For
	Partition                 // cut the nodes (or two groups) off the network
	Slow                      // add latency to the nodes' messages
	Loss                      // lose a share of the nodes' messages
	Overload                  // the NameNode serves its RPC queue slowly
	Drift                     // the nodes' clocks run fast or slow
	// The operator's and the disks' events (issue 11). Decommission,
	// Recommission and VolumeFailure are instantaneous; Maintenance may
	// have an end, which the NameNode applies itself (its admin monitor's
	// expiry), so it is no step of the schedule.
	Decommission  // start decommissioning the nodes
	Maintenance   // put the nodes in maintenance, For long (0: no end)
	Recommission  // put the nodes back in service
	VolumeFailure // Volumes of each node's disks fail
	PauseNameNode // freeze the NameNode for For
)

var kindNames = [...]string{Kill: "kill", Restart: "restart", Pause: "pause", Partition: "partition",
	Slow: "slow", Loss: "loss", Overload: "namenode_overload", Drift: "clock_drift",
	Decommission: "decommission", Maintenance: "maintenance", Recommission: "recommission",
	VolumeFailure: "volume_failure", PauseNameNode: "pause namenode"}

// String is the kind's name as scenarios write it.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Lasts reports whether faults of kind k have a span (For) at all.
func (k Kind) Lasts() bool {
	switch k {
	case Kill, Restart, Decommission, Recommission, VolumeFailure:
		return false
	}
	return true
}

// EndsItself reports whether a fault of kind k that lasts is ended by the
// machine it was given to rather than by a step of the schedule: a
// maintenance's end is the NameNode's (its monitor's expiry).
func (k Kind) EndsItself() bool { return k == Maintenance }

// Fault is one scheduled fault.
type Fault struct {
	At   time.Duration
	Kind Kind
	// For is how long the fault lasts; 0 means to the end of the run
	// (always 0 for Kill and Restart).
	For time.Duration
	// Nodes are the targets' handles.
	Nodes []int32
	// Groups, for a partition between two groups of nodes (Nodes then
	// empty); NameNodeSide is the NameNode's side, 1 or 2 (0: reachable
	// from both).
	Groups       [2][]int32
	NameNodeSide uint8
	// Dir is a partition's direction: Both, Down (messages to the targets
	// are lost) or Up (messages from them).
	Dir network.Dir
	// Latency added by Slow.
	Latency network.Latency
	// P is Loss's probability.
	P float64
	// Overload's server and background load.
	Handlers    int
	ServiceTime time.Duration
	Load        float64 // background requests per second
	// Ratio is Drift's clock speed (1.5: timers fire early).
	Ratio float64
	// Volumes is how many disks VolumeFailure fails on each node.
	Volumes int
	// Source locates the fault for explanations ("scenarios/x.yaml:16").
	Source string
}

// End is when a fault with a span stops (0 if it lasts to the end).
func (f Fault) End() time.Duration {
	if f.For == 0 {
		return 0
	}
	return f.At + f.For
}

// IsGroupCut reports whether f is a partition between two groups.
func (f Fault) IsGroupCut() bool { return f.Kind == Partition && f.Groups[0] != nil }

// NetworkFault is the impairment a network fault puts on each target's
// link.
func (f Fault) NetworkFault() network.Fault {
	switch f.Kind {
	case Partition:
		return network.Fault{Dir: f.Dir, Partition: network.Drop}
	case Slow:
		return network.Fault{Latency: f.Latency}
	case Loss:
		return network.Fault{Loss: f.P}
	}
	return network.Fault{}
}

func (f Fault) check(nodes int) error {
	if f.Kind < Kill || f.Kind > PauseNameNode {
		return fmt.Errorf("unknown fault kind %v", f.Kind)
	}
	if f.At < 0 || f.For < 0 || (!f.Kind.Lasts() && f.For != 0) {
		return fmt.Errorf("%v at %v for %v: impossible times", f.Kind, f.At, f.For)
	}
	in := func(ids []int32) error {
		for _, i := range ids {
			if i < 0 || int(i) >= nodes {
				return fmt.Errorf("%v names node %d of %d", f.Kind, i, nodes)
			}
		}
		return nil
	}
	for _, ids := range [][]int32{f.Nodes, f.Groups[0], f.Groups[1]} {
		if err := in(ids); err != nil {
			return err
		}
	}
	switch f.Kind {
	case Loss:
		if !(f.P >= 0 && f.P <= 1) {
			return fmt.Errorf("loss probability %v", f.P)
		}
	case Drift:
		if !(f.Ratio > 0) {
			return fmt.Errorf("clock ratio %v", f.Ratio)
		}
	case VolumeFailure:
		if f.Volumes < 1 {
			return fmt.Errorf("volume failure of %d volumes", f.Volumes)
		}
	case PauseNameNode:
		if f.For <= 0 {
			return fmt.Errorf("a NameNode pause needs a length")
		}
	case Overload:
		if f.Handlers < 1 || f.ServiceTime < 0 || !(f.Load >= 0) {
			return fmt.Errorf("overload of %d handlers, %v, load %v", f.Handlers, f.ServiceTime, f.Load)
		}
	}
	return nil
}
