package suite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/hbsim/hbsim/pkg/cost"
	"github.com/hbsim/hbsim/pkg/golden"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/repro"
	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/shard"
	"github.com/hbsim/hbsim/pkg/sim"
)

// Options shape a suite run.
type Options struct {
	// Jobs is how many scenarios run at once; 0 means one per CPU.
	Jobs int
	// Filter, when set, keeps the scenarios whose name matches. A file
	// that does not parse has no name: it is kept if its path matches,
	// so a broken file is reported rather than silently skipped.
	Filter *regexp.Regexp
	// Scenario carries --set overrides and the environment to each load.
	Scenario scenario.Options
	// UpdateGolden rewrites every golden report the scenarios name
	// instead of comparing with it.
	UpdateGolden bool
	// Force runs scenarios whose cost estimate is beyond the limits.
	Force bool
	// CheckInvariants checks the simulator's invariants after every
	// event (sim.Options.CheckInvariants); a violation fails the
	// scenario.
	CheckInvariants bool
}

// Suite is the scenario files loaded and filtered, ready to run whole or
// in shards.
type Suite struct {
	selected []loaded
	opts     Options
}

// loaded is a scenario file read and parsed, ready to run or reported as
// an error.
type loaded struct {
	path string
	sc   *scenario.Scenario
	err  error
	took time.Duration
}

// Load loads the scenario files and keeps those Options.Filter selects,
// in the order of files.
func Load(files []string, opts Options) *Suite {
	st := &Suite{opts: opts}
	for _, f := range files {
		start := time.Now()
		sc, err := scenario.Load(f, opts.Scenario)
		l := loaded{path: f, sc: sc, err: err, took: time.Since(start)}
		if opts.Filter != nil && !l.matches(opts.Filter) {
			continue
		}
		st.selected = append(st.selected, l)
	}
	return st
}

// Goldens lists the golden reports the selected scenarios name, which
// --update-golden writes.
func (st *Suite) Goldens() []string {
	var out []string
	for _, l := range st.selected {
		if l.sc != nil && l.sc.Golden != "" {
			out = append(out, l.sc.Golden)
		}
	}
	return out
}

// Len is how many scenarios the suite has, over all shards.
func (st *Suite) Len() int { return len(st.selected) }

// Run loads, filters and runs the scenario files, Options.Jobs at a time,
// and returns one result per selected file in the order of files.
func Run(files []string, opts Options) []Result {
	return Load(files, opts).Run(shard.Spec{})
}

// Run runs the scenarios shard s owns (all of them for the zero Spec),
// Options.Jobs at a time, and returns their results in the suite's order.
func (st *Suite) Run(s shard.Spec) []Result { return st.RunContext(context.Background(), s) }

// RunContext is Run that stops when ctx is done (Ctrl-C): scenarios
// running then end with an error saying how far they got, those not yet
// started are left out of the results.
func (st *Suite) RunContext(ctx context.Context, s shard.Spec) []Result {
	var mine []loaded
	for _, l := range st.selected {
		if s.Owns(l.key()) {
			mine = append(mine, l)
		}
	}
	jobs := st.opts.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	results := make([]Result, len(mine))
	ran := make([]bool, len(mine))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, len(mine)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], ran[i] = runOne(ctx, mine[i], st.opts), true
			}
		}()
	}
feed:
	for i := range mine {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	out := results[:0]
	for i, r := range results {
		if ran[i] {
			out = append(out, r)
		}
	}
	return out
}

// key is what decides a scenario's shard: its path and seed.
func (l loaded) key() string {
	var seed int64
	if l.sc != nil {
		seed = l.sc.Seed
	}
	return shard.Key(l.path, "", seed)
}

// matches says whether --run selects the scenario: by its name or a name
// it went by before (aliases:). A file that does not parse has no name;
// it is kept when its path matches, so a broken file is reported rather
// than silently skipped.
func (l loaded) matches(re *regexp.Regexp) bool {
	if l.sc == nil {
		return re.MatchString(l.name()) || re.MatchString(l.path)
	}
	if re.MatchString(l.sc.Name) {
		return true
	}
	for _, a := range l.sc.Aliases {
		if re.MatchString(a) {
			return true
		}
	}
	return false
}

func (l loaded) name() string {
	if l.sc != nil {
		return l.sc.Name
	}
	return strings.TrimSuffix(filepath.Base(l.path), filepath.Ext(l.path))
}

// runOne simulates and judges one scenario. A panic in the simulator is
// turned into an Error result: one broken scenario must not take the rest
// of the suite down with it.
func runOne(ctx context.Context, l loaded, opts Options) (res Result) {
	res = Result{Path: l.path, Name: l.name()}
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			res.Status, res.Err, res.Report = Error, fmt.Errorf("%s: simulator panic: %v", l.path, p), nil
		}
		res.Duration = l.took + time.Since(start)
	}()
	if l.err != nil {
		res.Status, res.Err = Error, l.err
		return res
	}
	s := l.sc
	run, err := runner.Run(ctx, s, runner.Options{Force: opts.Force, Sim: sim.Options{CheckInvariants: opts.CheckInvariants}})
	var ce *cost.Error
	var stopped *runner.Interrupted
	switch {
	case errors.Is(err, sim.ErrInvariant):
		// A finding about hbsim, not a file that cannot run.
		res.Status, res.Failures, res.Repro = Fail, []string{err.Error()}, repro.For(s)
		return res
	case errors.As(err, &stopped):
		res.Status, res.Err = Error, fmt.Errorf("%s: %w", l.path, err)
		return res
	case errors.As(err, &ce):
		res.Status, res.Err = Error, err // located already: file:line: field
		return res
	case err != nil:
		res.Status, res.Err = Error, fmt.Errorf("%s: simulate: %w", l.path, err)
		return res
	}
	r := run.Report
	res.Report = r
	for _, e := range r.Expectations {
		if !e.Passed {
			res.Failures = append(res.Failures, e.Name+": "+e.Detail)
		}
	}
	if s.Golden != "" {
		changes, err := compareGolden(s.Golden, r, opts.UpdateGolden)
		if err != nil {
			res.Status, res.Err = Error, fmt.Errorf("%s: %w", l.path, err)
			return res
		}
		res.Golden = changes
		if len(changes) > 0 {
			res.Failures = append(res.Failures, golden.Summary(changes))
		}
	}
	res.Status = Pass
	if len(res.Failures) > 0 {
		res.Status = Fail
		res.Repro = repro.For(s)
	}
	return res
}

func compareGolden(path string, r *report.Report, update bool) ([]golden.Change, error) {
	if update {
		return nil, golden.Update(path, r.WriteJSON)
	}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		return nil, err
	}
	changes, err := golden.Check(path, buf.Bytes())
	if errors.Is(err, golden.ErrMissing) {
		return nil, fmt.Errorf("golden: %w", err)
	}
	return changes, err
}
