package sim

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/scenario"
)

// benchScenario is n DataNodes with HDFS's defaults for one virtual hour,
// over a 2 ms network with the given jitter.
func benchScenario(n int, jitter time.Duration) *scenario.Scenario {
	nodes := make([]string, n)
	for i := range nodes {
		nodes[i] = fmt.Sprintf("dn%d", i+1)
	}
	return &scenario.Scenario{
		Name:     fmt.Sprintf("bench-%d", n),
		Seed:     1,
		Duration: time.Hour,
		Nodes:    nodes,
		Config: withHeartbeat(3*time.Second, 3*time.Second, 10, 30*time.Second,
			config.Network{Latency: config.Constant(2 * time.Millisecond), Jitter: jitter}),
	}
}

// BenchmarkHour simulates one virtual hour of n DataNodes, over a constant
// 2 ms network and with 2 ms ± 1 ms of jitter, and reports simulated
// heartbeats per wall-clock second and the engine's heap per DataNode
// (measured once every node has registered); the in-order variant runs
// the jittered hour without quiet stretches (stretch.go), every heartbeat
// through the queue in time order. Issue 10's targets:
// 20M heartbeats/s at 10,000 constant, 10M with jitter, ≤ 256 B/DataNode.
func BenchmarkHour(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, jitter := range []time.Duration{0, time.Millisecond} {
			name := fmt.Sprintf("datanodes=%d/latency=2ms", n)
			if jitter > 0 {
				name += "-jitter=1ms"
			}
			b.Run(name, func(b *testing.B) {
				scn := benchScenario(n, jitter)
				b.ReportAllocs()
				var hb int64
				var perNode float64
				for i := 0; i < b.N; i++ {
					s, heap := settled(b, scn, nil)
					perNode = float64(heap) / float64(n)
					s.RunUntil(scn.Duration)
					for _, nd := range s.Trace().Nodes {
						hb += nd.HeartbeatsReceived
					}
				}
				b.ReportMetric(float64(hb)/b.Elapsed().Seconds(), "heartbeats/s")
				b.ReportMetric(perNode, "B/DataNode")
			})
		}
	}
	// The same hour with every heartbeat in time order (no quiet
	// stretches): the engine's speed when the world is never quiet.
	scn := benchScenario(10000, time.Millisecond)
	b.Run("datanodes=10000/latency=2ms-jitter=1ms/in-order", func(b *testing.B) {
		var hb int64
		for i := 0; i < b.N; i++ {
			s, _ := settled(b, scn, func(s *Sim) { s.opts.NoStretch = true })
			s.RunUntil(scn.Duration)
			for _, nd := range s.Trace().Nodes {
				hb += nd.HeartbeatsReceived
			}
		}
		b.ReportMetric(float64(hb)/b.Elapsed().Seconds(), "heartbeats/s")
	})
}

// settled builds the world of scn, runs it ten virtual seconds (every node
// registered, reported and heartbeating) and returns it with the heap it
// grew by: the engine's (machines, queue, runtime state and the trace so
// far), not its input's (the model, built first, as the scenario is);
// prepare, if given, runs on the new world first.
func settled(b *testing.B, scn *scenario.Scenario, prepare func(*Sim)) (*Sim, uint64) {
	b.Helper()
	m := scn.MustModel()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, err := New(m, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if prepare != nil {
		prepare(s)
	}
	s.RunUntil(10 * time.Second)
	runtime.GC()
	runtime.ReadMemStats(&after)
	return s, after.HeapAlloc - before.HeapAlloc
}
