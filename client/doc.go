// Package client is the HDFS client as a pure state machine, like
// namenode and datanode: Client reads blocks as DFSInputStream does (an
// InputStream per read: a per-stream dead-node list, up to
// dfs.client.max.block.acquire.failures refetches of the locations with
// HDFS's growing random wait) and writes them as DataStreamer does
// (pipeline setup with abandonBlock and excluded nodes, up to
// dfs.client.block.write.retries; pipeline recovery with
// ReplaceDatanodeOnFailure's policies). It talks to the NameNode
// (ClientProtocol) and the DataNodes (data transfer) by proto messages
// only: Read and Write start operations, Step takes replies, Tick fires
// its timers, Ready says what to send and which operations ended.
//
// Nothing here reads a clock, starts a goroutine or draws from a global
// random source: the runtime moves time and delivers messages, and the
// refetch waits are keyed draws of the client's seed (pkg/rng).
package client
