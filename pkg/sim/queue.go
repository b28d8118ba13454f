package sim

import (
	"math/bits"
	"slices"
	"time"
)

// kind says what an event does when it fires.
type kind uint8

// class orders events that fall on the same nanosecond: ground truth
// first (faults, boots), then what reaches the NameNode, then its scans,
// then what reaches DataNodes, their timers, the block layer and the
// samples. Ties within a class go by node, then by when they were
// scheduled. No tie depends on how events were batched, so the fused
// fast path (fast.go) orders exactly as the event-per-message path does.
type class uint8

const (
	classFault class = iota
	classToNameNode
	classNameNode
	classToDataNode
	classDataNode
	classBlocks
	classSample
)

// event is one entry of the queue: 24 bytes, no pointers, so the queue is
// flat memory the garbage collector never scans.
type event struct {
	at time.Duration
	// key packs the tie order after at: class (3 bits), node+1 (21 bits),
	// then the scheduling order (40 bits), so one comparison settles a tie.
	key uint64
	ref int32 // message slot, fault step, or fused-path generation
	k   kind
}

// Layout of event.key.
const (
	seqBits    = 40
	nodeBits   = 21
	seqMask    = 1<<seqBits - 1
	nodeMask   = 1<<nodeBits - 1
	classShift = seqBits + nodeBits
	// maxSlots is how many nodes the key can name: slot+1 must fit.
	maxSlots = nodeMask - 1
)

// eventKey is the tie order of an event of class c for slot node (-1:
// none), without its sequence number.
func eventKey(c class, node int32) uint64 {
	return uint64(c)<<classShift | uint64(uint32(node+1))<<seqBits
}

func (e *event) node() int32 { return int32((e.key>>seqBits)&nodeMask) - 1 }

func (e *event) seq() uint64 { return e.key & seqMask }

func (a *event) before(b *event) bool {
	return a.at < b.at || a.at == b.at && a.key < b.key
}

func cmpEvents(a, b event) int {
	if a.before(&b) {
		return -1
	}
	if b.before(&a) {
		return 1
	}
	return 0
}

// sortEvents sorts a slot's events. A slot holds a handful of events,
// mostly pushed in order, so insertion sort wins; large slots (a million
// nodes) fall back to pdqsort.
func sortEvents(es []event) {
	if len(es) > 48 {
		slices.SortFunc(es, cmpEvents)
		return
	}
	for i := 1; i < len(es); i++ {
		e := es[i]
		j := i
		for j > 0 && e.before(&es[j-1]) {
			es[j] = es[j-1]
			j--
		}
		es[j] = e
	}
}

// The queue is a timing wheel for the near future and a heap for the
// rest. Heartbeats are periodic with a period of seconds: nearly every
// event falls within the wheel's span, lands in its slot in O(1) and is
// sorted with the few others of that slot when the slot comes due, so
// popping touches memory in time order.
const (
	slotBits = 20 // a slot spans 2^20 ns ≈ 1.05 ms
	// 4096 slots ≈ 4.3 s: HDFS's 3 s heartbeat and its reply fit; longer
	// timers (block reports, RPC timeouts) wait in the heap. Twice the
	// slots cost 10 B per node at 10,000 nodes and gained nothing
	// measurable, even at a 6 s interval in time order.
	wheelBits = 12
	// The fused heartbeats' queue holds one event per node, each pushed
	// an interval ahead and none into the slot being drained: slots four
	// times coarser hold four times as many, and a quarter as many slots
	// span as long, in a quarter of the memory (10,000 nodes: 15 B less
	// per node).
	fusedSlotBits  = 22 // ≈ 4.2 ms
	fusedWheelBits = 11 // 2048 slots ≈ 8.6 s
)

type queue struct {
	slots [][]event
	// used has a bit per slot holding events, to skip empty ones.
	used []uint64
	// shift is the slot's size in bits of nanoseconds; size, how many
	// slots the wheel has, and mask, size-1.
	shift      uint8
	size, mask int64
	// cur is the absolute slot being drained (at >> shift); head holds
	// its events, sorted, from hi on.
	cur  int64
	head []event
	hi   int
	far  []event // a 4-ary min-heap of events beyond the wheel
	seq  *uint64 // the last sequence number given, shared by the run's queues
	n    int
	// spare holds drained slots' arrays for slots that fill next. Only
	// slots holding events own an array, so the wheel's memory follows
	// the events queued, not the busiest moment of the run (a million
	// boots, say).
	spare [][]event
	last  int // how many events the last drained slot held
}

// maxSpare bounds the spare arrays kept: in a steady run one slot empties
// as another fills, so a few suffice.
const maxSpare = 16

func newQueue() *queue { return newWheel(slotBits, wheelBits, new(uint64)) }

// newWheel is an empty queue of 2^bits slots of 2^shift ns, numbering
// its events in seq.
func newWheel(shift, bits uint8, seq *uint64) *queue {
	size := int64(1) << bits
	return &queue{slots: make([][]event, size), used: make([]uint64, (size+63)/64),
		shift: shift, size: size, mask: size - 1, seq: seq}
}

// sibling returns an empty queue of the given shape that numbers its
// events in the same sequence as q, so ties between the two order as in
// one queue.
func (q *queue) sibling(shift, bits uint8) *queue { return newWheel(shift, bits, q.seq) }

// Len is the number of events queued.
func (q *queue) Len() int { return q.n }

// push schedules e at e.at, which must not be before the last popped
// event's slot.
func (q *queue) push(e event) {
	*q.seq++
	e.key |= *q.seq & seqMask
	q.insert(e)
}

// insert schedules e, already numbered, at e.at.
func (q *queue) insert(e event) {
	q.n++
	s := int64(e.at >> q.shift)
	switch {
	case s <= q.cur:
		// The slot being drained: keep head sorted.
		rest := q.head[q.hi:]
		k, _ := slices.BinarySearchFunc(rest, e, cmpEvents)
		q.head = slices.Insert(q.head, q.hi+k, e)
	case s-q.cur < q.size:
		w := s & q.mask
		if q.slots[w] == nil {
			q.slots[w] = q.takeSpare()
		}
		q.slots[w] = appendSlot(q.slots[w], e)
		q.used[w>>6] |= 1 << (w & 63)
	default:
		q.pushFar(e)
	}
}

// moveTo moves every event of q onto to, numbers and all, so they order
// among to's as they did in q.
func (q *queue) moveTo(to *queue) {
	for e := q.peek(); e != nil; e = q.peek() {
		to.insert(*e)
		q.take()
	}
}

// peek returns the earliest event, or nil.
func (q *queue) peek() *event {
	for q.hi == len(q.head) {
		if !q.advance() {
			return nil
		}
	}
	return &q.head[q.hi]
}

// popUntil removes and returns the earliest event if it is due by end.
// take removes the event peek returned.
func (q *queue) take() {
	q.hi++
	q.n--
}

func (q *queue) popUntil(end time.Duration) (event, bool) {
	e := q.peek()
	if e == nil || e.at > end {
		return event{}, false
	}
	q.hi++
	q.n--
	return *e, true
}

// advance makes the next slot with events current. It reports false when
// the queue is empty.
func (q *queue) advance() bool {
	if q.n == 0 {
		return false
	}
	old := q.head
	next, ok := q.nextUsed()
	if !ok {
		// Nothing on the wheel: jump to the first far event's slot.
		next = int64(q.far[0].at >> q.shift)
	}
	q.cur = next
	w := next & q.mask
	q.head, q.hi = q.slots[w], 0
	q.slots[w] = nil
	q.used[w>>6] &^= 1 << (w & 63)
	q.last = len(old)
	q.putSpare(old)
	// Far events whose slot is now within the wheel move onto it; those
	// of the current slot join head.
	for len(q.far) > 0 && int64(q.far[0].at>>q.shift)-q.cur < q.size {
		e := q.popFar()
		s := int64(e.at >> q.shift)
		if s == q.cur {
			q.head = append(q.head, e)
			continue
		}
		ws := s & q.mask
		if q.slots[ws] == nil {
			q.slots[ws] = q.takeSpare()
		}
		q.slots[ws] = appendSlot(q.slots[ws], e)
		q.used[ws>>6] |= 1 << (ws & 63)
	}
	// A drained heap lets go of its array: quiet stretches park a whole
	// cluster's heartbeats there at once (24 MB at a million nodes), and
	// the wheel holds them from here on.
	if len(q.far) == 0 && cap(q.far) > 4096 {
		q.far = nil
	}
	if len(q.head) > 1 {
		sortEvents(q.head)
	}
	return true
}

// appendSlot appends e to a slot's array, growing a full one by a
// quarter rather than append's double: every node's next heartbeat sits
// in some slot, and doubled arrays left the wheel 1.8 times the size of
// its events.
func appendSlot(a []event, e event) []event {
	if len(a) == cap(a) {
		a = slices.Grow(a, len(a)/4+4)
	}
	return append(a, e)
}

// takeSpare returns an empty array for a slot that fills: a spare, else
// a new one the size of the last slot drained and a quarter, so a slot
// is not grown from nothing a few events at a time.
func (q *queue) takeSpare() []event {
	k := len(q.spare)
	if k == 0 {
		if q.last == 0 {
			return nil
		}
		return make([]event, 0, q.last+q.last/4+4)
	}
	a := q.spare[k-1]
	q.spare[k-1] = nil
	q.spare = q.spare[:k-1]
	return a
}

// putSpare keeps a drained slot's array for reuse, unless the spares are
// full or it is far larger than what it held: a burst's arrays go back to
// the garbage collector.
func (q *queue) putSpare(a []event) {
	if cap(a) == 0 || cap(a) > len(a)+len(a)/4+8 || len(q.spare) == maxSpare {
		return
	}
	q.spare = append(q.spare, a[:0])
}

// nextUsed finds the first slot after cur, within one turn, that holds
// events.
func (q *queue) nextUsed() (int64, bool) {
	start := q.cur + 1
	for off := int64(0); off < q.size; {
		w := (start + off) & q.mask
		word := q.used[w>>6] >> (w & 63)
		if word != 0 {
			return start + off + int64(bits.TrailingZeros64(word)), true
		}
		off += 64 - (w & 63)
	}
	return 0, false
}

func (q *queue) pushFar(e event) {
	q.far = append(q.far, e)
	h := q.far
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

func (q *queue) popFar() event {
	h := q.far
	top := h[0]
	n := len(h) - 1
	last := h[n]
	q.far = h[:n]
	if n == 0 {
		return top
	}
	h = q.far
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < min(c+4, n); j++ {
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
