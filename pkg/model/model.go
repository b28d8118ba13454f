// Package model is a run of hbsim as plain data: the cluster (nodes,
// racks, capacities), each machine's configuration, the network, the fault
// schedule as typed events, the client workload and the expectations.
//
// Package scenario builds a Run from a YAML file; the runtimes (the
// simulator, live mode) take a Run and nothing else, so they know nothing
// of files, settings layers or YAML. A Run is a value: running it twice
// gives the same result, and tests build one in Go directly.
package model

import (
	"fmt"
	"time"

	"github.com/hbsim/hbsim/client"
	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/gossip"
	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/network"
)

// Run is one run.
type Run struct {
	// Name and Description are for people.
	Name, Description string
	// Source says where the run came from ("scenarios/x.yaml"), for
	// messages.
	Source string
	// Seed roots every random draw of the run.
	Seed int64
	// Duration is how much virtual time the run covers.
	Duration time.Duration

	// Nodes are the DataNodes; a node's index is its handle everywhere
	// (faults name nodes by index).
	Nodes []Node

	// Detectors names the failure detectors: the first acts, the others
	// watch the same run. "gossip" is the decentralized one (DataNodes
	// heartbeat random peers); the rest run in the NameNode, whose
	// configuration holds their settings in the same order.
	Detectors []string
	// NameNode is the NameNode's configuration (central detectors, block
	// layer, decommission); its Seed and racks come from the run.
	NameNode namenode.Config
	// RPC is the NameNode's RPC server.
	RPC RPC
	// DataNode is every DataNode's configuration; each node's ID,
	// capacity and blocks are filled in per node.
	DataNode datanode.Config
	// Gossip is every gossip member's configuration, when gossip runs;
	// each member's ID, peers and random source are filled in per member.
	Gossip gossip.Config
	// Network is the impairment every message gets (the network: section).
	Network network.Fault
	// Workload is the clients' reads and writes.
	Workload Workload
	// Client configures the HDFS client; its blocks at start and seed
	// come from the run.
	Client client.Config

	// Faults is the schedule, in time order (file order for ties).
	Faults []Fault
	// Expect is what the run must show, judged by package expect.
	Expect []Expectation

	// Origins says where the run's own settings were written (not the
	// defaults), by dotted key ("data.blocks" → "scenarios/x.yaml:25",
	// "--set data.blocks"), and "detectors" for the list of detectors:
	// opaque labels for messages that must point at a part of the run,
	// such as a runtime refusing it. Nil for a run built in Go.
	Origins map[string]string
}

// SampleStep is the step of the trace's time series (charts): 500 points
// over the run, at most one a second.
func (r *Run) SampleStep() time.Duration { return max(r.Duration/500, time.Second) }

// Origin says where the first of keys that the run set was written, else
// where the run came from.
func (r *Run) Origin(keys ...string) string {
	for _, k := range keys {
		if o := r.Origins[k]; o != "" {
			return o
		}
	}
	if r.Source != "" {
		return r.Source
	}
	return "the run"
}

// Node is one DataNode.
type Node struct {
	ID   string
	Rack string // "" when the run names no racks
	// Capacity is the node's storage in bytes (0: unlimited).
	Capacity int64
	// Bandwidth is the node's transfer rate, bytes per second.
	Bandwidth int64
	// Volumes is how many disks the node has (0: the DataNode's default).
	Volumes int
}

// Index maps node ids to their handles.
func (r *Run) Index() map[string]int32 {
	m := make(map[string]int32, len(r.Nodes))
	for i, n := range r.Nodes {
		m[n.ID] = int32(i)
	}
	return m
}

// IDs lists the node ids in handle order.
func (r *Run) IDs() []string {
	ids := make([]string, len(r.Nodes))
	for i, n := range r.Nodes {
		ids[i] = n.ID
	}
	return ids
}

// Expectation is one expectation as plain data: the mapping a scenario
// wrote, decoded to plain values (strings, numbers, booleans, lists and
// maps), which package expect compiles and checks.
type Expectation struct {
	// Source locates it ("scenarios/x.yaml:21").
	Source string
	Fields map[string]any
}

// Acting is the detector that drives the run.
func (r *Run) Acting() string {
	if len(r.Detectors) == 0 {
		return ""
	}
	return r.Detectors[0]
}

// Has reports whether detector name runs, acting or watching.
func (r *Run) Has(name string) bool {
	for _, d := range r.Detectors {
		if d == name {
			return true
		}
	}
	return false
}

// RPC configures the NameNode's RPC server: Handlers take the queue in
// arrival order, ServiceTime each (0: an idle NameNode answers at once);
// lifelines have handlers of their own (HDFS-9239).
type RPC struct {
	Handlers         int
	ServiceTime      time.Duration
	LifelineHandlers int
}

// Workload is the clients' load: Poisson reads and writes.
type Workload struct {
	ReadsPerSec, WritesPerSec float64
	// Distribution of reads over blocks: uniform or zipf (with ZipfS).
	Distribution string
	ZipfS        float64
}

// Validate checks what the runtimes rely on: the handles faults use and
// the order they happen in. Settings are checked where they are read.
func (r *Run) Validate() error {
	if r.Duration <= 0 {
		return fmt.Errorf("model: duration %v is not positive", r.Duration)
	}
	if len(r.Detectors) == 0 {
		return fmt.Errorf("model: no detector")
	}
	seen := make(map[string]bool, len(r.Nodes))
	for _, n := range r.Nodes {
		if n.ID == "" || seen[n.ID] {
			return fmt.Errorf("model: node id %q is empty or repeated", n.ID)
		}
		seen[n.ID] = true
	}
	var last time.Duration
	for k, f := range r.Faults {
		if err := f.check(len(r.Nodes)); err != nil {
			return fmt.Errorf("model: %s: %w", f.Source, err)
		}
		if f.At < last {
			return fmt.Errorf("model: fault %d at %v is before the one before it", k, f.At)
		}
		last = f.At
	}
	return nil
}
