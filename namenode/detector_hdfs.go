package namenode

import (
	"fmt"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/vtime"
)

// hdfsMonitorSleep is the fixed sleep of HeartbeatManager's monitor
// thread; it is not configurable in HDFS.
const hdfsMonitorSleep = 5 * time.Second

// HDFSExpiry is HDFS's heartbeat expiry, 2 × recheck + 10 × interval: a node
// silent for longer than this is dead. It is one comparison of times, not a
// count of missed heartbeats (10.5 minutes at HDFS's defaults).
func HDFSExpiry(interval, recheck time.Duration) time.Duration {
	return 2*recheck + 10*interval
}

// HDFS is the liveness rule of Hadoop's HeartbeatManager and DatanodeManager.
//
// A node is stale once silent for at least StaleAfter, and dead once silent
// for strictly more than HDFSExpiry(Interval, Recheck). Staleness is judged
// at every wake-up of the monitor, which sleeps a fixed 5s; death is found
// only by the monitor's heartbeat check, which runs at a wake-up once
// MonitorInterval has passed since the previous check. The real loop's
// sleeps always overshoot a little, so at defaults the check lands on the
// 60th wake-up, every 300 s: a node is removed between its expiry and the
// expiry plus one check period (630 s to about 930 s after its last
// heartbeat at HDFS's defaults). The NameNode builds it from a
// DetectorConfig named hdfs.
type HDFS struct {
	// Interval is the DataNodes' heartbeat interval (dfs.heartbeat.interval).
	Interval time.Duration
	// Recheck is dfs.namenode.heartbeat.recheck-interval: it sets both the
	// expiry and how often the monitor checks.
	Recheck time.Duration
	// StaleAfter is HDFS's effective stale interval: the configured one
	// raised to dfs.namenode.stale.datanode.minimum.interval heartbeats.
	StaleAfter time.Duration
	// AvoidWriteStale is dfs.namenode.avoid.write.stale.datanode. Besides
	// keeping writes off stale nodes, it makes the monitor check every
	// StaleAfter when that is shorter than Recheck (HDFS-3912), so dead
	// nodes are removed sooner after their expiry. The expiry itself is
	// unchanged.
	AvoidWriteStale bool

	last    *lastHeard // the NameNode's (newDetector)
	removed []bool     // the monitor has removed the node; cleared when heard

	checked   bool          // a heartbeat check has run
	lastCheck time.Duration // when the last heartbeat check ran
	woke      bool          // the monitor has woken at least once
	lastWake  time.Duration // the monitor's previous wake-up
	scanning  bool          // this wake-up runs the heartbeat check
	// safeMode is set by the NameNode while it is in startup safe mode,
	// when HDFS's heartbeatCheck returns at once: nobody is removed.
	safeMode bool
}

// Expiry is how long a node must be silent, strictly, to be dead.
func (d *HDFS) Expiry() time.Duration { return HDFSExpiry(d.Interval, d.Recheck) }

// MonitorInterval is the least time between two dead-node scans: Recheck,
// or StaleAfter when AvoidWriteStale is set and StaleAfter is the shorter
// (HDFS-3912).
func (d *HDFS) MonitorInterval() time.Duration {
	if d.AvoidWriteStale && d.StaleAfter < d.Recheck {
		return d.StaleAfter
	}
	return d.Recheck
}

// Name implements Detector.
func (d *HDFS) Name() string { return "hdfs" }

// Registered implements Detector.
func (d *HDFS) Registered(i int, now time.Duration) { d.heard(i, now) }

// Heard implements Detector.
func (d *HDFS) Heard(i int, now time.Duration) { d.heard(i, now) }

func (d *HDFS) heard(i int, now time.Duration) {
	d.last.set(i, now)
	for len(d.removed) <= i {
		d.removed = append(d.removed, false)
	}
	d.removed[i] = false
}

// Every implements Detector: HDFS's monitor thread sleeps a fixed 5s,
// whatever the configuration.
func (d *HDFS) Every() time.Duration { return hdfsMonitorSleep }

// BeginScan implements Detector. It decides whether this wake-up runs the
// heartbeat check, as HeartbeatManager.Monitor does: the check runs when
// MonitorInterval has passed since the previous one, and at the very first
// wake-up (HDFS starts lastCheck at 0 on a monotonic clock that is far past
// it). HDFS's condition is lastCheck + interval < now on a loop whose 5-s
// sleeps always overshoot; on exact 5-s wake-ups that is
// lastCheck + interval <= now, which gives the real 300-s period rather
// than 305 s.
//
// A wake-up that comes more than MonitorInterval + 5s after the previous
// one means the monitor itself was paused (a long GC): HDFS then sets
// lastCheck to now and skips the check, because the nodes' silence is the
// NameNode's own doing (HDFS-9107).
//
// The check removes every node dead at now, and a removed node stays dead
// until it is heard from again, so Judge reports death only from a check
// and never takes it back between checks.
func (d *HDFS) BeginScan(now time.Duration) bool {
	paused := d.woke && now-d.lastWake > d.MonitorInterval()+hdfsMonitorSleep
	d.woke, d.lastWake = true, now
	d.scanning = false
	if paused {
		d.checked, d.lastCheck = true, now
		return false
	}
	if d.checked && d.lastCheck+d.MonitorInterval() > now {
		return false
	}
	d.checked, d.lastCheck = true, now
	if d.safeMode {
		return false
	}
	d.scanning = true
	expiry := d.Expiry()
	for i, last := range *d.last {
		if now-last > expiry {
			d.removed[i] = true
		}
	}
	return true
}

// ReportedDeadAt implements DeathReporter: dfsadmin -report, the web UI and
// NumDeadDataNodes evaluate isDatanodeDead when read, so node i reads DEAD
// from the moment its expiry passes, before the check that removes it.
func (d *HDFS) ReportedDeadAt(i int) time.Duration { return (*d.last)[i] + d.Expiry() }

// Judge implements Detector. It returns Dead only for a node a scan has
// removed; a node past its expiry between scans is Stale (or Live if
// StaleAfter exceeds the expiry), as HDFS only removes nodes in the scan.
func (d *HDFS) Judge(i int, now time.Duration) State {
	switch {
	case d.removed[i]:
		return Dead
	case now-(*d.last)[i] >= d.StaleAfter:
		return Stale
	default:
		return Live
	}
}

// Reason implements Detector.
func (d *HDFS) Reason(i int, now time.Duration, s State) string {
	last := (*d.last)[i]
	switch s {
	case Dead:
		return fmt.Sprintf("no heartbeat for %s > expiry %s (2 × recheck %s + 10 × interval %s); last heard at %s; found by the monitor's scan",
			durText((now - last).Round(time.Millisecond)), durText(d.Expiry()), durText(d.Recheck), durText(d.Interval), vtime.Format(last))
	case Stale:
		return staleReason(now, last, d.StaleAfter)
	default:
		return "heard from again"
	}
}

// durText renders a duration the way HDFS settings are written: "5m" rather
// than time.Duration's "5m0s", "10m31s", "1h".
func durText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
