package namenode

import "time"

// RPCServer is the NameNode's RPC server for one queue: Handlers take
// messages in arrival order, each taking ServiceTime (HDFS's
// dfs.namenode.handler.count handlers behind one call queue). A busy
// NameNode delays heartbeats this way (HADOOP-641); HDFS-9239 gives
// lifelines a queue of their own so they skip it.
//
// With identical service times and FIFO order, handlers free up in the
// order they were given work, so a ring of their next-free times is the
// whole queue: a message's completion time is known the moment it
// arrives. Both runtimes use it: the simulator to time each message's
// handling, live mode to hold one for as long as a modelled overload says.
type RPCServer struct {
	free    []time.Duration
	next    int
	service time.Duration
}

// NewRPCServer returns a server of k handlers (at least one), each taking
// service per message, idle at time zero.
func NewRPCServer(k int, service time.Duration) RPCServer {
	return RPCServer{free: make([]time.Duration, max(k, 1)), service: service}
}

// Idle reports whether messages are handled the moment they arrive.
func (h *RPCServer) Idle() bool { return h.service == 0 }

// Admit queues a message arriving at now and returns when a handler has
// finished with it.
func (h *RPCServer) Admit(now time.Duration) time.Duration {
	start := max(now, h.free[h.next])
	done := start + h.service
	h.free[h.next] = done
	h.next = (h.next + 1) % len(h.free)
	return done
}

// Reset changes the server at now. Work already admitted keeps its
// completion times: the new handlers start free of it.
func (h *RPCServer) Reset(k int, service time.Duration, now time.Duration) {
	*h = NewRPCServer(k, service)
	for i := range h.free {
		h.free[i] = now
	}
}
