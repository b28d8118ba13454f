package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/scenario"
)

// blockBenchScenario is n DataNodes on n/100 racks holding blocks × 3
// replicas for one virtual hour: one node dies at 10m, a whole rack at 20m.
func blockBenchScenario(n, blocks int) *scenario.Scenario {
	scn := benchScenario(n, time.Millisecond)
	scn.Name = fmt.Sprintf("blocks-%d-%d", n, blocks)
	racks := max(n/100, 2)
	scn.Racks = make([]scenario.Rack, racks)
	for r := range scn.Racks {
		scn.Racks[r].Name = fmt.Sprintf("r%d", r+1)
	}
	for i, id := range scn.Nodes {
		scn.Racks[i%racks].Nodes = append(scn.Racks[i%racks].Nodes, id)
	}
	scn.Bandwidth = scenario.DefaultBandwidth
	scn.Config.Data.Blocks = blocks // HDFS's defaults for the rest
	scn.Events = []scenario.Event{
		{At: 10 * time.Minute, Action: scenario.Kill, Nodes: []string{scn.Nodes[0]}},
		{At: 20 * time.Minute, Action: scenario.Kill, Nodes: scn.Racks[1].Nodes},
	}
	return scn
}

// BenchmarkBlocks simulates 10,000 DataNodes holding 1,000,000 blocks × 3
// for one virtual hour with a node failure and a rack failure. It reports
// heartbeats per wall-clock second and the heap the block layer costs per
// replica (NameNode map plus DataNode copies). Targets: < 30s a run,
// ≤ 64 B/replica. Not part of make test: go test -run '^$' -bench Blocks ./pkg/sim
func BenchmarkBlocks(b *testing.B) {
	const n, blocks = 10000, 1000000
	scn := blockBenchScenario(n, blocks)
	b.ReportAllocs()
	var hb int64
	var perReplica float64
	for i := 0; i < b.N; i++ {
		s, heap := settled(b, scn, func(s *Sim) {
			s.blk.layout = nil // the DataNodes hold their copies now
		})
		perReplica = float64(heap) / float64(blocks*3)
		s.RunUntil(scn.Duration)
		tr := s.Trace()
		for _, nd := range tr.Nodes {
			hb += nd.HeartbeatsReceived
		}
		if i == 0 {
			b.Logf("blocks: lost %d, under-replicated peak %d, re-replicated %d, recovered %v at %v",
				tr.Blocks.Lost, tr.Blocks.UnderReplicatedPeak, tr.Blocks.ReReplicated, tr.Blocks.Recovered, tr.Blocks.RecoveredAt)
		}
	}
	b.ReportMetric(float64(hb)/b.Elapsed().Seconds(), "heartbeats/s")
	b.ReportMetric(perReplica, "B/replica")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
}
