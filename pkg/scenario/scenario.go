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
)

// Scenario is one parsed and validated scenario file.
type Scenario struct {
	Path        string // as given by the user; used in messages
	Name        string
	Description string
	Seed        int64
	Duration    time.Duration
	// Nodes are the DataNode ids, in the order the file gives them
	// (dn1..dnN for `cluster: {datanodes: N}`).
	Nodes  []string
	Config config.Config
	// Effective is the layered configuration as nested maps of plain
	// values (durations as Go strings such as "3s"), for the report.
	Effective map[string]any
	// Origins says where each effective setting came from, by dotted key:
	// "configs/default.yaml", "scenarios/x.yaml:7", "$HBSIM_..." or
	// "--set key".
	Origins config.Origins
	Events  []Event
	Expect  []expect.Expectation
	// Golden is the stored JSON report this scenario's run must match
	// (top-level key golden:), resolved against the scenario file's
	// directory; empty when the scenario names none.
	Golden string
}

// Action is what an event does.
type Action string

// Event actions.
const (
	Kill    Action = "kill"
	Restart Action = "restart"
)

// Event is one fault injected at a virtual time.
type Event struct {
	At     time.Duration
	Action Action
	Nodes  []string // the targets, resolved to ids
	Line   int      // in the scenario file
}
