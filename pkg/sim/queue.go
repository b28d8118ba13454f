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
// flat memory the garbage collector never scans and a push allocates
// nothing once the slices have grown.
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

// lanes is how many FIFO lanes the queue keeps.
const lanes = 4

// queue orders events by (at, seq). It has two parts:
//
//   - a few FIFO lanes. A periodic timer (a heartbeat every interval, a
//     sample every step) schedules its events in time order, so each such
//     stream fits a lane: O(1), popped from sequential memory. A new event
//     goes to the lane whose last event is the latest not after it (best
//     fit, as in patience sorting), so several streams with different
//     periods keep to lanes of their own.
//   - a 4-ary min-heap for the rest (network deliveries, which jitter
//     reorders, and one-off events).
//
// Every part is sorted, so popping the earliest of their heads is exact.
type queue struct {
	lane [lanes]ring
	// tail holds each lane's last time, so choosing a lane reads one
	// small array instead of four rings.
	tail [lanes]time.Duration
	ev   []event // the heap
	seq  uint64
}

// ring is one FIFO lane: a ring buffer whose size is a power of two, so
// positions wrap with a mask rather than a division.
type ring struct {
	buf  []event
	head int
	n    int
}

func (r *ring) first() *event { return &r.buf[r.head] }

func (r *ring) push(e event) {
	if r.n == len(r.buf) {
		grown := make([]event, max(2*len(r.buf), 64))
		mask := len(r.buf) - 1
		for i := 0; i < r.n; i++ {
			grown[i] = r.buf[(r.head+i)&mask]
		}
		r.buf, r.head = grown, 0
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = e
	r.n++
}

func (r *ring) pop() event {
	e := r.buf[r.head]
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	return e
}

func (q *queue) Len() int {
	n := len(q.ev)
	for i := range q.lane {
		n += q.lane[i].n
	}
	return n
}

// push schedules e; its seq is assigned here.
func (q *queue) push(e event) {
	q.seq++
	e.seq = q.seq
	best, empty := -1, -1
	for i := range q.lane {
		if q.lane[i].n == 0 {
			if empty < 0 {
				empty = i
			}
			continue
		}
		if t := q.tail[i]; t <= e.at && (best < 0 || t > q.tail[best]) {
			best = i
		}
	}
	if best < 0 {
		best = empty
	}
	if best < 0 {
		q.pushHeap(e)
		return
	}
	q.lane[best].push(e)
	q.tail[best] = e.at
}

// head finds the earliest event: a lane index, or -1 for the heap.
func (q *queue) head() (int, *event) {
	src, min := -2, (*event)(nil)
	if len(q.ev) > 0 {
		src, min = -1, &q.ev[0]
	}
	for i := range q.lane {
		if q.lane[i].n > 0 {
			if f := q.lane[i].first(); min == nil || f.before(min) {
				src, min = i, f
			}
		}
	}
	return src, min
}

// pop removes and returns the earliest event. The queue must not be empty.
func (q *queue) pop() event {
	src, _ := q.head()
	if src >= 0 {
		return q.lane[src].pop()
	}
	return q.popHeap()
}

// popUntil removes and returns the earliest event if it is due by end; the
// run loop's peek and pop in one look at the heads.
func (q *queue) popUntil(end time.Duration) (event, bool) {
	src, e := q.head()
	if e == nil || e.at > end {
		return event{}, false
	}
	if src >= 0 {
		return q.lane[src].pop(), true
	}
	return q.popHeap(), true
}

func (q *queue) pushHeap(e event) {
	q.ev = append(q.ev, e)
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
		end := min(c+4, n)
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
