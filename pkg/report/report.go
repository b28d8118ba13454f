// Package report turns a run's trace into what users read: a timeline of
// state changes with reasons, a per-node summary and the expectations with
// their verdicts, as tables for people or as one JSON document for scripts.
//
// The JSON field names are a contract (README "JSON report"): scripts and CI
// read them. Add fields freely; never rename one.
package report

// Report is one run's result. It marshals to the documented JSON schema.
type Report struct {
	Scenario     string         `json:"scenario"`
	Description  string         `json:"description,omitempty"`
	Seed         int64          `json:"seed"`
	DurationMs   float64        `json:"duration_ms"`
	Config       map[string]any `json:"config"`
	Events       []Event        `json:"events"`
	Nodes        []Node         `json:"nodes"`
	Expectations []Expectation  `json:"expectations"`
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
}

// Node summarises one DataNode over the run.
type Node struct {
	ID    string `json:"id"`
	State string `json:"state"` // the NameNode's view at the end
	// KilledAtMs is the first crash, or null if the node never crashed.
	KilledAtMs *float64 `json:"killed_at_ms"`
	// DeadAtMs is the first dead declaration after that crash, or null.
	DeadAtMs *float64 `json:"dead_at_ms"`
	// DetectionMs is DeadAtMs − KilledAtMs, or null.
	DetectionMs *float64 `json:"detection_ms"`
	// FalsePositives counts dead declarations while the process was alive.
	FalsePositives     int   `json:"false_positives"`
	HeartbeatsSent     int64 `json:"heartbeats_sent"`
	HeartbeatsReceived int64 `json:"heartbeats_received"`
	// Crashes lists every crash of the node with its detection, for nodes
	// killed more than once.
	Crashes []Crash `json:"crashes,omitempty"`
}

// Crash is one crash episode: from a kill to the next restart or the end.
type Crash struct {
	KilledAtMs  float64  `json:"killed_at_ms"`
	DeadAtMs    *float64 `json:"dead_at_ms"`
	DetectionMs *float64 `json:"detection_ms"`
	// RestartedAtMs ends the episode, or null if the node stayed down.
	RestartedAtMs *float64 `json:"restarted_at_ms"`
}

// Expectation is one checked expectation.
type Expectation struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail"`
}
