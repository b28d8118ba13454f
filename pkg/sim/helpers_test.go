package sim

import (
	"context"

	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/trace"
)

// runScn simulates a parsed scenario, the way the runner does.
func runScn(scn *scenario.Scenario, opts ...Options) (*trace.Trace, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	return Run(context.Background(), scn.MustModel(), o)
}

// newScn builds the world of a parsed scenario.
func newScn(scn *scenario.Scenario, opts ...Options) (*Sim, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	return New(scn.MustModel(), o)
}
