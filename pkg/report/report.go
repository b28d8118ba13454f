// Package report turns a run's trace into what users read: a timeline of
// state changes with reasons, a per-node summary and the expectations with
// their verdicts, as tables for people or as one JSON document for scripts.
//
// The JSON field names are a contract (README "JSON report"): scripts and CI
// read them. Add fields freely; never rename one.
package report

// Report is one run's result. It marshals to the documented JSON schema.
type Report struct {
	Scenario    string         `json:"scenario"`
	Description string         `json:"description,omitempty"`
	Seed        int64          `json:"seed"`
	DurationMs  float64        `json:"duration_ms"`
	Config      map[string]any `json:"config"`
	Events      []Event        `json:"events"`
	Nodes       []Node         `json:"nodes"`
	// NodesOmitted counts the nodes left out of Nodes (see ListNodes):
	// nodes with no event at all.
	NodesOmitted int           `json:"nodes_omitted,omitempty"`
	Expectations []Expectation `json:"expectations"`
	// Detectors lists the detectors that watched the run; the first drove
	// the NameNode.
	Detectors []string `json:"detectors"`
	// QoS holds the Chen–Toueg–Aguilera quality-of-service metrics of each
	// detector that watched the run, keyed by detector name.
	QoS map[string]QoS `json:"qos"`
	// Series samples the cluster over time, for charts.
	Series []Sample `json:"series"`
	// MessagesPerSec is network messages per second over the run.
	MessagesPerSec float64 `json:"messages_per_sec"`
	// Gossip says how deaths spread, for the gossip detector; absent
	// otherwise.
	Gossip *Gossip `json:"gossip,omitempty"`
	// Blocks and IO say what failures did to data and to clients, for runs
	// with a block layer; absent otherwise.
	Blocks *Blocks `json:"blocks,omitempty"`
	IO     *IO     `json:"io,omitempty"`
	// GroupPartitions are the scenario's partitions between groups of
	// nodes, from Meta, for the timelines' bands; not in the JSON.
	GroupPartitions []GroupPartition `json:"-"`
	// Passed is true when every expectation held.
	Passed bool `json:"passed"`
}

// Event is one timeline entry.
type Event struct {
	TMs    float64 `json:"t_ms"`
	Node   string  `json:"node"`
	Kind   string  `json:"kind"`
	From   string  `json:"from,omitempty"`
	To     string  `json:"to,omitempty"`
	Reason string  `json:"reason"`
	// Detector names the detector behind a transition or verdict.
	Detector string `json:"detector,omitempty"`
	// ReportedAtMs, on a dead transition of the hdfs detector, is when
	// dfsadmin -report and NumDeadDataNodes first said DEAD (the expiry);
	// t_ms is the monitor's check that acted.
	ReportedAtMs *float64 `json:"reported_at_ms,omitempty"`
}

// Node summarises one DataNode over the run.
type Node struct {
	ID string `json:"id"`
	// Rack is the node's rack when the scenario names racks.
	Rack  string `json:"rack,omitempty"`
	State string `json:"state"` // the NameNode's view at the end
	// AdminState is the node's decommission or maintenance state at the
	// end (decommissioning, decommissioned, entering_maintenance,
	// in_maintenance); empty when in service.
	AdminState string `json:"admin_state,omitempty"`
	// KilledAtMs is the first crash, or null if the node never crashed.
	KilledAtMs *float64 `json:"killed_at_ms"`
	// DeadAtMs is the first dead declaration after that crash, or null.
	DeadAtMs *float64 `json:"dead_at_ms"`
	// DetectionMs is DeadAtMs − KilledAtMs, or null.
	DetectionMs *float64 `json:"detection_ms"`
	// ReportedDeadAtMs, with the hdfs detector, is when dfsadmin -report
	// and NumDeadDataNodes would first say DEAD (the expiry), before the
	// check at DeadAtMs acted on it; absent for other detectors.
	ReportedDeadAtMs *float64 `json:"reported_dead_at_ms,omitempty"`
	// FalsePositives counts dead declarations while the process was alive.
	FalsePositives     int   `json:"false_positives"`
	HeartbeatsSent     int64 `json:"heartbeats_sent"`
	HeartbeatsReceived int64 `json:"heartbeats_received"`
	// Crashes lists every crash of the node with its detection, for nodes
	// killed more than once.
	Crashes []Crash `json:"crashes,omitempty"`

	// changed is set when the node had an event (a crash, a restart, a
	// detector's change of mind): ListNodes keeps those.
	changed bool
}

// Crash is one crash episode: from a kill to the next restart or the end.
type Crash struct {
	KilledAtMs  float64  `json:"killed_at_ms"`
	DeadAtMs    *float64 `json:"dead_at_ms"`
	DetectionMs *float64 `json:"detection_ms"`
	// ReportedDeadAtMs is as Node's.
	ReportedDeadAtMs *float64 `json:"reported_dead_at_ms,omitempty"`
	// RestartedAtMs ends the episode, or null if the node stayed down.
	RestartedAtMs *float64 `json:"restarted_at_ms"`
}

// QoS is how well one detector did (Chen, Toueg and Aguilera, "On the
// Quality of Service of Failure Detectors", 2002). "Suspect" means declared
// dead. A paused or partitioned node is alive: suspecting it is a mistake.
type QoS struct {
	// Crashes counts crash episodes; Detected those ending in a permanent
	// suspicion; the rest are undetected (censored), never a large number.
	Crashes    int `json:"crashes"`
	Detected   int `json:"detected"`
	Undetected int `json:"undetected"`
	// DetectionMs is T_D over detected crashes: crash to the suspicion that
	// lasts.
	DetectionMs Dist `json:"detection_ms"`
	// Mistakes counts suspicions of a live process (false positives).
	Mistakes int `json:"mistakes"`
	// MistakesPerHour is λ_M, mistakes per hour of process uptime.
	MistakesPerHour float64 `json:"mistakes_per_hour"`
	// MistakeRecurrenceMs is E(T_MR) ≈ 1/λ_M, or null without mistakes.
	MistakeRecurrenceMs *float64 `json:"mistake_recurrence_ms"`
	// MistakeDurationMs is E(T_M), mistake to correction, or null.
	MistakeDurationMs *float64 `json:"mistake_duration_ms"`
	// PA is the query accuracy probability: the share of uptime during
	// which the detector trusted the process.
	PA float64 `json:"p_a"`
}

// Dist summarises a sample of durations in milliseconds; nulls when empty.
type Dist struct {
	N    int      `json:"n"`
	P50  *float64 `json:"p50"`
	P99  *float64 `json:"p99"`
	Max  *float64 `json:"max"`
	Mean *float64 `json:"mean"`
}

// Gossip is how the decentralized detector spread the news of deaths.
type Gossip struct {
	// Convergence lists every crash: when the first member and when every
	// live member knew, in ms after the crash (null if never).
	Convergence []Convergence `json:"convergence"`
	// FirstMs and AllMs summarise those delays over crashes.
	FirstMs Dist `json:"first_ms"`
	AllMs   Dist `json:"all_ms"`
	// MessagesPerNodePerSec is the detector's cost.
	MessagesPerNodePerSec float64 `json:"messages_per_node_per_sec"`
}

// Convergence is one crash seen by a gossip group.
type Convergence struct {
	Node       string   `json:"node"`
	KilledAtMs float64  `json:"killed_at_ms"`
	FirstMs    *float64 `json:"first_ms"`
	AllMs      *float64 `json:"all_ms"`
}

// Sample is one point of the cluster's time series.
type Sample struct {
	TMs   float64 `json:"t_ms"`
	Live  int     `json:"live"`
	Stale int     `json:"stale"`
	Dead  int     `json:"dead"`
	// UnderReplicated counts blocks short of replicas, in runs with a
	// block layer.
	UnderReplicated *int `json:"under_replicated,omitempty"`
}

// Expectation is one checked expectation.
type Expectation struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail"`
	// Repro, on a failed expectation, says how to replay the run.
	Repro *Repro `json:"repro,omitempty"`
}
