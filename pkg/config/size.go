package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hbsim/hbsim/pkg/hint"
)

// Size is a number of bytes, written like 128MiB, 1GB or 134217728.
type Size int64

var sizeUnits = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40}, {"pib", 1 << 50},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"pb", 1e15},
	// HDFS's own shorthand (dfs.blocksize: 128m) is binary.
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40}, {"p", 1 << 50},
	{"b", 1},
}

// ParseSize reads a size: a whole number of bytes, or a number with a unit
// (KiB, MiB, GiB, TiB: powers of 1024; KB, MB, GB, TB: powers of 1000;
// HDFS's k, m, g, t: powers of 1024). Case does not matter.
func ParseSize(s string) (Size, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	bad := fmt.Errorf("must be a size such as 128MiB, 1GB or 134217728 (bytes), got %s", hint.Quote(s))
	if t == "" {
		return 0, bad
	}
	mult := 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			mult = u.mult
			t = strings.TrimSpace(strings.TrimSuffix(t, u.suffix))
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, bad
	}
	if f < 0 {
		return 0, fmt.Errorf("must not be negative, got %s", hint.Quote(s))
	}
	v := f * mult
	if v > math.MaxInt64/2 {
		return 0, fmt.Errorf("size %s is too large", hint.Quote(s))
	}
	if v != math.Trunc(v) {
		return 0, fmt.Errorf("must be a whole number of bytes, got %s", hint.Quote(s))
	}
	return Size(v), nil
}

// ParseRate reads a transfer rate such as 100MiB/s or 1GB/s, in bytes per
// second.
func ParseRate(s string) (Size, error) {
	t := strings.TrimSpace(s)
	body, ok := strings.CutSuffix(t, "/s")
	if !ok {
		return 0, fmt.Errorf("must be a rate such as 100MiB/s, got %s", hint.Quote(s))
	}
	v, err := ParseSize(body)
	if err != nil {
		return 0, fmt.Errorf("must be a rate such as 100MiB/s, got %s", hint.Quote(s))
	}
	return v, nil
}

// String writes the size in the largest binary unit that divides it.
func (s Size) String() string {
	for _, u := range []struct {
		name string
		mult int64
	}{{"PiB", 1 << 50}, {"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if s != 0 && int64(s)%u.mult == 0 {
			return strconv.FormatInt(int64(s)/u.mult, 10) + u.name
		}
	}
	return strconv.FormatInt(int64(s), 10) + "B"
}

func toSize(raw any) (Size, error) {
	switch v := raw.(type) {
	case string:
		return ParseSize(v)
	case Size:
		return v, nil
	}
	if n, err := toInt(raw); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("must not be negative, got %d", n)
		}
		return Size(n), nil
	}
	return 0, fmt.Errorf("must be a size such as 128MiB, got %s", describe(raw))
}
