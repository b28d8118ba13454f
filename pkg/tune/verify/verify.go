// Package verify checks tuned settings by simulation: it runs a scenario
// with them over many seeds, twice per seed, and measures the QoS of the
// acting detector with 95% confidence intervals.
//
// The first run of a seed is the scenario as written: its healthy nodes
// give the mistakes (T_MR, T_M, P_A). A scenario on a lossy network has no
// crash to detect, so the second run adds probe crashes: every DataNode
// the scenario never kills or restarts is killed at seeded random times,
// each time after a random stretch of life and restarted once the
// detection target has passed twice over. Detection times come from every
// crash of both runs; mistakes only from the first, as the probes'
// restarts add registration phases that steady state does not have.
package verify

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/hbsim/hbsim/pkg/qos"
	"github.com/hbsim/hbsim/pkg/rng"
	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/tune"
)

// Options shape a verification.
type Options struct {
	// Path and Data are the scenario file (Path for messages).
	Path string
	Data []byte
	// Scenario carries the command line's settings; Settings are added
	// after them as --set key=value, so they win.
	Scenario scenario.Options
	Settings []tune.Setting
	// Seeds is how many seeds run: the scenario's seed, seed+1, ...
	Seeds int
	// Jobs is how many runs go at once; 0 means one per CPU.
	Jobs int
	// MaxDetection is the detection target: probe crashes stay down
	// twice as long, so a slow detection is measured, not censored.
	MaxDetection time.Duration
}

// Measured is the pooled QoS of the runs. Times are in seconds.
type Measured struct {
	Detector string
	Seeds    int
	// Crashes and Detected count crash episodes; Detection holds T_D of
	// the detected ones, sorted.
	Crashes, Detected int
	Detection         []float64
	// Mistakes over Uptime (node-seconds alive, in the runs as written);
	// Durations holds T_M of the mistakes corrected before their run
	// ended.
	Mistakes  int
	Uptime    float64
	Durations []float64
	// PA is 1 − suspected/uptime pooled; PASeeds per seed, for its
	// interval.
	PA      float64
	PASeeds []float64
}

// Run simulates the scenario with the settings over the seeds.
func Run(ctx context.Context, opts Options) (*Measured, error) {
	if opts.Seeds < 1 {
		return nil, fmt.Errorf("seeds must be at least 1, got %d", opts.Seeds)
	}
	if opts.MaxDetection <= 0 {
		return nil, fmt.Errorf("max detection %v: want a positive time", opts.MaxDetection)
	}
	base, err := load(opts, nil)
	if err != nil {
		return nil, err
	}
	if _, err := probed(base, opts.MaxDetection); err != nil {
		return nil, err
	}
	type result struct {
		q        [2]qos.Result
		detector string
		err      error
	}
	results := make([]result, opts.Seeds)
	jobs := make(chan int)
	var wg sync.WaitGroup
	workers := opts.Jobs
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	for range min(workers, opts.Seeds) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				seed := base.Seed + int64(k)
				r := &results[k]
				r.q, r.detector, r.err = runSeed(ctx, opts, seed)
				if r.err != nil {
					r.err = fmt.Errorf("seed %d: %w", seed, r.err)
				}
			}
		}()
	}
	for k := range opts.Seeds {
		jobs <- k
	}
	close(jobs)
	wg.Wait()

	m := &Measured{Seeds: opts.Seeds}
	var suspected float64
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		m.Detector = r.detector
		for _, q := range r.q {
			m.Crashes += q.Crashes
			m.Detected += q.Detected
			for _, d := range q.Detection {
				m.Detection = append(m.Detection, d.Seconds())
			}
		}
		// Mistakes and P_A from the run as written only: a probe's
		// restart adds a registration phase (retried every second)
		// that steady state does not have, and leaves the node
		// suspected until it registers, which is no mistake but
		// would count against P_A.
		q := r.q[0]
		m.Mistakes += q.Mistakes
		for _, d := range q.MistakeDurations {
			m.Durations = append(m.Durations, d.Seconds())
		}
		up, sus := q.Uptime.Seconds(), q.Suspected.Seconds()
		m.Uptime += up
		suspected += sus
		if up > 0 {
			m.PASeeds = append(m.PASeeds, 1-sus/up)
		}
	}
	slices.Sort(m.Detection)
	m.PA = 1
	if m.Uptime > 0 {
		m.PA = 1 - suspected/m.Uptime
	}
	return m, nil
}

// runSeed runs one seed as written and with probe crashes, and returns
// the acting detector's QoS in each.
func runSeed(ctx context.Context, opts Options, seed int64) (q [2]qos.Result, detector string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("simulator panic: %v", p)
		}
	}()
	for k := range 2 {
		s, err := load(opts, &seed)
		if err != nil {
			return q, "", err
		}
		if k == 1 {
			if s, err = probed(s, opts.MaxDetection); err != nil {
				return q, "", err
			}
		}
		tr, err := runner.Trace(ctx, s, runner.Options{})
		if err != nil {
			return q, "", fmt.Errorf("simulate: %w", err)
		}
		if len(tr.Detectors) == 0 {
			return q, "", fmt.Errorf("the run reports no detector")
		}
		detector = tr.Detectors[0]
		q[k] = qos.Compute(tr, detector)
	}
	return q, detector, nil
}

func load(opts Options, seed *int64) (*scenario.Scenario, error) {
	o := opts.Scenario
	o.Sets = slices.Clone(opts.Scenario.Sets)
	for _, s := range opts.Settings {
		o.Sets = append(o.Sets, s.Key+"="+s.Value)
	}
	if seed != nil {
		o.Seed = seed
	}
	return scenario.Parse(opts.Path, opts.Data, o)
}

// probed returns a copy of s with probe crashes added. Each probed node
// lives for a stretch drawn from [a, 2a), a = max(3 intervals, 1m) (time
// for phi's window to learn the gaps), shortened so that one probe fits
// in a short run, is killed, stays down 2 × the detection target,
// restarts, and so on while a crash still fits before the end.
func probed(s *scenario.Scenario, target time.Duration) (*scenario.Scenario, error) {
	touched := map[string]bool{}
	for _, ev := range s.Events {
		if ev.Action == scenario.Kill || ev.Action == scenario.Restart {
			for _, n := range ev.Nodes {
				touched[n] = true
			}
		}
	}
	down := 2 * target
	life := max(3*s.Config.Heartbeat.Interval, time.Minute)
	life = max(min(life, (s.Duration-down)/2), 2*s.Config.Heartbeat.Interval)
	out := *s
	out.Events = slices.Clone(s.Events)
	probes := 0
	for i, id := range s.Nodes {
		if touched[id] {
			continue
		}
		key := rng.Key(uint64(s.Seed), rng.Probe, uint64(i))
		t := time.Duration(0)
		for seq := uint64(0); ; seq++ {
			t += life + time.Duration(rng.Float64(key, seq)*float64(life))
			if t+down > s.Duration {
				break
			}
			out.Events = append(out.Events, scenario.Event{At: t, Action: scenario.Kill, Nodes: []string{id}})
			probes++
			t += down
			out.Events = append(out.Events, scenario.Event{At: t, Action: scenario.Restart, Nodes: []string{id}})
		}
	}
	if probes == 0 {
		need := 2*life + down
		return nil, fmt.Errorf("%s: no room for a probe crash: the run lasts %v, and a probe needs %v (a life of at least %v, then twice the detection target) on a node the scenario never kills; lengthen duration", s.Path, s.Duration, need, life)
	}
	slices.SortStableFunc(out.Events, func(a, b scenario.Event) int { return cmp.Compare(a.At, b.At) })
	return &out, nil
}
