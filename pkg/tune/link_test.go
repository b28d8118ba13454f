package tune

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/config"
)

func TestNewLinkDelay(t *testing.T) {
	for _, tc := range []struct {
		name           string
		net            config.Network
		mean, hi, lo   float64
		meanTol, hiTol float64
	}{
		{"constant", config.Network{Latency: config.Constant(2 * time.Millisecond)}, 0.002, 0.002, 0.002, 1e-12, 1e-12},
		{"constant with jitter", config.Network{Latency: config.Constant(2 * time.Millisecond), Jitter: time.Millisecond}, 0.002, 0.003, 0.001, 1e-6, 1e-12},
		{"jitter floored at zero", config.Network{Latency: config.Constant(0), Jitter: time.Millisecond}, 0.00025, 0.001, 0, 2e-5, 1e-12},
		{"uniform", config.Network{Latency: config.Latency{Dist: "uniform", Min: 10 * time.Millisecond, Max: 30 * time.Millisecond}}, 0.020, 0.02998, 0.010, 1e-5, 1e-5},
		// lognormal with median 2ms, p99 20ms: mean = median·e^{σ²/2}.
		{"lognormal", config.Network{Latency: config.Latency{Dist: "lognormal", Median: 2 * time.Millisecond, P99: 20 * time.Millisecond}}, 0.002 * math.Exp(math.Pow(math.Log(10)/z99, 2)/2), 0.002 * math.Exp(math.Log(10)/z99*3.0902), 0, 3e-4, 1e-5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := NewLink(tc.net)
			if err != nil {
				t.Fatal(err)
			}
			if got := l.MeanDelay(); math.Abs(got-tc.mean) > tc.meanTol {
				t.Errorf("mean delay %v, want %v", got, tc.mean)
			}
			if math.Abs(l.DelayHi-tc.hi) > tc.hiTol {
				t.Errorf("p99.9 %v, want %v", l.DelayHi, tc.hi)
			}
			if l.Delay[0] < tc.lo-1e-12 {
				t.Errorf("least delay %v below %v", l.Delay[0], tc.lo)
			}
			if l.LossRate() != 0 {
				t.Errorf("loss %v on a lossless link", l.LossRate())
			}
		})
	}
}

func TestNewLinkRejects(t *testing.T) {
	for _, n := range []config.Network{
		{Latency: config.Constant(0), Loss: 1.5},
		{Latency: config.Constant(0), Loss: math.NaN()},
		{Latency: config.Constant(0), Burst: config.Burst{Enter: 0.1, Leave: -1, Loss: 1}},
		{Latency: config.Latency{Dist: "zipf"}},
	} {
		if _, err := NewLink(n); err == nil {
			t.Errorf("%+v accepted", n)
		}
	}
}

// TestLinkLossMatchesMessages steps pkg/sim's message-level model (uniform
// loss, then a Gilbert–Elliott chain stepped by each heartbeat and by the
// reply of each one that got through) a million heartbeats and compares
// the loss rate and the mean run of losses with Link's heartbeat-level
// chain.
func TestLinkLossMatchesMessages(t *testing.T) {
	for _, n := range []config.Network{
		{Latency: config.Constant(0), Loss: 0.05},
		{Latency: config.Constant(0), Loss: 0.05, Burst: config.Burst{Enter: 0.02, Leave: 0.5, Loss: 0.9}},
		{Latency: config.Constant(0), Burst: config.Burst{Enter: 0.1, Leave: 0.2, Loss: 0.6}},
	} {
		l, err := NewLink(n)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		bad := false
		send := func() bool { // true: delivered
			if r.Float64() < n.Loss {
				return false
			}
			if n.Burst.Enter > 0 {
				if bad {
					bad = r.Float64() >= n.Burst.Leave
				} else {
					bad = r.Float64() < n.Burst.Enter
				}
				return !(bad && r.Float64() < n.Burst.Loss)
			}
			return true
		}
		const beats = 1_000_000
		lost, runs := 0, 0
		prevLost := false
		for range beats {
			ok := send()
			if ok {
				send() // the reply
			} else {
				lost++
				if !prevLost {
					runs++
				}
			}
			prevLost = !ok
		}
		rate, run := float64(lost)/beats, float64(lost)/float64(runs)
		if math.Abs(rate-l.LossRate()) > 0.02*l.LossRate() {
			t.Errorf("%+v: loss %v by messages, %v by Link", n, rate, l.LossRate())
		}
		if math.Abs(run-l.MeanLossRun()) > 0.02*l.MeanLossRun() {
			t.Errorf("%+v: mean run %v by messages, %v by Link", n, run, l.MeanLossRun())
		}
	}
}
