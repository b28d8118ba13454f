package live

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/hbsim/hbsim/namenode"
)

// metrics are the NameNode's Prometheus series, named after HDFS's
// NameNode metrics where one exists (NumLiveDataNodes, StaleDataNodes,
// NumDeadDataNodes, ExpiredHeartbeats, UnderReplicatedBlocks). Each server
// has its own registry: two servers in one test process do not collide.
type metrics struct {
	reg         *prometheus.Registry
	heartbeats  prometheus.Counter
	lifelines   prometheus.Counter
	expired     prometheus.Counter
	detection   prometheus.Histogram
	connections prometheus.Gauge
	refused     *prometheus.CounterVec
	// acceptErrors counts accept failures the server retried (EMFILE...).
	acceptErrors prometheus.Counter
}

// newMetrics builds the series; count reads the machine's state counts,
// unauthenticated the connections still in their handshake.
func newMetrics(count func(namenode.State) float64, unauthenticated func() float64) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		heartbeats: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hbsim_namenode_heartbeats_received_total",
			Help: "Heartbeats received from DataNodes (HDFS: HeartbeatsNumOps on the DataNode side).",
		}),
		lifelines: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hbsim_namenode_lifelines_received_total",
			Help: "Lifelines received from DataNodes (HDFS-9239).",
		}),
		expired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hbsim_namenode_expired_heartbeats_total",
			Help: "DataNodes declared dead (HDFS: ExpiredHeartbeats).",
		}),
		detection: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hbsim_namenode_detection_latency_seconds",
			Help: "Silence before a DataNode was declared dead: time from its last heartbeat to the scan that declared it.",
			// From 100ms test intervals up to HDFS's 10.5 minute expiry.
			Buckets: prometheus.ExponentialBuckets(0.1, 2, 14),
		}),
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hbsim_namenode_connections",
			Help: "Open DataNode connections that passed the handshake.",
		}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hbsim_namenode_connections_closed_total",
			Help: "DataNode connections the NameNode closed, by reason class (eof, auth, duplicate, protocol, network, shed).",
		}, []string{"reason"}),
		acceptErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hbsim_namenode_accept_errors_total",
			Help: "Accept failures the NameNode retried after a backoff (out of file descriptors or memory).",
		}),
	}
	gauge := func(name, help string, s namenode.State) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return count(s) })
	}
	m.reg.MustRegister(m.heartbeats, m.lifelines, m.expired, m.detection, m.connections, m.refused, m.acceptErrors,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hbsim_namenode_unauthenticated_connections",
			Help: "Open connections still in their handshake; the oldest is closed beyond the cap.",
		}, unauthenticated),
		gauge("hbsim_namenode_live_datanodes", "DataNodes the NameNode considers live (HDFS: NumLiveDataNodes).", namenode.Live),
		gauge("hbsim_namenode_stale_datanodes", "DataNodes the NameNode considers stale (HDFS: StaleDataNodes).", namenode.Stale),
		gauge("hbsim_namenode_dead_datanodes", "DataNodes the NameNode considers dead (HDFS: NumDeadDataNodes).", namenode.Dead),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hbsim_namenode_rereplication_queue_blocks",
			Help: "Blocks waiting for re-replication (HDFS: UnderReplicatedBlocks). Always 0 until hbsim models blocks.",
		}, func() float64 { return 0 }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}
