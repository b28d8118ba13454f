// Package trace records what happened during one run: the faults injected
// (ground truth), every state change the NameNode decided with its reason,
// and per-node message counters.
//
// Both runtimes, the simulator and live mode, fill a Trace; package report
// turns a Trace into the tables and JSON users read. A Trace is plain data
// in time order, so two runs can be compared byte for byte.
package trace

import "time"

// Kind says what an Event is.
type Kind string

// Event kinds. Faults are ground truth from the scenario; transitions are
// the NameNode's view.
const (
	Kill       Kind = "kill"       // the DataNode process crashed (crash-stop)
	Restart    Kind = "restart"    // a fresh DataNode process started
	Transition Kind = "transition" // the NameNode changed its view of a node
	// Verdict is what a detector that only watches (compared on the same
	// trace, not driving the NameNode) would have decided.
	Verdict Kind = "verdict"

	// Faults with a duration, as they start and end. A paused or
	// partitioned process is alive: detectors that declare it dead err.
	Pause       Kind = "pause"
	Resume      Kind = "resume"
	Partition   Kind = "partition"
	Heal        Kind = "heal"
	Slow        Kind = "slow"
	SlowEnd     Kind = "slow-end"
	Loss        Kind = "loss"
	LossEnd     Kind = "loss-end"
	Overload    Kind = "namenode_overload" // Node is "namenode"
	OverloadEnd Kind = "overload-end"
	Drift       Kind = "clock_drift"
	DriftEnd    Kind = "drift-end"

	// An operator's requests and a disk's failure (the NameNode's pause
	// is Pause and Resume with Node "namenode").
	Decommission  Kind = "decommission"
	Maintenance   Kind = "maintenance"
	Recommission  Kind = "recommission"
	VolumeFailure Kind = "volume_failure"
	// Shutdown: the DataNode stopped itself (more failed volumes than it
	// tolerates).
	Shutdown Kind = "shutdown"
	// Admin is the NameNode moving a node between administrative states
	// (From and To: "in_service", "decommissioning", "decommissioned",
	// "entering_maintenance", "in_maintenance").
	Admin Kind = "admin"
)

// Converged marks, for the gossip detector, the moment every live member
// knew of a death.
const Converged Kind = "converged"

// Convergence is how a death spread through a gossip group.
type Convergence struct {
	Node    string
	KillAt  time.Duration
	FirstAt time.Duration // first member to declare it dead; -1 if none
	AllAt   time.Duration // every live member knew; -1 if never
}

// NameNodeID names the NameNode in events about it.
const NameNodeID = "namenode"

// Event is one entry of the timeline. At is virtual time since the start of
// the run.
type Event struct {
	At     time.Duration
	Node   string
	Kind   Kind
	From   string // transitions only: previous state ("" before registration)
	To     string // transitions only: new state
	Reason string // in words, for people
	// Detector names the detector behind a Transition or Verdict.
	Detector string
	// ReportedAt, for a dead transition or verdict of a detector whose
	// reports say DEAD before its scan acts (hdfs: dfsadmin reads DEAD from
	// the expiry), is when they first would; 0 otherwise.
	ReportedAt time.Duration
}

// Node holds per-DataNode counters.
type Node struct {
	ID                 string
	HeartbeatsSent     int64 // by the DataNode, over all its lifetimes
	HeartbeatsReceived int64 // by the NameNode
	FinalState         string
	// AdminState is the NameNode's decommission or maintenance state of
	// the node at the end ("" in service).
	AdminState string
	// Arrivals are the times heartbeats reached the NameNode, when the
	// runtime was asked to record them (for timelines); nil otherwise.
	Arrivals []time.Duration
	// Registrations are the times registrations reached the NameNode,
	// recorded with Arrivals (hbsim replay replays them).
	Registrations []time.Duration
}

// Sample is the cluster as the NameNode saw it at one moment.
type Sample struct {
	At                time.Duration
	Live, Stale, Dead int
	// HasBlocks is true when the run has a block layer; then
	// UnderReplicated counts blocks short of replicas in the NameNode's
	// view.
	HasBlocks       bool
	UnderReplicated int
}

// Blocks is the block layer's record of a run.
type Blocks struct {
	Total               int
	UnderReplicatedPeak int
	// Lost blocks have no replica on a running DataNode and no transfer in
	// flight at the end; LostIDs names the first of them.
	Lost    int
	LostIDs []int64
	// ReReplicated counts replicas made by transfers; BytesMoved their bytes.
	ReReplicated int64
	BytesMoved   int64
	// RecoveredAt is when every block was back at its replication, if
	// Recovered.
	RecoveredAt time.Duration
	Recovered   bool
	// Scheduled, Timeouts and Invalidated are the NameNode's counters.
	Scheduled, Timeouts, Invalidated int64
}

// IO is the client workload's record of a run.
type IO struct {
	Reads, ReadsRerouted, ReadsFailed     int64
	ReadLatencies                         []time.Duration // of successful reads
	Writes, WritesRecovered, WritesFailed int64
}

// Trace is the record of one run.
type Trace struct {
	// End is the virtual time the run stopped at (the scenario's duration).
	End time.Duration
	// Nodes in the scenario's order.
	Nodes []Node
	// Events in time order; ties keep the order they happened in.
	Events []Event
	// Detectors names the detectors that watched, the one that drove the
	// NameNode first.
	Detectors []string
	// Series samples the cluster at a regular step, for charts.
	Series []Sample
	// Messages counts every message the network carried (sent, whether or
	// not delivered).
	Messages int64
	// Blocks and IO are set when the run has a block layer.
	Blocks *Blocks
	IO     *IO
	// Gossip holds, for the gossip detector, how each crash's death
	// spread; nil for central detectors.
	Gossip []Convergence
	// Beliefs and Windows are recorded only when a view asks for them
	// (the HTML page): see detail.go.
	Beliefs []Belief
	Windows []Window
	// Groups are the run's partitions between groups of nodes.
	Groups []GroupCut
}

// GroupCut is a partition between two groups of DataNodes, as scheduled:
// who was on each side, for views that draw it on its members.
type GroupCut struct {
	From, To     time.Duration
	Groups       [2][]string
	NameNodeSide int    // 1 or 2; 0: the NameNode reached both sides
	Direction    string // both, to or from
	Source       string // the fault's source label
}
