package sweep

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/hbsim/hbsim/pkg/cost"
	"github.com/hbsim/hbsim/pkg/qos"
	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/shard"
)

// Options shape a sweep.
type Options struct {
	Params []Param
	// Seeds is how many seeds each point runs: the scenario's seed,
	// seed+1, ... (at least 1).
	Seeds int
	// Jobs is how many runs go at once; 0 means one per CPU.
	Jobs int
	// Detector is the detector whose QoS is measured; "" means the first
	// the run reports (the NameNode's own).
	Detector string
	// Scenario carries base --set overrides and the environment; the
	// params' values are added after them, so they win.
	Scenario scenario.Options
	// Shard, when set, runs only the runs this shard owns (RunShard).
	Shard shard.Spec
	// Force runs points whose cost estimate is beyond the limits.
	Force bool
	// Context, when set, cancels the sweep (Ctrl-C): runs in progress stop,
	// none starts, and the sweep returns the context's error.
	Context context.Context
	// Progress, when set, is called after each run with the runs done
	// and the total. Calls come from one goroutine at a time.
	Progress func(done, total int)
}

// sample is what one run contributes to its point.
type sample struct {
	q        qos.Result
	messages int64
	span     time.Duration
	detector string
}

// run is one point and seed of the grid.
type run struct {
	point int   // index into Plan.points
	seed  int   // 0 for the scenario's seed, 1 for seed+1, ...
	abs   int64 // the seed itself
}

// Plan is a sweep checked and laid out, ready to run whole or in shards.
type Plan struct {
	path   string
	data   []byte
	opts   Options
	base   *scenario.Scenario
	points [][]string
}

// NewPlan checks a sweep of the scenario in data (read from path, used in
// messages). Every point is loaded once before anything runs, so a bad
// value fails the sweep in milliseconds rather than after the first
// hundred runs.
func NewPlan(path string, data []byte, opts Options) (*Plan, error) {
	if opts.Seeds < 1 {
		return nil, fmt.Errorf("seeds must be at least 1, got %d", opts.Seeds)
	}
	if len(opts.Params) == 0 {
		return nil, fmt.Errorf("nothing to sweep: give at least one --param")
	}
	base, err := scenario.Parse(path, data, opts.Scenario)
	if err != nil {
		return nil, err
	}
	points := grid(opts.Params)
	for _, vals := range points {
		if _, err := scenario.Parse(path, data, pointOptions(opts, vals, nil)); err != nil {
			return nil, fmt.Errorf("%s: %w", label(opts.Params, vals), err)
		}
	}
	return &Plan{path: path, data: data, opts: opts, base: base, points: points}, nil
}

// Runs is how many runs the whole sweep has.
func (p *Plan) Runs() int { return len(p.points) * p.opts.Seeds }

// runs lists the runs shard s owns, in grid order (all of them for the
// zero Spec).
func (p *Plan) runs(s shard.Spec) []run {
	var out []run
	for i, vals := range p.points {
		for k := range p.opts.Seeds {
			r := run{point: i, seed: k, abs: p.base.Seed + int64(k)}
			if s.Owns(runKey(p.path, p.opts.Params, vals, r.abs)) {
				out = append(out, r)
			}
		}
	}
	return out
}

// runKey is what decides a run's shard: the scenario path, the point's
// label and the seed, nothing that depends on the machine.
func runKey(path string, params []Param, vals []string, seed int64) string {
	return shard.Key(path, label(params, vals), seed)
}

// Run sweeps the scenario in data (read from path, used in messages): the
// whole grid, every seed.
func Run(path string, data []byte, opts Options) (*Result, error) {
	p, err := NewPlan(path, data, opts)
	if err != nil {
		return nil, err
	}
	samples, err := p.execute(p.runs(shard.Spec{}))
	if err != nil {
		return nil, err
	}
	return assemble(p.header(), samples)
}

// execute runs the given runs, Options.Jobs at a time, and returns their
// samples in the same order. An error is the first in grid order, not the
// first to finish.
func (p *Plan) execute(runs []run) ([]sample, error) {
	ctx := p.opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	samples := make([]sample, len(runs))
	errs := make([]error, len(runs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	workers := p.opts.Jobs
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	for range min(workers, len(runs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r := runs[i]
				vals := p.points[r.point]
				s, err := runOne(ctx, p.path, p.data, pointOptions(p.opts, vals, &r.abs), p.opts.Detector, p.opts.Force)
				samples[i] = s
				if err != nil {
					errs[i] = fmt.Errorf("%s seed %d: %w", label(p.opts.Params, vals), r.abs, err)
				}
				if p.opts.Progress != nil {
					mu.Lock()
					done++
					p.opts.Progress(done, len(runs))
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for i := range runs {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return samples, nil
}

// assemble pools every run's sample by point into the sweep's result. The
// samples are in grid order (point, then seed), as Run and a merge of
// shards both give them, so both pool the same numbers in the same order.
func assemble(h header, samples []sample) (*Result, error) {
	points := grid(h.Params)
	if len(samples) != len(points)*h.Seeds {
		return nil, fmt.Errorf("%d runs for %d points × %d seeds", len(samples), len(points), h.Seeds)
	}
	res := &Result{Scenario: h.Scenario, Path: h.Path, Params: h.Params, FirstSeed: h.FirstSeed, Seeds: h.Seeds}
	for i, vals := range points {
		res.Points = append(res.Points, aggregate(vals, samples[i*h.Seeds:(i+1)*h.Seeds]))
	}
	res.Detector = samples[0].detector
	markPareto(res.Points)
	res.Recommendations = recommend(res)
	return res, nil
}

// pointOptions are the scenario options of one grid point and seed.
func pointOptions(opts Options, vals []string, seed *int64) scenario.Options {
	o := opts.Scenario
	o.Sets = append([]string(nil), opts.Scenario.Sets...)
	for i, p := range opts.Params {
		o.Sets = append(o.Sets, p.Key+"="+vals[i])
	}
	o.Seed = seed
	return o
}

// runOne simulates one point and seed. A panic becomes an error naming
// the point rather than a crash of the whole sweep.
func runOne(ctx context.Context, path string, data []byte, opts scenario.Options, detector string, force bool) (s sample, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("simulator panic: %v", p)
		}
	}()
	sc, err := scenario.Parse(path, data, opts)
	if err != nil {
		return s, err
	}
	tr, err := runner.Trace(ctx, sc, runner.Options{Force: force})
	var ce *cost.Error
	if errors.As(err, &ce) {
		return s, err
	}
	if err != nil {
		return s, fmt.Errorf("simulate: %w", err)
	}
	if detector == "" {
		if len(tr.Detectors) == 0 {
			return s, fmt.Errorf("the run reports no detector")
		}
		detector = tr.Detectors[0]
	} else if !contains(tr.Detectors, detector) {
		return s, fmt.Errorf("no detector %q in the run (it has %v)", detector, tr.Detectors)
	}
	return sample{q: qos.Compute(tr, detector), messages: tr.Messages, span: tr.End, detector: detector}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
