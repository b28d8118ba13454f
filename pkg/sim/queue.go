package sim

import "time"

// kind says what an event does when it fires.
type kind uint8

const (
	wakeNameNode kind = iota // the NameNode's scan may be due
	wakeDataNode             // a DataNode's heartbeat or retry may be due
	toNameNode               // a message reaches the NameNode's socket
	stepNameNode             // an RPC handler hands a message to the NameNode
	toDataNode               // a message arrives at a DataNode
	background               // a background request joins the NameNode's queue
	fault                    // a scenario event starts
	faultEnd                 // a scenario event with a duration ends
	sample                   // record a point of the time series
)

// event is one entry of the queue: 32 bytes, no pointers, so the queue is
// one flat slice the garbage collector never scans and a push allocates
// nothing once the slice has grown.
type event struct {
	at   time.Duration
	seq  uint64 // insertion order: ties at one time fire in the order scheduled
	kind kind
	node int32 // DataNode index, for wakeDataNode and toDataNode
	ref  int32 // message slot, or scenario event index
}

func (a *event) before(b *event) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// queue orders events by (at, seq). It has two parts:
//
//   - a FIFO lane that takes every event scheduled no earlier than the
//     lane's last one. Periodic timers (a heartbeat every interval) are
//     scheduled in time order, so nearly all of them land here: O(1), and
//     popped from sequential memory.
//   - a 4-ary min-heap for the rest (network deliveries, which jitter
//     reorders, and one-off events). Four children per node halve the
//     depth of a binary heap.
//
// Both parts are sorted, so popping the earlier of their heads is exact.
type queue struct {
	lane []event // ring buffer; live entries are lane[head:head+n] mod len
	head int
	n    int
	ev   []event // the heap
	seq  uint64
}

func (q *queue) Len() int { return q.n + len(q.ev) }

// push schedules e; its seq is assigned here.
func (q *queue) push(e event) {
	q.seq++
	e.seq = q.seq
	if q.n == 0 || e.at >= q.lane[(q.head+q.n-1)%len(q.lane)].at {
		q.pushLane(e)
		return
	}
	q.pushHeap(e)
}

func (q *queue) pushLane(e event) {
	if q.n == len(q.lane) {
		grown := make([]event, max(2*len(q.lane), 64))
		for i := 0; i < q.n; i++ {
			grown[i] = q.lane[(q.head+i)%len(q.lane)]
		}
		q.lane, q.head = grown, 0
	}
	q.lane[(q.head+q.n)%len(q.lane)] = e
	q.n++
}

func (q *queue) pushHeap(e event) {
	q.ev = append(q.ev, e)
	// sift up
	h := q.ev
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !h[i].before(&h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

// pop removes and returns the earliest event. The queue must not be empty.
func (q *queue) pop() event {
	if q.n > 0 && (len(q.ev) == 0 || q.lane[q.head].before(&q.ev[0])) {
		e := q.lane[q.head]
		q.head = (q.head + 1) % len(q.lane)
		q.n--
		return e
	}
	return q.popHeap()
}

func (q *queue) popHeap() event {
	h := q.ev
	top := h[0]
	n := len(h) - 1
	last := h[n]
	q.ev = h[:n]
	if n == 0 {
		return top
	}
	h = q.ev
	// sift the last element down from the root
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := c + 4
		if end > n {
			end = n
		}
		for j := c + 1; j < end; j++ {
			if h[j].before(&h[m]) {
				m = j
			}
		}
		if !h[m].before(&last) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = last
	return top
}

// peek returns the earliest event's time; ok is false when empty.
func (q *queue) peek() (time.Duration, bool) {
	switch {
	case q.n == 0 && len(q.ev) == 0:
		return 0, false
	case q.n == 0:
		return q.ev[0].at, true
	case len(q.ev) == 0:
		return q.lane[q.head].at, true
	}
	return min(q.lane[q.head].at, q.ev[0].at), true
}
