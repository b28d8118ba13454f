package namenode

import (
	"fmt"
	"math"
	"math/bits"
	"time"

	"github.com/hbsim/hbsim/pkg/vtime"
)

// Phi is the φ accrual failure detector (Hayashibara et al., SRDS 2004) as
// Akka computes it. Per node it keeps a sliding window of heartbeat
// inter-arrival times and models them as normal, with the mean lengthened by
// AcceptablePause and the standard deviation floored at MinStdDeviation.
// φ(Δ) = −log₁₀ P(an interval is longer than Δ), Δ being the silence since
// the last heartbeat; the node is dead once φ ≥ Threshold, and stale once
// silent for StaleAfter (if not dead). The NameNode builds it from a
// DetectorConfig named phi.
type Phi struct {
	PhiConfig
	// StaleAfter is how long a silent node takes to go stale when φ has not
	// yet reached Threshold (the NameNode's stale interval, so reports stay
	// comparable across detectors).
	StaleAfter time.Duration

	nodes []phiHistory
	gate  phiGate
}

// phiGate decides φ ≥ Threshold without exp and log10 when the silence is
// clearly on one side. With g(y) = y·(1.5976 + 0.070566·y²), Akka's φ is
// log₁₀(1 + e^g(y)) on both of its branches, which grows with y: φ ≥ T
// exactly when g(y) ≥ ln(10^T − 1). Only a g within a relative 1e-9 of
// that bound (far beyond the formula's rounding) or not finite takes the
// full formula, so every decision is the one akkaPhi gives. The gate is
// off for thresholds at or under φ's value at the mean, log₁₀ 2 (there
// akkaPhi's other branch, 1 − 1/(1+e), rounds away most of a small φ),
// and beyond float64's 10^T; silences whose e^−g is nearly subnormal
// take the full formula too.
// The zero gate decides nothing: every decision takes akkaPhi.
type phiGate struct {
	lo, hi float64
	ok     bool // the gate may decide
}

func newPhiGate(threshold float64) phiGate {
	bound := math.Log(math.Pow(10, threshold) - 1)
	margin := 1e-9 * max(1, math.Abs(bound))
	return phiGate{lo: bound - margin, hi: bound + margin, ok: bound > 1e-6 && !math.IsInf(bound, 0)}
}

// newPhi is the phi detector of cfg, going stale after staleAfter.
func newPhi(cfg PhiConfig, staleAfter time.Duration) *Phi {
	return &Phi{PhiConfig: cfg, StaleAfter: staleAfter, gate: newPhiGate(cfg.Threshold)}
}

// dead reports whether φ ≥ Threshold for h at now: akkaPhi's answer,
// mostly without computing it (phiGate).
func (p *Phi) dead(h *phiHistory, now time.Duration) bool {
	mean, dev := h.stats()
	delta, m, sd := float64(now-h.last), mean+float64(p.AcceptablePause), max(dev, float64(p.MinStdDeviation))
	if g := &p.gate; g.ok {
		y := (delta - m) / sd
		switch gy := y * (1.5976 + 0.070566*y*y); {
		case gy < g.lo:
			return false
		case gy > g.hi && gy < 700:
			// Beyond 700, e^−g nears float64's subnormals, where
			// math.Log loses its precision: akkaPhi decides.
			return true
		}
	}
	return akkaPhi(delta, m, sd) >= p.Threshold
}

// phiHistory is one node's window of inter-arrival times: a ring buffer,
// grown up to Window on demand and then overwritten in place, with running
// sums so the mean and variance cost nothing to read. The sums are exact
// integers (the sum of squares in 128 bits), so they do not drift however
// many intervals pass through the window.
type phiHistory struct {
	ring       []time.Duration
	head       int // the oldest interval once the ring is full
	sum        time.Duration
	sqHi, sqLo uint64 // Σ interval² in ns², as a 128-bit integer
	last       time.Duration
}

func (h *phiHistory) reset(now time.Duration) {
	h.ring, h.head, h.sum, h.sqHi, h.sqLo = h.ring[:0], 0, 0, 0, 0
	h.last = now
}

func (h *phiHistory) push(window int, x time.Duration) {
	x = max(x, 0) // virtual time never runs backwards; be safe if it did
	if len(h.ring) < window {
		h.ring = append(h.ring, x)
	} else {
		old := h.ring[h.head]
		h.ring[h.head] = x
		h.head = (h.head + 1) % window
		h.sum -= old
		hi, lo := bits.Mul64(uint64(old), uint64(old))
		var borrow uint64
		h.sqLo, borrow = bits.Sub64(h.sqLo, lo, 0)
		h.sqHi, _ = bits.Sub64(h.sqHi, hi, borrow)
	}
	h.sum += x
	hi, lo := bits.Mul64(uint64(x), uint64(x))
	var carry uint64
	h.sqLo, carry = bits.Add64(h.sqLo, lo, 0)
	h.sqHi, _ = bits.Add64(h.sqHi, hi, carry)
}

// stats returns the window's mean and (population) standard deviation in
// nanoseconds, as Akka's HeartbeatHistory computes them.
func (h *phiHistory) stats() (mean, stdDev float64) {
	n := float64(len(h.ring))
	if n == 0 {
		return 0, 0
	}
	mean = float64(h.sum) / n
	sq := float64(h.sqHi)*0x1p64 + float64(h.sqLo)
	return mean, math.Sqrt(max(sq/n-mean*mean, 0))
}

// Name implements Detector.
func (p *Phi) Name() string { return "phi" }

// Registered implements Detector: a registration starts the node's history
// over from the two bootstrap intervals, so the silence that preceded it
// (the failure, the restart) never enters the window.
func (p *Phi) Registered(i int, now time.Duration) {
	for len(p.nodes) <= i {
		p.nodes = append(p.nodes, phiHistory{})
	}
	h := &p.nodes[i]
	h.reset(now)
	// Akka's bootstrap: mean = estimate, σ = estimate/4.
	est, dev := p.FirstHeartbeatEstimate, p.FirstHeartbeatEstimate/4
	h.push(p.Window, est-dev)
	h.push(p.Window, est+dev)
}

// Heard implements Detector. As in Akka, the interval is recorded only if
// the node was not already judged failed at its arrival (φ < Threshold):
// a long pause would skew the statistics for the next thousand heartbeats.
func (p *Phi) Heard(i int, now time.Duration) {
	if i >= len(p.nodes) {
		// Akka treats a heartbeat from an unknown node as its first.
		p.Registered(i, now)
		return
	}
	h := &p.nodes[i]
	if !p.dead(h, now) {
		h.push(p.Window, now-h.last)
	}
	h.last = now
}

// Every implements Detector.
func (p *Phi) Every() time.Duration { return p.CheckInterval }

// BeginScan implements Detector: φ is judged afresh at every check.
func (p *Phi) BeginScan(time.Duration) bool { return true }

// Phi is node i's φ at now: −log₁₀ of the probability, under the model, that
// a heartbeat interval is as long as the silence since the last one. It is
// 0 for a node never registered.
func (p *Phi) Phi(i int, now time.Duration) float64 {
	if i < 0 || i >= len(p.nodes) {
		return 0
	}
	return p.phi(&p.nodes[i], now)
}

func (p *Phi) phi(h *phiHistory, now time.Duration) float64 {
	mean, dev := h.stats()
	return akkaPhi(float64(now-h.last), mean+float64(p.AcceptablePause), max(dev, float64(p.MinStdDeviation)))
}

// akkaPhi is Akka's φ for a silence delta given the (pause-lengthened) mean
// and the (floored) standard deviation, all in the same unit. It uses
// Akka's logistic approximation of the normal CDF, with the tail taken on
// the side that keeps precision.
func akkaPhi(delta, mean, stdDev float64) float64 {
	y := (delta - mean) / stdDev
	e := math.Exp(-y * (1.5976 + 0.070566*y*y))
	if delta > mean {
		return -math.Log10(e / (1 + e))
	}
	return -math.Log10(1 - 1/(1+e))
}

// Judge implements Detector.
func (p *Phi) Judge(i int, now time.Duration) State {
	h := &p.nodes[i]
	switch {
	case p.dead(h, now):
		return Dead
	case now-h.last >= p.StaleAfter:
		return Stale
	default:
		return Live
	}
}

// Reason implements Detector.
func (p *Phi) Reason(i int, now time.Duration, s State) string {
	h := &p.nodes[i]
	switch s {
	case Dead:
		mean, dev := h.stats()
		dev = max(dev, float64(p.MinStdDeviation))
		return fmt.Sprintf("φ = %.2f ≥ threshold %g after %s of silence (mean interval %.3fs, σ %.3fs, acceptable pause %s)",
			p.phi(h, now), p.Threshold, vtime.Seconds(now-h.last), mean/1e9, dev/1e9, durText(p.AcceptablePause))
	case Stale:
		return staleReason(now, h.last, p.StaleAfter)
	default:
		return "heard from again"
	}
}
