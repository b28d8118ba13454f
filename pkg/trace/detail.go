package trace

import "time"

// The records below are what the HTML page draws beyond the timeline: who
// suspected whom in a gossip group, and the messages in a window around
// each fault (a space-time diagram). A runtime fills them only when asked
// (they cost memory); both are bounded: beliefs change a few times per
// member and fault, and windows keep at most WindowCap messages.

// Belief is one member's change of mind about another, for detectors with
// no central monitor (gossip): at At, Observer started to hold Subject
// To, having held it From. States are the report's: "live", "stale" (the
// member suspects it) and "dead".
type Belief struct {
	At                time.Duration
	Observer, Subject string
	From, To          string
}

// Window is a stretch of time around one fault whose messages were
// recorded.
type Window struct {
	// Fault names the fault as the timeline does ("kill dn3", "partition
	// dn4, dn5, dn6", "namenode_overload"); Line is its scenario line.
	Fault string
	Line  int
	// Nodes are the nodes the fault touched (none for the NameNode's own
	// faults); At and End are the fault's start and end (End == At for a
	// kill or a restart).
	Nodes   []string
	At, End time.Duration
	// From and To bound the recorded stretch.
	From, To time.Duration
	// Messages are those sent in [From, To] between the endpoints kept
	// (see Message), in the order they were sent.
	Messages []Message
	// Dropped counts the messages of the stretch left out once
	// WindowCap were kept.
	Dropped int
}

// WindowCap bounds the messages kept in one window.
const WindowCap = 2000

// Message is one message as the network carried it.
type Message struct {
	// Sent is when it left From; Received when it reached To's socket
	// (handled later if To was paused or its queue busy). Received is
	// meaningless when Lost.
	Sent, Received time.Duration
	// From and To are node ids, NameNodeID for the NameNode.
	From, To string
	// Type is the protocol's name for it: "heartbeat", "heartbeat-reply",
	// "register", "lifeline", "gossip"...
	Type string
	// Lost is true when the network dropped it (loss, a partition).
	Lost bool
}
