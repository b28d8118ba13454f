package shard

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The variables the engines set. They count shards from 0; hbsim counts
// from 1, so index 0 is shard 1/n.
const (
	// Kubernetes Indexed Jobs set the index only; the count is the Job's
	// completions, given with --shard-total or HBSIM_SHARD_TOTAL.
	EnvK8sIndex = "JOB_COMPLETION_INDEX"
	EnvTotal    = "HBSIM_SHARD_TOTAL"
	// Slurm job arrays (sbatch --array=0-(n-1)).
	EnvSlurmIndex = "SLURM_ARRAY_TASK_ID"
	EnvSlurmCount = "SLURM_ARRAY_TASK_COUNT"
	EnvSlurmMin   = "SLURM_ARRAY_TASK_MIN"
	// Bazel test sharding (shard_count in a BUILD file); a test that
	// shards touches the status file to say so.
	EnvBazelIndex  = "TEST_SHARD_INDEX"
	EnvBazelTotal  = "TEST_TOTAL_SHARDS"
	EnvBazelStatus = "TEST_SHARD_STATUS_FILE"
)

// Request is what the command line says about sharding.
type Request struct {
	// Flag is --shard's value, "" when not given.
	Flag string
	// Total is --shard-total, 0 when not given.
	Total int
	// Env looks up the engines' variables.
	Env func(string) (string, bool)
}

// Resolved is the shard a process runs and where that came from.
type Resolved struct {
	Spec
	// From names the source for messages: "--shard", "JOB_COMPLETION_INDEX", ...
	From string
	// StatusFile, under Bazel, is the file to touch to say the test
	// honours sharding; "" otherwise.
	StatusFile string
}

// Resolve decides the shard: --shard if given, else the one engine whose
// variables are set; the zero Resolved (the whole run) when there is
// neither. Anything contradictory or half given is an error naming the
// flag or the variable, never a silent guess.
func Resolve(r Request) (Resolved, error) {
	lookup := func(name string) (string, bool) {
		if r.Env == nil {
			return "", false
		}
		v, ok := r.Env(name)
		return v, ok && strings.TrimSpace(v) != ""
	}
	if r.Total < 0 {
		return Resolved{}, fmt.Errorf("invalid --shard-total %d: want the number of shards, 1 or more", r.Total)
	}
	if r.Flag != "" {
		if r.Total != 0 {
			return Resolved{}, errors.New("--shard i/n already gives the number of shards: drop --shard-total")
		}
		s, err := Parse(r.Flag)
		return Resolved{Spec: s, From: "--shard"}, err
	}

	// The count for an engine that gives none: --shard-total, else
	// HBSIM_SHARD_TOTAL.
	total, totalFrom, totalSet := r.Total, "--shard-total", r.Total != 0
	if !totalSet {
		if v, ok := lookup(EnvTotal); ok {
			n, err := whole(EnvTotal, v)
			if err != nil {
				return Resolved{}, err
			}
			if n == 0 {
				return Resolved{}, fmt.Errorf("%s=%q: want the number of shards, 1 or more", EnvTotal, v)
			}
			total, totalFrom, totalSet = n, EnvTotal, true
		}
	}

	var found []Resolved
	if v, ok := lookup(EnvK8sIndex); ok {
		i, err := whole(EnvK8sIndex, v)
		if err != nil {
			return Resolved{}, err
		}
		if !totalSet {
			return Resolved{}, fmt.Errorf("%s=%s is set but not the number of shards: pass --shard-total N or set %s to the Job's completions", EnvK8sIndex, v, EnvTotal)
		}
		found = append(found, Resolved{Spec: Spec{Index: i + 1, Total: total}, From: EnvK8sIndex})
	}
	if v, ok := lookup(EnvSlurmIndex); ok {
		s, err := engine(EnvSlurmIndex, v, EnvSlurmCount, lookup, "sbatch sets it for job arrays")
		if err != nil {
			return Resolved{}, err
		}
		if m, ok := lookup(EnvSlurmMin); ok && strings.TrimSpace(m) != "0" {
			return Resolved{}, fmt.Errorf("%s=%s: the array must start at 0, as in sbatch --array=0-%d", EnvSlurmMin, m, s.Total-1)
		}
		found = append(found, Resolved{Spec: s, From: EnvSlurmIndex})
	}
	if v, ok := lookup(EnvBazelIndex); ok {
		s, err := engine(EnvBazelIndex, v, EnvBazelTotal, lookup, "bazel sets both")
		if err != nil {
			return Resolved{}, err
		}
		status, _ := lookup(EnvBazelStatus)
		found = append(found, Resolved{Spec: s, From: EnvBazelIndex, StatusFile: status})
	}

	switch {
	case len(found) > 1:
		return Resolved{}, fmt.Errorf("both %s and %s are set: pass --shard i/n to choose", found[0].From, found[1].From)
	case len(found) == 0 && totalSet:
		return Resolved{}, fmt.Errorf("%s is given but no shard index: set %s (Kubernetes) or pass --shard i/n", totalFrom, EnvK8sIndex)
	case len(found) == 0:
		return Resolved{}, nil
	}
	res := found[0]
	if res.From != EnvK8sIndex && totalSet && total != res.Total {
		return Resolved{}, fmt.Errorf("%s says %d shards but %s says %d: drop %s", res.From, res.Total, totalFrom, total, totalFrom)
	}
	if err := res.check(); err != nil {
		return Resolved{}, fmt.Errorf("%s=%d (shard %d, counted from 1): %w", res.From, res.Index-1, res.Index, err)
	}
	return res, nil
}

// engine reads an index and the count beside it, both set by the engine.
func engine(indexVar, index, countVar string, lookup func(string) (string, bool), hint string) (Spec, error) {
	i, err := whole(indexVar, index)
	if err != nil {
		return Spec{}, err
	}
	c, ok := lookup(countVar)
	if !ok {
		return Spec{}, fmt.Errorf("%s=%s is set but %s is not (%s)", indexVar, index, countVar, hint)
	}
	n, err := whole(countVar, c)
	if err != nil {
		return Spec{}, err
	}
	return Spec{Index: i + 1, Total: n}, nil
}

// whole reads a variable that must hold a whole number ≥ 0.
func whole(name, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > MaxTotal {
		return 0, fmt.Errorf("%s=%q: want a whole number from 0 to %d", name, v, MaxTotal)
	}
	return n, nil
}
