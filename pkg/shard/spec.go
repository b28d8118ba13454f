// Package shard splits the runs of a suite or a sweep over n machines and
// carries each machine's results to `hbsim merge`.
//
// hbsim does not schedule machines: the engines its users already run do,
// and each tells a process which part it is (Kubernetes Indexed Jobs,
// Slurm job arrays, Bazel test sharding). A run is given to a shard by a
// stable hash of what identifies it (scenario path, grid point, seed), so
// a shard's share never depends on the machine, the order of files or the
// number of CPUs, and every shard agrees on it without talking to the
// others.
//
// Each shard writes one file of JSON lines: a header naming the shard and
// the plan it ran (so shards of different sweeps cannot be mixed), one
// line per run, and an end line (so a truncated file is not taken for a
// short one).
package shard

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// MaxTotal bounds the number of shards: more than a million processes for
// one sweep is a typo, not a plan.
const MaxTotal = 1_000_000

// Spec is one shard of a run: Index of Total, counted from 1. The zero
// Spec means the whole run, unsharded.
type Spec struct{ Index, Total int }

// Sharded reports whether s is a part rather than the whole.
func (s Spec) Sharded() bool { return s.Total > 0 }

// String is "2/3".
func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Total) }

// Parse reads --shard's "i/n", i counted from 1.
func Parse(v string) (Spec, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(v), "/")
	if !ok {
		return Spec{}, fmt.Errorf("invalid --shard %q: want i/n such as 2/8 (shard 2 of 8, counted from 1)", v)
	}
	index, errI := strconv.Atoi(strings.TrimSpace(i))
	total, errN := strconv.Atoi(strings.TrimSpace(n))
	if errI != nil || errN != nil {
		return Spec{}, fmt.Errorf("invalid --shard %q: want whole numbers i/n such as 2/8", v)
	}
	s := Spec{Index: index, Total: total}
	if err := s.check(); err != nil {
		return Spec{}, fmt.Errorf("invalid --shard %q: %w", v, err)
	}
	return s, nil
}

func (s Spec) check() error {
	switch {
	case s.Total < 1 || s.Total > MaxTotal:
		return fmt.Errorf("the number of shards must be 1 to %d, got %d", MaxTotal, s.Total)
	case s.Index < 1 || s.Index > s.Total:
		return fmt.Errorf("the shard must be 1 to %d (counted from 1), got %d", s.Total, s.Index)
	}
	return nil
}

// Key identifies one run for the split: the scenario path as given (with
// forward slashes), the grid point ("" in a suite) and the seed.
func Key(path, point string, seed int64) string {
	return strings.ReplaceAll(path, `\`, "/") + "\x00" + point + "\x00" + strconv.FormatInt(seed, 10)
}

// Owner is the shard, counted from 1, that runs the run with this key
// when the work is split total ways. SHA-256 rather than a faster hash:
// its output is fixed forever, and hashing is nothing beside a run.
func Owner(key string, total int) int {
	sum := sha256.Sum256([]byte(key))
	return int(binary.BigEndian.Uint64(sum[:8])%uint64(total)) + 1
}

// Owns reports whether s runs the run with this key; the whole run owns
// every key.
func (s Spec) Owns(key string) bool {
	return !s.Sharded() || Owner(key, s.Total) == s.Index
}
