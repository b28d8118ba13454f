package liverun

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hbsim/hbsim/pkg/model"
)

// ErrUnsupported marks every part of a run live mode refuses.
var ErrUnsupported = errors.New("not supported in live mode")

// unsupportedFault is live mode's refusal of a fault (a faults.Unsupported):
// why it cannot carry it out, or "". This is the one list of the fault kinds
// and settings live mode runs; a kind it does not name is refused, so a new
// kind is refused until live mode learns it.
func unsupportedFault(f model.Fault) string {
	switch f.Kind {
	case model.Kill, model.Restart, model.Pause, model.Slow, model.Loss:
		return ""
	case model.Partition:
		if f.IsGroupCut() && f.NameNodeSide == 0 {
			return "a partition between two groups of DataNodes with the NameNode reachable from both: live DataNodes talk only to the NameNode, so it would change nothing (put namenode in one group, or name the nodes to cut)"
		}
		return ""
	case model.Overload:
		return "the live NameNode serves heartbeats as fast as the host lets it; its RPC queue exists only in the simulator (run the scenario without --live)"
	case model.Drift:
		return "live processes run on the host's one clock; a drifting timer exists only in the simulator (run the scenario without --live)"
	case model.PauseNameNode:
		return "live mode pauses DataNode processes only; freezing the NameNode is not wired yet (run the scenario without --live)"
	case model.Decommission, model.Maintenance, model.Recommission:
		return "the live NameNode has no operator channel for admin requests yet (run the scenario without --live)"
	case model.VolumeFailure:
		return "live DataNodes keep no disks to fail (run the scenario without --live)"
	}
	return "live mode has no counterpart for this fault yet (run the scenario without --live)"
}

// Check refuses, before anything starts, every part of m live mode cannot
// run, each named by where it was written: the block layer (data:), the
// client workload, the gossip detector, a NameNode RPC queue with a
// service time, and the faults unsupportedFault refuses.
func Check(m *model.Run) error {
	var errs []error
	refuse := func(where, part, why string) {
		errs = append(errs, fmt.Errorf("%s: %s: %w: %s", where, part, ErrUnsupported, why))
	}
	if m.NameNode.Blocks.Blocks > 0 {
		refuse(m.Origin("data.blocks", "data.size"), "data", "live DataNodes hold no blocks, so there is no block layer to fail, re-replicate or lose (run the scenario without --live, or drop data:)")
	}
	if m.Workload.ReadsPerSec > 0 || m.Workload.WritesPerSec > 0 {
		refuse(m.Origin("workload.reads_per_sec", "workload.writes_per_sec"), "workload", "live mode runs no HDFS client, so nothing would read or write (run the scenario without --live, or drop workload:)")
	}
	if m.Has("gossip") {
		refuse(m.Origin("detectors", "heartbeat.detector"), "gossip", "the gossip detector runs in the simulator only: live DataNodes heartbeat the NameNode, not each other (run the scenario without --live, or drop gossip from the detectors)")
	}
	if m.RPC.ServiceTime > 0 {
		refuse(m.Origin("namenode.service_time"), "namenode.service_time", "the live NameNode serves heartbeats as fast as the host lets it; its RPC queue exists only in the simulator (run the scenario without --live, or set it to 0s)")
	}
	for _, f := range m.Faults {
		if why := unsupportedFault(f); why != "" {
			refuse(f.Source, f.Kind.String(), why)
		}
	}
	if len(errs) <= 1 {
		return errors.Join(errs...)
	}
	return refusals(errs)
}

// refusals are several parts of a run refused at once, each on its line.
type refusals []error

func (r refusals) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d parts of the run are not supported in live mode:", len(r))
	for _, err := range r {
		b.WriteString("\n  " + err.Error())
	}
	return b.String()
}

func (r refusals) Unwrap() []error { return r }
