package namenode

import (
	"fmt"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/vtime"
)

// HDFS defaults (hdfs-default.xml) and the constants HeartbeatManager
// hard-codes.
const (
	hdfsDefaultInterval   = 3 * time.Second
	hdfsDefaultRecheck    = 5 * time.Minute
	hdfsDefaultStaleAfter = 30 * time.Second
	// hdfsStaleMinHeartbeats is dfs.namenode.stale.datanode.minimum.interval:
	// a node is never called stale before it has missed this many
	// heartbeats, whatever the stale interval says.
	hdfsStaleMinHeartbeats = 3
	// hdfsMonitorSleep is the fixed sleep of HeartbeatManager's monitor
	// thread; it is not configurable in HDFS.
	hdfsMonitorSleep = 5 * time.Second
)

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
// only by the monitor's dead-node scan, which runs at a wake-up only once
// MonitorInterval has passed since the previous scan. So a node is removed
// between the expiry and the expiry plus one scan period (630s to about
// 935s after its last heartbeat at HDFS's defaults).
//
// Build one with NewHDFS, or call Validate before use: Validate fills HDFS's
// defaults and raises StaleAfter to its floor.
type HDFS struct {
	// Interval is the DataNodes' heartbeat interval
	// (dfs.heartbeat.interval; default 3s).
	Interval time.Duration
	// Recheck is the dead-node recheck interval
	// (dfs.namenode.heartbeat.recheck-interval; default 5m). It sets both
	// the expiry and how often the monitor scans.
	Recheck time.Duration
	// StaleAfter is how long a silent node takes to go stale
	// (dfs.namenode.stale.datanode.interval; default 30s). Validate raises
	// it to at least 3 × Interval, as HDFS does (with a warning) from
	// dfs.namenode.stale.datanode.minimum.interval. A value above the
	// expiry is allowed, as in HDFS, where it is only a warning.
	StaleAfter time.Duration
	// AvoidWriteStale is dfs.namenode.avoid.write.stale.datanode (default
	// false). Besides keeping writes off stale nodes, it makes the monitor
	// scan every StaleAfter when that is shorter than Recheck (HDFS-3912),
	// so dead nodes are removed sooner after their expiry. The expiry
	// itself is unchanged.
	AvoidWriteStale bool

	last    lastHeard
	removed []bool // the monitor has removed the node; cleared when heard

	checked   bool          // a dead-node scan has run
	lastCheck time.Duration // when the last dead-node scan ran
	woke      bool          // the monitor has woken at least once
	lastWake  time.Duration // the monitor's previous wake-up
	scanning  bool          // this wake-up runs the dead-node scan
}

// NewHDFS returns a detector with cfg's settings, validated (see
// Validate), and no history.
func NewHDFS(cfg HDFS) (*HDFS, error) {
	d := HDFS{Interval: cfg.Interval, Recheck: cfg.Recheck, StaleAfter: cfg.StaleAfter, AvoidWriteStale: cfg.AvoidWriteStale}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// Validate fills HDFS's defaults for zero fields, rejects negative ones, and
// raises StaleAfter to 3 × Interval as HDFS does.
func (d *HDFS) Validate() error {
	switch {
	case d.Interval < 0:
		return fmt.Errorf("hdfs detector: heartbeat interval (dfs.heartbeat.interval) %v is negative", d.Interval)
	case d.Recheck < 0:
		return fmt.Errorf("hdfs detector: recheck interval (dfs.namenode.heartbeat.recheck-interval) %v is negative", d.Recheck)
	case d.StaleAfter < 0:
		return fmt.Errorf("hdfs detector: stale interval (dfs.namenode.stale.datanode.interval) %v is negative; HDFS requires it to be positive", d.StaleAfter)
	}
	if d.Interval == 0 {
		d.Interval = hdfsDefaultInterval
	}
	if d.Recheck == 0 {
		d.Recheck = hdfsDefaultRecheck
	}
	if d.StaleAfter == 0 {
		d.StaleAfter = hdfsDefaultStaleAfter
	}
	// Expiry and the stale floor are computed from these; checked here so
	// that no overflow reaches a comparison of times.
	twice, ok1 := vtime.Mul(2, d.Recheck)
	tenfold, ok2 := vtime.Mul(10, d.Interval)
	if _, ok3 := vtime.Add(twice, tenfold); !ok1 || !ok2 || !ok3 {
		return fmt.Errorf("hdfs detector: expiry 2 × recheck (%v) + 10 × interval (%v) is longer than %s", d.Recheck, d.Interval, vtime.MaxText)
	}
	// A stale interval shorter than a few heartbeats would flag nodes that
	// merely had one heartbeat delayed; HDFS raises it rather than refusing.
	d.StaleAfter = max(d.StaleAfter, hdfsStaleMinHeartbeats*d.Interval)
	return nil
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
// dead-node scan, as HeartbeatManager.Monitor does: the scan runs when
// lastCheck + MonitorInterval < now, and at the very first wake-up (HDFS
// starts lastCheck at 0 on a monotonic clock that is far past it). A
// wake-up that comes more than MonitorInterval + 5s after the previous one
// means the monitor itself was paused; HDFS then restarts lastCheck and
// skips the scan, because the nodes' silence is the NameNode's own doing
// (HDFS-9107).
//
// The scan removes every node dead at now, and a removed node stays dead
// until it is heard from again, so Judge reports death only from a scan
// and never takes it back between scans.
func (d *HDFS) BeginScan(now time.Duration) {
	paused := d.woke && now-d.lastWake > d.MonitorInterval()+hdfsMonitorSleep
	d.woke, d.lastWake = true, now
	d.scanning = false
	if paused {
		d.checked, d.lastCheck = true, now
		return
	}
	if d.checked && d.lastCheck+d.MonitorInterval() >= now {
		return
	}
	d.checked, d.lastCheck, d.scanning = true, now, true
	expiry := d.Expiry()
	for i, last := range d.last {
		if now-last > expiry {
			d.removed[i] = true
		}
	}
}

// Judge implements Detector. It returns Dead only for a node a scan has
// removed; a node past its expiry between scans is Stale (or Live if
// StaleAfter exceeds the expiry), as HDFS only removes nodes in the scan.
func (d *HDFS) Judge(i int, now time.Duration) State {
	switch {
	case d.removed[i]:
		return Dead
	case now-d.last[i] >= d.StaleAfter:
		return Stale
	default:
		return Live
	}
}

// Reason implements Detector.
func (d *HDFS) Reason(i int, now time.Duration, s State) string {
	last := d.last[i]
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
