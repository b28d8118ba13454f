package gossip

import (
	"testing"
	"time"
)

// BenchmarkCluster100 runs 100 members for 10 virtual minutes: 60,000
// rounds, 180,000 messages of about 100 entries each.
func BenchmarkCluster100(b *testing.B) {
	b.ReportAllocs()
	for i := range b.N {
		c := newCluster(b, clusterOpts{n: 100, seed: uint64(i), latency: 5 * time.Millisecond, cfg: lanConfig(), stagger: true})
		c.run(10 * time.Minute)
		if len(c.mistakes) > 0 {
			b.Fatal(c.mistakes[0])
		}
	}
}

// BenchmarkStep merges one 100-entry digest with nothing new in it, the
// common case.
func BenchmarkStep(b *testing.B) {
	c := newCluster(b, clusterOpts{n: 100, seed: 1, latency: 5 * time.Millisecond, cfg: lanConfig(), stagger: true})
	c.run(time.Minute)
	m, from := c.members[0], c.members[1]
	from.round(c.now)
	msg := from.Ready().Messages[0].Msg
	m.Step(c.now, from.ID(), msg)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m.Step(c.now, from.ID(), msg)
	}
}

// BenchmarkRound is one gossip round of a member of 100.
func BenchmarkRound(b *testing.B) {
	c := newCluster(b, clusterOpts{n: 100, seed: 1, latency: 5 * time.Millisecond, cfg: lanConfig(), stagger: true})
	c.run(time.Minute)
	m := c.members[0]
	now := c.now
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m.round(now)
		m.Advance()
	}
}
