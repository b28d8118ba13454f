package sim

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/scenario"
)

// TestRunContextStops: a cancelled run stops within a few thousand events
// and returns the trace so far, ending at the virtual time reached, for
// both simulations.
func TestRunContextStops(t *testing.T) {
	for _, src := range []string{
		"name: c\nduration: 10h\ncluster: {datanodes: 100}\n",
		"name: g\nduration: 10h\ncluster: {datanodes: 20}\nheartbeat: {detector: gossip}\n",
	} {
		scn, err := scenario.Parse("c.yaml", []byte(src), scenario.Options{Env: func(string) (string, bool) { return "", false }})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		start := time.Now()
		tr, err := Run(ctx, scn.MustModel(), Options{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: err %v, want context.Canceled", scn.Name, err)
		}
		if tr == nil || tr.End <= 0 || tr.End >= scn.Duration {
			t.Fatalf("%s: partial trace %v, want one ending within the run", scn.Name, tr)
		}
		if len(tr.Nodes) != len(scn.Nodes) {
			t.Errorf("%s: %d nodes in the partial trace, want %d", scn.Name, len(tr.Nodes), len(scn.Nodes))
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("%s: took %v to stop", scn.Name, el)
		}
	}
}
