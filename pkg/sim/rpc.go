package sim

import "time"

// handlers is the NameNode's RPC server for one queue: k handlers, each
// taking the same service time per message, serving in arrival order. With
// identical service times and FIFO order, handlers free up in the order
// they were given work, so a ring of their next-free times is the whole
// queue: a message's completion time is known the moment it arrives.
type handlers struct {
	free    []time.Duration
	next    int
	service time.Duration
}

func newHandlers(k int, service time.Duration) handlers {
	return handlers{free: make([]time.Duration, k), service: service}
}

// admit queues a message arriving at now and returns when a handler has
// finished with it.
func (h *handlers) admit(now time.Duration) time.Duration {
	start := max(now, h.free[h.next])
	done := start + h.service
	h.free[h.next] = done
	h.next = (h.next + 1) % len(h.free)
	return done
}

// reset changes the server at now. Work already admitted keeps its
// completion times: the new handlers start free of it.
func (h *handlers) reset(k int, service time.Duration, now time.Duration) {
	*h = newHandlers(k, service)
	for i := range h.free {
		h.free[i] = now
	}
}
