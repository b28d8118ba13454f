package tune

import (
	"fmt"
	"math"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/hbsim/hbsim/pkg/config"
)

// Link is one DataNode's link to the NameNode as its heartbeats see it:
// how long a heartbeat takes, and which heartbeats are lost.
//
// Loss follows pkg/sim's network. A message is first lost to uniform loss
// with probability Loss; one that survives steps the node's Gilbert–Elliott
// chain and, if the chain is then bad, is lost with probability
// Burst.Loss. Every message through the node's link steps the same chain:
// a heartbeat, and its reply when the heartbeat got through. So between
// two heartbeats the chain moves zero, one or two steps, and Lost and
// Kept below are exact for that model.
type Link struct {
	// Delay holds the one-way delay in seconds as equally likely points,
	// sorted: the latency distribution's quantiles, each widened by the
	// jitter's, floored at zero as pkg/sim does.
	Delay []float64
	// DelayHi is the delay's 99.9th percentile: detection bounds use it,
	// since heavy-tailed latencies have no maximum.
	DelayHi float64
	// Lost[s][s'] is the probability that a heartbeat sent with the chain
	// in state s (0 good, 1 bad) is lost and the next one finds it in s';
	// Kept[s][s'] likewise for one that arrives.
	Lost, Kept [2][2]float64
	// Pi is the chain's stationary distribution at heartbeat times.
	Pi [2]float64
	// suffix[k] is the sum of Delay[k:], for conditional means.
	suffix []float64
}

// NewLink describes the link of a network section.
func NewLink(n config.Network) (Link, error) {
	l := Link{}
	if err := checkProb("network.loss", n.Loss); err != nil {
		return l, err
	}
	burst := n.Burst.Enter > 0
	if burst {
		for _, p := range []struct {
			k string
			v float64
		}{{"network.burst.enter", n.Burst.Enter}, {"network.burst.leave", n.Burst.Leave}, {"network.burst.loss", n.Burst.Loss}} {
			if err := checkProb(p.k, p.v); err != nil {
				return l, err
			}
		}
	}
	base, err := quantiles(n.Latency, 128)
	if err != nil {
		return l, err
	}
	jit := n.Jitter.Seconds()
	const jpoints = 16
	for _, b := range base {
		for k := range jpoints {
			j := 0.0
			if jit > 0 {
				j = -jit + 2*jit*(float64(k)+0.5)/jpoints
			}
			l.Delay = append(l.Delay, math.Max(b+j, 0))
		}
	}
	slices.Sort(l.Delay)
	l.suffix = make([]float64, len(l.Delay)+1)
	for k := len(l.Delay) - 1; k >= 0; k-- {
		l.suffix[k] = l.suffix[k+1] + l.Delay[k]
	}
	hi, err := quantile(n.Latency, 0.999)
	if err != nil {
		return l, err
	}
	l.DelayHi = hi + jit

	// The chain of one message: M[s][s'], and the loss in each state.
	m := [2][2]float64{{1, 0}, {0, 1}}
	drop := [2]float64{0, 0}
	if burst {
		e, lv := n.Burst.Enter, n.Burst.Leave
		m = [2][2]float64{{1 - e, e}, {lv, 1 - lv}}
		drop[1] = n.Burst.Loss
	}
	p := n.Loss
	for s := range 2 {
		for s2 := range 2 {
			// Lost: to uniform loss (no step), or stepped to s2 and
			// lost there.
			lost := (1 - p) * m[s][s2] * drop[s2]
			if s == s2 {
				lost += p
			}
			l.Lost[s][s2] = lost
			// Kept: stepped to s1 and kept; then the reply steps the
			// chain once more unless lost to uniform loss.
			for s1 := range 2 {
				kept := (1 - p) * m[s][s1] * (1 - drop[s1])
				stay := 0.0
				if s1 == s2 {
					stay = p
				}
				l.Kept[s][s2] += kept * (stay + (1-p)*m[s1][s2])
			}
		}
	}
	l.Pi = stationary(add(l.Lost, l.Kept))
	return l, nil
}

func checkProb(key string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > 1 {
		return fmt.Errorf("%s %v: want a probability in [0, 1]", key, v)
	}
	return nil
}

func add(a, b [2][2]float64) [2][2]float64 {
	var c [2][2]float64
	for i := range 2 {
		for j := range 2 {
			c[i][j] = a[i][j] + b[i][j]
		}
	}
	return c
}

// stationary is the stationary distribution of a two-state chain.
func stationary(t [2][2]float64) [2]float64 {
	a, b := t[0][1], t[1][0]
	if a+b == 0 {
		return [2]float64{1, 0}
	}
	return [2]float64{b / (a + b), a / (a + b)}
}

// step multiplies a row vector by a matrix.
func step(v [2]float64, t [2][2]float64) [2]float64 {
	return [2]float64{v[0]*t[0][0] + v[1]*t[1][0], v[0]*t[0][1] + v[1]*t[1][1]}
}

// LossRate is the share of heartbeats lost in the long run.
func (l Link) LossRate() float64 {
	v := step(l.Pi, l.Lost)
	return v[0] + v[1]
}

// MeanDelay is E(D) in seconds.
func (l Link) MeanDelay() float64 {
	s := 0.0
	for _, d := range l.Delay {
		s += d
	}
	return s / float64(len(l.Delay))
}

// cdf is Pr(D ≤ x).
func (l Link) cdf(x float64) float64 {
	// Most calls ask far outside the delays' range: answer those at once.
	switch n := len(l.Delay); {
	case x < l.Delay[0]:
		return 0
	case x >= l.Delay[n-1]:
		return 1
	}
	k, _ := slices.BinarySearchFunc(l.Delay, x, func(d, x float64) int {
		if d <= x {
			return -1
		}
		return 1
	})
	return float64(k) / float64(len(l.Delay))
}

// points returns n equally likely delays, the midpoints of Delay's n
// slices, so that sums over them stay cheap.
func (l Link) points(n int) []float64 {
	out := make([]float64, n)
	per := len(l.Delay) / n
	for k := range n {
		out[k] = l.Delay[k*per+per/2]
	}
	return out
}

// quantiles returns n quantiles of a latency distribution at the
// midpoints (k + ½)/n, in seconds.
func quantiles(lat config.Latency, n int) ([]float64, error) {
	out := make([]float64, n)
	for k := range n {
		q, err := quantile(lat, (float64(k)+0.5)/float64(n))
		if err != nil {
			return nil, err
		}
		out[k] = q
	}
	return out, nil
}

// z99 is the standard normal's 99th percentile, as pkg/sim's lognormal
// takes it.
var z99 = distuv.UnitNormal.Quantile(0.99)

// quantile is the p-quantile of a latency distribution in seconds, as
// pkg/sim draws it (normal floored at zero, Pareto capped at an hour).
func quantile(lat config.Latency, p float64) (float64, error) {
	switch lat.Dist {
	case "", "constant":
		return lat.Value.Seconds(), nil
	case "uniform":
		return lat.Min.Seconds() + p*(lat.Max-lat.Min).Seconds(), nil
	case "normal":
		return math.Max(lat.Mean.Seconds()+distuv.UnitNormal.Quantile(p)*lat.Stddev.Seconds(), 0), nil
	case "lognormal":
		mu := math.Log(lat.Median.Seconds())
		sigma := (math.Log(lat.P99.Seconds()) - mu) / z99
		return math.Exp(mu + sigma*distuv.UnitNormal.Quantile(p)), nil
	case "pareto":
		x := lat.Min.Seconds() / math.Pow(1-p, 1/lat.Alpha)
		return math.Min(x, time.Hour.Seconds()), nil
	}
	return 0, fmt.Errorf("network.latency: unknown distribution %q", lat.Dist)
}

// MeanLossRun is the mean length, in heartbeats, of a run of lost
// heartbeats.
func (l Link) MeanLossRun() float64 {
	starts := step(step(l.Pi, l.Kept), l.Lost)
	if s := starts[0] + starts[1]; s > 0 {
		return l.LossRate() / s
	}
	return 0
}
