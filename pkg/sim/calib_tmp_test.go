package sim

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/scenario"
)

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestCalibrate(t *testing.T) {
	for _, src := range []string{
		"name: h1\nduration: 10s\ncluster: {datanodes: 60000}\n",
	} {
		scn, err := scenario.Parse("c.yaml", []byte(src), scenario.Options{Env: func(string) (string, bool) { return "", false }})
		if err != nil {
			t.Fatal(err)
		}
		h0 := heap()
		start := time.Now()
		if scn.Config.Heartbeat.Detector == "gossip" {
			tr, _ := RunWith(scn, Options{})
			el := time.Since(start)
			fmt.Printf("%s gossip wall %v messages %d\n", scn.Name, el, tr.Messages)
			continue
		}
		s, err := NewWith(scn, Options{})
		if err != nil {
			t.Fatal(err)
		}
		h1 := heap()
		s.RunUntil(scn.Duration)
		el := time.Since(start)
		h2 := heap()
		tr := s.Trace()
		var hb int64
		for _, n := range tr.Nodes {
			hb += n.HeartbeatsReceived
		}
		fmt.Printf("%s nodes %d wall %v events %d ev/s %.3g hb %d msgs %d heapNew %.0f B/node heapEnd %.0f B/node trace-events %d\n",
			scn.Name, len(scn.Nodes), el, s.q.seq, float64(s.q.seq)/el.Seconds(), hb, tr.Messages,
			float64(h1-h0)/float64(len(scn.Nodes)), float64(h2-h0)/float64(len(scn.Nodes)), len(tr.Events))
	}
}
