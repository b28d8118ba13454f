// Package live runs the NameNode and DataNode state machines of packages
// namenode and datanode in real time, over TCP, with the frames of package
// wire. It is the second "thin runtime loop" beside pkg/sim: the machines
// are the same, only the clock and the network are real.
//
// NameNodeServer owns one namenode.NameNode behind a mutex. Each connection
// has one goroutine that reads a frame, steps the machine under the lock,
// and writes the replies on that connection; one more goroutine ticks the
// machine when Ready().Wake comes. Time is time.Since(start) on the
// monotonic clock, so a wall-clock step never declares a node dead.
//
// RunDataNode drives one datanode.DataNode: its own connection, its own
// timer, reconnect with jittered backoff when the connection drops.
// RunDataNodes hosts many in one process, as HDFS's SimulatedFSDataset
// scale tests do.
//
// What the runtime adds around the machines, and why it lives here rather
// than in them: the handshake and the sealed frames of package wire (a
// property of the transport); admission (admission.go): the cap on
// connections still in their handshake, oldest closed first, accept
// retried when descriptors run out, loopback-only peers without a secret;
// and the refusal of a second connection claiming a DataNode
// id that another open connection already holds (the namenode machine has
// no notion of connections; the runtime answers such a Register with
// RegisterReply.Refused itself, without stepping the machine).
package live
