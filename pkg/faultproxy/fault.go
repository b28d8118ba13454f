package faultproxy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/hbsim/hbsim/pkg/config"
)

// Dir is a direction on a link, or both.
type Dir uint8

const (
	// Up is DataNode → NameNode: registrations, heartbeats, lifelines.
	Up Dir = 1 << iota
	// Down is NameNode → DataNode: replies and commands.
	Down
	// Both is Up and Down.
	Both = Up | Down
)

func (d Dir) String() string {
	switch d {
	case Up:
		return "up"
	case Down:
		return "down"
	case Both:
		return "both"
	}
	return fmt.Sprintf("dir(%d)", uint8(d))
}

// index is d's slot in per-direction counters (Up 0, Down 1).
func (d Dir) index() int {
	if d == Down {
		return 1
	}
	return 0
}

// ScenarioDir maps a scenario partition's direction to a Dir: "both";
// "to", messages to the targets are lost (Down); "from", messages from
// them are (Up).
func ScenarioDir(direction string) (Dir, error) {
	switch direction {
	case "", "both":
		return Both, nil
	case "to":
		return Down, nil
	case "from":
		return Up, nil
	}
	return 0, fmt.Errorf("faultproxy: direction %q: want both, to or from", direction)
}

// Mode is how a partition treats frames.
type Mode uint8

const (
	// NoPartition forwards frames.
	NoPartition Mode = iota
	// Drop loses every message frame while the partition lasts (the
	// simulator's partition); handshake frames are held until it heals.
	Drop
	// Hold keeps every frame until the partition heals, then delivers
	// them in order: a cable pulled and plugged back in before TCP gives up.
	Hold
)

func (m Mode) String() string {
	switch m {
	case NoPartition:
		return "none"
	case Drop:
		return "drop"
	case Hold:
		return "hold"
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// Fault is one impairment of a link. The zero Fault changes nothing.
type Fault struct {
	// Dir is the directions the fault applies to; 0 means Both.
	Dir Dir
	// Partition cuts the link while the fault lasts.
	Partition Mode
	// Latency is added to every frame (drawn per frame); the zero value
	// adds nothing.
	Latency config.Latency
	// Jitter widens each delay by a uniform draw in [-Jitter, +Jitter].
	Jitter time.Duration
	// Loss is the probability that a message frame is lost.
	Loss float64
	// Burst is Gilbert–Elliott bursty loss of message frames, on when
	// Burst.Enter > 0.
	Burst config.Burst
}

func (f Fault) dir() Dir {
	if f.Dir == 0 {
		return Both
	}
	return f.Dir
}

// Check reports a fault that makes no sense.
func (f Fault) Check() error {
	switch {
	case f.Dir&^Both != 0:
		return fmt.Errorf("faultproxy: invalid direction %v", f.Dir)
	case f.Partition > Hold:
		return fmt.Errorf("faultproxy: invalid partition mode %v", f.Partition)
	case !(f.Loss >= 0 && f.Loss <= 1):
		return fmt.Errorf("faultproxy: loss %v is not a probability", f.Loss)
	case f.Jitter < 0:
		return fmt.Errorf("faultproxy: negative jitter %v", f.Jitter)
	}
	for _, p := range []float64{f.Burst.Enter, f.Burst.Leave, f.Burst.Loss} {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("faultproxy: burst probability %v is not a probability", p)
		}
	}
	return nil
}

// Scale multiplies every time in f by k: the latency distribution's
// durations and the jitter (for runs at --speed k).
func (f Fault) Scale(k float64) Fault {
	s := func(d time.Duration) time.Duration { return time.Duration(float64(d) * k) }
	l := &f.Latency
	l.Value, l.Min, l.Max = s(l.Value), s(l.Min), s(l.Max)
	l.Mean, l.Stddev, l.Median, l.P99 = s(l.Mean), s(l.Stddev), s(l.Median), s(l.P99)
	f.Jitter = s(f.Jitter)
	return f
}

// z99 is the 99th percentile of the standard normal distribution.
const z99 = 2.3263478740408408

// sample draws one delay from l, with the formulas of the simulator's
// network (pkg/sim), which this package does not import.
func sample(rng *rand.Rand, l config.Latency) time.Duration {
	switch l.Dist {
	case "uniform":
		if l.Max <= l.Min {
			return l.Min
		}
		return l.Min + time.Duration(rng.Int64N(int64(l.Max-l.Min)+1))
	case "normal":
		return max(time.Duration(float64(l.Mean)+rng.NormFloat64()*float64(l.Stddev)), 0)
	case "lognormal":
		if l.Median <= 0 {
			return 0
		}
		// median = e^μ; p99 = e^(μ + z99·σ)
		mu := math.Log(float64(l.Median))
		sigma := (math.Log(float64(max(l.P99, l.Median))) - mu) / z99
		return time.Duration(math.Exp(mu + sigma*rng.NormFloat64()))
	case "pareto":
		if l.Min <= 0 || l.Alpha <= 0 {
			return l.Min
		}
		// inverse CDF, capped so one draw cannot stall a link for ever
		u := 1 - rng.Float64() // (0, 1]
		return time.Duration(min(float64(l.Min)/math.Pow(u, 1/l.Alpha), float64(time.Hour)))
	default:
		return max(l.Value, 0)
	}
}

// active is a fault applied to a link, with its burst chain's state.
type active struct {
	Fault
	bad bool
}

// verdict is what happens to one frame.
type verdict struct {
	drop, hold bool
	delay      time.Duration
}

// judge decides one frame's fate under the faults in force. message is
// false for handshake frames, which loss never drops and a partition
// holds. Must be called with the link's lock held.
func judge(rng *rand.Rand, faults []*active, dir Dir, message bool) verdict {
	var v verdict
	for _, a := range faults {
		if a.dir()&dir == 0 || a.Partition == NoPartition {
			continue
		}
		if a.Partition == Drop && message {
			v.drop = true
			return v
		}
		v.hold = true
	}
	if v.hold {
		return v
	}
	if message {
		for _, a := range faults {
			if a.dir()&dir == 0 {
				continue
			}
			if a.Loss > 0 && rng.Float64() < a.Loss {
				v.drop = true
			}
			if b := a.Burst; b.Enter > 0 {
				if a.bad {
					if rng.Float64() < b.Leave {
						a.bad = false
					}
				} else if rng.Float64() < b.Enter {
					a.bad = true
				}
				if a.bad && rng.Float64() < b.Loss {
					v.drop = true
				}
			}
		}
		if v.drop {
			return v
		}
	}
	for _, a := range faults {
		if a.dir()&dir == 0 {
			continue
		}
		v.delay += sample(rng, a.Latency)
		if j := a.Jitter; j > 0 {
			v.delay += time.Duration(rng.Int64N(2*int64(j)+1)) - j
		}
	}
	v.delay = max(v.delay, 0)
	return v
}
