package sim

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/scenario"
)

// smallBlockScenario is a small cluster with data, a workload and one
// crash, drawn by rapid.
func smallBlockScenario(t *rapid.T) *scenario.Scenario {
	nodes := rapid.IntRange(4, 9).Draw(t, "nodes")
	racks := rapid.IntRange(1, 3).Draw(t, "racks")
	rf := rapid.IntRange(2, 3).Draw(t, "rf")
	blocks := rapid.IntRange(20, 200).Draw(t, "blocks")
	seed := rapid.Int64Range(1, 1<<40).Draw(t, "seed")
	victim := rapid.IntRange(1, nodes).Draw(t, "victim")
	yaml := fmt.Sprintf(`name: prop
seed: %d
duration: 40m
cluster: {datanodes: %d, racks: %d}
data: {blocks: %d, replication: %d, block_size: 64MiB}
workload: {reads_per_sec: 5, writes_per_sec: 1}
io: {avoid_read_stale: true}
events:
  - {at: 2m, kill: dn%d}
`, seed, nodes, racks, blocks, rf, victim)
	scn, err := scenario.Parse("prop.yaml", []byte(yaml), scenario.Options{Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	return scn
}

// TestBlockProperties checks, over random seeds and small clusters, that no
// node holds two replicas of a block, that transfers never target a dead or
// stale node, that a block is counted lost iff it has no live replica and
// no transfer in flight, and that after a single failure every block is
// back at its replication.
func TestBlockProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		scn := smallBlockScenario(t)
		s, err := newScn(scn)
		if err != nil {
			t.Fatal(err)
		}
		stale := scn.Config.Heartbeat.StaleAfter
		s.blk.onTransfer = func(s *Sim, dst int32) {
			info, _ := s.nn.Node(s.dns[dst].ID())
			// The command left the NameNode at most a heartbeat ago.
			if info.State == namenode.Dead || s.now-info.LastHeard >= stale+scn.Config.Heartbeat.Interval {
				t.Fatalf("%v: transfer to %s, %s, last heard %v", s.now, info.ID, info.State, info.LastHeard)
			}
		}
		for step := time.Minute; step <= scn.Duration; step += time.Minute {
			s.RunUntil(step)
			total := s.nn.BlockStats().Total
			for b := int64(0); b < int64(total); b++ {
				r := s.nn.Replicas(b)
				seen := map[string]bool{}
				for _, id := range r {
					if seen[id] {
						t.Fatalf("%v: block %d has two replicas on %s: %v", step, b, id, r)
					}
					seen[id] = true
				}
			}
			// Lost iff no live replica and no transfer in flight, by a naive count.
			lost, _ := s.lostBlocks()
			naive := 0
			for b := int64(0); b < int64(total); b++ {
				if !s.nn.Counted(b) {
					continue
				}
				live := false
				for i := range s.dns {
					if s.alive(int32(i)) && s.dns[i].Has(b) {
						live = true
					}
				}
				for _, x := range s.blk.xfers {
					if x.src >= 0 && x.block == b && s.alive(x.src) && s.alive(x.dst) {
						live = true
					}
				}
				if !live {
					naive++
				}
			}
			if lost != naive {
				t.Fatalf("%v: lost %d, naive count %d", step, lost, naive)
			}
		}
		tr := s.Trace()
		if tr.Blocks.Lost != 0 {
			t.Fatalf("one failure with replication ≥ 2 lost %d blocks", tr.Blocks.Lost)
		}
		if st := s.nn.BlockStats(); st.UnderReplicated != 0 {
			t.Fatalf("%d blocks still under-replicated 38 minutes after one failure", st.UnderReplicated)
		}
	})
}

// TestBlocksDeterministic: the same seed gives the same report, byte for byte.
func TestBlocksDeterministic(t *testing.T) {
	run := func() []byte {
		scn, err := scenario.Load("../../scenarios/rack-failure.yaml", scenario.Options{Env: func(string) (string, bool) { return "", false }})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := runScn(scn)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := report.Build(report.Meta{Name: scn.Name, Seed: scn.Seed, Config: scn.Effective}, tr).WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a, b := run(), run()
	if !bytes.Equal(a, b) {
		t.Fatal("two runs of one seed differ")
	}
	if !bytes.Contains(a, []byte(`"under_replicated_peak"`)) || !bytes.Contains(a, []byte(`"read_latency_ms"`)) {
		t.Fatal("report lacks the blocks and io objects")
	}
}

// TestStaleReadsLesson: the shipped stale-reads scenario's point, that
// avoid_read_stale changes the read latency's tail.
func TestStaleReadsLesson(t *testing.T) {
	p99 := func(avoid string) float64 {
		scn, err := scenario.Load("../../scenarios/stale-reads.yaml", scenario.Options{
			Sets: []string{"io.avoid_read_stale=" + avoid}, Env: func(string) (string, bool) { return "", false }})
		if err != nil {
			t.Fatal(err)
		}
		tr, err := runScn(scn)
		if err != nil {
			t.Fatal(err)
		}
		return *report.Build(report.Meta{}, tr).IO.ReadLatencyMs.P99
	}
	if on, off := p99("true"), p99("false"); !(on < 200 && off >= 60000) {
		t.Fatalf("read p99 %vms with avoid_read_stale, %vms without; want < 200ms and ≥ 60s", on, off)
	}
}
