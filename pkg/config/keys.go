package config

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Kind is the type of a setting's value; it decides how text from the
// environment or --set is parsed and what a YAML value must look like.
type Kind string

// Kinds of settings.
const (
	KindDuration Kind = "duration" // Go syntax: 500ms, 3s, 2m
	KindInt      Kind = "int"
	KindFloat    Kind = "float"
	KindBool     Kind = "bool"
	KindString   Kind = "string"
	KindLatency  Kind = "latency" // a duration, or {dist: ..., ...}
	KindSize     Kind = "size"    // bytes: 128MiB, 1GB, 134217728
)

// Key describes one setting. The table of keys is the single source of truth:
// it drives parsing, unknown-key detection, the effective-config map and the
// docs, so adding a setting means adding one row (and a field in Config).
type Key struct {
	Name string // dotted, as in YAML and --set: "heartbeat.interval"
	Kind Kind
	Doc  string // unit, meaning and HDFS equivalent, for people

	get func(*Config) any
	set func(*Config, any)
}

// Env is the environment variable that sets k: HBSIM_ followed by the
// upper-cased name with dots as underscores, the convention of viper's
// SetEnvPrefix plus a "." → "_" key replacer.
func (k Key) Env() string { return EnvName(k.Name) }

// EnvName is the environment variable for the dotted key name.
func EnvName(name string) string {
	return envPrefix + "_" + strings.ToUpper(strings.ReplaceAll(name, ".", "_"))
}

const envPrefix = "HBSIM"

func durationKey(name, doc string, field func(*Config) *time.Duration) Key {
	return Key{Name: name, Kind: KindDuration, Doc: doc,
		get: func(c *Config) any { return *field(c) },
		set: func(c *Config, v any) { *field(c) = v.(time.Duration) },
	}
}

func intKey(name, doc string, field func(*Config) *int) Key {
	return Key{Name: name, Kind: KindInt, Doc: doc,
		get: func(c *Config) any { return *field(c) },
		set: func(c *Config, v any) { *field(c) = v.(int) },
	}
}

func floatKey(name, doc string, field func(*Config) *float64) Key {
	return Key{Name: name, Kind: KindFloat, Doc: doc,
		get: func(c *Config) any { return *field(c) },
		set: func(c *Config, v any) { *field(c) = v.(float64) },
	}
}

func boolKey(name, doc string, field func(*Config) *bool) Key {
	return Key{Name: name, Kind: KindBool, Doc: doc,
		get: func(c *Config) any { return *field(c) },
		set: func(c *Config, v any) { *field(c) = v.(bool) },
	}
}

func stringKey(name, doc string, field func(*Config) *string) Key {
	return Key{Name: name, Kind: KindString, Doc: doc,
		get: func(c *Config) any { return *field(c) },
		set: func(c *Config, v any) { *field(c) = v.(string) },
	}
}

func latencyKey(name, doc string, field func(*Config) *Latency) Key {
	return Key{Name: name, Kind: KindLatency, Doc: doc,
		get: func(c *Config) any { return *field(c) },
		set: func(c *Config, v any) { *field(c) = v.(Latency) },
	}
}

func sizeKey(name, doc string, field func(*Config) *Size) Key {
	return Key{Name: name, Kind: KindSize, Doc: doc,
		get: func(c *Config) any { return *field(c) },
		set: func(c *Config, v any) { *field(c) = v.(Size) },
	}
}

// keyTable is the table of keys, built once: every Load walks it several
// times, and building it on each call made a scenario's settings cost
// milliseconds. Inside the package it is read only; Keys gives callers a
// copy.
var keyTable = sync.OnceValue(buildKeyTable)

// keyIndex maps each dotted name to its row of keyTable.
var keyIndex = sync.OnceValue(func() map[string]int {
	m := map[string]int{}
	for i, k := range keyTable() {
		m[k.Name] = i
	}
	return m
})

func buildKeyTable() []Key {
	return []Key{
		durationKey("heartbeat.interval",
			"time between two heartbeats of one DataNode (HDFS dfs.heartbeat.interval)",
			func(c *Config) *time.Duration { return &c.Heartbeat.Interval }),
		durationKey("heartbeat.check_interval",
			"time between two scans of the registry by the missed-count and phi detectors (no HDFS equivalent: the hdfs detector scans as heartbeat.hdfs.recheck_interval says)",
			func(c *Config) *time.Duration { return &c.Heartbeat.CheckInterval }),
		intKey("heartbeat.miss_threshold",
			"whole intervals without a heartbeat that make a DataNode dead (HDFS: the 10 in 10 × dfs.heartbeat.interval)",
			func(c *Config) *int { return &c.Heartbeat.MissThreshold }),
		durationKey("heartbeat.stale_after",
			"silence after which a DataNode is stale, a warning before dead (HDFS dfs.namenode.stale.datanode.interval)",
			func(c *Config) *time.Duration { return &c.Heartbeat.StaleAfter }),
		stringKey("heartbeat.detector",
			"the detector that drives the NameNode: missed-count, hdfs, phi or gossip",
			func(c *Config) *string { return &c.Heartbeat.Detector }),
		durationKey("heartbeat.rpc_timeout",
			"how long a DataNode waits for a heartbeat's reply before giving up on the call; 0 means one interval (HDFS's DataNode blocks far longer)",
			func(c *Config) *time.Duration { return &c.Heartbeat.RPCTimeout }),
		boolKey("heartbeat.lifeline.enabled",
			"send HDFS-9239 lifelines when heartbeats cannot get through (HDFS: set dfs.namenode.lifeline.rpc-address)",
			func(c *Config) *bool { return &c.Heartbeat.Lifeline.Enabled }),
		durationKey("heartbeat.lifeline.interval",
			"time between lifelines; 0 means 3 × heartbeat.interval (HDFS dfs.datanode.lifeline.interval.seconds)",
			func(c *Config) *time.Duration { return &c.Heartbeat.Lifeline.Interval }),
		durationKey("heartbeat.hdfs.recheck_interval",
			"hdfs detector: dead after 2 × recheck + 10 × interval, scanned by a monitor waking every 5s (HDFS dfs.namenode.heartbeat.recheck-interval)",
			func(c *Config) *time.Duration { return &c.Heartbeat.HDFS.RecheckInterval }),
		intKey("heartbeat.hdfs.stale_minimum_interval",
			"hdfs rules: the stale interval is at least this many heartbeat intervals (HDFS dfs.namenode.stale.datanode.minimum.interval)",
			func(c *Config) *int { return &c.Heartbeat.HDFS.StaleMinimumInterval }),
		floatKey("heartbeat.phi.threshold",
			"phi detector: suspicion level φ at which a node is dead (Akka threshold)",
			func(c *Config) *float64 { return &c.Heartbeat.Phi.Threshold }),
		intKey("heartbeat.phi.window",
			"phi detector: inter-arrival times kept (Akka max-sample-size)",
			func(c *Config) *int { return &c.Heartbeat.Phi.Window }),
		durationKey("heartbeat.phi.min_std_deviation",
			"phi detector: floor of the standard deviation (Akka min-std-deviation)",
			func(c *Config) *time.Duration { return &c.Heartbeat.Phi.MinStdDeviation }),
		durationKey("heartbeat.phi.acceptable_pause",
			"phi detector: pause added to the mean interval (Akka acceptable-heartbeat-pause)",
			func(c *Config) *time.Duration { return &c.Heartbeat.Phi.AcceptablePause }),
		intKey("heartbeat.gossip.fanout",
			"gossip detector: peers each node heartbeats every interval",
			func(c *Config) *int { return &c.Heartbeat.Gossip.Fanout }),
		durationKey("heartbeat.gossip.suspicion_timeout",
			"gossip detector: how long a node stays suspected before it is dead",
			func(c *Config) *time.Duration { return &c.Heartbeat.Gossip.SuspicionTimeout }),
		intKey("heartbeat.gossip.local_health",
			"gossip detector: Lifeguard's local health; a node that misses its own rounds or is suspected waits up to this many times longer before it suspects others; 0 is off (memberlist AwarenessMaxMultiplier, 8 in its LAN preset)",
			func(c *Config) *int { return &c.Heartbeat.Gossip.LocalHealth }),
		latencyKey("network.latency",
			"one-way delay of every message: a duration, or {dist: constant|uniform|normal|lognormal|pareto, ...} (no HDFS equivalent)",
			func(c *Config) *Latency { return &c.Network.Latency }),
		durationKey("network.jitter",
			"each delay varies by a seeded uniform draw in [-jitter, +jitter], never below zero (no HDFS equivalent)",
			func(c *Config) *time.Duration { return &c.Network.Jitter }),
		floatKey("network.loss",
			"probability that a message is lost",
			func(c *Config) *float64 { return &c.Network.Loss }),
		floatKey("network.burst.enter",
			"bursty loss (Gilbert–Elliott): chance per message that the link turns bad; 0 turns bursts off",
			func(c *Config) *float64 { return &c.Network.Burst.Enter }),
		floatKey("network.burst.leave",
			"bursty loss: chance per message that a bad link turns good again",
			func(c *Config) *float64 { return &c.Network.Burst.Leave }),
		floatKey("network.burst.loss",
			"bursty loss: probability that a message is lost while the link is bad",
			func(c *Config) *float64 { return &c.Network.Burst.Loss }),
		intKey("namenode.handlers",
			"RPC handlers serving heartbeats in parallel (HDFS dfs.namenode.handler.count)",
			func(c *Config) *int { return &c.NameNode.Handlers }),
		durationKey("namenode.service_time",
			"time one handler spends on one message; with handlers, the NameNode's capacity",
			func(c *Config) *time.Duration { return &c.NameNode.ServiceTime }),
		intKey("namenode.lifeline_handlers",
			"handlers of the separate lifeline queue (HDFS dfs.namenode.lifeline.handler.count)",
			func(c *Config) *int { return &c.NameNode.LifelineHandlers }),
		floatKey("namenode.safemode_threshold",
			"share of blocks reported before the NameNode leaves startup safe mode, in [0, 1] (HDFS dfs.namenode.safemode.threshold-pct)",
			func(c *Config) *float64 { return &c.NameNode.SafeModeThreshold }),
		durationKey("namenode.safemode_extension",
			"time the NameNode stays in safe mode once the threshold is reached (HDFS dfs.namenode.safemode.extension)",
			func(c *Config) *time.Duration { return &c.NameNode.SafeModeExtension }),
		boolKey("io.avoid_write_stale",
			"keep stale DataNodes out of write pipelines; with the hdfs detector also scan every stale_after (HDFS dfs.namenode.avoid.write.stale.datanode)",
			func(c *Config) *bool { return &c.IO.AvoidWriteStale }),
		boolKey("io.avoid_read_stale",
			"list stale DataNodes last when a reader asks for a block's locations (HDFS dfs.namenode.avoid.read.stale.datanode)",
			func(c *Config) *bool { return &c.IO.AvoidReadStale }),
		floatKey("io.write_stale_ratio",
			"write avoidance of stale nodes turns off while more than this share of live nodes are stale, in (0, 1] (HDFS dfs.namenode.write.stale.datanode.ratio)",
			func(c *Config) *float64 { return &c.IO.WriteStaleRatio }),
		intKey("data.blocks",
			"blocks in the namespace at start, placed by the default rack-aware policy; 0 with data.size 0 turns the block layer off unless the workload writes",
			func(c *Config) *int { return &c.Data.Blocks }),
		sizeKey("data.size",
			"data at start, as a size (e.g. 1TiB); it becomes size / block_size blocks when data.blocks is 0",
			func(c *Config) *Size { return &c.Data.Size }),
		sizeKey("data.block_size",
			"bytes per block (HDFS dfs.blocksize)",
			func(c *Config) *Size { return &c.Data.BlockSize }),
		intKey("data.replication",
			"replicas wanted per block (HDFS dfs.replication)",
			func(c *Config) *int { return &c.Data.Replication }),
		durationKey("replication.interval",
			"period of the NameNode's redundancy monitor (HDFS dfs.namenode.redundancy.interval.seconds)",
			func(c *Config) *time.Duration { return &c.Replication.Interval }),
		intKey("replication.work_multiplier",
			"blocks scheduled per round = this × live DataNodes (HDFS dfs.namenode.replication.work.multiplier.per.iteration)",
			func(c *Config) *int { return &c.Replication.WorkMultiplier }),
		intKey("replication.max_streams",
			"transfers a DataNode is given at once, minus those in progress (HDFS dfs.namenode.replication.max-streams)",
			func(c *Config) *int { return &c.Replication.MaxStreams }),
		intKey("replication.max_streams_hard_limit",
			"queued transfers a source may have for blocks with one replica left (HDFS dfs.namenode.replication.max-streams-hard-limit)",
			func(c *Config) *int { return &c.Replication.MaxStreamsHardLimit }),
		durationKey("replication.pending_timeout",
			"scheduled transfers not confirmed by then are scheduled again (HDFS dfs.namenode.reconstruction.pending.timeout-sec)",
			func(c *Config) *time.Duration { return &c.Replication.PendingTimeout }),
		intKey("replication.invalidate_limit",
			"invalidations per heartbeat reply (HDFS dfs.block.invalidate.limit)",
			func(c *Config) *int { return &c.Replication.InvalidateLimit }),
		floatKey("replication.invalidate_work_pct",
			"share of live DataNodes, rounded up, handed deletion work per round, in (0, 1] (HDFS dfs.namenode.invalidate.work.pct.per.iteration)",
			func(c *Config) *float64 { return &c.Replication.InvalidateWorkPct }),
		boolKey("replication.consider_load",
			"skip targets busier than consider_load_factor × the in-service average (HDFS dfs.namenode.redundancy.considerLoad)",
			func(c *Config) *bool { return &c.Replication.ConsiderLoad }),
		floatKey("replication.consider_load_factor",
			"how much busier than average a target may be, at least 1 (HDFS dfs.namenode.redundancy.considerLoad.factor)",
			func(c *Config) *float64 { return &c.Replication.ConsiderLoadFactor }),
		intKey("replication.tolerate_heartbeat_multiplier",
			"an excess replica on a node silent for more than this many heartbeat intervals is deleted first (HDFS dfs.namenode.tolerate.heartbeat.multiplier)",
			func(c *Config) *int { return &c.Replication.TolerateHeartbeatMultiplier }),
		intKey("replication.min_replication",
			"replicas a block needs to count as safe at startup (HDFS dfs.namenode.replication.min)",
			func(c *Config) *int { return &c.Replication.MinReplication }),
		durationKey("admin.interval",
			"period of the decommission and maintenance monitor (HDFS dfs.namenode.decommission.interval)",
			func(c *Config) *time.Duration { return &c.Admin.Interval }),
		intKey("admin.blocks_per_interval",
			"blocks the monitor checks per run (HDFS dfs.namenode.decommission.blocks.per.interval)",
			func(c *Config) *int { return &c.Admin.BlocksPerInterval }),
		intKey("admin.max_tracked_nodes",
			"nodes decommissioned or entering maintenance at once, the rest queue; 0 means no limit (HDFS dfs.namenode.decommission.max.concurrent.tracked.nodes)",
			func(c *Config) *int { return &c.Admin.MaxTrackedNodes }),
		intKey("admin.maintenance_min_replication",
			"live replicas a block keeps for a node holding it to enter maintenance without re-replication (HDFS dfs.namenode.maintenance.replication.min)",
			func(c *Config) *int { return &c.Admin.MaintenanceMinReplication }),
		intKey("datanode.failed_volumes_tolerated",
			"failed volumes a DataNode survives before it shuts down; -1: as long as one works (HDFS dfs.datanode.failed.volumes.tolerated)",
			func(c *Config) *int { return &c.DataNode.FailedVolumesTolerated }),
		floatKey("workload.reads_per_sec",
			"client block reads per second, seeded Poisson arrivals",
			func(c *Config) *float64 { return &c.Workload.ReadsPerSec }),
		floatKey("workload.writes_per_sec",
			"client block writes per second, seeded Poisson arrivals",
			func(c *Config) *float64 { return &c.Workload.WritesPerSec }),
		stringKey("workload.distribution",
			"which blocks reads choose: uniform or zipf",
			func(c *Config) *string { return &c.Workload.Distribution }),
		floatKey("workload.zipf_s",
			"zipf exponent s > 1 when distribution is zipf (higher: a few blocks get most reads)",
			func(c *Config) *float64 { return &c.Workload.ZipfS }),
		durationKey("client.timeout",
			"what a read or write try against a DataNode that is down costs before the client moves on (HDFS dfs.client.socket-timeout)",
			func(c *Config) *time.Duration { return &c.Client.Timeout }),
		durationKey("client.retry_window_base",
			"a read whose every location failed waits base × failures + base × (failures + 1) × a random share, then asks again (HDFS dfs.client.retry.window.base)",
			func(c *Config) *time.Duration { return &c.Client.RetryWindowBase }),
		intKey("client.max_block_acquire_failures",
			"times a read asks for a block's locations again before it fails (HDFS dfs.client.max.block.acquire.failures)",
			func(c *Config) *int { return &c.Client.MaxBlockAcquireFailures }),
		boolKey("client.replace_datanode_on_failure",
			"a write pipeline that lost a node may ask the NameNode for a new one, as replace_policy says (HDFS dfs.client.block.write.replace-datanode-on-failure.enable)",
			func(c *Config) *bool { return &c.Client.ReplaceDatanodeOnFailure }),
		stringKey("client.replace_policy",
			"when a pipeline asks for a new node: default (replication ≥ 3 and at most half left), always or never (HDFS dfs.client.block.write.replace-datanode-on-failure.policy)",
			func(c *Config) *string { return &c.Client.ReplacePolicy }),
		intKey("client.block_write_retries",
			"times a write whose pipeline could not be set up abandons the block and asks for another without the failed node (HDFS dfs.client.block.write.retries)",
			func(c *Config) *int { return &c.Client.BlockWriteRetries }),
	}
}

// Keys returns every setting, in documentation order.
func Keys() []Key { return slices.Clone(keyTable()) }

// Lookup finds the setting with the dotted name.
func Lookup(name string) (Key, bool) {
	if i, ok := keyIndex()[name]; ok {
		return keyTable()[i], true
	}
	return Key{}, false
}

// KeyNames returns the sorted dotted names of every setting, for messages
// such as "unknown key (known: ...)".
func KeyNames() []string {
	ks := keyTable()
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.Name
	}
	sort.Strings(names)
	return names
}

// Sections returns the top-level sections ("heartbeat", "network") in
// documentation order.
func Sections() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range keyTable() {
		s, _, _ := strings.Cut(k.Name, ".")
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Get returns the value of the setting in c (time.Duration, int, ...).
func (k Key) Get(c Config) any {
	if k.get == nil {
		return nil
	}
	return k.get(&c)
}

// CheckKey says why key is not a setting --set takes (a dotted key, or
// HDFS's dfs.* name), with a did-you-mean; nil when it is one. Flags that
// take keys (sweep's --param) check them with it before any run.
func CheckKey(key string) error {
	key = strings.TrimSpace(key)
	if strings.HasPrefix(key, "dfs.") {
		if _, ok := hdfsKeys[key]; !ok {
			return errors.New(unknownHDFSKey(key))
		}
		return nil
	}
	if _, ok := Lookup(key); !ok {
		return unknownKey(key).Err
	}
	return nil
}
