package runner

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/cost"
	"github.com/hbsim/hbsim/pkg/scenario"
)

// TestRunJudgesExpectations runs a shipped scenario through the one path
// and checks the report carries every expectation, judged.
func TestRunJudgesExpectations(t *testing.T) {
	s, err := scenario.Load("../../scenarios/single-crash.yaml", scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(res.Report.Expectations), len(s.Expect); got != want || want == 0 {
		t.Fatalf("report judged %d expectations, scenario has %d", got, want)
	}
	if !res.Report.Passed {
		t.Errorf("single-crash failed: %+v", res.Report.Expectations)
	}
	if res.Trace.End != s.Duration {
		t.Errorf("trace ends at %v, want %v", res.Trace.End, s.Duration)
	}
}

func TestTraceRefusesNonPositiveSpeed(t *testing.T) {
	s, err := scenario.Load("../../scenarios/single-crash.yaml", scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Trace(context.Background(), s, Options{Live: true, Speed: 0}); err == nil {
		t.Fatal("a live run at speed 0 was accepted")
	}
}

// TestCostLimits: a run beyond its limits is refused with a *cost.Error
// before anything runs, unless forced.
func TestCostLimits(t *testing.T) {
	s, err := scenario.Load("../../scenarios/single-crash.yaml", scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tiny := cost.Limits{MaxEvents: 10}
	_, err = Run(context.Background(), s, Options{Limits: tiny})
	var ce *cost.Error
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "more than the budget of 10") {
		t.Fatalf("Run with a budget of 10 events = %v, want a *cost.Error", err)
	}
	if _, err := Run(context.Background(), s, Options{Limits: tiny, Force: true}); err != nil {
		t.Errorf("forced run: %v", err)
	}
}
