package sim

import (
	"fmt"

	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/scenario"
)

// detectors builds the scenario's detectors: the acting one first, then
// those that only watch.
func detectors(scn *scenario.Scenario) ([]namenode.Detector, error) {
	names := append([]string{scn.Config.Heartbeat.Detector}, scn.Watching()...)
	out := make([]namenode.Detector, 0, len(names))
	for _, name := range names {
		d, err := newDetector(name, scn.Config)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func newDetector(name string, cfg config.Config) (namenode.Detector, error) {
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
		return nil, fmt.Errorf("the gossip detector has no central monitor, so it cannot watch beside the NameNode's detectors; run it on its own with heartbeat.detector: gossip")
	}
	return nil, fmt.Errorf("unknown detector %q", name)
}
