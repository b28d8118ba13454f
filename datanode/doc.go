// Package datanode is the DataNode's protocol logic as a pure state machine.
//
// A DataNode registers with the NameNode, then sends a heartbeat every
// interval, measured from the start of the previous send as HDFS's
// BPServiceActor does. It carries out the commands that come back in
// heartbeat replies: REGISTER (HDFS's DNA_REGISTER), sent to a node the
// NameNode has declared dead; TRANSFER, a pipeline the node streams a
// block along (each target forwards it to the next); INVALIDATE. With the
// block layer on it sends full and incremental block reports, keeps its
// replicas on volumes, and when volumes fail (FailVolumes) reports them,
// shutting down past dfs.datanode.failed.volumes.tolerated.
//
// The machine starts no goroutine, reads no clock and does no I/O. A runtime
// (the simulator in pkg/sim, or live mode) drives it:
//
//	d := datanode.New(cfg)
//	d.Start(now)              // boot: queue a Register
//	d.Step(now, msg)          // a message arrived
//	d.Tick(now)               // the wake-up time asked for has come
//	rd := d.Ready()           // messages to send, next wake-up time
//	... send rd.Messages, arm a timer for rd.Wake ...
//	d.Advance()               // the messages were taken
//
// Time is a time.Duration since an arbitrary origin; only differences
// matter. A runtime that gives a node a skewed clock simulates clock drift.
package datanode
