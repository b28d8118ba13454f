package vtime

import (
	"math"
	"testing"
	"time"
)

func TestChecked(t *testing.T) {
	check := func(name string, got time.Duration, ok bool, want time.Duration, wantOK bool) {
		t.Helper()
		if ok != wantOK || (ok && got != want) {
			t.Errorf("%s = %v, %v; want %v, %v", name, got, ok, want, wantOK)
		}
	}
	d, ok := Mul(10, 3*time.Second)
	check("10 × 3s", d, ok, 30*time.Second, true)
	d, ok = Mul(2, 2000000*time.Hour) // HDFS expiry of recheck 2000000h
	check("2 × 2000000h", d, ok, 0, false)
	d, ok = Mul(math.MaxInt64, time.Hour)
	check("MaxInt64 × 1h", d, ok, 0, false)
	d, ok = Mul(-3, time.Second)
	check("-3 × 1s", d, ok, -3*time.Second, true)
	d, ok = Add(Max, time.Nanosecond)
	check("Max + 1ns", d, ok, 0, false)
	d, ok = Add(math.MaxInt64, math.MaxInt64)
	check("MaxInt64 + MaxInt64", d, ok, 0, false)
	d, ok = Add(time.Minute, time.Second)
	check("1m + 1s", d, ok, 61*time.Second, true)
	d, ok = Scale(time.Second, 1e-300)
	check("1s × 1e-300", d, ok, 0, true)
	d, ok = Scale(time.Second, 1e300)
	check("1s × 1e300", d, ok, 0, false)
	d, ok = Scale(time.Second, math.NaN())
	check("1s × NaN", d, ok, 0, false)
	d, ok = Scale(time.Second, 1.5)
	check("1s × 1.5", d, ok, 1500*time.Millisecond, true)
}

func TestSaturate(t *testing.T) {
	for _, c := range []struct {
		s    float64
		want time.Duration
	}{
		{1.5, 1500 * time.Millisecond},
		{0, 0},
		{-3, 0},
		{1e300, Max},
		{math.Inf(1), Max},
		{math.NaN(), Max},
	} {
		if got := Saturate(c.s); got != c.want {
			t.Errorf("Saturate(%v) = %v, want %v", c.s, got, c.want)
		}
	}
}
