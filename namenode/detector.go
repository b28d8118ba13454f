package namenode

import (
	"fmt"
	"time"

	"github.com/hbsim/hbsim/pkg/vtime"
)

// Detector decides from heartbeat arrivals whether a node is live, stale or
// dead. Nodes are numbered densely from 0 in registration order.
//
// Detectors hold per-node state in slices indexed by node number, so the
// hot path (Heard) allocates nothing. The NameNode runs several detectors
// on the same arrivals when asked to compare them: the first acts, the
// others only record what they would have decided.
type Detector interface {
	// Name is the detector's name in reports: "missed-count", "hdfs", ...
	Name() string
	// Registered starts (or restarts) node i's history at now: a fresh
	// registration, which HDFS counts as a heartbeat.
	Registered(i int, now time.Duration)
	// Heard records that node i was heard from at now (a heartbeat or a
	// lifeline).
	Heard(i int, now time.Duration)
	// Every is how often the detector wants to be woken to scan.
	Every() time.Duration
	// BeginScan is called at each wake-up before the nodes are judged, so
	// a detector can decide what this scan may conclude (HDFS's monitor
	// removes dead nodes only once its recheck interval has passed). It
	// reports whether this wake-up is a full heartbeat check, the moment
	// HDFS also recounts its stale nodes and drops the replicas of failed
	// storages.
	BeginScan(now time.Duration) bool
	// Judge returns the state node i is in at now.
	Judge(i int, now time.Duration) State
	// Reason explains, in words for people, why node i is judged to be in
	// state s at now. It is called only on a change, so it may allocate.
	Reason(i int, now time.Duration, s State) string
}

// DeathReporter is implemented by a detector whose reports call a node
// dead before the scan that acts on it: HDFS's dfsadmin -report reads DEAD
// from the expiry, while the node is removed at the next heartbeat check.
type DeathReporter interface {
	// ReportedDeadAt is when node i, dead now, first read as dead.
	ReportedDeadAt(i int) time.Duration
}

// newDetector builds the detector spec names, with the NameNode's shared
// settings; spec has been validated. last is where the NameNode keeps
// each node's last contact: the detectors that judge by the last contact
// alone record it there too (the same time, at the same moment) rather
// than keep a copy of their own.
func newDetector(c *Config, spec DetectorConfig, last *lastHeard) Detector {
	switch spec.Name {
	case DetectorHDFS:
		return &HDFS{Interval: c.HeartbeatInterval, Recheck: spec.HDFS.Recheck, StaleAfter: c.staleInterval(),
			AvoidWriteStale: c.AvoidWriteStale, last: last}
	case DetectorPhi:
		return newPhi(spec.Phi, c.StaleAfter)
	}
	return &MissedCount{Interval: c.HeartbeatInterval, Threshold: spec.MissedCount.Threshold,
		StaleAfter: c.StaleAfter, CheckInterval: spec.MissedCount.CheckInterval, last: last}
}

// MissedCount is the classic detector: a node is dead once it has missed
// Threshold whole heartbeat intervals, where missed = ⌊(now − last) /
// Interval⌋, and stale once silent for StaleAfter. It scans every
// CheckInterval. The NameNode builds it from a DetectorConfig named
// missed-count.
type MissedCount struct {
	Interval      time.Duration
	Threshold     int
	StaleAfter    time.Duration
	CheckInterval time.Duration
	last          *lastHeard // the NameNode's (newDetector)
}

// Name implements Detector.
func (d *MissedCount) Name() string { return "missed-count" }

// Registered implements Detector.
func (d *MissedCount) Registered(i int, now time.Duration) { d.last.set(i, now) }

// Heard implements Detector.
func (d *MissedCount) Heard(i int, now time.Duration) { d.last.set(i, now) }

// Every implements Detector.
func (d *MissedCount) Every() time.Duration { return d.CheckInterval }

// BeginScan implements Detector: every scan may declare death.
func (d *MissedCount) BeginScan(time.Duration) bool { return true }

// Missed is how many whole intervals node i has been silent at now.
func (d *MissedCount) Missed(i int, now time.Duration) int64 {
	return int64((now - (*d.last)[i]) / d.Interval)
}

// Judge implements Detector.
func (d *MissedCount) Judge(i int, now time.Duration) State {
	switch {
	case d.Missed(i, now) >= int64(d.Threshold):
		return Dead
	case now-(*d.last)[i] >= d.StaleAfter:
		return Stale
	default:
		return Live
	}
}

// Reason implements Detector.
func (d *MissedCount) Reason(i int, now time.Duration, s State) string {
	last := (*d.last)[i]
	switch s {
	case Dead:
		return fmt.Sprintf("missed %d of %d heartbeats; last heard at %s",
			d.Missed(i, now), d.Threshold, vtime.Format(last))
	case Stale:
		return staleReason(now, last, d.StaleAfter)
	default:
		return "heard from again"
	}
}

func staleReason(now, last, after time.Duration) string {
	return fmt.Sprintf("no heartbeat for %s (stale after %s); last heard at %s",
		vtime.Seconds(now-last), vtime.Seconds(after), vtime.Format(last))
}
