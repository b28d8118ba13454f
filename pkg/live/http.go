package live

import (
	"cmp"
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hbsim/hbsim/pkg/vtime"
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
	// MessagesSent counts the replies and commands the NameNode sent to
	// DataNodes (hbsim run --live adds the DataNodes' own to count every
	// message, as the simulator does).
	MessagesSent int64 `json:"messages_sent"`
}

// CompareIDs orders DataNode ids as people count: dn2 before dn10, then
// byte by byte. Every live view lists nodes in this order.
func CompareIDs(a, b string) int {
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			na, nb := digitRun(a), digitRun(b)
			ta, tb := strings.TrimLeft(a[:na], "0"), strings.TrimLeft(b[:nb], "0")
			if c := cmp.Compare(len(ta), len(tb)); c != 0 {
				return c
			}
			if c := strings.Compare(ta, tb); c != 0 {
				return c
			}
			if c := cmp.Compare(na, nb); c != 0 { // dn01 after dn1
				return c
			}
			a, b = a[na:], b[nb:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitRun(s string) int {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}

// Report snapshots the registry, nodes in CompareIDs order.
func (s *NameNodeServer) Report() DataNodesReport {
	s.mu.Lock()
	now := s.now()
	nodes := s.nn.Nodes()
	sent := s.sent
	addrs := make(map[string]string, len(s.owners))
	for id, sess := range s.owners {
		addrs[id] = sess.conn.RemoteAddr()
	}
	s.mu.Unlock()
	r := DataNodesReport{UptimeS: now.Seconds(), DataNodes: make([]DataNodeInfo, 0, len(nodes)), MessagesSent: sent}
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
	slices.SortFunc(r.DataNodes, func(a, b DataNodeInfo) int { return CompareIDs(a.ID, b.ID) })
	return r
}

// Events returns the transitions from index since on.
func (s *NameNodeServer) Events(since int) []Event {
	evs, _ := s.events.since(since)
	return evs
}

// statusEvents is how many recent transitions the status page shows.
const statusEvents = 20

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
		if err := statusPage.Execute(w, s.status()); err != nil {
			s.log.Warn("status page", "err", err)
		}
	})
	return mux
}

// statusData is what the status page shows.
type statusData struct {
	DataNodesReport
	// Recent are the last statusEvents transitions, newest first.
	Recent []Event
	// Secured says whether DataNodes must hold a cluster secret.
	Secured bool
}

func (s *NameNodeServer) status() statusData {
	evs, _ := s.events.since(max(s.events.len()-statusEvents, 0))
	slices.Reverse(evs)
	return statusData{DataNodesReport: s.Report(), Recent: evs, Secured: len(s.cfg.Secret) > 0}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// statusPage refreshes itself every two seconds: a class watches a killed
// node turn stale, then dead, without touching the keyboard. Its colours
// are the run report's (pkg/htmlreport's page: Okabe–Ito, readable by the
// colour-blind), its type large enough for the back of a lecture hall.
var statusPage = template.Must(template.New("status").Funcs(template.FuncMap{
	"secs": func(f float64) string {
		return (time.Duration(f * float64(time.Second))).Round(100 * time.Millisecond).String()
	},
	"clock": func(ms float64) string { return vtime.Format(time.Duration(ms * float64(time.Millisecond))) },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hbsim NameNode: {{.Live}} live, {{.Stale}} stale, {{.Dead}} dead</title>
<style>
:root {
  --live: #009E73; --stale: #E69F00; --dead: #D55E00;
  --ink: #1F2937; --muted: #4B5563; --rule: #E5E7EB; --bg: #FFFFFF; --panel: #F9FAFB;
}
body { margin: 0 auto; max-width: 1200px; padding: 24px 32px; color: var(--ink); background: var(--bg);
  font: 20px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 34px; margin: 0 0 4px; }
h2 { font-size: 26px; margin: 32px 0 8px; padding-bottom: 6px; border-bottom: 2px solid var(--rule); }
p.meta { margin: 0; color: var(--muted); font-size: 18px; }
a { color: #0072B2; }
.tiles { display: flex; gap: 16px; margin: 20px 0 0; flex-wrap: wrap; }
.tile { flex: 1 1 160px; padding: 12px 20px; border-radius: 10px; background: var(--panel); border: 2px solid var(--rule); }
.tile .n { display: block; font-size: 48px; font-weight: 800; line-height: 1.1; }
.tile .k { font-size: 18px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 700; }
.tile.on-live { border-color: var(--live); } .tile.on-live .n { color: var(--live); }
.tile.on-stale { border-color: var(--stale); } .tile.on-stale .n { color: #B27300; }
.tile.on-dead { border-color: var(--dead); background: #FDF0E9; } .tile.on-dead .n { color: var(--dead); }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 8px 14px; border-bottom: 1px solid var(--rule); text-align: left; }
th { font-size: 16px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
td.id, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-weight: 700; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pill { display: inline-block; min-width: 4.2em; text-align: center; padding: 2px 12px; border-radius: 999px; font-weight: 800; }
.pill.live { background: var(--live); color: #fff; }
.pill.stale { background: var(--stale); color: var(--ink); }
.pill.dead { background: var(--dead); color: #fff; }
ol.events { list-style: none; margin: 0; padding: 0; }
ol.events li { padding: 8px 0; border-bottom: 1px dotted var(--rule); }
ol.events .at { color: var(--muted); margin-right: 12px; }
ol.events .why { display: block; color: var(--muted); font-size: 18px; padding-left: 2px; }
.arrow { color: var(--muted); }
</style></head><body>
<h1>hbsim NameNode</h1>
<p class="meta">Up {{secs .UptimeS}} · {{if .Secured}}DataNodes prove the cluster secret{{else}}no cluster secret{{end}} ·
<a href="/api/datanodes">JSON</a> · <a href="/api/events">events</a> · <a href="/metrics">metrics</a> · refreshes every 2s</p>
<div class="tiles">
<div class="tile{{if .Live}} on-live{{end}}"><span class="n">{{.Live}}</span><span class="k">live</span></div>
<div class="tile{{if .Stale}} on-stale{{end}}"><span class="n">{{.Stale}}</span><span class="k">stale</span></div>
<div class="tile{{if .Dead}} on-dead{{end}}"><span class="n">{{.Dead}}</span><span class="k">dead</span></div>
</div>
<h2>DataNodes</h2>
<table><thead><tr><th>DataNode</th><th>State</th><th>Last contact</th><th>Heartbeats</th><th>Address</th></tr></thead><tbody>
{{range .DataNodes}}<tr><td class="id">{{.ID}}</td><td><span class="pill {{.State}}">{{.State}}</span></td><td class="num">{{secs .LastContactS}} ago</td><td class="num">{{.Heartbeats}}</td><td class="mono">{{.Address}}</td></tr>
{{else}}<tr><td colspan="5">No DataNode has registered yet.</td></tr>{{end}}
</tbody></table>
<h2>Recent events</h2>
{{if .Recent}}<ol class="events">
{{range .Recent}}<li><span class="at mono">{{clock .AtMs}}</span><span class="mono">{{.Node}}</span> {{if .From}}<span class="pill {{.From}}">{{.From}}</span>{{else}}(new){{end}} <span class="arrow">→</span> <span class="pill {{.To}}">{{.To}}</span>{{if eq .Kind "verdict"}} <span class="why">{{.Detector}} only watches: {{.Reason}}</span>{{else}} <span class="why">{{.Reason}}</span>{{end}}</li>
{{end}}</ol>{{else}}<p>No transition yet.</p>{{end}}
</body></html>
`))
