package gossip

import (
	"fmt"
	"time"
)

// Status is what a member believes about a peer. The numbers travel in
// Entry.Status: never renumber.
type Status uint8

// Statuses.
const (
	// Alive: the peer's heartbeat counter rose recently enough.
	Alive Status = 0
	// Suspect: the peer is thought to have failed, but may still refute
	// the suspicion with a fresher heartbeat counter.
	Suspect Status = 1
	// Dead: the peer was suspected for a whole suspicion timeout, or some
	// member said so. Only a fresher heartbeat counter (a live process,
	// or a restarted one with a higher incarnation) brings it back.
	Dead Status = 2
)

var statusNames = [...]string{Alive: "alive", Suspect: "suspect", Dead: "dead"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// Valid reports whether s is a status this version knows.
func (s Status) Valid() bool { return s <= Dead }

// Entry is one row of a digest: what the sender knows of one member. The
// heartbeat version is the pair (Incarnation, Counter), compared
// lexicographically: a restarted member starts its counter again under a
// higher incarnation.
type Entry struct {
	Peer        string `codec:"p"`
	Incarnation uint64 `codec:"i,omitempty"`
	Counter     uint64 `codec:"c,omitempty"`
	// Status is the sender's belief about Peer at that version: a Suspect
	// or Dead entry says "nothing fresher than this version has reached
	// me for a long time".
	Status Status `codec:"s,omitempty"`
}

// Message is the only message of the protocol: a gossip round's digest.
//
// Digest holds the sender's rows in the sender's member order (sorted by
// id): its own row (its heartbeat), every peer it has heard of, and every
// peer it suspects or believes dead. Rows never heard of and believed
// alive are left out, so the digest holds at most one entry per member.
//
// All the messages of one round share one Digest slice, which nobody may
// modify: the state machine never touches it again, and a receiver only
// reads it. That is what lets a runtime hold messages in flight without
// copying them.
type Message struct {
	From   string  `codec:"f"`
	Digest []Entry `codec:"d"`
}

func (m Message) String() string {
	return fmt.Sprintf("gossip from %s, %d entries", m.From, len(m.Digest))
}

// Envelope is a message and the member it is for.
type Envelope struct {
	To  string
	Msg Message
}

// Change is a change of a member's belief about a peer, with the reason in
// words for people.
type Change struct {
	At       time.Duration
	Peer     string
	From, To Status
	Reason   string
}

func (c Change) String() string {
	return fmt.Sprintf("%s %s→%s: %s", c.Peer, c.From, c.To, c.Reason)
}

// Ready is what a member wants done: messages to send, changes of belief
// to record, and the time it next wants a Tick (zero if none). The slices
// are valid until Advance; the digests inside the messages stay valid for
// good.
type Ready struct {
	Messages []Envelope
	Wake     time.Duration
	Changes  []Change
	// Stall, when not zero, is how late the member's own round came at
	// the last Tick beyond one interval: time it could not run (a pause,
	// a starved process). Its suspicion clocks were moved forward by it;
	// a runtime may record it.
	Stall time.Duration
}
