package liverun

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/faults"
	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/trace"
)

// fakeCluster records what the interpreter does to processes and links.
type fakeCluster struct {
	calls []string
}

func (f *fakeCluster) start(n int32) error  { f.add("start dn%d", n+1); return nil }
func (f *fakeCluster) kill(n int32)         { f.add("kill dn%d", n+1) }
func (f *fakeCluster) pause(n int32) error  { f.add("stop dn%d", n+1); return nil }
func (f *fakeCluster) resume(n int32) error { f.add("cont dn%d", n+1); return nil }
func (f *fakeCluster) add(format string, a ...any) {
	f.calls = append(f.calls, fmt.Sprintf(format, a...))
}

func (f *fakeCluster) apply(n int32, nf network.Fault) (func(), error) {
	what := fmt.Sprintf("dn%d %v", n+1, nf.Dirs())
	switch {
	case nf.Partition != network.NoCut:
		what += " cut"
	case nf.Loss > 0:
		what += fmt.Sprintf(" loss %g", nf.Loss)
	case !nf.Latency.IsZero():
		what += " slow"
	}
	f.add("apply %s", what)
	return func() { f.add("heal %s", what) }, nil
}

// The interpreter drives live processes and links as it drives the
// simulator's: every step of the schedule becomes signals and proxy
// faults, a group partition cuts the links of the side without the
// NameNode (its direction seen from the links), and the trace reads as
// the simulator's.
func TestTargetFollowsTheInterpreter(t *testing.T) {
	m := parse(t, "t.yaml", `name: t
duration: 100s
cluster: {datanodes: 4}
events:
  - {at: 10s, kill: dn1}
  - {at: 20s, pause: dn2, for: 5s}
  - {at: 30s, restart: dn1}
  - {at: 40s, partition: {groups: [[dn1, dn2], [dn3, namenode]]}, direction: to, for: 5s}
  - {at: 50s, partition: {groups: [[dn3, namenode], [dn4]]}, direction: from, for: 5s}
  - {at: 60s, loss: dn2, p: 0.5}
  - {at: 70s, slow: [dn3], latency: 1s, for: 5s}
  - {at: 80s, kill: dn1}
`)
	fc := &fakeCluster{}
	tg := newTarget(fc, fc)
	var tr []trace.Event
	in := faults.New(m, tg, func(e trace.Event) { tr = append(tr, e) })
	for _, s := range faults.Steps(m) {
		in.Apply(s)
	}
	if tg.err != nil {
		t.Fatal(tg.err)
	}
	tg.healAll()
	want := []string{
		"kill dn1", "stop dn2", "cont dn2", "start dn1",
		// NameNode on side 2: "to" (into side 2) loses what side 1 sends up.
		"apply dn1 up cut", "apply dn2 up cut", "heal dn1 up cut", "heal dn2 up cut",
		// NameNode on side 1: "from" (out of side 2) loses what dn4 sends up.
		"apply dn4 up cut", "heal dn4 up cut",
		"apply dn2 both loss 0.5", "apply dn3 both slow", "heal dn3 both slow",
		"kill dn1",               // the second kill of a dead node does nothing
		"heal dn2 both loss 0.5", // the end of the run lifts what lasts to it
	}
	if !slices.Equal(fc.calls, want) {
		t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(fc.calls, "\n"), strings.Join(want, "\n"))
	}
	// The interpreter's words, with the fault's source.
	for _, w := range []string{"t.yaml:5: process killed (crash-stop)", "t.yaml:6: process paused for 5s (alive, but silent)",
		"t.yaml:7: fresh process started", "t.yaml:8: groups [dn1 dn2] and [dn3 namenode] cut apart"} {
		if !slices.ContainsFunc(tr, func(e trace.Event) bool { return strings.HasPrefix(e.Reason, w) }) {
			t.Errorf("no trace event reads %q", w)
		}
	}
}
