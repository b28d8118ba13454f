package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/hbsim/hbsim/pkg/shard"
)

// shardFlags are test's and sweep's --shard and --shard-total.
type shardFlags struct {
	spec  string
	total int
}

func (s *shardFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&s.spec, "shard", "", "run only shard i of n (i/n, from 1) and write its results to --out; default from JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or TEST_SHARD_INDEX")
	fl.IntVar(&s.total, "shard-total", 0, "number of shards when the engine gives only an index (Kubernetes: the Job's completions; or HBSIM_SHARD_TOTAL)")
}

// resolve decides the shard from the flags and the engines' variables,
// and under Bazel touches the status file that says the test shards.
// out is --out: a shard's results have nowhere else to go.
func (s shardFlags) resolve(a *app, out string) (shard.Resolved, error) {
	r, err := shard.Resolve(shard.Request{Flag: s.spec, Total: s.total, Env: a.env})
	if err != nil {
		return r, usageErr(err)
	}
	if !r.Sharded() {
		return r, nil
	}
	if out == "" {
		return r, usageErr(fmt.Errorf("shard %s (from %s) needs --out DIR for its results; then hbsim merge DIR", r.Spec, r.From))
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return r, usageErr(fmt.Errorf("--out: %w", err))
	}
	if r.StatusFile != "" {
		if err := touch(r.StatusFile); err != nil {
			return r, usageErr(fmt.Errorf("%s: %w", shard.EnvBazelStatus, err))
		}
	}
	return r, nil
}

// touch creates the file or updates its time, as touch(1).
func touch(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	now := time.Now()
	return os.Chtimes(path, now, now)
}
