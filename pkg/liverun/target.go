package liverun

import (
	"fmt"

	"github.com/hbsim/hbsim/pkg/model"
	"github.com/hbsim/hbsim/pkg/network"
)

// links is the fault proxy as a live run uses it: f on one DataNode's link
// to the NameNode until heal is called.
type links interface {
	apply(node int32, f network.Fault) (heal func(), err error)
}

// target is live mode's faults.Target: the interpreter decides what a
// fault means and words it in the trace; these methods make it happen to
// processes and to the proxy's links. A method that fails records the
// error, and the run stops at it.
type target struct {
	dns   dataNodes
	links links
	// heals lift the network faults in force: per node and fault for a
	// link fault, per cut for a group partition.
	heals map[linkKey][]func()
	cuts  map[int][]func()
	err   error
}

type linkKey struct {
	node int32
	f    network.Fault
}

func newTarget(dns dataNodes, l links) *target {
	return &target{dns: dns, links: l, heals: map[linkKey][]func(){}, cuts: map[int][]func(){}}
}

func (t *target) fail(err error) {
	if t.err == nil && err != nil {
		t.err = err
	}
}

// Kill implements faults.Target: SIGKILL.
func (t *target) Kill(node int32) { t.dns.kill(node) }

// Restart implements faults.Target: a fresh process, which registers again.
func (t *target) Restart(node int32) { t.fail(t.dns.start(node)) }

// Pause implements faults.Target: SIGSTOP.
func (t *target) Pause(node int32) { t.fail(t.dns.pause(node)) }

// Resume implements faults.Target: SIGCONT; the process's overdue timers
// fire late, as the simulator's do.
func (t *target) Resume(node int32) { t.fail(t.dns.resume(node)) }

// LinkFault implements faults.Target: the proxy applies f to the frames of
// the node's connections.
func (t *target) LinkFault(node int32, f network.Fault, on bool) {
	k := linkKey{node, f}
	if !on {
		if hs := t.heals[k]; len(hs) > 0 {
			hs[0]()
			t.heals[k] = hs[1:]
		}
		return
	}
	heal, err := t.links.apply(node, f)
	if err != nil {
		t.fail(err)
		return
	}
	t.heals[k] = append(t.heals[k], heal)
}

// GroupCut implements faults.Target. Live DataNodes talk only to the
// NameNode, so a cut between groups is a partition of the links of the
// side the NameNode is not on, its direction turned to the links' own:
// the cut loses messages into side 2 (Down) or out of it (Up).
func (t *target) GroupCut(g network.GroupCut, on bool) {
	if !on {
		for _, h := range t.cuts[g.ID] {
			h()
		}
		delete(t.cuts, g.ID)
		return
	}
	dir := g.Dir
	if g.NameNode == 2 && dir != network.Both {
		dir ^= network.Both // into side 2 is up to the NameNode
	}
	f := network.Fault{Dir: dir, Partition: network.Drop}
	for i, side := range g.Side {
		if side == 0 || side == g.NameNode {
			continue
		}
		heal, err := t.links.apply(int32(i), f)
		if err != nil {
			t.fail(err)
			return
		}
		t.cuts[g.ID] = append(t.cuts[g.ID], heal)
	}
}

// Drift implements faults.Target; Check refuses clock_drift before a live
// run starts, so reaching it is a bug, which stops the run.
func (t *target) Drift(node int32, _ float64) {
	t.fail(fmt.Errorf("liverun: clock_drift on node %d reached a live run", node))
}

// Overload implements faults.Target; refused by Check, like Drift.
func (t *target) Overload(model.Fault, bool) {
	t.fail(fmt.Errorf("liverun: namenode_overload reached a live run"))
}

// healAll lifts every network fault still in force.
func (t *target) healAll() {
	for _, hs := range t.heals {
		for _, h := range hs {
			h()
		}
	}
	for _, hs := range t.cuts {
		for _, h := range hs {
			h()
		}
	}
	t.heals, t.cuts = map[linkKey][]func(){}, map[int][]func(){}
}
