// Package client holds the HDFS client's rules, as pure state: how
// DFSInputStream reads a block (InputStream: a per-stream dead-node list,
// up to dfs.client.max.block.acquire.failures refetches of the locations
// with HDFS's growing random wait) and when DataStreamer replaces a failed
// DataNode of a write pipeline (ReplacePolicy,
// dfs.client.block.write.replace-datanode-on-failure.*). Nothing here
// reads a clock or draws a random number: a runtime passes the draws and
// moves time.
package client
