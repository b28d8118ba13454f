package rng

import (
	"math"
	"testing"
)

// TestDrawsDependOnKeyOnly: the same (key, seq) gives the same number
// whatever was drawn before, and neighbouring keys and sequences differ.
func TestDrawsDependOnKeyOnly(t *testing.T) {
	k := Key(7, Latency, 17)
	a := At(k, 40)
	for i := uint64(0); i < 100; i++ {
		At(Key(7, Latency, i), i)
	}
	if At(k, 40) != a {
		t.Fatal("a draw changed with the draws made before it")
	}
	seen := map[uint64]bool{}
	for _, s := range []Stream{Boot, Latency, Jitter, Loss} {
		for subj := uint64(0); subj < 50; subj++ {
			for seq := uint64(0); seq < 50; seq++ {
				v := At(Key(7, s, subj), seq)
				if seen[v] {
					t.Fatalf("collision at stream %d subject %d seq %d", s, subj, seq)
				}
				seen[v] = true
			}
		}
	}
	if Key(7, Latency, 1) == Key(8, Latency, 1) {
		t.Fatal("seeds 7 and 8 give the same key")
	}
}

// TestUniformity: mean and variance of Float64 and IntN over many draws
// are those of a uniform distribution, within five standard errors.
func TestUniformity(t *testing.T) {
	const n = 200000
	k := Key(1, Loss, 3)
	var sum, sq float64
	buckets := make([]int, 10)
	for i := uint64(0); i < n; i++ {
		f := Float64(k, i)
		if f < 0 || f >= 1 {
			t.Fatalf("Float64 = %v, outside [0, 1)", f)
		}
		sum += f
		sq += f * f
		buckets[IntN(k, i+n, 10)]++
	}
	mean := sum / n
	if math.Abs(mean-0.5) > 5*math.Sqrt(1.0/12/n) {
		t.Errorf("mean %v, want 0.5", mean)
	}
	if v := sq/n - mean*mean; math.Abs(v-1.0/12) > 0.002 {
		t.Errorf("variance %v, want 1/12", v)
	}
	for b, c := range buckets {
		if math.Abs(float64(c)-n/10) > 5*math.Sqrt(n*0.1*0.9) {
			t.Errorf("bucket %d has %d of %d", b, c, n)
		}
	}
}

func TestSourceAndExp(t *testing.T) {
	r := Rand(3, Workload, 0)
	var sum float64
	for range 100000 {
		sum += r.ExpFloat64()
	}
	if m := sum / 100000; math.Abs(m-1) > 0.02 {
		t.Errorf("ExpFloat64 mean %v, want 1", m)
	}
	k := Key(3, Workload, 1)
	sum = 0
	for i := uint64(0); i < 100000; i++ {
		sum += Exp(k, i)
	}
	if m := sum / 100000; math.Abs(m-1) > 0.02 {
		t.Errorf("Exp mean %v, want 1", m)
	}
	if One(k, 5).Uint64() != One(k, 5).Uint64() || One(k, 5).Uint64() == One(k, 6).Uint64() {
		t.Error("One is not a function of (key, seq)")
	}
}

func BenchmarkAt(b *testing.B) {
	k := Key(1, Latency, 2)
	var s uint64
	for i := 0; i < b.N; i++ {
		s += At(k, uint64(i))
	}
	_ = s
}
