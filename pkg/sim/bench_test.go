package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/scenario"
)

// benchScenario is n DataNodes with HDFS's defaults for one virtual hour.
func benchScenario(n int) *scenario.Scenario {
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
			config.Network{Latency: config.Constant(2 * time.Millisecond), Jitter: time.Millisecond}),
	}
}

// BenchmarkHour simulates one virtual hour of n DataNodes and reports
// simulated heartbeats per wall-clock second. Target: ≥ 5e6 at 10,000.
func BenchmarkHour(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("datanodes=%d", n), func(b *testing.B) {
			scn := benchScenario(n)
			b.ReportAllocs()
			var hb int64
			for i := 0; i < b.N; i++ {
				tr, err := runScn(scn)
				if err != nil {
					b.Fatal(err)
				}
				for _, nd := range tr.Nodes {
					hb += nd.HeartbeatsReceived
				}
			}
			b.ReportMetric(float64(hb)/b.Elapsed().Seconds(), "heartbeats/s")
		})
	}
}
