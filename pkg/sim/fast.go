package sim

import (
	"fmt"
	"time"

	"github.com/hbsim/hbsim/pkg/network"
	"github.com/hbsim/hbsim/pkg/proto"
)

// The fast path carries a steady heartbeat — a DataNode due to send one
// and nothing else, over a quiet link, to an idle NameNode — in one event
// instead of four (the DataNode's wake, the arrival, the reply, the
// superseded call deadline). The event fires at the heartbeat's arrival:
// it runs the DataNode's send (deferred: nothing touched the node since),
// the NameNode's handling, and, when the reply carries no command and
// nothing can touch the node before it lands, the reply (early: nothing
// can see the node before its next heartbeat). Anything else — a fault, a
// command, a lost message — puts the heartbeat back on the event path
// exactly where it stands (settle).
//
// Every draw is keyed by the message's number on its link, and ties order
// by (class, node), so both paths give the same run to the byte; a
// property test runs every shipped scenario both ways.

// fastPath is the per-slot state of heartbeats on the fast path.
type fastPath struct {
	// gen numbers each slot's fused events; an event whose generation is
	// stale was settled and is ignored.
	gen []uint32
	// send is when the fused heartbeat leaves its DataNode (-1: none).
	send []time.Duration
	// at is when it reaches the NameNode.
	at []time.Duration
	// taken counts heartbeats that arrived by the fast path; stretched,
	// those of them run in quiet stretches (stretch.go); skipped, those
	// of these run without a draw each.
	taken, stretched, skipped int64
}

func newFastPath(n int) fastPath {
	f := fastPath{gen: make([]uint32, n), send: make([]time.Duration, n), at: make([]time.Duration, n)}
	for i := range f.send {
		f.send[i] = -1
	}
	return f
}

// unsent is 1 when slot i's fused heartbeat has left (at or before now)
// but its event has not fired: the event path would have counted it.
func (f *fastPath) unsent(i int32, now time.Duration) int64 {
	if f.send == nil {
		return 0
	}
	if t := f.send[i]; t >= 0 && t <= now {
		return 1
	}
	return 0
}

func (f *fastPath) unsentTotal(now time.Duration) int64 {
	var n int64
	for i := range f.send {
		n += f.unsent(int32(i), now)
	}
	return n
}

// fastOK reports whether slot i's next heartbeat may take the fast path
// as far as the world goes; the DataNode decides the rest.
// With i = -1 it asks for the whole world: no partition between groups
// (a fault on one node's link keeps that node off the fast path only).
func (s *Sim) fastOK(i int32) bool {
	if s.opts.NoFastPath || s.rec != nil || s.blk.on || s.nnPaused || !s.rpc.Idle() || s.tm.clocks != nil || !s.net.Stateless() {
		return false
	}
	if i < 0 {
		return !s.net.GroupCut()
	}
	return s.net.QuietFor(network.Endpoint(s.order[i])) && s.in.State(s.order[i]) == 0 // running
}

// fuse puts slot i's heartbeat due at wake on the fast path, if it can
// take it, and reports whether it did.
func (s *Sim) fuse(i int32, wake time.Duration) bool {
	if wake <= 0 || !s.fastOK(i) || !s.dns[i].HeartbeatOnlyAt(wake) {
		return false
	}
	d := s.linkDraws(upLink(s.order[i]), s.up[i])
	v := s.net.Fate(network.Endpoint(s.order[i]), network.NameNode, &d)
	if v.Lost || wake+v.Delay > s.dns[i].WakeAfterHeartbeat(wake) {
		return false // lost, or the call times out before it even arrives
	}
	f := &s.fused
	f.gen[i]++
	f.send[i] = wake
	f.at[i] = wake + v.Delay
	s.tm.wake[i] = 0 // any timer event still queued is superseded
	if !s.stretching {
		s.push(f.at[i], kFused, i, int32(f.gen[i]))
	}
	return true
}

// fire1 is a fused heartbeat reaching the NameNode.
func (s *Sim) fire1(i, gen int32) {
	f := &s.fused
	t := f.send[i]
	if uint32(gen) != f.gen[i] || t < 0 {
		return // settled onto the event path
	}
	f.send[i] = -1
	f.taken++
	dn := &s.dns[i]
	if !dn.HeartbeatOnlyAt(t) {
		panic(fmt.Sprintf("sim: fast path: %s would do more than a heartbeat at %v", s.id(i), t))
	}
	seq := dn.BeginHeartbeat(t) // no drift on the fast path: local time is virtual time
	deadline := dn.WakeAfterHeartbeat(t)
	s.tr.Messages++
	s.up[i]++ // its draws were made by fuse
	if s.arrivals != nil {
		s.arrivals[i] = append(s.arrivals[i], s.now)
	}
	id, handle, st := dn.HeartbeatFields()
	if s.nn.PlainHeartbeat(s.now, handle, id, st) {
		s.reply1(i, nil, seq, deadline)
		return
	}
	// Anything but a plain reply takes the NameNode's whole step.
	hb := &s.hb
	*hb = proto.Message{Type: proto.TypeHeartbeat, Node: id, Handle: handle, Seq: seq, Stats: st}
	s.nn.Step(s.now, *hb)
	rdn := s.nn.Ready()
	if s.stretching {
		s.stretched(i, len(rdn.Transitions), len(rdn.Messages), rdn.Wake)
	}
	replied := false
	for k := range rdn.Messages {
		m := &rdn.Messages[k]
		if !replied && m.Node == hb.Node {
			replied = true
			s.reply1(i, m, seq, deadline)
			continue
		}
		s.indexNodes()
		if j, ok := s.index[m.Node]; ok {
			s.sendDown(s.now, j, m)
		}
	}
	if !replied {
		s.arm(i, deadline)
	}
	s.recordTransitions(rdn.Transitions)
	if rdn.Wake != s.nnWake {
		s.wakeNameNode(rdn.Wake)
	}
	s.nn.Advance()
}

// reply1 sends the NameNode's reply m to fused heartbeat seq (nil: a
// plain reply, no command), and lands it at once when nothing could tell
// the difference.
func (s *Sim) reply1(i int32, m *proto.Message, seq uint64, deadline time.Duration) {
	s.tr.Messages++
	d := s.linkDraws(downLink(s.order[i]), s.down[i])
	s.down[i]++
	v := s.net.Fate(network.NameNode, network.Endpoint(s.order[i]), &d)
	at := s.now + v.Delay
	dn := &s.dns[i]
	if !v.Lost && (m == nil || len(m.Commands) == 0) && at <= deadline && s.nextFault > at {
		if wake, ok := dn.TakeReply(at, seq); ok {
			// A plain reply before the next slot sends nothing.
			if !s.fuse(i, wake) {
				s.arm(i, wake)
			}
			return
		}
	}
	// The event path from here: the node waits in its call until the
	// deadline, and the reply (if any) lands when it lands.
	s.arm(i, deadline)
	if !v.Lost {
		if m == nil {
			id, _, _ := dn.HeartbeatFields()
			s.hb = proto.Message{Type: proto.TypeHeartbeatReply, Node: id, Seq: seq}
			m = &s.hb
		}
		s.push(at, kToDataNode, i, s.put(m))
	}
}

// settle puts slot i's fused heartbeat, if any, back on the event path,
// as it stands now: before something else touches the node.
func (s *Sim) settle(i int32) {
	f := &s.fused
	if f.send == nil || f.send[i] < 0 {
		return
	}
	t := f.send[i]
	f.send[i] = -1
	f.gen[i]++
	if s.now < t {
		s.arm(i, t) // not sent yet: the timer is all there is
		return
	}
	// It left at t: send it as the event path did then.
	dn := &s.dns[i]
	dn.Tick(t)
	rd := dn.Ready()
	for k := range rd.Messages {
		s.sendUp(t, i, &rd.Messages[k])
	}
	wake := rd.Wake
	dn.Advance()
	s.arm(i, wake)
}

// settleAll settles every fused heartbeat: a fault that touches the
// whole world (a group partition, an overloaded NameNode) is coming.
func (s *Sim) settleAll() {
	for i := range s.fused.send {
		s.settle(int32(i))
	}
}
