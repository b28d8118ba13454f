// Package namenode is the NameNode's liveness logic as a pure state machine.
//
// The NameNode keeps a registry of DataNodes. Every heartbeat refreshes the
// node's last-heard time; every check interval a scan asks the failure
// detector for each node's state and records each change with its reason in
// words. A heartbeat from a node it has declared dead is answered with a
// REGISTER command (HDFS's DNA_REGISTER); once the node registers again it is
// live again.
//
// The machine starts no goroutine, reads no clock and does no I/O; it is
// driven exactly like package datanode:
//
//	n, _ := namenode.New(cfg)
//	n.Step(now, msg)     // a message arrived
//	n.Tick(now)          // the wake-up time asked for has come
//	rd := n.Ready()      // replies to send, state changes, next wake-up
//	n.Advance()
//
// The detectors are named in Config (DetectorConfig): missed-count, hdfs
// (HeartbeatManager's rule) or phi; the first acts, the others watch.
//
// With Config.Blocks.Enable the machine is also HDFS's BlockManager: a
// block map learnt from block reports, rack-aware placement
// (placement.go), and every 3s a redundancy round that schedules
// re-replication tasks, one per block with its targets pipelined, and
// deletions (replication.go). Decommission and maintenance are operator
// requests (Decommission, StartMaintenance, Recommission) moved on by an
// admin monitor (admin.go); state changes come out in Ready.Admin.
// Every rule names the Hadoop method it follows.
package namenode
