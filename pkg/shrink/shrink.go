// Package shrink reduces a scenario that fails an expectation to a small
// one that still fails it the same way, the engine of `hbsim shrink`: it
// delta-debugs (ddmin) the scenario's events, then its DataNodes, then
// bisects its duration, and repeats while that helps.
//
// It edits the YAML (yaml.v3 nodes), not the parsed model, so what it
// writes is still the user's scenario, in their order and style, with a
// comment saying what was removed. Removing a DataNode fixes every
// reference to it: event targets (an event left with none goes), partition
// groups, racks (an empty rack goes, and the events aimed at it), and
// lists in the expectation. What would otherwise shift as the scenario
// shrinks is pinned first: random targets are written out as the ids the
// seed chose, the seed is written in, and settings that came from the
// command line or the environment are written into the file, so the small
// scenario fails on its own with a plain `hbsim run`.
//
// Every run goes through pkg/runner. The search is bounded in runs and
// time; when a bound stops it, the smallest scenario found so far is
// still returned.
package shrink

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
)

// Options shape a shrink.
type Options struct {
	// Scenario are the options the failing run had (--seed, --set, the
	// environment).
	Scenario scenario.Options
	// Expect picks the expectation to keep failing, counted from 1 in
	// the file's expect: list; 0 means the first that fails.
	Expect int
	// MaxRuns bounds the simulations (0: no bound); Timeout the wall
	// time (0: none).
	MaxRuns int
	Timeout time.Duration
	// Name, when set, becomes the small scenario's name:.
	Name string
	// Progress, when set, is called after every run.
	Progress func(Progress)
}

// Progress is where a shrink stands.
type Progress struct {
	Phase         string // "events", "nodes" or "duration"
	Runs, MaxRuns int
	// Events, Nodes and Duration are the smallest failing scenario's so
	// far, of EventsAtStart and NodesAtStart.
	Events, Nodes               int
	Duration                    time.Duration
	EventsAtStart, NodesAtStart int
}

// Result is a shrunk scenario and what it took.
type Result struct {
	// YAML is the small scenario, its first lines a comment saying what
	// was removed.
	YAML []byte
	// Expectation is the name of the expectation that fails, as the
	// original run named it; Detail how the small scenario fails it.
	Expectation, Detail string
	Runs                int
	// Stopped says which bound ended the search early; "" if none did.
	Stopped string
	// Before and After count the events and DataNodes and give the
	// duration, of the original and of the small scenario.
	Before, After Size
}

// Size is how big a scenario is.
type Size struct {
	Events, Nodes int
	Duration      time.Duration
}

// candidate is a smaller scenario: which of the (normalized) events and
// nodes it keeps, and its duration.
type candidate struct {
	events, nodes []int
	duration      time.Duration
}

func (c candidate) key() string { return fmt.Sprint(c.events, c.nodes, int64(c.duration)) }

type shrinker struct {
	path  string
	opts  Options
	doc   *yaml.Node // the normalized document
	root  *yaml.Node // its mapping
	items []*yaml.Node
	nodes []string
	racks []scenario.Rack
	// sig is how the target expectation fails (signature).
	sig    string
	target string
	notes  []string // what normalizing wrote out, for the comment
	// hadGolden and duration0 are the original's, for the comment.
	hadGolden bool
	duration0 time.Duration

	start   time.Time
	runs    int
	stopped string
	cache   map[string]outcome
	best    candidate
	phase   string
}

type outcome struct {
	fails  bool
	detail string
}

// noEnv keeps the user's HBSIM_* variables out of the candidates' runs:
// what they set is written into the file.
func noEnv(string) (string, bool) { return "", false }

// Shrink shrinks the scenario in data (read from path, used in messages).
// A scenario that parses but fails no expectation, or not the one asked
// for, is an error.
func Shrink(path string, data []byte, opts Options) (*Result, error) {
	s0, err := scenario.Parse(path, data, opts.Scenario)
	if err != nil {
		return nil, err
	}
	first, err := runner.Run(context.Background(), s0, runner.Options{})
	if err != nil {
		return nil, fmt.Errorf("%s: simulate: %w", path, err)
	}
	exps := first.Report.Expectations
	target := -1
	switch {
	case opts.Expect < 0 || opts.Expect > len(exps):
		return nil, fmt.Errorf("--expect %d: %s has %d expectations (counted from 1)", opts.Expect, path, len(exps))
	case opts.Expect > 0:
		if exps[opts.Expect-1].Passed {
			return nil, fmt.Errorf("%s: expectation %d (%s) holds: nothing to shrink", path, opts.Expect, exps[opts.Expect-1].Name)
		}
		target = opts.Expect - 1
	default:
		for i, e := range exps {
			if !e.Passed {
				target = i
				break
			}
		}
		if target < 0 {
			return nil, fmt.Errorf("%s: every expectation holds (%d): nothing to shrink", path, len(exps))
		}
	}

	sh := &shrinker{path: path, opts: opts, nodes: s0.Nodes, racks: s0.Racks, cache: map[string]outcome{},
		sig: signature(exps[target].Detail), target: exps[target].Name, start: time.Now(), duration0: s0.Duration}
	if err := sh.normalize(data, s0, target); err != nil {
		return nil, err
	}
	all := candidate{events: upTo(len(sh.items)), nodes: upTo(len(sh.nodes)), duration: s0.Duration}
	if !sh.fails(all) {
		return nil, fmt.Errorf("%s: with its random targets, seed and settings written out, the scenario no longer fails %q as %q: %s",
			path, sh.target, exps[target].Detail, sh.cache[all.key()].detail)
	}
	sh.best = all
	c := all
	for sh.stopped == "" {
		before := c.key()
		sh.phase = "events"
		c.events = ddmin(c.events, func(ev []int) bool { return sh.fails(candidate{ev, c.nodes, c.duration}) })
		sh.phase = "nodes"
		c.nodes = ddmin(c.nodes, func(nd []int) bool { return sh.fails(candidate{c.events, nd, c.duration}) })
		_, c.events = sh.render(c) // the events that keep a target
		sh.phase = "duration"
		c.duration = sh.shortest(c)
		if c.key() == before {
			break
		}
	}
	if sh.stopped != "" {
		c = sh.best
	}
	detail := sh.cache[c.key()].detail
	out, kept := sh.render(c)
	c.events = kept
	res := &Result{Expectation: sh.target, Detail: detail, Runs: sh.runs, Stopped: sh.stopped,
		Before: Size{len(sh.items), len(sh.nodes), s0.Duration},
		After:  Size{len(c.events), len(c.nodes), c.duration}}
	res.YAML, err = sh.annotate(out, c, len(exps)-1, detail)
	return res, err
}

func upTo(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// fails runs a candidate, once, and says whether it fails the target
// expectation the same way. Once a bound is reached every answer is no,
// which ends the search quickly with the smallest failing scenario kept.
func (sh *shrinker) fails(c candidate) bool {
	k := c.key()
	if o, ok := sh.cache[k]; ok {
		return o.fails
	}
	switch {
	case sh.stopped != "":
		return false
	case sh.opts.MaxRuns > 0 && sh.runs >= sh.opts.MaxRuns:
		sh.stopped = fmt.Sprintf("--max-runs %d", sh.opts.MaxRuns)
		return false
	case sh.opts.Timeout > 0 && time.Since(sh.start) > sh.opts.Timeout:
		sh.stopped = fmt.Sprintf("--timeout %s", sh.opts.Timeout)
		return false
	}
	o := sh.run(c)
	sh.cache[k] = o
	if o.fails && smaller(c, sh.best) {
		sh.best = c
	}
	if sh.opts.Progress != nil {
		sh.opts.Progress(Progress{Phase: sh.phase, Runs: sh.runs, MaxRuns: sh.opts.MaxRuns,
			Events: len(sh.best.events), Nodes: len(sh.best.nodes), Duration: sh.best.duration,
			EventsAtStart: len(sh.items), NodesAtStart: len(sh.nodes)})
	}
	return o.fails
}

// smaller orders candidates by events, then nodes, then duration.
func smaller(a, b candidate) bool {
	if len(a.events) != len(b.events) {
		return len(a.events) < len(b.events)
	}
	if len(a.nodes) != len(b.nodes) {
		return len(a.nodes) < len(b.nodes)
	}
	return a.duration < b.duration
}

// run parses and simulates a candidate. One that does not parse (a
// restart left without its kill, more replicas than nodes) does not fail
// the same way, and costs no simulation.
func (sh *shrinker) run(c candidate) outcome {
	data, _ := sh.render(c)
	s, err := scenario.Parse(sh.path, data, scenario.Options{Env: noEnv})
	if err != nil {
		return outcome{detail: "does not parse: " + firstLine(err.Error())}
	}
	sh.runs++
	res, err := runner.Run(context.Background(), s, runner.Options{})
	if err != nil {
		return outcome{detail: "does not run: " + firstLine(err.Error())}
	}
	e := res.Report.Expectations[0]
	return outcome{fails: !e.Passed && signature(e.Detail) == sh.sig, detail: e.Detail}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// shortest bisects the duration, in whole seconds, between just after the
// last event and the candidate's own: the shortest run found that still
// fails.
func (sh *shrinker) shortest(c candidate) time.Duration {
	var last time.Duration
	for _, i := range c.events {
		if at, err := time.ParseDuration(get(sh.items[i], "at").Value); err == nil {
			last = max(last, at)
		}
	}
	lo, hi := last.Truncate(time.Second)+time.Second, c.duration
	if lo >= hi {
		return hi
	}
	try := func(d time.Duration) bool { return sh.fails(candidate{c.events, c.nodes, d}) }
	if try(lo) {
		return lo
	}
	for hi-lo > time.Second {
		mid := (lo + (hi-lo)/2).Truncate(time.Second)
		if try(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// normalize prepares the document every candidate is cut from: random
// targets written out, the seed and the settings from outside the file
// written in, only the target expectation kept, no golden report.
func (sh *shrinker) normalize(data []byte, s0 *scenario.Scenario, target int) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	sh.doc, sh.root = &doc, doc.Content[0]
	root := sh.root

	// The original's description no longer describes what is left.
	set(root, "description", scalar(fmt.Sprintf("Shrunk from %s by hbsim shrink.", s0.Name)))
	if sh.opts.Name != "" {
		set(root, "name", scalar(sh.opts.Name))
	}
	if get(root, "seed") == nil || sh.opts.Scenario.Seed != nil {
		sh.notes = append(sh.notes, fmt.Sprintf("seed %d", s0.Seed))
	}
	set(root, "seed", scalar(fmt.Sprint(s0.Seed)))
	var outside []string
	for _, k := range config.Keys() {
		origin := s0.Origins[k.Name]
		if origin == "" || origin == config.DefaultOrigin || strings.HasPrefix(origin, s0.Path+":") {
			continue
		}
		setPath(root, k.Name, value(lookup(s0.Effective, k.Name)))
		outside = append(outside, origin)
	}
	if len(outside) > 0 {
		sh.notes = append(sh.notes, "settings from "+strings.Join(outside, ", "))
	}

	if evs := get(root, "events"); evs != nil && evs.Kind == yaml.SequenceNode {
		sh.items = evs.Content
		if err := sh.writeOutRandom(s0); err != nil {
			return err
		}
	}
	if exps := get(root, "expect"); exps != nil {
		exps.Content = []*yaml.Node{exps.Content[target]}
	}
	sh.hadGolden = del(root, "golden")
	return nil
}

// writeOutRandom replaces {random: N} and {percent: P} targets by the ids
// the seed picked, found by the event's line: removing other events or
// nodes must not change who is hit.
func (sh *shrinker) writeOutRandom(s0 *scenario.Scenario) error {
	byLine := map[int][]scenario.Event{}
	for _, e := range s0.Events {
		byLine[e.Line] = append(byLine[e.Line], e)
	}
	var lines []string
	for _, item := range sh.items {
		_, target := action(item)
		if target == nil || target.Kind != yaml.MappingNode {
			continue
		}
		key := ""
		for _, k := range []string{"random", "percent"} {
			if get(target, k) != nil {
				key = k
			}
		}
		if key == "" {
			continue
		}
		evs := byLine[item.Line]
		if len(evs) != 1 {
			return fmt.Errorf("%s:%d: a random target shares its line with another event; write one event per line to shrink it", sh.path, item.Line)
		}
		del(target, key)
		set(target, "nodes", list(evs[0].Nodes))
		lines = append(lines, fmt.Sprint(item.Line))
	}
	if len(lines) > 0 {
		word := "line"
		if len(lines) > 1 {
			word = "lines"
		}
		sh.notes = append(sh.notes, "random targets ("+word+" "+strings.Join(lines, ", ")+")")
	}
	return nil
}

// lookup reads a dotted key from nested maps such as Config.Effective's.
func lookup(m map[string]any, key string) any {
	parts := strings.Split(key, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, _ := m[p].(map[string]any)
		m = sub
	}
	return m[parts[len(parts)-1]]
}

// actions are the keys that make a mapping an event.
var actions = []scenario.Action{scenario.Kill, scenario.Restart, scenario.Pause, scenario.Partition,
	scenario.Slow, scenario.Loss, scenario.Overload, scenario.Drift}

// action finds an event's action and its target node.
func action(item *yaml.Node) (scenario.Action, *yaml.Node) {
	for _, a := range actions {
		if v := get(item, string(a)); v != nil {
			return a, v
		}
	}
	return "", nil
}

// render writes the candidate as YAML and returns the events it kept:
// those whose targets survive the nodes it removed.
func (sh *shrinker) render(c candidate) ([]byte, []int) {
	root := clone(sh.root)
	keep := map[string]bool{}
	for _, i := range c.nodes {
		keep[sh.nodes[i]] = true
	}
	racks := map[string]bool{}
	for _, r := range sh.racks {
		if slices.ContainsFunc(r.Nodes, func(n string) bool { return keep[n] }) {
			racks[r.Name] = true
		}
	}
	var kept []int
	if evs := get(root, "events"); evs != nil && evs.Kind == yaml.SequenceNode {
		evs.Content = nil
		for _, i := range c.events {
			e := clone(sh.items[i])
			if retarget(e, keep, racks) {
				evs.Content = append(evs.Content, e)
				kept = append(kept, i)
			}
		}
	}
	if len(c.nodes) < len(sh.nodes) {
		set(root, "cluster", sh.cluster(get(root, "cluster"), keep))
		if exps := get(root, "expect"); exps != nil {
			for _, v := range exps.Content[0].Content {
				if v.Kind == yaml.SequenceNode {
					filter(v, func(id string) bool { return keep[id] || !slices.Contains(sh.nodes, id) })
				}
			}
		}
	}
	set(root, "duration", scalar(fmtDuration(c.duration)))
	doc := *sh.doc
	doc.Content = []*yaml.Node{root}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		panic(fmt.Sprintf("encode a scenario read from YAML: %v", err)) // cannot happen: nodes came from the decoder
	}
	return []byte(b.String()), kept
}

// retarget removes the dropped nodes from an event's targets; it reports
// whether the event still has one.
func retarget(e *yaml.Node, keep, racks map[string]bool) bool {
	a, t := action(e)
	if t == nil || a == scenario.Overload {
		return true
	}
	isKept := func(id string) bool { return keep[id] }
	switch t.Kind {
	case yaml.ScalarNode:
		return keep[t.Value]
	case yaml.SequenceNode:
		filter(t, isKept)
		return len(t.Content) > 0
	case yaml.MappingNode:
		if n := get(t, "nodes"); n != nil {
			if n.Kind == yaml.ScalarNode {
				return keep[n.Value]
			}
			filter(n, isKept)
			return len(n.Content) > 0
		}
		if r := get(t, "rack"); r != nil {
			return racks[r.Value]
		}
		if g := get(t, "groups"); g != nil {
			for _, side := range g.Content {
				filter(side, func(id string) bool { return id == "namenode" || keep[id] })
				if len(side.Content) == 0 {
					return false
				}
			}
		}
	}
	return true
}

// cluster rewrites the cluster with only the kept nodes, as an explicit
// list, or as a map of racks when it has racks (a rack count would deal
// the remaining nodes differently), keeping capacity and bandwidth.
func (sh *shrinker) cluster(orig *yaml.Node, keep map[string]bool) *yaml.Node {
	var ids []string
	for _, n := range sh.nodes {
		if keep[n] {
			ids = append(ids, n)
		}
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	if orig != nil && orig.Kind == yaml.MappingNode {
		m = clone(orig)
	}
	del(m, "datanodes")
	del(m, "racks")
	if len(sh.racks) == 0 {
		set(m, "datanodes", list(ids))
		return m
	}
	racks := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for _, r := range sh.racks {
		var in []string
		for _, n := range r.Nodes {
			if keep[n] {
				in = append(in, n)
			}
		}
		if len(in) > 0 {
			racks.Content = append(racks.Content, scalar(r.Name), list(in))
		}
	}
	set(m, "racks", racks)
	return m
}

// fmtDuration writes a duration as a scenario would: 2m, 1m30s, 45s.
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
