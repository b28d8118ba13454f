// Package faultproxy is a fault-injecting TCP proxy for hbsim's wire
// protocol. It sits between DataNodes and the NameNode: each Link listens
// on its own address and forwards every connection a DataNode makes to it
// to the NameNode, frame by frame, in both directions.
//
// It is frame-aware: it parses the length-prefixed framing of package wire,
// so a lost message is a whole frame gone and the stream stays in sync, as
// the simulator's network loses messages, not bytes. Per Link, and per
// direction (Up: DataNode → NameNode; Down: NameNode → DataNode), a Fault
// can
//
//   - add latency, a constant or a distribution (config.Latency, sampled as
//     the simulator samples it) plus jitter; frames keep their order, as
//     on a TCP connection;
//   - lose message frames with a probability, or in Gilbert–Elliott bursts;
//   - partition the link: Drop loses every message frame while it lasts,
//     Hold keeps every frame until it heals and then delivers them in order.
//
// Faults stack: a Link applies the Options.Base fault (the scenario's
// network: section) plus every Fault applied with Link.Apply and not yet
// healed, as the simulator stacks overlapping slow and loss events.
//
// Handshake frames (hello, challenge, auth, welcome, reject) are the
// transport's, like TCP's SYN: loss never drops them, and a partition
// holds them until it heals (in Drop mode too), so a DataNode that
// reconnects during a partition completes its handshake the moment the
// network comes back, or times out and retries.
//
// Close stops every listener and connection and waits for every goroutine.
package faultproxy
