package tune

import (
	"math"
	"slices"
)

// Plan is a central detector reduced to what its QoS depends on. Every
// central detector in namenode/ suspects a node once it has been silent
// for Timeout since its last heartbeat arrived, and finds out at its next
// scan; scans come every Scan, at a phase unrelated to the heartbeats.
// Times are in seconds.
type Plan struct {
	// Interval is the heartbeat interval η.
	Interval float64
	// Timeout is the silence after which the node is suspected: K·η for
	// missed-count, 2·recheck + 10·η for hdfs, the silence at which φ
	// reaches its threshold for phi.
	Timeout float64
	// Scan is the time between two scans that may declare death.
	Scan float64
	// Acting makes a mistake last until the node has registered again
	// (the acting detector's death answers the next heartbeat with
	// REGISTER), two more one-way delays than a watcher's.
	Acting bool
}

// Prediction is a plan's QoS on a link, in seconds. Recurrence is +Inf
// when mistakes are impossible; Duration is then 0.
type Prediction struct {
	// DetectionMax bounds T_D: Timeout + Scan + the delay's 99.9th
	// percentile (a crash just after a heartbeat left, found a whole scan
	// late). DetectionP50 and DetectionP99 are percentiles of T_D over
	// crash times.
	DetectionMax, DetectionP50, DetectionP99 float64
	// Recurrence is E(T_MR), Duration E(T_M), PA the query accuracy.
	Recurrence, Duration, PA float64
	// MistakesPerHour is λ_M in mistakes per hour of uptime.
	MistakesPerHour float64
	// HeartbeatsPerSecond is the cost: 1/η per node.
	HeartbeatsPerSecond float64
}

// grid sizes of the numerical sums: delay points and scan phases.
const (
	delayPoints = 32
	scanPoints  = 16
	// maxSteps bounds how many heartbeats a mistake is followed for: on
	// a link that loses nearly everything the rest is negligible.
	maxSteps = 20_000
)

// Predict analyses a plan on a link the way CTA analyse NFD-S, with the
// freshness point taken from the last arrival instead of the send time.
//
// A mistake starts after heartbeat j arrives (at σ_j + d) when no later
// heartbeat arrives between then and the first scan s at or after the
// timeout; each mistake is charged to the last arrival before it, so
// E(T_MR) = η / p_S with p_S the chance of that for one heartbeat. The
// mistake lasts from s to the next arrival (plus the re-registration for
// the acting detector). The loss chain's state is carried forward with
// the Lost and Kept matrices, so bursts of loss count as bursts; delays
// are independent draws from the link's distribution.
func (l Link) Predict(p Plan) Prediction {
	pred := l.predictMistakes(p)
	pred.DetectionP50, pred.DetectionP99 = l.detection(p)
	return pred
}

// predictMistakes is Predict without the detection percentiles, which
// searches do not need.
func (l Link) predictMistakes(p Plan) Prediction {
	pred := Prediction{HeartbeatsPerSecond: 1 / p.Interval}
	pred.DetectionMax = p.Timeout + p.Scan + l.DelayHi

	pS, tm := l.mistakes(p)
	if pS <= 0 {
		pred.Recurrence, pred.PA = math.Inf(1), 1
		return pred
	}
	pred.Recurrence = p.Interval / pS
	pred.Duration = tm
	if p.Acting {
		pred.Duration += 2 * l.MeanDelay()
	}
	pred.MistakesPerHour = 3600 / pred.Recurrence
	pred.PA = math.Max(0, 1-pred.Duration/pred.Recurrence)
	return pred
}

// mistakes returns p_S, the chance that a given heartbeat's arrival is
// followed by a mistake, and the mean time from the scan that makes the
// mistake to the next arrival.
func (l Link) mistakes(p Plan) (pS, duration float64) {
	eta, ds := p.Interval, l.points(delayPoints)
	start := step(l.Pi, l.Kept) // heartbeat j arrived; the chain after it
	var sumP, sumT float64
	for _, d := range ds {
		for k := range scanPoints {
			w := p.Scan * (float64(k) + 0.5) / scanPoints
			s := d + p.Timeout + w // the scan, after σ_j
			a := start
			for i := 1; ; i++ {
				sent := float64(i) * eta
				// Kept, and in (a_j, s]: no mistake. Kept and before
				// a_j: as good as lost. Kept after s: the mistake
				// happened, and this arrival ends it.
				in := l.cdf(s-sent) - l.cdf(d-sent)
				late := 1 - l.cdf(s-sent)
				kept := step(a, l.Kept)
				lost := step(a, l.Lost)
				keptMass := kept[0] + kept[1]
				if late > 0 {
					m := keptMass * late
					sumP += m
					sumT += m * (sent + l.meanAbove(s-sent) - s)
				}
				stay := 1 - in - late // arrived before a_j
				a = [2]float64{lost[0] + kept[0]*stay, lost[1] + kept[1]*stay}
				if a[0]+a[1] < 1e-18 || i > maxSteps {
					break
				}
			}
		}
	}
	n := float64(len(ds) * scanPoints)
	pS = sumP / n
	if sumP > 0 {
		duration = sumT / sumP
	}
	return pS, duration
}

// meanAbove is E(D | D > x) (x itself when no point is above it).
func (l Link) meanAbove(x float64) float64 {
	k := int(math.Round(l.cdf(x) * float64(len(l.Delay))))
	n := len(l.Delay) - k
	if n == 0 {
		return math.Max(x, 0)
	}
	return l.suffix[k] / float64(n)
}

// detection returns the 50th and 99th percentiles of T_D. A crash at a
// uniformly random time comes v ∈ [0, η) after the last heartbeat left;
// if that heartbeat and the k before it were lost, the last arrival is
// the one sent kη earlier. The node is suspected at the first scan at
// least Timeout after that arrival, w ∈ [0, Scan) later. So
// T_D = Timeout + d + w − v − kη, floored at zero.
func (l Link) detection(p Plan) (p50, p99 float64) {
	type pt struct{ v, w float64 }
	var pts []pt
	// back[k]: the last heartbeat before the crash and k−1 before it were
	// lost, the one before them arrived (stationary chain).
	var back []float64
	a := step(l.Pi, l.Kept)
	total := 0.0
	for k := 0; k < 10_000; k++ {
		m := a[0] + a[1]
		if k > 0 && m < 1e-7 {
			break
		}
		back = append(back, m)
		total += m
		a = step(a, l.Lost)
	}
	const phases = 16
	ds := l.points(delayPoints)
	for k, bk := range back {
		for _, d := range ds {
			for iw := range phases {
				w := p.Scan * (float64(iw) + 0.5) / phases
				for iv := range phases {
					v := p.Interval * (float64(iv) + 0.5) / phases
					td := math.Max(p.Timeout+d+w-v-float64(k)*p.Interval, 0)
					pts = append(pts, pt{td, bk})
				}
			}
		}
	}
	slices.SortFunc(pts, func(x, y pt) int {
		switch {
		case x.v < y.v:
			return -1
		case x.v > y.v:
			return 1
		}
		return 0
	})
	weight := total * float64(len(ds)*phases*phases)
	at := func(q float64) float64 {
		acc := 0.0
		for _, x := range pts {
			acc += x.w
			if acc >= q*weight {
				return x.v
			}
		}
		return pts[len(pts)-1].v
	}
	return at(0.5), at(0.99)
}
