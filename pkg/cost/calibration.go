package cost

// The calibration of today's engine (pkg/sim), in one place: when the
// engine changes, measure again and change these numbers only.
//
// How they were measured (2-core development VM, load average about 10
// from other work, so figures vary by ±50% run to run): a throwaway test
// in pkg/sim ran scenarios through sim.NewWith and RunUntil and read the
// queue's insertion counter (every engine event is one push), the wall
// time, and runtime.MemStats.HeapAlloc after a GC before and after the
// run. The runs and what they gave:
//
//	1,000 nodes, 1h, interval 3s       3.6e6 events, 1.3s (2.8e6/s), 870 B/node
//	10,000 nodes, 10m                  6.0e6 events, 3.4s (1.8e6/s), 906 B/node
//	100 nodes, 1h, interval 100ms      1.1e7 events, 3.0s (3.6e6/s), 1.4 KB/node
//	100 nodes, 10m, 10,000 blocks,     9.5e5 events, 1.9s: 2 µs a client
//	  1,100 client ops/s                 operation, 15 B of heap each
//	gossip, 100 nodes, interval 1s,    1.8e5 messages of 100 entries, 2.6s
//	  10m                                (0.3 event's time an entry)
//	overload 10,000 req/s for 5m       3.1e6 events, 0.8s (3.7e6/s)
//	3 detectors (+hdfs, +phi), 1,000   3.6e6 events, 2.8s: 0.5 event's time
//	  nodes, 1h                          per node a scan; phi 8 KB/node
//	1,000 nodes, 1,000,000 blocks, 10m 28s: 9 µs a replica placed and
//	                                     reported, 30 B/replica
//	5 nodes, interval 1ns, 10s         RSS 1.8 GB: a heartbeat and its
//	                                     reply in flight for 2 × latency,
//	                                     every ns (144 B message + 32 B event)
//
// The figures are rounded towards caution: an estimate a little high
// refuses little that would have run, one too low lets a machine swap.
const (
	// EventsPerSecond is the engine's speed, in events a wall-clock second.
	EventsPerSecond = 2e6

	// UnitsPerNode is what a DataNode costs whatever the run does, in
	// events: building its machines, registering, its trace and report
	// records. 100,000 DataNodes for one second took 1.24 s, 12 µs a
	// node.
	UnitsPerNode = 25

	// EventsPerHeartbeat: the DataNode's timer, the arrival at the
	// NameNode and the reply's arrival; one more, the handler, when the
	// NameNode has a service time.
	EventsPerHeartbeat = 3

	// UnitsPerQuietHeartbeat is a heartbeat's cost in a quiet stretch,
	// in events: 1,000,000 nodes for an hour (1.2e9 heartbeats) ran in
	// about 16 s of engine time, 13 ns a heartbeat; rounded up.
	UnitsPerQuietHeartbeat = 0.05
	// UnitsPerJudgement is the cost, in events, of one detector judging
	// one node at one scan.
	UnitsPerJudgement = 0.5

	// UnitsPerGossipEntry is the cost of merging one member's entry of a
	// gossip digest; a digest carries every member.
	UnitsPerGossipEntry = 0.3

	// UnitsPerClientOp is the cost of one client read or write.
	UnitsPerClientOp = 4

	// UnitsPerReplica is the cost of placing one replica and reporting it
	// at registration.
	UnitsPerReplica = 20

	// BytesPerNode is the memory one DataNode costs with one detector:
	// its machine, its NameNode record, its timers, its trace and its
	// report. 1,000,000 DataNodes for an hour hold a live heap of at most
	// 550 MB (the report and the trace, at the end); run holds a large
	// run's heap to its estimate (cmd/hbsim, largeHeap), so this leaves
	// the collector half as much again to work in.
	BytesPerNode = 850

	// BytesPerPhiSample is what the phi detector keeps per node and
	// heartbeat interval in its window.
	BytesPerPhiSample = 8

	// BytesPerReplica is the block map's heap per replica.
	BytesPerReplica = 32

	// BytesPerClientOp is what the I/O record keeps per client operation.
	BytesPerClientOp = 16

	// BytesPerInFlight is one message on the wire: its slot and its event.
	BytesPerInFlight = 144 + 32

	// BytesPerArrival is one recorded heartbeat arrival (--html, --explain).
	BytesPerArrival = 8

	// BaseBytes is the heap of an empty run: the binary's tables, the
	// report, the time series.
	BaseBytes = 32 << 20
)
