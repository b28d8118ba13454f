package namenode

import (
	"time"

	"github.com/hbsim/hbsim/pkg/rng"
)

// draws is the random numbers of one decision, keyed by what it is for
// (pkg/rng): the placement of block b at time t, the source of block b at
// time t, the read order of block b at time t. A decision's numbers then
// do not depend on how many other decisions came before it.
type draws struct{ key, seq uint64 }

// draws starts the numbers of the decision about subject at now.
func (n *NameNode) draws(s rng.Stream, subject uint64, now time.Duration) draws {
	return draws{key: rng.At(rng.Key(n.cfg.Seed, s, subject), uint64(now))}
}

// intN is the next number in [0, k); k > 0.
func (d *draws) intN(k int) int {
	v := rng.IntN(d.key, d.seq, uint64(k))
	d.seq++
	return int(v)
}

// coin is the next fair coin toss.
func (d *draws) coin() bool { return d.intN(2) == 1 }
