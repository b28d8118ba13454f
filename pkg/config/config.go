// Package config holds hbsim's tunable settings: the effective values a run
// uses, their documented defaults, and the rules that reject impossible
// combinations.
//
// Values are layered by viper, lowest first: configs/default.yaml (embedded
// in the binary), the scenario file, HBSIM_* environment variables, then
// --set key=value flags. Load does the layering and remembers where each
// value came from, so an error names the file and line (or the flag, or the
// variable) that set the bad value.
package config

import "time"

// Config is the effective configuration of one run.
type Config struct {
	Heartbeat Heartbeat
	Network   Network
}

// Heartbeat configures DataNode heartbeats and the NameNode's failure
// detector.
type Heartbeat struct {
	// Interval between two heartbeats of one DataNode (heartbeat.interval,
	// HDFS dfs.heartbeat.interval; default 3s).
	Interval time.Duration
	// CheckInterval between two scans of the registry by the NameNode
	// (heartbeat.check_interval; default 3s).
	CheckInterval time.Duration
	// MissThreshold is how many whole intervals without a heartbeat make a
	// node dead (heartbeat.miss_threshold; default 10).
	MissThreshold int
	// StaleAfter is how long without a heartbeat makes a node stale, a
	// warning state before dead (heartbeat.stale_after, HDFS
	// dfs.namenode.stale.datanode.interval; default 30s).
	StaleAfter time.Duration
}

// Network configures the simulated network between DataNodes and the
// NameNode.
type Network struct {
	// Latency is the one-way delay of every message (network.latency;
	// default 1ms).
	Latency time.Duration
	// Jitter widens each delay by a seeded uniform draw in [-Jitter,
	// +Jitter], never below zero (network.jitter; default 0).
	Jitter time.Duration
}
