package sim

import (
	"github.com/hbsim/hbsim/pkg/model"
	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/rng"
)

// Sim is the fault interpreter's Target (package faults): the interpreter
// decides what a fault means; these methods make it happen in the world.
// Node arguments are model handles.

// Kill implements faults.Target.
func (s *Sim) Kill(h int32) {
	i := s.slot[h]
	if s.nn != nil {
		s.settle(i)
		s.dns[i].Stop()
		s.dropPending(i)
		s.tm.wake[i] = 0
	}
	if s.gsp != nil {
		s.gsp.kill(i)
	}
}

// Restart implements faults.Target.
func (s *Sim) Restart(h int32) {
	i := s.slot[h]
	s.booted[i] = true
	if s.nn != nil {
		s.dns[i].Start(s.local(i))
		s.drainDataNode(i)
	}
	if s.gsp != nil {
		s.gsp.restart(i)
	}
}

// Pause implements faults.Target: the process stops; its timers and the
// messages that reach it wait for Resume.
func (s *Sim) Pause(h int32) {
	if s.nn != nil {
		s.settle(s.slot[h])
	}
}

// Resume implements faults.Target: a paused process reads what reached
// it, then its overdue timers fire, late, as a real process's would.
func (s *Sim) Resume(h int32) {
	i := s.slot[h]
	if !s.booted[i] {
		s.boot(i)
		return
	}
	if s.nn != nil {
		dn := &s.dns[i]
		for _, ref := range s.pending[i] {
			dn.Step(s.local(i), *s.take(ref))
		}
		delete(s.pending, i)
		dn.Tick(s.local(i))
		s.tm.wake[i] = 0
		s.drainDataNode(i)
	}
	if s.gsp != nil {
		s.gsp.resume(i)
	}
}

// Drift implements faults.Target.
func (s *Sim) Drift(h int32, ratio float64) {
	i := s.slot[h]
	if s.nn != nil {
		s.settle(i)
		s.tm.drift(i, s.now, ratio)
		s.drainDataNode(i) // re-arm on the new clock
	}
	if s.gsp != nil {
		s.gsp.drift(i, ratio)
	}
}

// LinkFault implements faults.Target.
func (s *Sim) LinkFault(h int32, f network.Fault, on bool) {
	if s.nn != nil {
		s.settle(s.slot[h])
	}
	if on {
		s.net.AddFault(network.Endpoint(h), f)
	} else {
		s.net.RemoveFault(network.Endpoint(h), f)
	}
}

// GroupCut implements faults.Target.
func (s *Sim) GroupCut(g network.GroupCut, on bool) {
	if s.nn != nil {
		s.settleAll()
	}
	if on {
		s.net.AddGroupCut(g)
	} else {
		s.net.RemoveGroupCut(g.ID)
	}
}

// Overload implements faults.Target. Only the main queue slows down:
// HDFS-9239's lifeline handlers skip the contended namesystem path that
// makes heartbeats slow.
func (s *Sim) Overload(f model.Fault, on bool) {
	if s.nn == nil {
		return // refused before the run (Supported)
	}
	s.settleAll()
	if !on {
		nn := s.run.RPC
		s.rpc.Reset(nn.Handlers, nn.ServiceTime, s.now)
		s.load = 0
		return
	}
	s.rpc.Reset(f.Handlers, f.ServiceTime, s.now)
	s.load = f.Load
	if f.Load > 0 {
		s.push(s.now+s.exp(rng.Background, 0, s.loads, s.load), kBackground, -1, 0)
		s.loads++
	}
}

func (s *Sim) dropPending(i int32) {
	for _, ref := range s.pending[i] {
		s.take(ref)
	}
	delete(s.pending, i)
}

// Unsupported says why the simulator cannot run a fault, or "": the
// gossip detector alone has no NameNode to overload.
func Unsupported(m *model.Run) func(model.Fault) string {
	return func(f model.Fault) string {
		if len(m.NameNode.Detectors) > 0 {
			return ""
		}
		switch f.Kind {
		case model.Overload, model.Decommission, model.Maintenance, model.Recommission, model.VolumeFailure, model.PauseNameNode:
			return f.Kind.String() + " has no meaning with the gossip detector alone: there is no NameNode (add a central detector to detectors:, or drop the event)"
		}
		return ""
	}
}
