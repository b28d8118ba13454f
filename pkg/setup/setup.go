// Package setup turns effective settings (pkg/config) into the
// configurations of the NameNode and DataNode state machines. Both
// runtimes, the simulator and live mode, build their machines here, so a
// setting means the same thing in both.
package setup

import (
	"fmt"

	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/config"
)

// NameNode returns the NameNode's configuration: the acting detector
// (heartbeat.detector) first, then those that only watch.
func NameNode(cfg config.Config, watching []string) (namenode.Config, error) {
	hb := cfg.Heartbeat
	nc := namenode.Config{
		HeartbeatInterval: hb.Interval,
		CheckInterval:     hb.CheckInterval,
		MissThreshold:     hb.MissThreshold,
		StaleAfter:        hb.StaleAfter,
	}
	for _, name := range append([]string{hb.Detector}, watching...) {
		d, err := Detector(name, cfg)
		if err != nil {
			return nc, err
		}
		nc.Detectors = append(nc.Detectors, d)
	}
	return nc, nil
}

// Detector builds one central detector from the settings.
func Detector(name string, cfg config.Config) (namenode.Detector, error) {
	hb := cfg.Heartbeat
	switch name {
	case "missed-count", "":
		return &namenode.MissedCount{Interval: hb.Interval, Threshold: hb.MissThreshold,
			StaleAfter: hb.StaleAfter, CheckInterval: hb.CheckInterval}, nil
	case "hdfs":
		return namenode.NewHDFS(namenode.HDFS{Interval: hb.Interval, Recheck: hb.HDFS.RecheckInterval,
			StaleAfter: hb.StaleAfter, AvoidWriteStale: cfg.IO.AvoidWriteStale})
	case "phi":
		return namenode.NewPhi(namenode.Phi{Threshold: hb.Phi.Threshold, Window: hb.Phi.Window,
			MinStdDeviation: hb.Phi.MinStdDeviation, AcceptablePause: hb.Phi.AcceptablePause,
			CheckInterval: hb.CheckInterval, StaleAfter: hb.StaleAfter}, hb.Interval)
	case "gossip":
		return nil, fmt.Errorf("the gossip detector has no central monitor, so it cannot run in a NameNode; run it on its own with heartbeat.detector: gossip in the simulator")
	}
	return nil, fmt.Errorf("unknown detector %q", name)
}

// DataNode returns one DataNode's heartbeat configuration.
func DataNode(cfg config.Config, id string) datanode.Config {
	hb := cfg.Heartbeat
	dc := datanode.Config{ID: id, HeartbeatInterval: hb.Interval, RPCTimeout: hb.RPCTimeout}
	if hb.Lifeline.Enabled {
		dc.LifelineInterval = hb.Lifeline.Interval
		if dc.LifelineInterval == 0 {
			dc.LifelineInterval = 3 * hb.Interval // HDFS's default
		}
	}
	return dc
}
