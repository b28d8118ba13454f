// Package rng draws hbsim's random numbers by what they are for, not by
// when they are drawn.
//
// Every draw is a hash of (seed, stream, key, sequence): SplitMix64's
// finaliser applied to a counter, as in counter-based generators (Salmon et
// al., "Parallel random numbers: as easy as 1, 2, 3", SC'11). A draw for
// "the latency of DataNode 17's 40th message" is then the same number
// whatever else the run drew before it, so the order in which a runtime
// processes events, or a fast path that fuses several of them, never
// changes a result.
//
// Streams are named constants: each purpose has its own, so turning one
// feature on (a client workload, say) leaves every other draw unchanged.
package rng

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// Stream names what a draw is for. Values are part of every trace's
// randomness: never renumber, only add.
type Stream uint64

// Streams.
const (
	_            Stream = iota
	Boot                // a DataNode's boot phase within one interval
	Latency             // a message's delay (key: sending endpoint)
	Jitter              // a message's jitter
	Loss                // whether a message is lost to uniform loss
	Burst               // the Gilbert–Elliott chain of a link
	FaultLoss           // loss faults (loss: events)
	FaultSlow           // latency added by slow: events
	Targets             // random: and percent: targets of scenario events
	Placement           // the NameNode's choice of replica targets
	Sources             // the NameNode's choice of replication sources
	ReadOrder           // the NameNode's shuffle of read locations
	Layout              // the initial block layout
	Workload            // client arrivals and block picks
	ClientNet           // the client's round trips
	Gossip              // gossip members' choice of peers
	Background          // background load on an overloaded NameNode
	LiveBackoff         // live mode's reconnect jitter
	Proxy               // the live fault proxy's draws
	Probe               // hbsim tune's probe crashes (key: DataNode)
	Invalidation        // the NameNode's order of nodes for deletion work
	ClientRetry         // the HDFS client's wait before refetching locations (key: call)
)

const golden = 0x9e3779b97f4a7c15

// mix is SplitMix64's finaliser: a bijection that spreads every input bit
// over the output.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Key is the root of one stream for one subject (a node, a link, a block):
// draws under it differ only by their sequence number.
func Key(seed uint64, s Stream, subject uint64) uint64 {
	return StreamOf(seed, s).Key(subject)
}

// StreamKey is one stream of one seed, for callers that key many subjects
// under it: Key(seed, s, subject) is StreamOf(seed, s).Key(subject), one
// mix instead of three.
type StreamKey uint64

// StreamOf is stream s of seed.
func StreamOf(seed uint64, s Stream) StreamKey {
	return StreamKey(mix(mix(seed^golden) + uint64(s)*golden))
}

// Key is the root of the stream for one subject.
func (k StreamKey) Key(subject uint64) uint64 {
	return mix(uint64(k) + subject*0xd6e8feb86659fd93)
}

// At is draw number seq under key.
func At(key, seq uint64) uint64 { return mix(key + (seq+1)*golden) }

// Float64 is At as a number in [0, 1).
func Float64(key, seq uint64) float64 { return float64(At(key, seq)>>11) / (1 << 53) }

// IntN is At as a number in [0, n); n > 0. Lemire's multiply-shift, whose
// bias (below n/2^64) no run can see.
func IntN(key, seq uint64, n uint64) uint64 {
	hi, _ := bits.Mul64(At(key, seq), n)
	return hi
}

// Source is a stream for one subject that counts its own draws: a
// rand.Source for distributions (normal, exponential, Zipf) that may take
// several draws each. Its zero value is not useful; use NewSource.
type Source struct {
	key, seq uint64
}

// NewSource starts the stream s of subject at draw 0.
func NewSource(seed uint64, s Stream, subject uint64) *Source {
	return &Source{key: Key(seed, s, subject)}
}

// Uint64 implements rand.Source.
func (s *Source) Uint64() uint64 {
	v := At(s.key, s.seq)
	s.seq++
	return v
}

// Seq is how many draws the source has made.
func (s *Source) Seq() uint64 { return s.seq }

// Rand wraps a Source for math/rand/v2's distributions.
func Rand(seed uint64, s Stream, subject uint64) *rand.Rand {
	return rand.New(NewSource(seed, s, subject))
}

// One returns a generator for a single logical draw (draw seq under key):
// for a draw that needs a distribution (a normal latency, an exponential
// gap) yet must not depend on how many numbers earlier draws consumed.
func One(key, seq uint64) *rand.Rand {
	return rand.New(&Source{key: mix(key ^ (seq+1)*0xd1b54a32d192ed03)})
}

// Exp is an exponential draw with mean 1 from one uniform (inverse CDF):
// exactly one number per draw, so it can be keyed.
func Exp(key, seq uint64) float64 {
	u := Float64(key, seq)
	return -math.Log1p(-u)
}
