package config

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/hint"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// MaxCount bounds every whole-number setting, so that a count times the
// number of nodes (at most a million) still fits in an int.
const MaxCount = 1_000_000_000

// MaxHandlers bounds the NameNode's RPC handlers: each is a slot the
// simulator allocates.
const MaxHandlers = 10_000

// MinRate and MaxRate bound a Poisson rate per second (the workload's reads
// and writes, namenode_overload's load) other than 0, which means none. The
// simulator draws gaps of up to about 37/rate seconds: below MinRate one gap
// would pass the 100 years a virtual time can hold, and the engine's clock
// would wrap (1e-300 hung at time 0).
const MinRate, MaxRate = 1e-6, 1e6

// CheckRate says what is wrong with a rate per second, or nil: 0, or from
// MinRate to MaxRate. what names the thing counted ("background requests").
func CheckRate(v float64, what string) error {
	if v == 0 || (v >= MinRate && v <= MaxRate) {
		return nil
	}
	if v > 0 && v < MinRate {
		return fmt.Errorf("must be 0 (none) or at least %g %s per second (one every 11.6 days), got %v", MinRate, what, v)
	}
	return fmt.Errorf("must be from 0 to %d %s per second, got %v", int(MaxRate), what, v)
}

// Validate rejects settings no run can use. It returns every problem, each a
// *FieldError (joined with errors.Join), so a user fixes them in one go.
func (c Config) Validate() error {
	errs := c.checkRanges()
	positive := func(field string, d time.Duration) {
		if d <= 0 {
			errs = append(errs, fieldErrorf(field, "must be a positive duration, got %s", d))
		}
	}
	notNegative := func(field string, d time.Duration) {
		if d < 0 {
			errs = append(errs, fieldErrorf(field, "must not be negative, got %s", d))
		}
	}
	positive("heartbeat.interval", c.Heartbeat.Interval)
	positive("heartbeat.check_interval", c.Heartbeat.CheckInterval)
	if c.Heartbeat.MissThreshold < 1 {
		errs = append(errs, fieldErrorf("heartbeat.miss_threshold",
			"must be a whole number ≥ 1, got %d", c.Heartbeat.MissThreshold))
	}
	positive("heartbeat.stale_after", c.Heartbeat.StaleAfter)
	notNegative("network.jitter", c.Network.Jitter)
	if err := checkLatency(c.Network.Latency); err != nil {
		errs = append(errs, &FieldError{Field: "network.latency", Err: err})
	}
	switch c.Heartbeat.Detector {
	case "missed-count", "hdfs", "phi", "gossip":
	default:
		errs = append(errs, fieldErrorf("heartbeat.detector",
			"must be one of missed-count, hdfs, phi or gossip, got %q", c.Heartbeat.Detector))
	}
	notNegative("heartbeat.rpc_timeout", c.Heartbeat.RPCTimeout)
	notNegative("heartbeat.lifeline.interval", c.Heartbeat.Lifeline.Interval)
	if l := c.Heartbeat.Lifeline.Interval; l > 0 && l <= c.Heartbeat.Interval {
		// HDFS resets such a value to 3 × interval with a warning; hbsim
		// refuses it so the scenario says what it means.
		errs = append(errs, fieldErrorf("heartbeat.lifeline.interval",
			"must be longer than heartbeat.interval (%s), got %s", c.Heartbeat.Interval, l))
	}
	positive("heartbeat.hdfs.recheck_interval", c.Heartbeat.HDFS.RecheckInterval)
	if c.Heartbeat.Phi.Threshold <= 0 {
		errs = append(errs, fieldErrorf("heartbeat.phi.threshold", "must be above 0, got %v", c.Heartbeat.Phi.Threshold))
	}
	if c.Heartbeat.Phi.Window < 2 {
		errs = append(errs, fieldErrorf("heartbeat.phi.window", "must be at least 2, got %d", c.Heartbeat.Phi.Window))
	}
	positive("heartbeat.phi.min_std_deviation", c.Heartbeat.Phi.MinStdDeviation)
	notNegative("heartbeat.phi.acceptable_pause", c.Heartbeat.Phi.AcceptablePause)
	if c.Heartbeat.Gossip.Fanout < 1 {
		errs = append(errs, fieldErrorf("heartbeat.gossip.fanout", "must be at least 1, got %d", c.Heartbeat.Gossip.Fanout))
	}
	positive("heartbeat.gossip.suspicion_timeout", c.Heartbeat.Gossip.SuspicionTimeout)
	if c.Heartbeat.Gossip.LocalHealth < 0 {
		errs = append(errs, fieldErrorf("heartbeat.gossip.local_health", "must be 0 (off) or more, got %d", c.Heartbeat.Gossip.LocalHealth))
	}
	probability := func(field string, p float64) {
		if !(p >= 0 && p <= 1) {
			errs = append(errs, fieldErrorf(field, "must be a probability between 0 and 1, got %v", p))
		}
	}
	probability("network.loss", c.Network.Loss)
	probability("network.burst.enter", c.Network.Burst.Enter)
	probability("network.burst.leave", c.Network.Burst.Leave)
	probability("network.burst.loss", c.Network.Burst.Loss)
	if c.Network.Burst.Enter > 0 && c.Network.Burst.Leave == 0 {
		errs = append(errs, fieldErrorf("network.burst.leave",
			"must be above 0 when network.burst.enter is set, or the link stays bad forever"))
	}
	if h := c.NameNode.Handlers; h < 1 || h > MaxHandlers {
		errs = append(errs, fieldErrorf("namenode.handlers", "must be from 1 to %d, got %d", MaxHandlers, h))
	}
	if h := c.NameNode.LifelineHandlers; h < 1 || h > MaxHandlers {
		errs = append(errs, fieldErrorf("namenode.lifeline_handlers", "must be from 1 to %d, got %d", MaxHandlers, h))
	}
	notNegative("namenode.service_time", c.NameNode.ServiceTime)
	if r := c.IO.WriteStaleRatio; !(r > 0 && r <= 1) {
		errs = append(errs, fieldErrorf("io.write_stale_ratio", "must be above 0 and at most 1, got %v", r))
	}
	if c.Data.Blocks < 0 || c.Data.Blocks > 50_000_000 {
		errs = append(errs, fieldErrorf("data.blocks", "must be a whole number from 0 to 50000000, got %d", c.Data.Blocks))
	}
	if c.Data.BlockSize <= 0 {
		errs = append(errs, fieldErrorf("data.block_size", "must be above 0, got %d", c.Data.BlockSize))
	} else if n := c.Data.BlockCount(); n > 50_000_000 {
		errs = append(errs, fieldErrorf("data.size", "%s is %d blocks of %s; at most 50000000", c.Data.Size, n, c.Data.BlockSize))
	}
	if c.Data.Replication < 1 || c.Data.Replication > 32 {
		errs = append(errs, fieldErrorf("data.replication", "must be from 1 to 32, got %d", c.Data.Replication))
	}
	positive("replication.interval", c.Replication.Interval)
	positive("replication.pending_timeout", c.Replication.PendingTimeout)
	for _, f := range []struct {
		name string
		v    int
	}{{"replication.work_multiplier", c.Replication.WorkMultiplier},
		{"replication.max_streams_hard_limit", c.Replication.MaxStreamsHardLimit}, {"replication.invalidate_limit", c.Replication.InvalidateLimit}} {
		if f.v < 1 {
			errs = append(errs, fieldErrorf(f.name, "must be at least 1, got %d", f.v))
		}
	}
	if n := c.Replication.MaxStreams; n < 0 {
		// 0 is HDFS's way to stop re-replication: no transfer is handed out.
		errs = append(errs, fieldErrorf("replication.max_streams", "must not be negative (0 stops re-replication), got %d", n))
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"workload.reads_per_sec", c.Workload.ReadsPerSec}, {"workload.writes_per_sec", c.Workload.WritesPerSec}} {
		if err := CheckRate(f.v, "operations"); err != nil {
			errs = append(errs, &FieldError{Field: f.name, Err: err})
		}
	}
	switch c.Workload.Distribution {
	case "uniform", "zipf":
	default:
		errs = append(errs, fieldErrorf("workload.distribution", "must be uniform or zipf, got %q", c.Workload.Distribution))
	}
	if !(c.Workload.ZipfS > 1) {
		errs = append(errs, fieldErrorf("workload.zipf_s", "must be above 1, got %v", c.Workload.ZipfS))
	}
	positive("client.timeout", c.Client.Timeout)
	notNegative("client.retry_window_base", c.Client.RetryWindowBase)
	if n := c.Client.MaxBlockAcquireFailures; n < 0 {
		errs = append(errs, fieldErrorf("client.max_block_acquire_failures", "must not be negative, got %d", n))
	}
	switch strings.ToLower(c.Client.ReplacePolicy) {
	case "default", "always", "never":
	default:
		errs = append(errs, fieldErrorf("client.replace_policy", "must be default, always or never, got %s", hint.Quote(c.Client.ReplacePolicy)))
	}
	if n := c.Client.BlockWriteRetries; n < 0 {
		errs = append(errs, fieldErrorf("client.block_write_retries", "must not be negative, got %d", n))
	}
	if n := c.Heartbeat.HDFS.StaleMinimumInterval; n < 0 {
		errs = append(errs, fieldErrorf("heartbeat.hdfs.stale_minimum_interval", "must not be negative, got %d", n))
	}
	if r := c.NameNode.SafeModeThreshold; !(r >= 0 && r <= 1) {
		errs = append(errs, fieldErrorf("namenode.safemode_threshold", "must be from 0 to 1, got %v", r))
	}
	notNegative("namenode.safemode_extension", c.NameNode.SafeModeExtension)
	if r := c.Replication.InvalidateWorkPct; !(r > 0 && r <= 1) {
		errs = append(errs, fieldErrorf("replication.invalidate_work_pct", "must be above 0 and at most 1, got %v", r))
	}
	if f := c.Replication.ConsiderLoadFactor; !(f >= 1) {
		errs = append(errs, fieldErrorf("replication.consider_load_factor", "must be at least 1, got %v", f))
	}
	if n := c.Replication.TolerateHeartbeatMultiplier; n < 0 {
		errs = append(errs, fieldErrorf("replication.tolerate_heartbeat_multiplier", "must not be negative, got %d", n))
	}
	if n := c.Replication.MinReplication; n < 1 || n > c.Data.Replication {
		errs = append(errs, fieldErrorf("replication.min_replication", "must be from 1 to data.replication (%d), got %d", c.Data.Replication, n))
	}
	positive("admin.interval", c.Admin.Interval)
	if n := c.Admin.BlocksPerInterval; n < 1 {
		errs = append(errs, fieldErrorf("admin.blocks_per_interval", "must be at least 1, got %d", n))
	}
	if n := c.Admin.MaxTrackedNodes; n < 0 {
		errs = append(errs, fieldErrorf("admin.max_tracked_nodes", "must not be negative (0: no limit), got %d", n))
	}
	if n := c.Admin.MaintenanceMinReplication; n < 0 {
		errs = append(errs, fieldErrorf("admin.maintenance_min_replication", "must not be negative, got %d", n))
	}
	if n := c.DataNode.FailedVolumesTolerated; n < -1 {
		errs = append(errs, fieldErrorf("datanode.failed_volumes_tolerated", "must be -1 (as long as one volume works) or more, got %d", n))
	}
	errs = append(errs, c.checkDerived()...)
	return errors.Join(errs...)
}

// checkRanges applies the bounds every setting of a kind shares: finite
// floats, durations and counts that fit (vtime.Max, MaxCount). It goes by
// the key table, so a new key is covered without a line here.
func (c Config) checkRanges() []error {
	var errs []error
	for _, k := range keyTable() {
		switch v := k.get(&c).(type) {
		case time.Duration:
			if v > vtime.Max || v < -vtime.Max {
				errs = append(errs, fieldErrorf(k.Name, "%s is too long: at most %s", v, vtime.MaxText))
			}
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				errs = append(errs, fieldErrorf(k.Name, "must be a finite number, got %v", v))
			}
		case int:
			if v > MaxCount || v < -MaxCount {
				errs = append(errs, fieldErrorf(k.Name, "must be at most %d, got %d", MaxCount, v))
			}
		}
	}
	return errs
}

// checkDerived checks the durations the machines compute from settings, in
// checked arithmetic, so none overflows in the engine: each is refused
// with the setting that makes it too long.
func (c Config) checkDerived() []error {
	var errs []error
	hb := c.Heartbeat
	if hb.MissThreshold > 0 && hb.Interval > 0 {
		if _, ok := c.deadAfter(); !ok {
			fe := fieldErrorf("heartbeat.miss_threshold",
				"miss_threshold × interval (%d × %s) is longer than %s", hb.MissThreshold, hb.Interval, vtime.MaxText)
			fe.Via = []string{"heartbeat.interval"}
			errs = append(errs, fe)
		}
	}
	if hb.Interval > 0 {
		// Three intervals: HDFS's default lifeline interval and its floor
		// of the stale interval.
		if _, ok := vtime.Mul(3, hb.Interval); !ok {
			errs = append(errs, fieldErrorf("heartbeat.interval",
				"3 × interval (HDFS's lifeline default and stale floor) is longer than %s, got %s", vtime.MaxText, hb.Interval))
		}
	}
	if hb.HDFS.RecheckInterval > 0 && hb.Interval > 0 {
		if _, ok := HDFSExpiry(hb.Interval, hb.HDFS.RecheckInterval); !ok {
			fe := fieldErrorf("heartbeat.hdfs.recheck_interval",
				"HDFS's expiry 2 × recheck_interval + 10 × interval (2 × %s + 10 × %s) is longer than %s",
				hb.HDFS.RecheckInterval, hb.Interval, vtime.MaxText)
			fe.Via = []string{"heartbeat.interval"}
			errs = append(errs, fe)
		}
	}
	return errs
}

// HDFSExpiry is HDFS's heartbeat expiry, 2 × recheck + 10 × interval, and
// whether it is at most vtime.Max.
func HDFSExpiry(interval, recheck time.Duration) (time.Duration, bool) {
	a, ok1 := vtime.Mul(2, recheck)
	b, ok2 := vtime.Mul(10, interval)
	sum, ok3 := vtime.Add(a, b)
	return sum, ok1 && ok2 && ok3
}

func (c Config) deadAfter() (time.Duration, bool) {
	return vtime.Mul(int64(c.Heartbeat.MissThreshold), c.Heartbeat.Interval)
}

// DeadAfter is how long a DataNode may stay silent before the NameNode
// declares it dead: miss_threshold × interval (Validate guarantees it fits).
func (c Config) DeadAfter() time.Duration {
	d, _ := c.deadAfter()
	return d
}
