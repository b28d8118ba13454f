// Package config holds hbsim's tunable settings: the effective values a run
// uses, their documented defaults, and the rules that reject impossible
// combinations.
//
// Values are layered by viper, lowest first: configs/default.yaml (embedded
// in the binary), the scenario file, an hdfs-site.xml, HBSIM_* environment
// variables, then --set key=value flags. Load does the layering and
// remembers where each value came from, so an error names the file and line
// (or the flag, or the variable) that set the bad value.
package config

import (
	"time"

	"github.com/hbsim/hbsim/pkg/network"
)

// Config is the effective configuration of one run.
type Config struct {
	Heartbeat   Heartbeat
	Network     Network
	NameNode    NameNode
	IO          IO
	Data        Data
	Replication Replication
	Admin       Admin
	DataNode    DataNode
	Workload    Workload
	Client      Client
}

// Heartbeat configures DataNode heartbeats and the failure detectors.
type Heartbeat struct {
	// Interval between two heartbeats of one DataNode (heartbeat.interval,
	// HDFS dfs.heartbeat.interval; default 3s).
	Interval time.Duration
	// CheckInterval between two scans of the registry by the missed-count
	// and phi detectors (heartbeat.check_interval; default 3s).
	CheckInterval time.Duration
	// MissThreshold is how many whole intervals without a heartbeat make a
	// node dead (heartbeat.miss_threshold; default 10).
	MissThreshold int
	// StaleAfter is how long without a heartbeat makes a node stale, a
	// warning state before dead (heartbeat.stale_after, HDFS
	// dfs.namenode.stale.datanode.interval; default 30s).
	StaleAfter time.Duration
	// Detector is the detector that drives the NameNode:
	// missed-count, hdfs, phi or gossip (heartbeat.detector).
	Detector string
	// RPCTimeout is how long a DataNode waits for a heartbeat's reply before
	// it gives up on the call (heartbeat.rpc_timeout; 0: one interval).
	RPCTimeout time.Duration
	Lifeline   Lifeline
	HDFS       HDFSDetector
	Phi        PhiDetector
	Gossip     GossipDetector
}

// Lifeline configures HDFS-9239's lifeline.
type Lifeline struct {
	Enabled  bool          // heartbeat.lifeline.enabled
	Interval time.Duration // heartbeat.lifeline.interval; 0: 3 × heartbeat interval
}

// HDFSDetector configures the hdfs detector.
type HDFSDetector struct {
	// RecheckInterval is HDFS's dfs.namenode.heartbeat.recheck-interval:
	// dead after 2 × recheck + 10 × interval (default 5m).
	RecheckInterval time.Duration
	// StaleMinimumInterval floors HDFS's stale interval at this many
	// heartbeat intervals (heartbeat.hdfs.stale_minimum_interval, HDFS
	// dfs.namenode.stale.datanode.minimum.interval; default 3).
	StaleMinimumInterval int
}

// PhiDetector configures the phi accrual detector (Akka's defaults).
type PhiDetector struct {
	Threshold       float64
	Window          int
	MinStdDeviation time.Duration
	AcceptablePause time.Duration
}

// GossipDetector configures decentralized gossip detection.
type GossipDetector struct {
	Fanout           int
	SuspicionTimeout time.Duration
	// LocalHealth is Lifeguard's awareness multiplier
	// (heartbeat.gossip.local_health; 0: off).
	LocalHealth int
}

// Network configures the simulated network between nodes.
type Network struct {
	// Latency is the one-way delay of every message (network.latency): a
	// duration, or a distribution (default 1ms).
	Latency Latency
	// Jitter widens each delay by a seeded uniform draw in [-Jitter,
	// +Jitter], never below zero (network.jitter; default 0).
	Jitter time.Duration
	// Loss is the probability that a message is lost (network.loss).
	Loss float64
	// Burst is Gilbert–Elliott bursty loss, on when Burst.Enter > 0.
	Burst Burst
}

// Burst is a two-state (good/bad) Markov model of loss: each message moves
// the link from good to bad with probability Enter and from bad to good
// with probability Leave; in the bad state a message is lost with
// probability Loss.
type Burst = network.Burst

// NameNode configures the NameNode's RPC server, which serves heartbeats
// through a queue: a busy NameNode delays them (HADOOP-641, HDFS-9239).
type NameNode struct {
	// Handlers serve the queue in parallel (HDFS dfs.namenode.handler.count;
	// default 10).
	Handlers int
	// ServiceTime is how long one handler takes per message (default 0:
	// an idle NameNode answers at once).
	ServiceTime time.Duration
	// LifelineHandlers serve lifelines on their own queue (default 1).
	LifelineHandlers int
	// SafeModeThreshold is the share of blocks that must be reported
	// before the NameNode leaves startup safe mode
	// (namenode.safemode_threshold, HDFS dfs.namenode.safemode.threshold-pct;
	// default 0.999).
	SafeModeThreshold float64
	// SafeModeExtension is how long it stays in safe mode after that
	// (namenode.safemode_extension, HDFS dfs.namenode.safemode.extension;
	// default 30s).
	SafeModeExtension time.Duration
}

// IO configures how reads and writes treat stale nodes.
type IO struct {
	// AvoidWriteStale keeps stale nodes out of write pipelines
	// (HDFS dfs.namenode.avoid.write.stale.datanode); with the hdfs
	// detector it also shortens the monitor's scan period (HDFS-3912).
	AvoidWriteStale bool
	// AvoidReadStale lists stale nodes last for reads (HDFS
	// dfs.namenode.avoid.read.stale.datanode).
	AvoidReadStale bool
	// WriteStaleRatio turns write avoidance off while more than this share
	// of live nodes are stale (HDFS dfs.namenode.write.stale.datanode.ratio; 0.5).
	WriteStaleRatio float64
}

// Data is the namespace at the start of a run.
type Data struct {
	// Blocks at start (data.blocks); when 0, Size / BlockSize.
	Blocks int
	// Size of the data at start (data.size).
	Size Size
	// BlockSize per block (data.block_size, HDFS dfs.blocksize; 128MiB).
	BlockSize Size
	// Replication wanted per block (data.replication, HDFS dfs.replication; 3).
	Replication int
}

// BlockCount is the number of blocks at start.
func (d Data) BlockCount() int {
	if d.Blocks > 0 || d.BlockSize <= 0 {
		return d.Blocks
	}
	return int((d.Size + d.BlockSize - 1) / d.BlockSize)
}

// Replication configures the NameNode's re-replication (HDFS's
// RedundancyMonitor and heartbeat command limits).
type Replication struct {
	Interval                    time.Duration // replication.interval (3s)
	WorkMultiplier              int           // replication.work_multiplier (2)
	MaxStreams                  int           // replication.max_streams (2)
	MaxStreamsHardLimit         int           // replication.max_streams_hard_limit (4)
	PendingTimeout              time.Duration // replication.pending_timeout (5m)
	InvalidateLimit             int           // replication.invalidate_limit (1000)
	InvalidateWorkPct           float64       // replication.invalidate_work_pct (0.32)
	ConsiderLoad                bool          // replication.consider_load (true)
	ConsiderLoadFactor          float64       // replication.consider_load_factor (2)
	TolerateHeartbeatMultiplier int           // replication.tolerate_heartbeat_multiplier (4)
	MinReplication              int           // replication.min_replication (1)
}

// Admin configures decommission and maintenance (HDFS's
// DatanodeAdminManager).
type Admin struct {
	Interval                  time.Duration // admin.interval (30s)
	BlocksPerInterval         int           // admin.blocks_per_interval (500000)
	MaxTrackedNodes           int           // admin.max_tracked_nodes (100)
	MaintenanceMinReplication int           // admin.maintenance_min_replication (1)
}

// DataNode configures the DataNodes beyond their heartbeats.
type DataNode struct {
	// FailedVolumesTolerated is how many failed volumes a DataNode survives
	// before it shuts down; −1 means as long as one volume works
	// (datanode.failed_volumes_tolerated, HDFS
	// dfs.datanode.failed.volumes.tolerated; default 0).
	FailedVolumesTolerated int
}

// Workload is the clients' load on the cluster.
type Workload struct {
	ReadsPerSec  float64 // workload.reads_per_sec
	WritesPerSec float64 // workload.writes_per_sec
	Distribution string  // workload.distribution: uniform or zipf
	ZipfS        float64 // workload.zipf_s (1.1)
}

// Client configures the HDFS client's failover.
type Client struct {
	// Timeout is what a try against a down DataNode costs (client.timeout,
	// HDFS dfs.client.socket-timeout; 60s).
	Timeout time.Duration
	// RetryWindowBase scales the wait before a read asks for a block's
	// locations again (client.retry_window_base, HDFS
	// dfs.client.retry.window.base; 3s).
	RetryWindowBase time.Duration
	// MaxBlockAcquireFailures is how many times a read asks again before
	// it fails (client.max_block_acquire_failures, HDFS
	// dfs.client.max.block.acquire.failures; 3).
	MaxBlockAcquireFailures int
	// ReplaceDatanodeOnFailure lets a write pipeline that lost a node ask
	// for a new one, when ReplacePolicy says so
	// (client.replace_datanode_on_failure, HDFS
	// dfs.client.block.write.replace-datanode-on-failure.enable; true).
	ReplaceDatanodeOnFailure bool
	// ReplacePolicy is default, always or never
	// (client.replace_policy, HDFS
	// dfs.client.block.write.replace-datanode-on-failure.policy; default).
	ReplacePolicy string
	// BlockWriteRetries is how many times a write whose pipeline could
	// not be set up asks for another block (client.block_write_retries,
	// HDFS dfs.client.block.write.retries; 3).
	BlockWriteRetries int
}
