package live

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DataNodeInfo is one DataNode as /api/datanodes lists it: the fields of
// `hdfs dfsadmin -report` that hbsim models.
type DataNodeInfo struct {
	ID    string `json:"id"`
	State string `json:"state"` // live, stale or dead
	// Address is the connection the node speaks on now; empty while it has
	// none.
	Address string `json:"address,omitempty"`
	// LastContactS is seconds since the NameNode last heard from the node
	// (dfsadmin's "Last contact").
	LastContactS float64 `json:"last_contact_s"`
	Capacity     int64   `json:"capacity"`
	Used         int64   `json:"used"`
	Remaining    int64   `json:"remaining"`
	UsedPercent  float64 `json:"used_percent"`
	Xmits        int32   `json:"xmits"`
	Heartbeats   int64   `json:"heartbeats"`
	Lifelines    int64   `json:"lifelines"`
}

// DataNodesReport is the body of /api/datanodes.
type DataNodesReport struct {
	UptimeS   float64        `json:"uptime_s"`
	Live      int            `json:"live"`
	Stale     int            `json:"stale"`
	Dead      int            `json:"dead"`
	DataNodes []DataNodeInfo `json:"datanodes"`
}

// Report snapshots the registry, in registration order.
func (s *NameNodeServer) Report() DataNodesReport {
	s.mu.Lock()
	now := s.now()
	nodes := s.nn.Nodes()
	addrs := make(map[string]string, len(s.owners))
	for id, sess := range s.owners {
		addrs[id] = sess.conn.RemoteAddr()
	}
	s.mu.Unlock()
	r := DataNodesReport{UptimeS: now.Seconds(), DataNodes: make([]DataNodeInfo, 0, len(nodes))}
	for _, n := range nodes {
		d := DataNodeInfo{
			ID: n.ID, State: n.State.String(), Address: addrs[n.ID],
			LastContactS: (now - n.LastHeard).Seconds(),
			Capacity:     n.Stats.Capacity, Used: n.Stats.Used, Remaining: n.Stats.Capacity - n.Stats.Used,
			Xmits: n.Stats.Xmits, Heartbeats: n.HeartbeatsReceived, Lifelines: n.LifelinesReceived,
		}
		if n.Stats.Capacity > 0 {
			d.UsedPercent = 100 * float64(n.Stats.Used) / float64(n.Stats.Capacity)
		}
		switch d.State {
		case "live":
			r.Live++
		case "stale":
			r.Stale++
		case "dead":
			r.Dead++
		}
		r.DataNodes = append(r.DataNodes, d)
	}
	return r
}

// Events returns the transitions from index since on.
func (s *NameNodeServer) Events(since int) []Event {
	evs, _ := s.events.since(since)
	return evs
}

// Handler serves /metrics, /api/datanodes, /api/events and the status page
// at /.
func (s *NameNodeServer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /api/datanodes", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, s.Report())
	})
	mux.HandleFunc("GET /api/events", func(w http.ResponseWriter, r *http.Request) {
		since, _ := strconv.Atoi(r.URL.Query().Get("since"))
		writeJSON(w, s.Events(max(since, 0)))
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := statusPage.Execute(w, s.Report()); err != nil {
			s.log.Warn("status page", "err", err)
		}
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// statusPage refreshes itself every two seconds: a class watches a killed
// node turn stale, then dead, without touching the keyboard.
var statusPage = template.Must(template.New("status").Funcs(template.FuncMap{
	"secs": func(f float64) string {
		return (time.Duration(f * float64(time.Second))).Round(100 * time.Millisecond).String()
	},
}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>hbsim NameNode</title>
<style>
body{font-family:sans-serif;margin:2em}
table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}
.live{color:#070}.stale{color:#b60}.dead{color:#c00;font-weight:bold}
</style></head><body>
<h1>hbsim NameNode</h1>
<p>Up {{secs .UptimeS}} · <span class="live">{{.Live}} live</span> · <span class="stale">{{.Stale}} stale</span> · <span class="dead">{{.Dead}} dead</span>
· <a href="/api/datanodes">JSON</a> · <a href="/metrics">metrics</a> · <a href="/api/events">events</a></p>
<table><tr><th>DataNode</th><th>State</th><th>Last contact</th><th>Heartbeats</th><th>Address</th></tr>
{{range .DataNodes}}<tr><td>{{.ID}}</td><td class="{{.State}}">{{.State}}</td><td>{{secs .LastContactS}} ago</td><td>{{.Heartbeats}}</td><td>{{.Address}}</td></tr>
{{else}}<tr><td colspan="5">No DataNode has registered yet.</td></tr>{{end}}
</table></body></html>
`))
