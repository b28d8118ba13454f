package liverun

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/hbsim/hbsim/pkg/live"
	"github.com/hbsim/hbsim/pkg/trace"
)

// collector reads the NameNode's stdout: its listening addresses first,
// then its decisions (transitions of the acting detector, verdicts of the
// watching ones) as JSON lines. It runs on the child's reader goroutine.
type collector struct {
	hello chan hello // the first line, once

	mu     sync.Mutex
	first  bool
	events []live.Event
	state  map[string]string // each node's state as the acting detector last said
}

type hello struct {
	Kind, Addr, HTTP string
	// StartUnixNs is the wall-clock instant of the NameNode's time zero.
	StartUnixNs string `json:"start_unix_ns"`
	line        string // as read, for errors
}

func newCollector() *collector {
	return &collector{hello: make(chan hello, 1), first: true, state: map[string]string{}}
}

func (c *collector) read(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.first {
		c.first = false
		var h hello
		_ = json.Unmarshal([]byte(line), &h)
		h.line = line
		c.hello <- h
		return
	}
	var e live.Event
	if json.Unmarshal([]byte(line), &e) != nil || (e.Kind != "transition" && e.Kind != "verdict") {
		return
	}
	c.events = append(c.events, e)
	if e.Kind == "transition" {
		c.state[e.Node] = e.To
	}
}

// counts are the nodes the acting detector holds live, stale and dead,
// and how many decisions were made so far.
func (c *collector) counts() (liveN, stale, dead, decisions int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	liveN, stale, dead = count(c.state)
	return liveN, stale, dead, len(c.events)
}

// count counts the nodes in each state.
func count(state map[string]string) (liveN, stale, dead int) {
	for _, s := range state {
		switch s {
		case "live":
			liveN++
		case "stale":
			stale++
		case "dead":
			dead++
		}
	}
	return liveN, stale, dead
}

// trace turns the decisions made by end into trace events, in scenario
// time (decisions before time zero, the first registrations, count as 0).
func (c *collector) trace(clk clock, end time.Time) []trace.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []trace.Event
	for _, e := range c.events {
		wall := time.Unix(0, e.UnixNs)
		if wall.After(end) {
			continue // decided after the run's end
		}
		kind := trace.Transition
		if e.Kind == "verdict" {
			kind = trace.Verdict
		}
		out = append(out, trace.Event{At: clk.at(wall), Node: e.Node, Kind: kind, From: e.From, To: e.To,
			Reason: e.Reason, Detector: e.Detector})
	}
	return out
}

// clock maps wall time to scenario time: zero at t0, scaled by speed.
type clock struct {
	t0    time.Time
	speed float64
}

// at is the scenario time of wall instant t (0 before t0).
func (c clock) at(t time.Time) time.Duration {
	return max(time.Duration(float64(t.Sub(c.t0))/c.speed), 0)
}

// wall is the wall instant of scenario time d.
func (c clock) wall(d time.Duration) time.Time {
	return c.t0.Add(time.Duration(float64(d) * c.speed))
}

// series samples the acting detector's view at every step of the run, as
// the simulator's time series does, from the transitions in events (in
// time order): who was live, stale and dead at each sample's time.
func series(events []trace.Event, step, end time.Duration) []trace.Sample {
	state := map[string]string{}
	var out []trace.Sample
	k := 0
	for at := time.Duration(0); at <= end; at += step {
		for ; k < len(events) && events[k].At <= at; k++ {
			if e := events[k]; e.Kind == trace.Transition {
				state[e.Node] = e.To
			}
		}
		sm := trace.Sample{At: at}
		sm.Live, sm.Stale, sm.Dead = count(state)
		out = append(out, sm)
	}
	return out
}
