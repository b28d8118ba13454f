package namenode

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/hbsim/hbsim/pkg/vtime"
)

// Config configures a NameNode. It is plain data: start from DefaultConfig
// and change what differs. Validate only checks; New builds the detectors
// the Detectors specs name.
type Config struct {
	// HeartbeatInterval is the interval DataNodes heartbeat at, in the
	// NameNode's reckoning (dfs.heartbeat.interval; 3s).
	HeartbeatInterval time.Duration
	// StaleAfter is how long a silent node takes to go stale
	// (dfs.namenode.stale.datanode.interval; 30s).
	StaleAfter time.Duration
	// StaleMinHeartbeats floors the stale interval of HDFS's own rules (the
	// hdfs detector, placement, read order) at this many heartbeat
	// intervals (dfs.namenode.stale.datanode.minimum.interval; 3).
	StaleMinHeartbeats int
	// AvoidReadStale lists stale nodes last for reads
	// (dfs.namenode.avoid.read.stale.datanode; false).
	AvoidReadStale bool
	// AvoidWriteStale keeps stale nodes out of write pipelines and
	// re-replication targets while no more than WriteStaleRatio of the live
	// nodes are stale; it also makes the hdfs detector's monitor scan every
	// stale interval when that is shorter than its recheck interval
	// (dfs.namenode.avoid.write.stale.datanode; false; HDFS-3912).
	AvoidWriteStale bool
	// WriteStaleRatio is the share of live nodes above which write
	// avoidance turns off, in (0, 1]
	// (dfs.namenode.write.stale.datanode.ratio; 0.5).
	WriteStaleRatio float64
	// Detectors judge liveness on the same arrivals. The first acts: its
	// deaths stop routing to the node and answer its heartbeats with
	// REGISTER. The others only watch: their verdicts are recorded so
	// detectors can be compared on one trace. At least one; names unique.
	Detectors []DetectorConfig
	// Seed keys every random choice (placement, sources, read order,
	// invalidation order) through pkg/rng.
	Seed uint64
	// Blocks is the block layer (HDFS's BlockManager), off unless
	// Blocks.Enable.
	Blocks BlockConfig
	// Admin is decommission and maintenance (HDFS's DatanodeAdminManager).
	Admin AdminConfig
	// DataNodes is how many DataNodes the runtime expects, if it knows (0
	// if not): the NameNode sizes its registry for that many at once
	// rather than growing it as they register. Any number may register.
	DataNodes int
}

// Detector names.
const (
	DetectorMissedCount = "missed-count"
	DetectorHDFS        = "hdfs"
	DetectorPhi         = "phi"
)

// DetectorConfig names one failure detector and holds its settings; only
// the settings of the named kind are used.
type DetectorConfig struct {
	// Name is the kind: missed-count, hdfs or phi.
	Name        string
	MissedCount MissedCountConfig
	HDFS        HDFSConfig
	Phi         PhiConfig
}

// MissedCountConfig configures the missed-count detector.
type MissedCountConfig struct {
	// Threshold is how many whole heartbeat intervals of silence make a
	// node dead (hbsim heartbeat.miss_threshold; 10, the 10 of HDFS's
	// 10 × dfs.heartbeat.interval).
	Threshold int
	// CheckInterval is the time between two scans (hbsim
	// heartbeat.check_interval; 3s).
	CheckInterval time.Duration
}

// HDFSConfig configures the hdfs detector: HeartbeatManager's rule. It also
// uses Config's HeartbeatInterval, StaleAfter, StaleMinHeartbeats and
// AvoidWriteStale.
type HDFSConfig struct {
	// Recheck is the dead-node recheck interval: it sets the expiry,
	// 2 × Recheck + 10 × heartbeat interval, and the monitor's scan period
	// (dfs.namenode.heartbeat.recheck-interval; 5m).
	Recheck time.Duration
}

// PhiConfig configures the φ accrual detector (Akka's names and defaults).
type PhiConfig struct {
	// Threshold is the φ at which a node is dead (Akka threshold; 8).
	Threshold float64
	// Window is how many inter-arrival times are kept per node (Akka
	// max-sample-size; 1000).
	Window int
	// MinStdDeviation floors the standard deviation (Akka
	// min-std-deviation; 100ms).
	MinStdDeviation time.Duration
	// AcceptablePause is added to the mean interval (Akka
	// acceptable-heartbeat-pause; 3s).
	AcceptablePause time.Duration
	// FirstHeartbeatEstimate seeds a fresh history with two intervals,
	// estimate ± estimate/4 (Akka first-heartbeat-estimate; the heartbeat
	// interval, 3s).
	FirstHeartbeatEstimate time.Duration
	// CheckInterval is how often the NameNode asks the detector (hbsim
	// heartbeat.check_interval; 3s).
	CheckInterval time.Duration
}

// BlockConfig configures the block map, placement and re-replication
// (HDFS's BlockManager, RedundancyMonitor and BlockPlacementPolicyDefault).
type BlockConfig struct {
	// Enable turns the block layer on.
	Enable bool
	// Blocks is the namespace at start: blocks 0..Blocks−1 exist, their
	// locations learnt from block reports.
	Blocks int
	// Replication is the replicas wanted per block (dfs.replication; 3).
	Replication int
	// MinReplication is the replicas a block needs to count as safe
	// (dfs.namenode.replication.min; 1).
	MinReplication int
	// BlockSize is the bytes per block; placement checks space against it
	// (dfs.blocksize; 128 MiB).
	BlockSize int64
	// Racks maps a node id to its rack; absent nodes are on DefaultRack.
	Racks map[string]string
	// ReplicationInterval is the RedundancyMonitor's period
	// (dfs.namenode.redundancy.interval.seconds; 3s).
	ReplicationInterval time.Duration
	// WorkMultiplier × live nodes is how many blocks a round schedules
	// (dfs.namenode.replication.work.multiplier.per.iteration; 2).
	WorkMultiplier int
	// InvalidateWorkPct × live nodes, rounded up, is how many nodes a
	// round hands deletion work (dfs.namenode.invalidate.work.pct.per.iteration;
	// 0.32).
	InvalidateWorkPct float64
	// MaxStreams bounds a node's transfers per heartbeat reply and, for
	// blocks not in the highest priority queue, its queue as a source
	// (dfs.namenode.replication.max-streams; 2).
	MaxStreams int
	// MaxStreamsHardLimit bounds a source's queue for every block
	// (dfs.namenode.replication.max-streams-hard-limit; 4).
	MaxStreamsHardLimit int
	// PendingTimeout is how long scheduled work may go unconfirmed before
	// its block is scheduled again; the check runs every
	// min(5m, PendingTimeout) (dfs.namenode.reconstruction.pending.timeout-sec;
	// 5m).
	PendingTimeout time.Duration
	// InvalidateLimit bounds the deletions handed to a node per round and
	// per reply; the NameNode uses max(InvalidateLimit, 20 × heartbeat
	// seconds) (dfs.block.invalidate.limit; 1000).
	InvalidateLimit int
	// ConsiderLoad skips targets whose transfer load exceeds
	// ConsiderLoadFactor × the in-service average
	// (dfs.namenode.redundancy.considerLoad; true,
	// dfs.namenode.redundancy.considerLoad.factor; 2.0).
	ConsiderLoad       bool
	ConsiderLoadFactor float64
	// TolerateHeartbeatMultiplier: an excess replica on a node silent for
	// more than this many heartbeat intervals is deleted first
	// (dfs.namenode.tolerate.heartbeat.multiplier; 4).
	TolerateHeartbeatMultiplier int
	// SafeModeThreshold is the share of blocks that must be reported
	// before replication starts (dfs.namenode.safemode.threshold-pct;
	// 0.999).
	SafeModeThreshold float64
	// SafeModeExtension is how long the NameNode stays in safe mode after
	// the threshold is reached (dfs.namenode.safemode.extension; 30s).
	SafeModeExtension time.Duration
}

// AdminConfig configures decommission and maintenance (HDFS's
// DatanodeAdminManager and its default monitor).
type AdminConfig struct {
	// Interval is the admin monitor's period, a fixed delay between runs
	// (dfs.namenode.decommission.interval; 30s).
	Interval time.Duration
	// BlocksPerInterval stops a run once it has checked this many blocks
	// (dfs.namenode.decommission.blocks.per.interval; 500000).
	BlocksPerInterval int
	// MaxTrackedNodes is how many nodes the monitor tracks at once; more
	// wait in a queue; 0 means no limit
	// (dfs.namenode.decommission.max.concurrent.tracked.nodes; 100).
	MaxTrackedNodes int
	// MaintenanceMinReplication is the live replicas a block needs for a
	// node holding it to enter maintenance without re-replication
	// (dfs.namenode.maintenance.replication.min; 1).
	MaintenanceMinReplication int
}

// DefaultConfig returns HDFS's defaults (hdfs-default.xml), with the
// missed-count detector acting, no watchers, and the block layer off.
func DefaultConfig() Config {
	return Config{
		HeartbeatInterval:  3 * time.Second,
		StaleAfter:         30 * time.Second,
		StaleMinHeartbeats: 3,
		WriteStaleRatio:    0.5,
		Detectors:          []DetectorConfig{DefaultDetectorConfig(DetectorMissedCount)},
		Blocks:             DefaultBlockConfig(),
		Admin:              DefaultAdminConfig(),
	}
}

// DefaultDetectorConfig returns the named detector with its defaults.
func DefaultDetectorConfig(name string) DetectorConfig {
	return DetectorConfig{
		Name:        name,
		MissedCount: MissedCountConfig{Threshold: 10, CheckInterval: 3 * time.Second},
		HDFS:        HDFSConfig{Recheck: 5 * time.Minute},
		Phi: PhiConfig{Threshold: 8, Window: 1000, MinStdDeviation: 100 * time.Millisecond,
			AcceptablePause: 3 * time.Second, FirstHeartbeatEstimate: 3 * time.Second, CheckInterval: 3 * time.Second},
	}
}

// DefaultBlockConfig returns the block layer's HDFS defaults, disabled.
func DefaultBlockConfig() BlockConfig {
	return BlockConfig{
		Replication:                 3,
		MinReplication:              1,
		BlockSize:                   128 << 20,
		ReplicationInterval:         3 * time.Second,
		WorkMultiplier:              2,
		InvalidateWorkPct:           0.32,
		MaxStreams:                  2,
		MaxStreamsHardLimit:         4,
		PendingTimeout:              5 * time.Minute,
		InvalidateLimit:             1000,
		ConsiderLoad:                true,
		ConsiderLoadFactor:          2,
		TolerateHeartbeatMultiplier: 4,
		SafeModeThreshold:           0.999,
		SafeModeExtension:           30 * time.Second,
	}
}

// DefaultAdminConfig returns DatanodeAdminManager's HDFS defaults.
func DefaultAdminConfig() AdminConfig {
	return AdminConfig{Interval: 30 * time.Second, BlocksPerInterval: 500_000, MaxTrackedNodes: 100,
		MaintenanceMinReplication: 1}
}

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("namenode: bad config")

// Validate reports every impossible value; it changes nothing.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, a...)...))
	}
	positive := func(name string, d time.Duration) {
		if d <= 0 {
			bad("%s %v must be positive", name, d)
		}
	}
	positive("heartbeat interval (dfs.heartbeat.interval)", c.HeartbeatInterval)
	positive("stale interval (dfs.namenode.stale.datanode.interval)", c.StaleAfter)
	if c.StaleMinHeartbeats < 0 {
		bad("stale minimum interval (dfs.namenode.stale.datanode.minimum.interval) %d is negative", c.StaleMinHeartbeats)
	}
	if !(c.WriteStaleRatio > 0 && c.WriteStaleRatio <= 1) {
		bad("write stale ratio (dfs.namenode.write.stale.datanode.ratio) %v is outside (0, 1]", c.WriteStaleRatio)
	}
	if len(c.Detectors) == 0 {
		bad("no detector; name at least one (missed-count, hdfs or phi)")
	}
	var seen []string
	for _, d := range c.Detectors {
		if slices.Contains(seen, d.Name) {
			bad("detector %s listed twice", d.Name)
		}
		seen = append(seen, d.Name)
		if err := d.validate(c.HeartbeatInterval); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Blocks.Enable {
		errs = append(errs, c.Blocks.validate())
	}
	errs = append(errs, c.Admin.validate())
	if c.DataNodes < 0 || c.DataNodes > math.MaxInt32 {
		bad("expected DataNodes %d is outside [0, %d] (nodes are numbered in 32 bits)", c.DataNodes, math.MaxInt32)
	}
	return errors.Join(errs...)
}

func (d DetectorConfig) validate(interval time.Duration) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s detector: "+format, append([]any{ErrConfig, d.Name}, a...)...)
	}
	switch d.Name {
	case DetectorMissedCount:
		m := d.MissedCount
		switch {
		case m.Threshold < 1:
			return bad("miss threshold %d must be at least 1", m.Threshold)
		case m.CheckInterval <= 0:
			return bad("check interval %v must be positive", m.CheckInterval)
		}
	case DetectorHDFS:
		if d.HDFS.Recheck <= 0 {
			return bad("recheck interval (dfs.namenode.heartbeat.recheck-interval) %v must be positive", d.HDFS.Recheck)
		}
		// The expiry and the monitor's bound are computed from these;
		// checked so that no overflow reaches a comparison of times.
		twice, ok1 := vtime.Mul(2, d.HDFS.Recheck)
		tenfold, ok2 := vtime.Mul(10, interval)
		expiry, ok3 := vtime.Add(twice, tenfold)
		if _, ok4 := vtime.Add(expiry, d.HDFS.Recheck); !ok1 || !ok2 || !ok3 || !ok4 {
			return bad("expiry 2 × recheck (%v) + 10 × interval (%v) is longer than %s", d.HDFS.Recheck, interval, vtime.MaxText)
		}
	case DetectorPhi:
		p := d.Phi
		switch {
		case !(p.Threshold > 0) || math.IsInf(p.Threshold, 0):
			return bad("threshold %v must be a positive number (φ is −log₁₀ of a probability)", p.Threshold)
		case p.Window < 2:
			return bad("window %d must keep at least 2 intervals", p.Window)
		case p.MinStdDeviation <= 0:
			return bad("min std deviation %v must be positive", p.MinStdDeviation)
		case p.AcceptablePause < 0:
			return bad("acceptable pause %v is negative", p.AcceptablePause)
		case p.FirstHeartbeatEstimate <= 0:
			return bad("first heartbeat estimate %v must be positive; set it to the heartbeat interval", p.FirstHeartbeatEstimate)
		case p.CheckInterval <= 0:
			return bad("check interval %v must be positive", p.CheckInterval)
		}
	case "gossip":
		return fmt.Errorf("%w: the gossip detector has no central monitor, so it cannot run in a NameNode", ErrConfig)
	default:
		return fmt.Errorf("%w: unknown detector %q (want missed-count, hdfs or phi)", ErrConfig, d.Name)
	}
	return nil
}

func (c BlockConfig) validate() error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, a...)...))
	}
	switch {
	case c.Replication < 1 || c.Replication > 100:
		bad("replication (dfs.replication) %d is out of range 1..100", c.Replication)
	case c.MinReplication < 1 || c.MinReplication > c.Replication:
		bad("minimum replication (dfs.namenode.replication.min) %d is out of range 1..%d", c.MinReplication, c.Replication)
	}
	if c.Blocks < 0 || c.BlockSize <= 0 {
		bad("%d blocks of %d bytes is impossible", c.Blocks, c.BlockSize)
	}
	if c.ReplicationInterval <= 0 || c.PendingTimeout <= 0 {
		bad("redundancy interval %v and pending timeout %v must be positive", c.ReplicationInterval, c.PendingTimeout)
	}
	if c.WorkMultiplier < 1 || c.MaxStreams < 0 || c.MaxStreamsHardLimit < 0 || c.InvalidateLimit < 1 ||
		c.TolerateHeartbeatMultiplier < 0 {
		bad("work multiplier %d, max streams %d, hard limit %d, invalidate limit %d, tolerate heartbeat multiplier %d: none may be negative, and the multiplier and invalidate limit must be at least 1",
			c.WorkMultiplier, c.MaxStreams, c.MaxStreamsHardLimit, c.InvalidateLimit, c.TolerateHeartbeatMultiplier)
	}
	if !(c.InvalidateWorkPct > 0 && c.InvalidateWorkPct <= 1) {
		bad("invalidate work share (dfs.namenode.invalidate.work.pct.per.iteration) %v is outside (0, 1]", c.InvalidateWorkPct)
	}
	if !(c.ConsiderLoadFactor >= 1) || math.IsInf(c.ConsiderLoadFactor, 0) {
		bad("considerLoad factor (dfs.namenode.redundancy.considerLoad.factor) %v must be a number ≥ 1", c.ConsiderLoadFactor)
	}
	if !(c.SafeModeThreshold >= 0 && c.SafeModeThreshold <= 1) {
		bad("safe mode threshold (dfs.namenode.safemode.threshold-pct) %v is outside [0, 1]", c.SafeModeThreshold)
	}
	if c.SafeModeExtension < 0 {
		bad("safe mode extension (dfs.namenode.safemode.extension) %v is negative", c.SafeModeExtension)
	}
	return errors.Join(errs...)
}

func (c AdminConfig) validate() error {
	switch {
	case c.Interval <= 0:
		return fmt.Errorf("%w: decommission interval (dfs.namenode.decommission.interval) %v must be positive", ErrConfig, c.Interval)
	case c.BlocksPerInterval < 1:
		return fmt.Errorf("%w: decommission blocks per interval (dfs.namenode.decommission.blocks.per.interval) %d must be at least 1", ErrConfig, c.BlocksPerInterval)
	case c.MaxTrackedNodes < 0:
		return fmt.Errorf("%w: max tracked nodes (dfs.namenode.decommission.max.concurrent.tracked.nodes) %d is negative", ErrConfig, c.MaxTrackedNodes)
	case c.MaintenanceMinReplication < 0:
		return fmt.Errorf("%w: maintenance minimum replication (dfs.namenode.maintenance.replication.min) %d is negative", ErrConfig, c.MaintenanceMinReplication)
	}
	return nil
}

// staleInterval is HDFS's effective stale interval: StaleAfter raised to
// StaleMinHeartbeats heartbeat intervals (DatanodeManager
// getStaleIntervalFromConf).
func (c *Config) staleInterval() time.Duration {
	return max(c.StaleAfter, time.Duration(c.StaleMinHeartbeats)*c.HeartbeatInterval)
}

// invalidateLimit is HDFS's effective dfs.block.invalidate.limit:
// max(configured, 20 × heartbeat seconds) (DatanodeManager
// setBlockInvalidateLimit).
func (c *Config) invalidateLimit() int {
	return max(c.Blocks.InvalidateLimit, 20*int(c.HeartbeatInterval/time.Second))
}

// DeadAfter estimates how long the acting detector lets a node stay silent
// before it declares it dead at the latest: for a runtime's connection
// timeouts, not for any decision.
func (c *Config) DeadAfter() time.Duration {
	if len(c.Detectors) == 0 {
		return 0
	}
	d := c.Detectors[0]
	switch d.Name {
	case DetectorHDFS:
		return HDFSExpiry(c.HeartbeatInterval, d.HDFS.Recheck) + d.HDFS.Recheck + hdfsMonitorSleep
	case DetectorPhi:
		// φ = 8 with the default floor is reached about 6σ past the mean
		// plus the acceptable pause.
		return d.Phi.AcceptablePause + 2*c.HeartbeatInterval + 6*d.Phi.MinStdDeviation + d.Phi.CheckInterval
	}
	return time.Duration(d.MissedCount.Threshold)*c.HeartbeatInterval + d.MissedCount.CheckInterval
}
