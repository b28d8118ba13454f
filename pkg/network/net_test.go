package network

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/rng"
)

func draws(seq uint64) *Draws {
	d := MessageDraws(rng.Key(1, rng.Latency, 3), seq)
	return &d
}

// TestFateIsAFunctionOfItsDraws: the same message drawn twice has the same
// fate whatever else was sent in between.
func TestFateIsAFunctionOfItsDraws(t *testing.T) {
	n := NewNet(Fault{Latency: Latency{Dist: "lognormal", Median: 2 * time.Millisecond, P99: 20 * time.Millisecond},
		Jitter: time.Millisecond, Loss: 0.1}, 4)
	a := n.Fate(0, NameNode, draws(40))
	for s := uint64(0); s < 100; s++ {
		n.Fate(1, NameNode, draws(s))
	}
	if b := n.Fate(0, NameNode, draws(40)); a != b {
		t.Fatalf("fate changed with other messages: %+v then %+v", a, b)
	}
}

func TestPartitionCutsEveryPeerAndHeals(t *testing.T) {
	n := NewNet(Fault{Latency: Constant(time.Millisecond)}, 3)
	cut := Fault{Dir: Down, Partition: Drop}
	n.AddFault(1, cut)
	for _, c := range []struct {
		from, to Endpoint
		lost     bool
	}{
		{NameNode, 1, true}, {1, NameNode, false}, {Client, 1, true}, {0, 1, true}, {1, 0, false}, {0, NameNode, false},
	} {
		if v := n.Fate(c.from, c.to, draws(0)); v.Lost != c.lost {
			t.Errorf("%d → %d lost = %v, want %v", c.from, c.to, v.Lost, c.lost)
		}
	}
	if n.Quiet() {
		t.Error("a net with a partition in force says it is quiet")
	}
	n.RemoveFault(1, cut)
	if !n.Quiet() || n.Fate(NameNode, 1, draws(0)).Lost {
		t.Error("the partition did not heal")
	}
}

// TestCutOff: a node is cut off only while partitions on its own link
// drop its messages both ways, and never under a group cut (whose sides
// still talk among themselves).
func TestCutOff(t *testing.T) {
	n := NewNet(Fault{Latency: Constant(time.Millisecond)}, 3)
	if n.CutOff(1) {
		t.Fatal("a quiet net cuts a node off")
	}
	down := Fault{Dir: Down, Partition: Drop}
	n.AddFault(1, down)
	if n.CutOff(1) {
		t.Error("a partition one way cuts the node off")
	}
	up := Fault{Dir: Up, Partition: Hold}
	n.AddFault(1, up)
	if !n.CutOff(1) || n.CutOff(0) {
		t.Errorf("partitions both ways: CutOff(1) = %v, CutOff(0) = %v; want true, false", n.CutOff(1), n.CutOff(0))
	}
	n.AddGroupCut(GroupCut{Side: []uint8{1, 1, 2}, NameNode: 1, Dir: Both, ID: 1})
	if n.CutOff(1) {
		t.Error("a node is cut off while a group cut is in force")
	}
	n.RemoveGroupCut(1)
	n.RemoveFault(1, down)
	if n.CutOff(1) {
		t.Error("a node is still cut off once one way heals")
	}
}

func TestGroupCut(t *testing.T) {
	n := NewNet(Fault{}, 4)
	n.AddGroupCut(GroupCut{Side: []uint8{1, 1, 2, 2}, NameNode: 1, Dir: Both, ID: 7})
	if !n.Fate(2, NameNode, draws(0)).Lost || n.Fate(1, NameNode, draws(0)).Lost || !n.Fate(0, 3, draws(0)).Lost {
		t.Fatal("group cut does not separate the sides")
	}
	if n.Fate(Client, 3, draws(0)).Lost {
		t.Fatal("clients stand outside the groups")
	}
	n.RemoveGroupCut(7)
	if !n.Quiet() {
		t.Fatal("group cut not lifted")
	}
}

// TestLossAndBurstRates: over many messages, uniform loss and a
// Gilbert–Elliott chain lose the share their parameters imply.
func TestLossAndBurstRates(t *testing.T) {
	for _, c := range []struct {
		name string
		f    Fault
		want float64
	}{
		{"uniform", Fault{Loss: 0.3}, 0.3},
		// stationary bad share = enter/(enter+leave) = 0.2; lost with p 1
		{"burst", Fault{Burst: Burst{Enter: 0.05, Leave: 0.2, Loss: 1}}, 0.2},
	} {
		n := NewNet(c.f, 1)
		lost := 0
		const msgs = 200000
		for s := uint64(0); s < msgs; s++ {
			if n.Fate(0, NameNode, draws(s)).Lost {
				lost++
			}
		}
		if got := float64(lost) / msgs; math.Abs(got-c.want) > 0.01 {
			t.Errorf("%s: lost %.3f, want %.3f", c.name, got, c.want)
		}
	}
}

func TestLatencySamples(t *testing.T) {
	for _, c := range []struct {
		l         Latency
		mean, tol float64 // ms
	}{
		{Constant(2 * time.Millisecond), 2, 0},
		{Latency{Dist: "uniform", Min: time.Millisecond, Max: 3 * time.Millisecond}, 2, 0.02},
		{Latency{Dist: "normal", Mean: 10 * time.Millisecond, Stddev: time.Millisecond}, 10, 0.02},
		{Latency{Dist: "pareto", Min: time.Millisecond, Alpha: 3}, 1.5, 0.03},
		// lognormal mean = median·e^(σ²/2), σ = ln(p99/median)/z99
		{Latency{Dist: "lognormal", Median: 2 * time.Millisecond, P99: 20 * time.Millisecond}, 2 * math.Exp(math.Pow(math.Log(10)/z99, 2)/2), 0.05},
	} {
		var sum float64
		const k = 100000
		for s := uint64(0); s < k; s++ {
			sum += float64(c.l.Sample(draws(s))) / 1e6
		}
		if m := sum / k; math.Abs(m-c.mean) > c.tol*c.mean+1e-9 {
			t.Errorf("%s: mean %.3f ms, want %.3f", c.l.Dist, m, c.mean)
		}
	}
	if d := (Latency{Dist: "pareto", Min: time.Hour, Alpha: 0.01}).Sample(draws(1)); d != maxDelay {
		t.Errorf("pareto draw not capped: %v", d)
	}
}

func TestLinkHoldsAndDrops(t *testing.T) {
	var l Link
	l.Add(Fault{Partition: Hold})
	if v := l.Judge(Up, true, draws(0)); !v.Held {
		t.Fatalf("hold: %+v", v)
	}
	l.Remove(Fault{Partition: Hold})
	l.Add(Fault{Partition: Drop, Dir: Up})
	if v := l.Judge(Up, true, draws(0)); !v.Lost {
		t.Fatalf("drop: %+v", v)
	}
	if v := l.Judge(Up, false, draws(0)); !v.Held {
		t.Fatalf("a transport frame under drop is held: %+v", v)
	}
	if v := l.Judge(Down, true, draws(0)); v.Lost || v.Held {
		t.Fatalf("drop up cut down: %+v", v)
	}
}

// TestLatencyBounds: uniform stays in its bounds, normal never goes
// negative, lognormal has the median and p99 it was given.
func TestLatencyBounds(t *testing.T) {
	const n = 20000
	draw := func(l Latency) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = l.Sample(draws(uint64(i)))
		}
		slices.Sort(out)
		return out
	}
	u := draw(Latency{Dist: "uniform", Min: 10 * time.Millisecond, Max: 20 * time.Millisecond})
	if u[0] < 10*time.Millisecond || u[n-1] > 20*time.Millisecond {
		t.Errorf("uniform out of bounds: %v..%v", u[0], u[n-1])
	}
	ln := draw(Latency{Dist: "lognormal", Median: 2 * time.Millisecond, P99: 20 * time.Millisecond})
	if m, p := ln[n/2], ln[n*99/100]; m < 1800*time.Microsecond || m > 2200*time.Microsecond || p < 15*time.Millisecond || p > 26*time.Millisecond {
		t.Errorf("lognormal median %v (want 2ms), p99 %v (want 20ms)", m, p)
	}
	if nm := draw(Latency{Dist: "normal", Mean: 5 * time.Millisecond, Stddev: 10 * time.Millisecond}); nm[0] < 0 {
		t.Errorf("normal went negative: %v", nm[0])
	}
}

func TestParseDir(t *testing.T) {
	for word, want := range map[string]Dir{"": Both, "both": Both, "to": Down, "from": Up} {
		if d, err := ParseDir(word); err != nil || d != want || (word != "" && d.Word() != word) {
			t.Errorf("ParseDir(%q) = %v, %v; want %v", word, d, err, want)
		}
	}
	if _, err := ParseDir("sideways"); err == nil {
		t.Error("ParseDir accepted sideways")
	}
}
