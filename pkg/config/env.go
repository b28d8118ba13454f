package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hbsim/hbsim/pkg/hint"
)

// otherEnv are the HBSIM_* variables hbsim or its tests read that are not
// settings; a variable in neither list draws a warning (CheckEnv). A new
// one is added here (TestEveryHBSIMVariableIsKnown finds it in the code).
var otherEnv = []string{
	"HBSIM_CLUSTER_SECRET",        // live mode: the cluster's shared secret
	"HBSIM_SHARD_TOTAL",           // test and sweep: shards, when the engine gives only an index
	"HBSIM_BENCH_DURATION",        // benchmarks: how long a live benchmark runs
	"HBSIM_BENCH_NODES",           // benchmarks: DataNodes of a live benchmark
	"HBSIM_BENCH_CHILD_DATANODES", // benchmarks: DataNodes a child process hosts
	"HBSIM_TEST_AS_HBSIM",         // tests: the test binary runs as hbsim
}

// CheckEnv returns a warning for each HBSIM_* variable in environ (as
// os.Environ gives it: NAME=value) that hbsim does not read, with the name
// the user probably meant: a misspelt variable otherwise changes nothing,
// silently.
func CheckEnv(environ []string) []string {
	known := slices.Clone(otherEnv)
	for _, k := range keyTable() {
		known = append(known, k.Env())
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, envPrefix+"_") || slices.Contains(known, name) {
			continue
		}
		msg := fmt.Sprintf("$%s is not a variable hbsim reads, so it changes nothing", hint.Clip(name))
		if c := hint.Closest(name, known); len(c) > 0 {
			for i := range c {
				c[i] = "$" + c[i]
			}
			msg += "; did you mean " + hint.Or(c) + "?"
		}
		out = append(out, msg)
	}
	slices.Sort(out)
	return out
}
