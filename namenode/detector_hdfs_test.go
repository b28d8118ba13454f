package namenode

// Tests of the HDFS detector. Each names the Hadoop behaviour it reproduces
// (/work/shared/hdfs-reference.md §1, §5 and §11); the timing tests drive a
// real NameNode, ticked at the wake-up times it asks for, so the monitor's
// 5s cadence and its scan schedule are tested end to end.

import (
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// silentRun is the outcome of hdfsSilentAfter.
type silentRun struct {
	nn          *NameNode
	transitions []Transition
	scans       []time.Duration // wake-ups at which the acting HDFS detector scanned
}

// first returns when the node first went to state s, and whether it did.
func (r silentRun) first(s State) (time.Duration, bool) {
	for _, tr := range r.transitions {
		if tr.To == s {
			return tr.At, true
		}
	}
	return 0, false
}

// hdfsCfg is the default configuration with the hdfs detector acting; zero
// arguments keep HDFS's defaults.
func hdfsCfg(interval, recheck, stale time.Duration, avoidWrite bool) Config {
	cfg := DefaultConfig()
	if interval > 0 {
		cfg.HeartbeatInterval = interval
	}
	if stale > 0 {
		cfg.StaleAfter = stale
	}
	cfg.AvoidWriteStale = avoidWrite
	cfg.Detectors = []DetectorConfig{DefaultDetectorConfig(DetectorHDFS)}
	if recheck > 0 {
		cfg.Detectors[0].HDFS.Recheck = recheck
	}
	return cfg
}

// hdfsOf is the hdfs detector cfg builds.
func hdfsOf(cfg Config) *HDFS { return newDetector(&cfg, cfg.Detectors[0], new(lastHeard)).(*HDFS) }

// hdfsSilentAfter runs a NameNode configured by cfg: dn1 registers at reg,
// heartbeats every interval up to and including last, then falls silent
// (crashes) until end. The NameNode is ticked at every Ready().Wake; a
// wake-up at the same instant as a heartbeat runs first.
func hdfsSilentAfter(t *testing.T, cfg Config, reg, interval, last, end time.Duration) silentRun {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	run := silentRun{nn: n}
	hd, _ := n.w[0].det.(*HDFS)
	tickUntil := func(until time.Duration) {
		for n.Ready().Wake <= until {
			now := n.Ready().Wake
			n.Tick(now)
			if hd != nil && hd.scanning {
				run.scans = append(run.scans, now)
			}
			run.transitions = append(run.transitions, n.Ready().Transitions...)
			n.Advance()
		}
	}
	step := func(now time.Duration, m proto.Message) {
		tickUntil(now)
		n.Step(now, m)
		run.transitions = append(run.transitions, n.Ready().Transitions...)
		n.Advance()
	}
	step(reg, proto.Message{Type: proto.TypeRegister, Node: "dn1"})
	for at := reg + interval; at <= last; at += interval {
		step(at, proto.Message{Type: proto.TypeHeartbeat, Node: "dn1", Handle: 1})
	}
	tickUntil(end)
	return run
}

// deathWindow crashes a node after many different last heartbeats and
// monitor phases, and returns the least and greatest time from the last
// heartbeat to the dead transition. It fails the test if the node is ever
// declared dead at or before the expiry, or declared dead more than once.
func deathWindow(t *testing.T, cfg Config, regs []time.Duration, beats int) (lo, hi time.Duration) {
	t.Helper()
	lo, hi = time.Duration(1<<62), time.Duration(0)
	d := hdfsOf(cfg)
	for _, reg := range regs {
		for k := 0; k <= beats; k++ {
			last := reg + time.Duration(k)*d.Interval
			run := hdfsSilentAfter(t, cfg, reg, d.Interval, last, last+d.Expiry()+2*d.MonitorInterval()+20*time.Second)
			var deaths []time.Duration
			for _, tr := range run.transitions {
				if tr.To == Dead {
					deaths = append(deaths, tr.At)
				}
			}
			if len(deaths) != 1 {
				t.Fatalf("reg %v, last heartbeat %v: deaths at %v, want exactly one", reg, last, deaths)
			}
			after := deaths[0] - last
			if after <= d.Expiry() {
				t.Fatalf("reg %v, last heartbeat %v: dead %v after it, not strictly after the expiry %v", reg, last, after, d.Expiry())
			}
			lo, hi = min(lo, after), max(hi, after)
		}
	}
	return lo, hi
}

// HDFS's expiry table (§1.2): production defaults, TestDeadDatanode and
// TestDatanodeReport (recheck 500), TestDeadDatanode's re-registration case
// (recheck 3000), TestDataNodeLifeline (recheck 1).
func TestHDFSExpiry(t *testing.T) {
	for _, tc := range []struct {
		interval, recheck, want time.Duration
	}{
		{3 * time.Second, 5 * time.Minute, 630 * time.Second},
		{time.Second, 500 * time.Millisecond, 11 * time.Second},
		{time.Second, 3000 * time.Millisecond, 16 * time.Second},
		{time.Second, time.Millisecond, 10002 * time.Millisecond},
	} {
		if got := HDFSExpiry(tc.interval, tc.recheck); got != tc.want {
			t.Errorf("HDFSExpiry(%v, %v) = %v, want %v", tc.interval, tc.recheck, got, tc.want)
		}
	}
}

// The stale-interval floor of dfs.namenode.stale.datanode.minimum.interval
// (3 heartbeats, DatanodeManager.getStaleIntervalFromConf), and the monitor
// interval of HDFS-3912 (refreshHeartbeatRecheckIntervalForMonitor).
func TestHDFSStaleFloorAndMonitorInterval(t *testing.T) {
	d := hdfsOf(hdfsCfg(0, 0, 0, false))
	if d.Interval != 3*time.Second || d.Recheck != 5*time.Minute || d.StaleAfter != 30*time.Second || d.AvoidWriteStale {
		t.Errorf("defaults %+v, want 3s, 5m, 30s, no write avoidance", *d)
	}
	for _, tc := range []struct {
		interval, stale, want time.Duration
	}{
		{3 * time.Second, 6 * time.Second, 9 * time.Second},
		{20 * time.Second, 30 * time.Second, 60 * time.Second},
		{time.Second, 6 * time.Second, 6 * time.Second},
		{time.Second, 3 * time.Second, 3 * time.Second},
		{time.Second, time.Hour, time.Hour}, // above the expiry: only a warning in HDFS
	} {
		if got := hdfsOf(hdfsCfg(tc.interval, 0, tc.stale, false)).StaleAfter; got != tc.want {
			t.Errorf("interval %v, stale %v: stale after %v, want %v", tc.interval, tc.stale, got, tc.want)
		}
	}
	for _, tc := range []struct {
		cfg     Config
		monitor time.Duration
	}{
		{hdfsCfg(0, 0, 0, false), 5 * time.Minute},
		{hdfsCfg(0, 0, 0, true), 30 * time.Second},
		{hdfsCfg(0, 0, 10*time.Minute, true), 5 * time.Minute},
		{hdfsCfg(time.Second, 500*time.Millisecond, 6*time.Second, true), 500 * time.Millisecond},
		// The floor applies before HDFS-3912 picks the monitor interval.
		{hdfsCfg(20*time.Second, 0, 30*time.Second, true), 60 * time.Second},
	} {
		if got := hdfsOf(tc.cfg).MonitorInterval(); got != tc.monitor {
			t.Errorf("%+v: monitor interval %v, want %v", tc.cfg, got, tc.monitor)
		}
	}
}

// HDFS defaults (hb 3s, recheck 5m, stale 30s): the monitor checks at its
// first wake-up and then every 300s (HeartbeatManager.Monitor: its 5-s
// sleeps overshoot, so lastCheck + 300000 < now holds at the 60th wake-up),
// so a node silent from its last heartbeat L is removed after L + 630s and
// no later than L + 930s (§1.3 table), and is stale from its first wake-up
// at or after L + 30s.
func TestHDFSDefaultsDeathWindow(t *testing.T) {
	cfg := hdfsCfg(0, 0, 0, false)
	// Registration phases against the monitor's 5s wake-ups, and last
	// heartbeats covering a whole scan period and more.
	regs := []time.Duration{0, 1100 * time.Millisecond, 2 * time.Second, 3700 * time.Millisecond, 4900 * time.Millisecond}
	lo, hi := deathWindow(t, cfg, regs, 110)
	t.Logf("last heartbeat → dead: %v to %v", lo, hi)
	if lo <= 630*time.Second || hi > 930*time.Second {
		t.Errorf("dead %v to %v after the last heartbeat, want within (630s, 930s]", lo, hi)
	}
	// The sweep must reach both ends, or it proves nothing about them.
	if lo > 635*time.Second || hi < 925*time.Second {
		t.Errorf("dead %v to %v after the last heartbeat; the sweep should come within 5s of both 630s and 930s", lo, hi)
	}

	run := hdfsSilentAfter(t, cfg, 0, 3*time.Second, 60*time.Second, 1000*time.Second)
	for k := 1; k < len(run.scans); k++ {
		if gap := run.scans[k] - run.scans[k-1]; gap != 300*time.Second {
			t.Errorf("scans at %v: gap %v, want 300s (recheck 300s, 5s wake-ups)", run.scans, gap)
			break
		}
	}
	if len(run.scans) == 0 || run.scans[0] != 5*time.Second {
		t.Errorf("scans at %v, want the first at the first wake-up, 5s", run.scans)
	}
	if at, ok := run.first(Stale); !ok || at != 90*time.Second {
		t.Errorf("stale at %v (%v), want 90s: the first wake-up at or after 60s + 30s", at, ok)
	}
}

// TestDeadDatanode#testDeadDatanode and TestDatanodeReport (hb 1s, recheck
// 500ms; expiry 11s): the monitor scans at every 5s wake-up, so the node is
// dead 11s to 16s after its last heartbeat (the Hadoop test allows 20s).
func TestHDFSTestDeadDatanodeTiming(t *testing.T) {
	cfg := hdfsCfg(time.Second, 500*time.Millisecond, 0, false)
	regs := []time.Duration{0, 250 * time.Millisecond, 1300 * time.Millisecond, 2600 * time.Millisecond, 3900 * time.Millisecond, 4750 * time.Millisecond}
	lo, hi := deathWindow(t, cfg, regs, 12)
	t.Logf("last heartbeat → dead: %v to %v", lo, hi)
	if lo <= 11*time.Second || hi > 16*time.Second || lo > 11500*time.Millisecond || hi < 15500*time.Millisecond {
		t.Errorf("dead %v to %v after the last heartbeat, want spread over (11s, 16s]", lo, hi)
	}
	run := hdfsSilentAfter(t, cfg, 0, time.Second, 10*time.Second, 40*time.Second)
	for k, at := range run.scans {
		if at != time.Duration(k+1)*5*time.Second {
			t.Fatalf("scans at %v, want one at every 5s wake-up", run.scans)
		}
	}
}

// TestDeadDatanode#testNonDFSUsedONDeadNodeReReg (hb 1s, recheck 3000ms,
// stale 6s; expiry 16s): dead 16s to 21s after the last heartbeat, stale
// from the first wake-up at or after 6s.
func TestHDFSReRegistrationSettingsTiming(t *testing.T) {
	cfg := hdfsCfg(time.Second, 3000*time.Millisecond, 6*time.Second, false)
	regs := []time.Duration{0, 600 * time.Millisecond, 1900 * time.Millisecond, 3100 * time.Millisecond, 4400 * time.Millisecond}
	lo, hi := deathWindow(t, cfg, regs, 12)
	t.Logf("last heartbeat → dead: %v to %v", lo, hi)
	if lo <= 16*time.Second || hi > 21*time.Second || lo > 16500*time.Millisecond || hi < 20500*time.Millisecond {
		t.Errorf("dead %v to %v after the last heartbeat, want spread over (16s, 21s]", lo, hi)
	}
	run := hdfsSilentAfter(t, cfg, 0, time.Second, 12*time.Second, 40*time.Second)
	if at, ok := run.first(Stale); !ok || at != 20*time.Second {
		t.Errorf("stale at %v (%v), want 20s: the first wake-up at or after 12s + 6s", at, ok)
	}
}

// HDFS-3912: with dfs.namenode.avoid.write.stale.datanode on and a 30s
// stale interval, the monitor checks every 30s (the sixth 5-s wake-up), so
// removal comes 630s to 660s after the last heartbeat; the expiry still
// uses the 5m recheck.
func TestHDFSAvoidWriteStaleScansSooner(t *testing.T) {
	cfg := hdfsCfg(0, 0, 0, true)
	regs := []time.Duration{0, 1100 * time.Millisecond, 2 * time.Second, 3700 * time.Millisecond, 4900 * time.Millisecond}
	lo, hi := deathWindow(t, cfg, regs, 14)
	t.Logf("last heartbeat → dead: %v to %v", lo, hi)
	if lo <= 630*time.Second || hi > 660*time.Second || lo > 635*time.Second || hi < 655*time.Second {
		t.Errorf("dead %v to %v after the last heartbeat, want spread over (630s, 660s]", lo, hi)
	}
	run := hdfsSilentAfter(t, cfg, 0, 3*time.Second, 60*time.Second, 800*time.Second)
	for k := 1; k < len(run.scans); k++ {
		if gap := run.scans[k] - run.scans[k-1]; gap != 30*time.Second {
			t.Fatalf("scans at %v: gap %v, want 30s", run.scans, gap)
		}
	}
}

// dfs.namenode.stale.datanode.minimum.interval: a 30s stale interval with
// a 20s heartbeat is raised to 3 heartbeats, 60s, so a node that missed
// one heartbeat is not stale.
func TestHDFSStaleFloorOfThreeHeartbeats(t *testing.T) {
	cfg := hdfsCfg(20*time.Second, 0, 30*time.Second, false)
	d := hdfsOf(cfg)
	run := hdfsSilentAfter(t, cfg, 0, 20*time.Second, 100*time.Second, 200*time.Second)
	at, ok := run.first(Stale)
	if !ok || at != 160*time.Second {
		t.Fatalf("stale at %v (%v), want 160s: 60s after the last heartbeat at 100s", at, ok)
	}
	if _, ok := run.first(Dead); ok {
		t.Errorf("dead within 100s of silence; expiry is %v", d.Expiry())
	}
}

// HDFS removes dead nodes only in the monitor's scan (§1.5: isAlive
// changes only at the scan). Between scans a node past its expiry is
// stale, never dead; once removed it stays dead between scans; a heartbeat
// brings it back. Watched by a second detector, so the NameNode judges it
// at every wake-up, dead or not.
func TestHDFSDeadOnlyFromScanAndStaysDead(t *testing.T) {
	cfg := hdfsCfg(0, 0, 0, false)
	never := DefaultDetectorConfig(DetectorMissedCount)
	never.MissedCount = MissedCountConfig{Threshold: 1 << 30, CheckInterval: 5 * time.Second}
	cfg.Detectors = []DetectorConfig{never, cfg.Detectors[0]}
	run := hdfsSilentAfter(t, cfg, 0, 3*time.Second, 30*time.Second, 1300*time.Second)
	d := run.nn.w[1].det.(*HDFS)
	var got []string
	for _, tr := range run.transitions {
		if tr.Detector == "hdfs" {
			got = append(got, tr.From.String()+"→"+tr.To.String()+"@"+tr.At.String())
		}
	}
	// Checks at 5s, 305s, 605s, 905s, 1205s; expiry reached at 660s.
	want := []string{"live→stale@1m0s", "stale→dead@15m5s"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("hdfs verdicts %v, want %v", got, want)
	}
	if d.Judge(0, 1300*time.Second) != Dead {
		t.Errorf("removed node judged %v between scans, want dead", d.Judge(0, 1300*time.Second))
	}
	d.Heard(0, 1301*time.Second)
	if got := d.Judge(0, 1302*time.Second); got != Live {
		t.Errorf("after a heartbeat the node is %v, want live", got)
	}
}

// HDFS-9107: when the monitor thread itself stalls for more than
// monitorInterval + 5s, the nodes' silence is the NameNode's doing, so the
// next scan is skipped ("Skipping next heartbeat scan due to excessive
// pause") and waits a further monitor interval.
func TestHDFSMonitorPauseSkipsScan(t *testing.T) {
	n, err := New(hdfsCfg(time.Second, 500*time.Millisecond, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	d := n.w[0].det.(*HDFS)
	n.Step(0, proto.Message{Type: proto.TypeRegister, Node: "dn1"})
	n.Tick(5 * time.Second)
	n.Advance()
	// The monitor sleeps through 5s..40s: a 35s gap > 0.5s + 5s.
	n.Tick(40 * time.Second)
	if info, _ := n.Node("dn1"); info.State != Stale || d.scanning {
		t.Fatalf("after the pause: %v, scanned %v; want stale and no scan", info.State, d.scanning)
	}
	n.Advance()
	if wake := n.Ready().Wake; wake != 45*time.Second {
		t.Fatalf("next wake %v, want 45s", wake)
	}
	n.Tick(45 * time.Second)
	rd := n.Ready()
	if len(rd.Transitions) != 1 || rd.Transitions[0].To != Dead {
		t.Fatalf("transitions at 45s %+v, want dead at the first scan after the pause", rd.Transitions)
	}
}

// The reason names the numbers an operator would check in hdfs-site.xml.
func TestHDFSReason(t *testing.T) {
	d := hdfsOf(hdfsCfg(0, 0, 0, false))
	d.Registered(0, 62*time.Second)
	d.BeginScan(693 * time.Second)
	if got := d.Judge(0, 693*time.Second); got != Dead {
		t.Fatalf("judged %v after 631s of silence at the first scan, want dead", got)
	}
	want := "no heartbeat for 10m31s > expiry 10m30s (2 × recheck 5m + 10 × interval 3s); last heard at 00:01:02.000; found by the monitor's scan"
	if got := d.Reason(0, 693*time.Second, Dead); got != want {
		t.Errorf("reason\n%q, want\n%q", got, want)
	}
	if got := d.Reason(0, 100*time.Second, Stale); !strings.Contains(got, "stale after 30s") {
		t.Errorf("stale reason %q, want it to give the stale interval", got)
	}
}

func TestDurText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Minute:          "5m",
		631 * time.Second:        "10m31s",
		time.Hour:                "1h",
		90 * time.Minute:         "1h30m",
		3 * time.Second:          "3s",
		500 * time.Millisecond:   "500ms",
		10002 * time.Millisecond: "10.002s",
	} {
		if got := durText(d); got != want {
			t.Errorf("durText(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestHDFSValidateExpiryOverflow: HeartbeatManager's expiry of 2 × recheck
// + 10 × interval overflowed int64 for recheck 2000000h, and every live
// node was dead at the first scan; Validate refuses it.
func TestHDFSValidateExpiryOverflow(t *testing.T) {
	cfg := hdfsCfg(0, 2000000*time.Hour, 0, false)
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "expiry 2 × recheck") {
		t.Errorf("recheck 2000000h: %v, want the expiry refused", err)
	}
	cfg = hdfsCfg(0, 0, 0, false)
	if err := cfg.Validate(); err != nil {
		t.Errorf("HDFS defaults: %v", err)
	}
}

// HeartbeatManager.heartbeatCheck returns at once in startup safe mode: a
// node silent past its expiry is not removed while the NameNode waits for
// block reports, and is removed at the first check after.
func TestHeartbeatCheckNoopInSafeMode(t *testing.T) {
	cfg := hdfsCfg(time.Second, 500*time.Millisecond, 0, false)
	cfg.Blocks.Enable, cfg.Blocks.Blocks = true, 1
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n.Step(0, proto.Message{Type: proto.TypeRegister, Node: "dn1"})
	for now := 5 * time.Second; now <= 60*time.Second; now += 5 * time.Second {
		n.Tick(now)
	}
	if info, _ := n.Node("dn1"); info.State == Dead {
		t.Fatal("removed in startup safe mode")
	}
	n.Step(61*time.Second, proto.Message{Type: proto.TypeBlockReport, Node: "dn1", Blocks: []int64{0}})
	for now := 65 * time.Second; now <= 95*time.Second; now += 5 * time.Second {
		n.Tick(now) // out of safe mode at 61s + 30s extension
	}
	if info, _ := n.Node("dn1"); info.State != Dead || n.BlockStats().SafeMode {
		t.Fatalf("after safe mode: %v, safe mode %v; want removed at the first check", info.State, n.BlockStats().SafeMode)
	}
}

// TestDatanodeReport (hb 1s, recheck 500ms): a stopped node is listed
// DEAD by dfsadmin -report from the moment its expiry (11s) passes
// (DatanodeManager.isDatanodeDead is evaluated when read), while the
// monitor removes it at its next check; the dead transition carries both.
func TestDatanodeReportReadsDeadAtExpiry(t *testing.T) {
	run := hdfsSilentAfter(t, hdfsCfg(time.Second, 500*time.Millisecond, 0, false), 2300*time.Millisecond,
		time.Second, 12300*time.Millisecond, 40*time.Second)
	for _, tr := range run.transitions {
		if tr.To != Dead {
			continue
		}
		if tr.ReportedAt != 23300*time.Millisecond || tr.At != 25*time.Second {
			t.Fatalf("dead transition %+v: want reported dead at 12.3s + 11s = 23.3s, removed at the check at 25s", tr)
		}
		return
	}
	t.Fatal("no dead transition")
}

// HDFS-9107 (HeartbeatManager.Monitor): a NameNode paused longer than its
// expiry (a full GC) wakes with every node silent past it. Its monitor,
// having slept more than monitorInterval + 5s, skips the next check, so the
// heartbeats that waited in the queue are read first and nobody is
// removed; a detector without that guard (missed-count) declares every
// node dead at once. hb 3s, recheck 15s: expiry 60s; the pause is 70s.
func TestHDFS9107PausedNameNode(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		deaths int
	}{
		{"hdfs", hdfsCfg(3*time.Second, 15*time.Second, 0, false), 0},
		{"missed-count", missedCount(10, 3*time.Second), 3},
	} {
		n, err := New(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		nodes := []string{"dn1", "dn2", "dn3"}
		for _, id := range nodes {
			n.Step(0, proto.Message{Type: proto.TypeRegister, Node: id})
		}
		deaths := 0
		tick := func(now time.Duration) {
			n.Tick(now)
			for _, tr := range n.Ready().Transitions {
				if tr.To == Dead {
					deaths++
				}
			}
			n.Advance()
		}
		now := time.Duration(0)
		for ; now < 100*time.Second; now += time.Second {
			if w := n.Ready().Wake; w <= now {
				tick(now)
			}
			if now%(3*time.Second) == 0 {
				for k, id := range nodes {
					n.Step(now, proto.Message{Type: proto.TypeHeartbeat, Node: id, Handle: uint32(k + 1)})
				}
			}
		}
		// Paused from 100s to 170s: no tick, no message read. At the
		// resume the overdue wake-up runs first, then the queued
		// heartbeats are read.
		now = 170 * time.Second
		tick(now)
		for k, id := range nodes {
			n.Step(now, proto.Message{Type: proto.TypeHeartbeat, Node: id, Handle: uint32(k + 1)})
		}
		n.Advance()
		if deaths != tc.deaths {
			t.Errorf("%s: %d nodes declared dead at the resume, want %d", tc.name, deaths, tc.deaths)
		}
	}
}
