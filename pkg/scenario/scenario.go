// Package scenario reads, checks and describes hbsim scenario files: the
// cluster, the effective configuration, the faults to inject and what the
// run is expected to show.
//
// A scenario is YAML. Every error names the file, the line and the field;
// unknown keys, wrong types, unknown node names, negative numbers and events
// after the end of the run are all rejected before anything runs.
package scenario

import (
	"time"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/expect"
	"github.com/hbsim/hbsim/pkg/model"
)

// Scenario is one parsed and validated scenario file.
type Scenario struct {
	Path string // as given by the user; used in messages
	Name string
	// Aliases are names the scenario went by before (hbsim test --run
	// still finds it by them).
	Aliases     []string
	Description string
	Seed        int64
	Duration    time.Duration
	// Nodes are the DataNode ids, in the order the file gives them
	// (dn1..dnN for `cluster: {datanodes: N}`).
	Nodes []string
	// Racks group the DataNodes, in the file's order; empty when the
	// scenario names none (one rack).
	Racks []Rack
	// Capacity is each DataNode's storage in bytes (cluster.capacity); 0
	// means unlimited.
	Capacity int64
	// Bandwidth is each DataNode's transfer rate in bytes per second
	// (cluster.bandwidth; default 100MiB/s): a block copy takes
	// block_size / bandwidth.
	Bandwidth int64
	// Volumes is how many disks each DataNode stores replicas on
	// (cluster.volumes; default 1); volume_failure events fail them.
	Volumes int
	Config  config.Config
	// Effective is the layered configuration as nested maps of plain
	// values (durations as Go strings such as "3s"), for the report.
	Effective map[string]any
	// Origins says where each effective setting came from, by dotted key:
	// "configs/default.yaml", "scenarios/x.yaml:7", "$HBSIM_..." or
	// "--set key".
	Origins config.Origins
	Events  []Event
	Expect  []expect.Expectation
	// ExpectData is Expect as plain data, for the model.
	ExpectData []model.Expectation
	// Detectors lists the detectors that watch the same trace beside the
	// acting one (heartbeat.detector), from `detectors:` or --compare.
	Detectors []string
	// Lines are the lines of the file's top-level keys ("duration",
	// "cluster", ...), for messages about them after parsing.
	Lines map[string]int
	// Golden is the stored JSON report this scenario's run must match
	// (top-level key golden:), resolved against the scenario file's
	// directory; empty when the scenario names none.
	Golden string
}

// Rack is a named group of DataNodes.
type Rack struct {
	Name  string
	Nodes []string
}

// Action is what an event does.
type Action string

// Event actions.
const (
	Kill      Action = "kill"              // crash-stop the process
	Restart   Action = "restart"           // a fresh process: registers again
	Pause     Action = "pause"             // freeze the process (a long GC); needs for/until
	Partition Action = "partition"         // cut targets from the NameNode, or groups from each other
	Slow      Action = "slow"              // add latency to the targets' messages
	Loss      Action = "loss"              // lose the targets' messages with probability P
	Overload  Action = "namenode_overload" // the NameNode serves its queue slowly
	Drift     Action = "clock_drift"       // the targets' timers run fast or slow
	// An operator's requests to the NameNode (HDFS's exclude and
	// maintenance host files), and failing disks.
	Decommission  Action = "decommission"   // start decommissioning the targets
	Maintenance   Action = "maintenance"    // put the targets in maintenance (for/until: its end)
	Recommission  Action = "recommission"   // put the targets back in service
	VolumeFailure Action = "volume_failure" // volumes: N of each target's disks fail
)

// Event is one fault injected at a virtual time. Faults with a duration
// (For > 0) end by themselves; kill and restart are instantaneous.
type Event struct {
	At     time.Duration
	Action Action
	// Nodes are the targets, resolved to ids (random picks made with the
	// scenario's seed).
	Nodes []string
	// For is how long the fault lasts; 0 means to the end of the run
	// (and is the only value for kill and restart).
	For time.Duration
	// Groups, for a partition between two groups of nodes; NameNode says
	// which side the NameNode is on (0: both sides can reach it).
	Groups   [2][]string
	NameNode int
	// Direction of a partition: "both", "to" (messages to the targets are
	// lost) or "from" (messages from them are).
	Direction string
	// Latency added by slow (Value for a constant).
	Latency config.Latency
	// P is the loss probability of loss.
	P float64
	// Handlers, ServiceTime and Load of namenode_overload: the queue's
	// server while the overload lasts, and background requests per second
	// competing with heartbeats.
	Handlers    int
	ServiceTime time.Duration
	Load        float64
	// Ratio of clock_drift: local time runs Ratio times as fast (1.5:
	// timers fire early; 0.5: late).
	Ratio float64
	// Volumes of volume_failure: how many disks of each target fail.
	Volumes int
	// PauseNameNode: the event is {pause: namenode}, which freezes the
	// NameNode (Nodes is empty).
	PauseNameNode bool
	Line          int // in the scenario file
}

// End is when a fault with a duration stops.
func (e Event) End() time.Duration {
	if e.For == 0 {
		return 0
	}
	return e.At + e.For
}
