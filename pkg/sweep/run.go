package sweep

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/hbsim/hbsim/pkg/qos"
	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
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

// Run sweeps the scenario in data (read from path, used in messages).
// Every point is loaded once before anything runs, so a bad value fails
// the sweep in milliseconds rather than after the first hundred runs.
func Run(path string, data []byte, opts Options) (*Result, error) {
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

	type job struct{ point, seed int }
	samples := make([][]sample, len(points))
	for i := range samples {
		samples[i] = make([]sample, opts.Seeds)
	}
	errs := make([]error, len(points)*opts.Seeds)
	jobs := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done, total := 0, len(points)*opts.Seeds
	workers := opts.Jobs
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	for range min(workers, total) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				seed := base.Seed + int64(j.seed)
				s, err := runOne(path, data, pointOptions(opts, points[j.point], &seed), opts.Detector)
				samples[j.point][j.seed] = s
				if err != nil {
					errs[j.point*opts.Seeds+j.seed] = fmt.Errorf("%s seed %d: %w", label(opts.Params, points[j.point]), seed, err)
				}
				if opts.Progress != nil {
					mu.Lock()
					done++
					opts.Progress(done, total)
					mu.Unlock()
				}
			}
		}()
	}
	for p := range points {
		for s := range opts.Seeds {
			jobs <- job{p, s}
		}
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err // the first in grid order, not the first to finish
		}
	}

	res := &Result{Scenario: base.Name, Path: path, Params: opts.Params, FirstSeed: base.Seed, Seeds: opts.Seeds}
	for i, vals := range points {
		res.Points = append(res.Points, aggregate(vals, samples[i]))
	}
	res.Detector = samples[0][0].detector
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
func runOne(path string, data []byte, opts scenario.Options, detector string) (s sample, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("simulator panic: %v", p)
		}
	}()
	sc, err := scenario.Parse(path, data, opts)
	if err != nil {
		return s, err
	}
	tr, err := runner.Trace(context.Background(), sc, runner.Options{})
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
