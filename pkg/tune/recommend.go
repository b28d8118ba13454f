package tune

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Detectors lists the central detectors Recommend tunes.
var Detectors = []string{"missed-count", "hdfs", "phi"}

// Limits of the search. An interval below 10ms (a hundred heartbeats a
// second per node) or a threshold above 200 missed heartbeats is no
// setting anyone should run.
const (
	minInterval  = 0.010
	maxThreshold = 200
	// hdfsMonitorSleep is HeartbeatManager's fixed sleep
	// (namenode/detector_hdfs.go).
	hdfsMonitorSleep = 5.0
)

// Input is what Recommend needs besides the targets: the link and the
// settings tune keeps as the scenario has them. Times are in seconds.
type Input struct {
	Link Link
	// Check is heartbeat.check_interval: how often missed-count and phi
	// scan.
	Check float64
	// PhiPause, PhiMinStd and PhiWindow are the phi detector's
	// acceptable_pause, min_std_deviation and window.
	PhiPause, PhiMinStd float64
	PhiWindow           int
	// StaleAfter and AvoidWriteStale shape HDFS's scan cadence
	// (HDFS-3912).
	StaleAfter      float64
	AvoidWriteStale bool
}

// Setting is one --set key and its value, as --set accepts it.
type Setting struct {
	Key, Value string
}

// Recommendation is the cheapest setting of one detector that meets the
// targets, with its predicted QoS.
type Recommendation struct {
	Detector  string
	Settings  []Setting
	Plan      Plan
	Predicted Prediction
	// HDFSSite holds the hdfs-site.xml properties (name, value) for the
	// hdfs detector.
	HDFSSite []Setting
	// Why explains the choice in a sentence or two.
	Why string
}

// Relaxation says how far one target must move for the detector to meet
// all of them, the others unchanged. To is +Inf or 0 when moving that
// target alone cannot help.
type Relaxation struct {
	Target   string // "max detection", "min mistake recurrence", "max mistake duration"
	From, To float64
}

// UnreachableError is returned when no setting of a detector meets every
// target.
type UnreachableError struct {
	Detector string
	Relax    []Relaxation
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("%s: %v", e.Detector, ErrUnreachable)
}

func (e *UnreachableError) Unwrap() error { return ErrUnreachable }

// Recommend finds the detector's setting with the fewest heartbeats per
// second that meets the targets: CTA's procedure, with the detector's own
// timeout and scan cadence in place of NFD-S's freshness points. When no
// setting can, the error is an *UnreachableError saying which target to
// relax and by how much.
func Recommend(detector string, in Input, t Targets) (Recommendation, error) {
	if err := t.Validate(); err != nil {
		return Recommendation{}, err
	}
	if !(in.Check > 0) {
		return Recommendation{}, fmt.Errorf("check interval %v: want a positive time", in.Check)
	}
	var solve func(Input, Targets) (Recommendation, bool)
	switch detector {
	case "missed-count":
		solve = missedCount
	case "hdfs":
		solve = hdfs
	case "phi":
		solve = phi
	default:
		return Recommendation{}, fmt.Errorf("tune cannot tune detector %q (want one of %v)", detector, Detectors)
	}
	if r, ok := solve(in, t); ok {
		r.Predicted.DetectionP50, r.Predicted.DetectionP99 = in.Link.detection(r.Plan)
		return r, nil
	}
	return Recommendation{}, &UnreachableError{Detector: detector, Relax: relax(solve, in, t)}
}

// meets reports whether a prediction meets the targets.
func meets(p Prediction, t Targets) bool {
	return p.DetectionMax <= t.MaxDetection+1e-9 && p.Recurrence >= t.MinRecurrence && p.Duration <= t.durationBound()
}

// floorMs rounds a time down to the millisecond.
func floorMs(s float64) float64 { return math.Floor(s*1000+1e-6) / 1000 }

// largestInterval finds, at or below hi, the largest interval (whole
// milliseconds) whose plan keeps E(T_M) within bound, then checks it
// against every target. Shorter intervals shorten mistakes, but they also
// bring mistakes closer together: only the largest one that passes the
// duration bound can pass the recurrence bound.
func largestInterval(hi float64, plan func(eta float64) (Plan, Prediction), t Targets) (Plan, Prediction, bool) {
	p, pr := plan(hi)
	if pr.Duration > t.durationBound() {
		good, bad := 0.0, hi
		for bad-good > 0.0005 {
			mid := floorMs((good + bad) / 2)
			if mid <= good || mid >= bad {
				break
			}
			if _, q := plan(mid); q.Duration <= t.durationBound() {
				good = mid
			} else {
				bad = mid
			}
		}
		if good < minInterval {
			return p, pr, false
		}
		p, pr = plan(good)
	}
	return p, pr, meets(pr, t)
}

// missedCount: dead once K whole intervals pass without a heartbeat, so
// the timeout is Kη, scanned every check interval. T_D ≤ Kη + check +
// delay, so for each K the longest interval is (T_D^U − check − delay)/K;
// the smallest K that meets the other targets gives the fewest
// heartbeats.
func missedCount(in Input, t Targets) (Recommendation, bool) {
	budget := t.MaxDetection - in.Check - in.Link.DelayHi
	k, p, pr, ok := searchThreshold(func(k int) float64 { return floorMs(budget / float64(k)) },
		func(k int, eta float64) (Plan, Prediction) {
			p := Plan{Interval: eta, Timeout: float64(k) * eta, Scan: in.Check, Acting: true}
			return p, in.Link.predictMistakes(p)
		}, t)
	if !ok {
		return Recommendation{}, false
	}
	return Recommendation{Detector: "missed-count", Plan: p, Predicted: pr,
		Settings: []Setting{
			{"heartbeat.detector", "missed-count"},
			{"heartbeat.interval", secs(p.Interval)},
			{"heartbeat.miss_threshold", strconv.Itoa(k)},
			{"heartbeat.check_interval", secs(in.Check)},
		},
		Why: fmt.Sprintf("dead after %d missed intervals of %s (%s of silence), found within one %s scan",
			k, secs(p.Interval), secs(p.Timeout), secs(in.Check)),
	}, true
}

// searchThreshold finds the threshold K (heartbeats that fit in the
// timeout) and interval with the fewest heartbeats. etaK(k) is the longest
// interval the detection bound allows with k; plan builds and predicts
// one. Feasibility grows with K (more heartbeats must all be lost for a
// mistake) while the interval shrinks, so the smallest feasible K is
// found by bisection, then the next ones are tried while their intervals
// could still be longer (the duration bound can cut any of them).
func searchThreshold(etaK func(int) float64, plan func(k int, eta float64) (Plan, Prediction), t Targets) (int, Plan, Prediction, bool) {
	try := func(k int) (Plan, Prediction, bool) {
		return largestInterval(etaK(k), func(eta float64) (Plan, Prediction) { return plan(k, eta) }, t)
	}
	top := maxThreshold
	for top > 0 && etaK(top) < minInterval {
		top--
	}
	if top == 0 {
		return 0, Plan{}, Prediction{}, false
	}
	if _, _, ok := try(top); !ok {
		return 0, Plan{}, Prediction{}, false
	}
	lo, hi := 0, top // try(lo) fails (or lo = 0), try(hi) succeeds
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if _, _, ok := try(mid); ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	bestK := hi
	bestP, bestPr, _ := try(hi)
	for k := hi + 1; k <= top && etaK(k) > bestP.Interval; k++ {
		if p, pr, ok := try(k); ok && p.Interval > bestP.Interval {
			bestK, bestP, bestPr = k, p, pr
		}
	}
	return bestK, bestP, bestPr, true
}

// hdfsScan is how often HDFS's monitor runs its heartbeat check: at the
// first 5s wake-up at least the monitor interval (recheck, or the stale
// interval with avoid-write-stale when shorter) after the previous check
// (namenode/detector_hdfs.go: 300s at HDFS's defaults).
func hdfsScan(recheck float64, in Input, eta float64) float64 {
	m := recheck
	if in.AvoidWriteStale {
		m = math.Min(recheck, math.Max(in.StaleAfter, 3*eta))
	}
	return hdfsMonitorSleep * math.Max(1, math.Ceil(m/hdfsMonitorSleep-1e-9))
}

// HDFSCheckPeriod is hdfsScan for callers outside: the period of HDFS's
// heartbeat check for a recheck interval, stale interval, avoid-write-stale
// and heartbeat interval.
func HDFSCheckPeriod(recheck, staleAfter time.Duration, avoidWriteStale bool, interval time.Duration) time.Duration {
	s := hdfsScan(recheck.Seconds(), Input{StaleAfter: staleAfter.Seconds(), AvoidWriteStale: avoidWriteStale}, interval.Seconds())
	return time.Duration(math.Round(s * float64(time.Second)))
}

// hdfs: dead once silent for more than 2·recheck + 10·η, found by a scan
// every hdfsScan. HDFS's NameNode reads dfs.heartbeat.interval in whole
// seconds (DatanodeManager: getTimeDuration(..., SECONDS)), so the
// interval is whole seconds here; for each, recheck is the longest that
// keeps T_D within bound (the longer the expiry, the rarer a mistake).
func hdfs(in Input, t Targets) (Recommendation, bool) {
	budget := t.MaxDetection - in.Link.DelayHi
	for eta := math.Floor((budget - hdfsMonitorSleep - 0.002) / 10); eta >= 1; eta-- {
		recheck, ok := hdfsRecheck(in, eta, budget)
		if !ok {
			continue
		}
		p := Plan{Interval: eta, Timeout: 2*recheck + 10*eta, Scan: hdfsScan(recheck, in, eta), Acting: true}
		pr := in.Link.predictMistakes(p)
		if !meets(pr, t) {
			continue
		}
		ms := strconv.FormatInt(int64(math.Round(recheck*1000)), 10)
		return Recommendation{Detector: "hdfs", Plan: p, Predicted: pr,
			Settings: []Setting{
				{"heartbeat.detector", "hdfs"},
				{"heartbeat.interval", secs(eta)},
				{"heartbeat.hdfs.recheck_interval", secs(recheck)},
			},
			HDFSSite: []Setting{
				{"dfs.heartbeat.interval", strconv.Itoa(int(eta))},
				{"dfs.namenode.heartbeat.recheck-interval", ms},
			},
			Why: fmt.Sprintf("expiry %s (2 × recheck %s + 10 × interval %s), dead-node scan every %s",
				secs(p.Timeout), secs(recheck), secs(eta), secs(p.Scan)),
		}, true
	}
	return Recommendation{}, false
}

// hdfsRecheck is the longest recheck interval (whole milliseconds) with
// 2·recheck + 10·η + scan ≤ budget. The check period steps up by 5s each
// time the monitor interval passes a multiple of 5s, so each step (k·5s,
// for a recheck in ((k−1)·5s, k·5s]) is tried.
func hdfsRecheck(in Input, eta, budget float64) (float64, bool) {
	best, ok := 0.0, false
	for k := 1.0; k*hdfsMonitorSleep <= budget; k++ {
		r := floorMs(math.Min(k*hdfsMonitorSleep, (budget-10*eta-k*hdfsMonitorSleep)/2))
		if r < 0.001 || r <= (k-1)*hdfsMonitorSleep || 2*r+10*eta+hdfsScan(r, in, eta) > budget+1e-9 {
			continue
		}
		if r > best {
			best, ok = r, true
		}
	}
	return best, ok
}

// gapStats are the mean and standard deviation of the time between two
// arrivals, in intervals (losses make gaps of 2η, 3η, ...), plus the
// delay's variance in seconds².
func (l Link) gapStats() (mean, sd, delayVar float64) {
	a := step(l.Pi, l.Kept)
	norm := a[0] + a[1]
	a = [2]float64{a[0] / norm, a[1] / norm}
	var m1, m2 float64
	for k := 1; k < 100_000; k++ {
		kept := step(a, l.Kept)
		p := kept[0] + kept[1]
		m1 += p * float64(k)
		m2 += p * float64(k*k)
		a = step(a, l.Lost)
		if a[0]+a[1] < 1e-15 {
			break
		}
	}
	md := l.MeanDelay()
	for _, d := range l.Delay {
		delayVar += (d - md) * (d - md)
	}
	delayVar /= float64(len(l.Delay))
	return m1, math.Sqrt(math.Max(m2-m1*m1, 0)), delayVar
}

// phi: φ reaches its threshold after a silence of mean + pause + y·σ',
// where mean and σ are those of the node's window of inter-arrival times
// and σ' = max(σ, min_std_deviation). A rare long gap (a burst of loss
// that stopped just short of a suspicion) enters the window and inflates
// σ, and with it the silence φ needs, until a thousand heartbeats have
// washed it out. So tune picks the interval as for missed-count and then
// puts the timeout where the window's luck cannot move it much:
//
//   - σ' is pinned: min_std_deviation = (timeout − mean − pause) / 3,
//     far above the gaps' σ, so y = 3 and the floor, not the estimate,
//     sets the spread;
//   - the pause keeps its setting (it is cut when the timeout leaves no
//     room for 3 × the gaps' σ);
//   - the threshold Φ = φ(y = 3) under Akka's logistic approximation.
//
// The window's mean still varies: the timeout keeps a margin of three
// standard errors of a 50-gap mean (or the bootstrap's lower mean) on
// both sides, and the K-th heartbeat after an arrival must land before
// the early edge.
func phi(in Input, t Targets) (Recommendation, bool) {
	gm, gsd, dvar := in.Link.gapStats()
	spread := in.Link.DelayHi - in.Link.Delay[0]
	budget := t.MaxDetection - in.Check - in.Link.DelayHi
	n := math.Min(float64(max(in.PhiWindow, 1)), 50)
	margin := func(eta float64) float64 {
		sd := math.Sqrt(gsd*gsd*eta*eta + 2*dvar)
		return math.Max(3*sd/math.Sqrt(n), (gm-1)*eta)
	}
	etaK := func(k int) float64 {
		eta := (budget - spread) / float64(k)
		for range 4 {
			eta = (budget - 2*margin(eta) - spread) / float64(k)
		}
		return floorMs(eta)
	}
	_, p, pr, ok := searchThreshold(etaK, func(_ int, eta float64) (Plan, Prediction) {
		m := margin(eta)
		nominal := budget - m
		pr := in.Link.predictMistakes(Plan{Interval: eta, Timeout: nominal - m, Scan: in.Check, Acting: true})
		pr.DetectionMax = nominal + m + in.Check + in.Link.DelayHi
		return Plan{Interval: eta, Timeout: nominal, Scan: in.Check, Acting: true}, pr
	}, t)
	if !ok {
		return Recommendation{}, false
	}
	return phiSettings(in, p, pr, gm, gsd, dvar), true
}

// phiY is how many σ' past the mean φ's threshold sits.
const phiY = 3

// phiSettings turns a phi plan into the detector's settings.
func phiSettings(in Input, p Plan, pr Prediction, gm, gsd, dvar float64) Recommendation {
	eta := p.Interval
	mean := gm * eta
	sd := math.Sqrt(gsd*gsd*eta*eta + 2*dvar)
	floor := math.Max(in.PhiMinStd, 1.5*sd)
	pause := in.PhiPause
	if p.Timeout-mean-pause < phiY*floor {
		pause = math.Max(floorMs(p.Timeout-mean-phiY*floor), 0.001)
	}
	s := math.Max(floorMs((p.Timeout-mean-pause)/phiY), 0.001)
	y := (p.Timeout - mean - pause) / s
	threshold := math.Floor(akkaPhiOf(y)*100) / 100
	return Recommendation{Detector: "phi", Plan: p, Predicted: pr,
		Settings: []Setting{
			{"heartbeat.detector", "phi"},
			{"heartbeat.interval", secs(eta)},
			{"heartbeat.phi.threshold", strconv.FormatFloat(threshold, 'f', -1, 64)},
			{"heartbeat.phi.acceptable_pause", secs(pause)},
			{"heartbeat.phi.min_std_deviation", secs(s)},
			{"heartbeat.check_interval", secs(in.Check)},
		},
		Why: fmt.Sprintf("φ = %g after about %s of silence (mean gap %s + pause %s + %.2f × σ' %s, σ' held by min_std_deviation so the window's luck barely moves it)",
			threshold, secs(floorMs(p.Timeout)), secs(floorMs(mean)), secs(pause), y, secs(s)),
	}
}

// akkaPhiOf is Akka's φ at y standard deviations past the mean: its
// logistic approximation of the normal tail (namenode/detector_phi.go).
func akkaPhiOf(y float64) float64 {
	e := math.Exp(-y * (1.5976 + 0.070566*y*y))
	if y > 0 {
		return -math.Log10(e / (1 + e))
	}
	return -math.Log10(1 - 1/(1+e))
}

// secs renders seconds as a Go duration, whole milliseconds.
func secs(s float64) string {
	return (time.Duration(math.Round(s*1000)) * time.Millisecond).String()
}

// relax finds, for each target alone, the value at which the detector
// would meet all of them, by bisection on that target.
func relax(solve func(Input, Targets) (Recommendation, bool), in Input, t Targets) []Relaxation {
	var out []Relaxation
	ok := func(u Targets) bool { _, found := solve(in, u); return found }

	// Detection: a longer bound leaves room for more intervals.
	lo, hi := t.MaxDetection, t.MaxDetection
	for range 40 {
		hi *= 2
		u := t
		u.MaxDetection = hi
		if ok(u) {
			break
		}
	}
	u := t
	u.MaxDetection = hi
	if ok(u) {
		for hi-lo > 0.001*hi {
			u.MaxDetection = (lo + hi) / 2
			if ok(u) {
				hi = u.MaxDetection
			} else {
				lo = u.MaxDetection
			}
		}
		out = append(out, Relaxation{"max detection", t.MaxDetection, hi})
	} else {
		out = append(out, Relaxation{"max detection", t.MaxDetection, math.Inf(1)})
	}

	// Recurrence: the most the other two targets allow.
	u = t
	lo, hi = 0, t.MinRecurrence
	u.MinRecurrence = 1e-9
	if ok(u) {
		for range 60 {
			u.MinRecurrence = math.Sqrt(math.Max(lo, 1e-9) * hi)
			if ok(u) {
				lo = u.MinRecurrence
			} else {
				hi = u.MinRecurrence
			}
			if hi-lo < 0.001*hi {
				break
			}
		}
		out = append(out, Relaxation{"min mistake recurrence", t.MinRecurrence, lo})
	} else {
		out = append(out, Relaxation{"min mistake recurrence", t.MinRecurrence, 0})
	}

	// Duration: the least the other two allow.
	if t.MaxDuration > 0 {
		u = t
		u.MaxDuration = 0 // no bound
		if ok(u) {
			lo, hi = t.MaxDuration, t.MaxDuration
			for range 40 {
				hi *= 2
				u.MaxDuration = hi
				if ok(u) {
					break
				}
			}
			for hi-lo > 0.001*hi {
				u.MaxDuration = (lo + hi) / 2
				if ok(u) {
					hi = u.MaxDuration
				} else {
					lo = u.MaxDuration
				}
			}
			out = append(out, Relaxation{"max mistake duration", t.MaxDuration, hi})
		} else {
			out = append(out, Relaxation{"max mistake duration", t.MaxDuration, math.Inf(1)})
		}
	}
	return out
}

// IsUnreachable unwraps an UnreachableError.
func IsUnreachable(err error) (*UnreachableError, bool) {
	var u *UnreachableError
	ok := errors.As(err, &u)
	return u, ok
}
