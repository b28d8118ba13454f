package namenode

import (
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// Quiet heartbeats commute. A plain heartbeat from a live node with
// nothing queued for it changes only that node's record (its last-heard
// time, its counters, its part in the load sums). A scan judges each node
// by its own record alone, and a node heard from within the quiet gap of
// every detector is live whichever of its heartbeats the scan has seen.
// So a runtime may hand such a node several heartbeats ahead of the
// clock, as long as no two of them, nor the first and the node's last
// contact, lie a quiet gap or more apart: every scan in between finds the
// node live either way and the run is the same to the byte. pkg/sim's
// quiet stretches rely on it; the rule lives here.

// QuietGapper is a detector that can promise a quiet gap: a node whose
// last contact was less than QuietGap ago is live to it, and it judges a
// node heard from after now (ahead of the clock) live too. Its Heard keeps
// only the latest contact, so several heartbeats may be told as their
// last (PlainHeartbeats).
type QuietGapper interface {
	QuietGap() time.Duration
}

// QuietGap implements QuietGapper: a node goes stale or dead only after
// StaleAfter or Threshold whole intervals of silence.
func (d *MissedCount) QuietGap() time.Duration {
	return min(d.StaleAfter, time.Duration(d.Threshold)*d.Interval)
}

// QuietGap implements QuietGapper: staleness after StaleAfter, removal only
// past the expiry.
func (d *HDFS) QuietGap() time.Duration { return min(d.StaleAfter, d.Expiry()) }

// scanGap is the acting detector's quiet gap, bounded by the stale
// interval, if it has one. A scan that finds every node it judges live
// sets quietUntil to the earliest last contact plus this gap (or now plus
// it, if that is sooner): until then no scan can change anything, since a
// contact only moves a node's last contact later and a node registered
// since counts from after the scan. Tick skips such scans; a stale node,
// which a heartbeat may revive, always gets its scan.
func (n *NameNode) scanGap() (time.Duration, bool) {
	gap := scanGapOf(n.w[0].det, &n.cfg)
	return gap, gap > 0
}

// ScanGap is the scan gap (see scanGap) of a NameNode of cfg whose acting
// detector is spec; 0 when it has none. Estimates of a run's cost use it:
// while nothing fails, the acting detector scans about once a ScanGap
// less a heartbeat interval rather than every check interval.
func ScanGap(cfg Config, spec DetectorConfig) time.Duration {
	return scanGapOf(newDetector(&cfg, spec, nil), &cfg)
}

func scanGapOf(det Detector, cfg *Config) time.Duration {
	q, ok := det.(QuietGapper)
	if !ok {
		return 0
	}
	return max(min(q.QuietGap(), cfg.staleInterval()), 0)
}

// QuietGap is the silence below which no scan of any detector, acting or
// watching, nor the stale count of a heartbeat check, can find a heard
// node anything but live; 0 when the NameNode cannot promise one (a
// detector without a bound, such as phi whose bound moves with its
// history, or a block layer whose replies carry work).
func (n *NameNode) QuietGap() time.Duration {
	if n.cfg.Blocks.Enable || n.safe || len(n.adm.tracked)+len(n.adm.queue) > 0 || len(n.outbox) > 0 {
		return 0
	}
	gap := n.cfg.staleInterval()
	for _, w := range n.w {
		q, ok := w.det.(QuietGapper)
		if !ok {
			return 0
		}
		gap = min(gap, q.QuietGap())
	}
	return max(gap, 0)
}

// QuietSince reports when the node a heartbeat with this handle and id
// comes from was last heard, and whether that node is one whose plain
// heartbeats commute (see QuietGap): registered, live in every view and
// in service.
func (n *NameNode) QuietSince(handle uint32, id string) (time.Duration, bool) {
	i, ok := n.find(handle, id)
	if !ok {
		return 0, false
	}
	nd := &n.nodes[i]
	if nd.state != Live || nd.admin != InService {
		return 0, false
	}
	for k := 1; k < len(n.w); k++ {
		if n.w[k].view[i] != Live {
			return 0, false
		}
	}
	return n.last[i], true
}

// PlainHeartbeat is Step, Ready and Advance in one for a heartbeat that
// gets a plain reply and changes nothing but its sender's record: from a
// known node, neither dead nor stale in any view, with no work queued for
// it. It reports false, having changed nothing, for any other heartbeat
// (use Step). The reply it stands for is a HeartbeatReply to seq with no
// command; the NameNode's wake-up is unchanged.
func (n *NameNode) PlainHeartbeat(now time.Duration, handle uint32, id string, st proto.Stats) bool {
	i, ok := n.plain(handle, id)
	if !ok {
		return false
	}
	n.nodes[i].beats++
	n.refresh(now, i, st, "heartbeat")
	return true
}

// PlainHeartbeats is count plain heartbeats (see PlainHeartbeat) from one
// node, the last arriving at last and none a quiet gap after the one
// before (QuietGap): for detectors that keep only the latest contact they
// leave the NameNode as the last of them alone would, counted count
// times. It reports false, having changed nothing, when it cannot.
func (n *NameNode) PlainHeartbeats(count int64, last time.Duration, handle uint32, id string, st proto.Stats) bool {
	if count <= 0 || n.QuietGap() <= 0 {
		return false
	}
	i, ok := n.plain(handle, id)
	if !ok {
		return false
	}
	n.nodes[i].beats += count
	n.refresh(last, i, st, "heartbeat")
	return true
}

// plain finds the node a heartbeat comes from, if the heartbeat is plain:
// the node neither dead nor stale in any view, with no work queued for it.
func (n *NameNode) plain(handle uint32, id string) (int, bool) {
	i, ok := n.find(handle, id)
	if !ok {
		return 0, false
	}
	if s := n.nodes[i].state; s == Dead || s == Stale || n.hasCommands(i) {
		return 0, false
	}
	for k := 1; k < len(n.w); k++ {
		if v := n.w[k].view[i]; v == Stale || v == Dead {
			return 0, false
		}
	}
	return i, true
}
