package liverun

import (
	"slices"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/trace"
)

// The time series is the acting detector's view at each step, rebuilt
// from its transitions; watchers' verdicts and faults do not count.
func TestSeriesFromTransitions(t *testing.T) {
	s := time.Second
	evs := []trace.Event{
		{At: 0, Node: "dn1", Kind: trace.Transition, To: "live"},
		{At: 0, Node: "dn2", Kind: trace.Transition, To: "live"},
		{At: 1500 * time.Millisecond, Node: "dn2", Kind: trace.Kill},
		{At: 2 * s, Node: "dn2", Kind: trace.Transition, To: "stale"},
		{At: 2 * s, Node: "dn1", Kind: trace.Verdict, To: "dead"},
		{At: 3500 * time.Millisecond, Node: "dn2", Kind: trace.Transition, To: "dead"},
	}
	got := series(evs, s, 4*s)
	want := []trace.Sample{{At: 0, Live: 2}, {At: s, Live: 2}, {At: 2 * s, Live: 1, Stale: 1},
		{At: 3 * s, Live: 1, Stale: 1}, {At: 4 * s, Live: 1, Dead: 1}}
	if !slices.Equal(got, want) {
		t.Errorf("series:\n%+v\nwant\n%+v", got, want)
	}
}
