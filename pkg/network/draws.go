package network

import (
	"math"

	"github.com/hbsim/hbsim/pkg/rng"
)

// Draws are the random numbers of one message: a counter under the
// message's own key. It allocates nothing, so the simulator's hot path can
// make one per message.
type Draws struct {
	key, n uint64
}

// MessageDraws are the draws of message seq on a link whose stream key is
// link (rng.Key(seed, rng.Latency, subject)).
func MessageDraws(link, seq uint64) Draws { return Draws{key: rng.At(link, seq)} }

// Uint64 is the next raw draw.
func (d *Draws) Uint64() uint64 {
	v := rng.At(d.key, d.n)
	d.n++
	return v
}

// Float64 is the next draw in [0, 1).
func (d *Draws) Float64() float64 { return float64(d.Uint64()>>11) / (1 << 53) }

// Int64N is the next draw in [0, n); n > 0.
func (d *Draws) Int64N(n int64) int64 {
	v := rng.IntN(d.key, d.n, uint64(n))
	d.n++
	return int64(v)
}

// Norm is the next standard normal draw (Box–Muller, two uniforms).
func (d *Draws) Norm() float64 {
	u1 := 1 - d.Float64() // (0, 1]
	u2 := d.Float64()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}
