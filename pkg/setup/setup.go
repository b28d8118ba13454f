// Package setup turns effective settings (pkg/config) into the
// configurations of the NameNode, DataNode and gossip state machines. Every
// runtime, the simulator and live mode, builds its machines here, so a
// setting means the same thing in each. Each builder starts from the
// machine's DefaultConfig and sets what the settings name; a test checks
// that configs/default.yaml and the DefaultConfigs agree.
package setup

import (
	"fmt"

	"github.com/hbsim/hbsim/client"
	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/gossip"
	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/config"
)

// NameNode returns the NameNode's configuration: the acting detector
// (heartbeat.detector) first, then those that only watch. A runtime that
// moves data turns the block layer on (Blocks.Enable) and sets Seed and
// Blocks.Racks.
func NameNode(cfg config.Config, watching []string) (namenode.Config, error) {
	hb := cfg.Heartbeat
	nc := namenode.DefaultConfig()
	nc.HeartbeatInterval = hb.Interval
	nc.StaleAfter = hb.StaleAfter
	nc.StaleMinHeartbeats = hb.HDFS.StaleMinimumInterval
	nc.AvoidReadStale = cfg.IO.AvoidReadStale
	nc.AvoidWriteStale = cfg.IO.AvoidWriteStale
	nc.WriteStaleRatio = cfg.IO.WriteStaleRatio
	nc.Detectors = nc.Detectors[:0]
	for _, name := range append([]string{hb.Detector}, watching...) {
		d, err := Detector(name, cfg)
		if err != nil {
			return nc, err
		}
		nc.Detectors = append(nc.Detectors, d)
	}
	b := &nc.Blocks
	b.Blocks = cfg.Data.BlockCount()
	b.Replication = cfg.Data.Replication
	b.BlockSize = int64(cfg.Data.BlockSize)
	r := cfg.Replication
	b.ReplicationInterval = r.Interval
	b.WorkMultiplier = r.WorkMultiplier
	b.MaxStreams = r.MaxStreams
	b.MaxStreamsHardLimit = r.MaxStreamsHardLimit
	b.PendingTimeout = r.PendingTimeout
	b.InvalidateLimit = r.InvalidateLimit
	b.InvalidateWorkPct = r.InvalidateWorkPct
	b.ConsiderLoad = r.ConsiderLoad
	b.ConsiderLoadFactor = r.ConsiderLoadFactor
	b.TolerateHeartbeatMultiplier = r.TolerateHeartbeatMultiplier
	b.MinReplication = r.MinReplication
	b.SafeModeThreshold = cfg.NameNode.SafeModeThreshold
	b.SafeModeExtension = cfg.NameNode.SafeModeExtension
	a := cfg.Admin
	nc.Admin = namenode.AdminConfig{Interval: a.Interval, BlocksPerInterval: a.BlocksPerInterval,
		MaxTrackedNodes: a.MaxTrackedNodes, MaintenanceMinReplication: a.MaintenanceMinReplication}
	return nc, nil
}

// Detector returns the spec of one central detector from the settings.
func Detector(name string, cfg config.Config) (namenode.DetectorConfig, error) {
	hb := cfg.Heartbeat
	switch name {
	case namenode.DetectorMissedCount, namenode.DetectorHDFS, namenode.DetectorPhi:
	case "gossip":
		return namenode.DetectorConfig{}, fmt.Errorf("the gossip detector has no central monitor, so it cannot run in a NameNode; run it on its own with heartbeat.detector: gossip in the simulator")
	default:
		return namenode.DetectorConfig{}, fmt.Errorf("unknown detector %q", name)
	}
	d := namenode.DefaultDetectorConfig(name)
	d.MissedCount = namenode.MissedCountConfig{Threshold: hb.MissThreshold, CheckInterval: hb.CheckInterval}
	d.HDFS.Recheck = hb.HDFS.RecheckInterval
	d.Phi.Threshold = hb.Phi.Threshold
	d.Phi.Window = hb.Phi.Window
	d.Phi.MinStdDeviation = hb.Phi.MinStdDeviation
	d.Phi.AcceptablePause = hb.Phi.AcceptablePause
	d.Phi.FirstHeartbeatEstimate = hb.Interval // Akka's choice
	d.Phi.CheckInterval = hb.CheckInterval
	return d, nil
}

// DataNode returns one DataNode's configuration.
func DataNode(cfg config.Config, id string) datanode.Config {
	hb := cfg.Heartbeat
	dc := datanode.DefaultConfig()
	dc.ID = id
	dc.HeartbeatInterval = hb.Interval
	dc.RPCTimeout = hb.RPCTimeout
	if dc.RPCTimeout == 0 {
		dc.RPCTimeout = hb.Interval // heartbeat.rpc_timeout's 0: one interval
	}
	if hb.Lifeline.Enabled {
		dc.LifelineInterval = hb.Lifeline.Interval
		if dc.LifelineInterval == 0 {
			dc.LifelineInterval = 3 * hb.Interval // HDFS's default
		}
	}
	dc.BlockSize = int64(cfg.Data.BlockSize)
	dc.FailedVolumesTolerated = cfg.DataNode.FailedVolumesTolerated
	return dc
}

// Client returns the HDFS client's configuration; the runtime sets the
// blocks present at start and the seed.
func Client(cfg config.Config) client.Config {
	cc := client.DefaultConfig()
	cc.Read.SocketTimeout = cfg.Client.Timeout
	cc.Read.RetryWindowBase = cfg.Client.RetryWindowBase
	cc.Read.MaxBlockAcquireFailures = cfg.Client.MaxBlockAcquireFailures
	cc.BlockWriteRetries = cfg.Client.BlockWriteRetries
	cc.BlockSize = int64(cfg.Data.BlockSize)
	cc.Replace = client.ReplaceDisable
	if cfg.Client.ReplaceDatanodeOnFailure {
		cc.Replace, _ = client.ParseReplacePolicy(cfg.Client.ReplacePolicy) // checked by Validate
	}
	return cc
}

// Gossip returns one gossip member's configuration; the runtime sets Rand.
func Gossip(cfg config.Config, id string, peers []string) gossip.Config {
	hb := cfg.Heartbeat
	gc := gossip.DefaultConfig()
	gc.ID = id
	gc.Peers = peers
	gc.Interval = hb.Interval
	gc.Fanout = hb.Gossip.Fanout
	gc.SuspicionTimeout = hb.Gossip.SuspicionTimeout
	gc.AwarenessMaxMultiplier = hb.Gossip.LocalHealth
	return gc
}
