package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/live"
	"github.com/hbsim/hbsim/pkg/setup"
	"github.com/hbsim/hbsim/pkg/wire"
)

type namenodeFlags struct {
	listen, http, config string
	record               string
	machines             string
	sets                 []string
	events               bool
	timeScale            float64
	insecure             bool
	maxUnauthenticated   int
	handshakeTimeout     time.Duration
}

func newNameNodeCmd(a *app) *cobra.Command {
	var f namenodeFlags
	cmd := &cobra.Command{
		Use:   "namenode",
		Short: "Run a live NameNode that DataNodes heartbeat to over TCP",
		Long: `namenode runs the NameNode's failure detector in real time: DataNode
processes (hbsim datanode) connect, register and heartbeat over TCP; the
NameNode marks them stale, then dead, when their heartbeats stop, with the
same state machine the simulator drives.

DataNodes and the NameNode prove to each other that they hold the cluster
secret ($HBSIM_CLUSTER_SECRET, or auth.secret in --config), and every frame
after that carries a MAC under a key of that connection. Without a secret
only DataNodes on this host may join, unless --insecure. Connections that
have not authenticated are capped (--max-unauthenticated, the oldest closed
first) and must finish within --handshake-timeout.

Settings come from the built-in defaults, --config (heartbeat: and network:
sections as in a scenario file), HBSIM_* variables and --set. On --http it
serves /metrics (Prometheus), /api/datanodes (JSON, like hdfs dfsadmin
-report), /api/events and a status page at /.

It prints its addresses and whether a secret is set when it starts (with
--events, stdout is JSON lines and the first one holds the addresses) and
stops cleanly on SIGINT or SIGTERM.`,
		Example: `  HBSIM_CLUSTER_SECRET=s3cret hbsim namenode --listen 127.0.0.1:8020 \
    --http 127.0.0.1:9870
  # then, in other terminals:
  HBSIM_CLUSTER_SECRET=s3cret hbsim datanode --namenode 127.0.0.1:8020 \
    --id dn --count 5
  hbsim report --namenode 127.0.0.1:9870`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return a.namenode(ctx, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8020", "address for DataNode connections")
	fl.StringVar(&f.http, "http", "127.0.0.1:9870", "address for /metrics, /api/datanodes and the status page; empty to disable")
	fl.StringVar(&f.config, "config", "", "YAML file with heartbeat:, network: and auth: sections")
	fl.StringArrayVar(&f.sets, "set", nil, "override a setting, as key=value (repeatable)")
	fl.BoolVar(&f.events, "events", false, "print the listening addresses and every transition as JSON lines on stdout")
	fl.StringVar(&f.record, "record", "", "write every heartbeat's arrival to this trace file (CSV, for hbsim replay) until the NameNode stops")
	fl.Float64Var(&f.timeScale, "time-scale", 1, "wall-clock seconds per second of the NameNode's time: 0.1 runs ten times faster with the same settings (hbsim run --live --speed)")
	fl.BoolVar(&f.insecure, "insecure", false, "without a cluster secret, accept DataNodes from any host (default: this host only)")
	fl.IntVar(&f.maxUnauthenticated, "max-unauthenticated", live.DefaultMaxUnauthenticated, "connections allowed to be in their handshake at once; the oldest is closed to make room (at most half of ulimit -n)")
	fl.DurationVar(&f.handshakeTimeout, "handshake-timeout", wire.DefaultHandshakeTimeout, "time a new connection has to authenticate")
	registerMachines(fl, &f.machines)
	return cmd
}

// Bounds of the namenode's numeric flags.
const (
	maxMaxUnauthenticated = 1 << 20
	maxHandshakeTimeout   = time.Hour
)

// check rejects flag values that parse but make no sense, each in one
// line naming the flag.
func (f namenodeFlags) check() error {
	if err := checkTimeScale(f.timeScale); err != nil {
		return err
	}
	if f.maxUnauthenticated < 1 || f.maxUnauthenticated > maxMaxUnauthenticated {
		return fmt.Errorf("invalid --max-unauthenticated %d: want 1 to %d", f.maxUnauthenticated, maxMaxUnauthenticated)
	}
	if f.handshakeTimeout <= 0 || f.handshakeTimeout > maxHandshakeTimeout {
		return fmt.Errorf("invalid --handshake-timeout %v: want above 0 and at most %v", f.handshakeTimeout, maxHandshakeTimeout)
	}
	return nil
}

// checkTimeScale is --time-scale's check, shared by namenode and datanode.
func checkTimeScale(x float64) error {
	if x <= 0 || live.CheckTimeScale(x) != nil { // 0 means real time to the library, not on the command line
		return fmt.Errorf("invalid --time-scale %v: want a number from %g to %g (0.1 runs ten times faster)", x, live.MinTimeScale, live.MaxTimeScale)
	}
	return nil
}

func (a *app) namenode(ctx context.Context, f namenodeFlags) error {
	if err := f.check(); err != nil {
		return usageErr(err)
	}
	dc, err := live.LoadDaemonConfig(f.config, f.sets, a.env)
	if err != nil {
		return usageErr(err)
	}
	nc, err := setup.NameNode(dc.Config, nil)
	if err != nil {
		return usageErr(err)
	}
	if f.machines != "" {
		m, err := loadMachines(f.machines, f.config, f.sets)
		if err != nil {
			return usageErr(err)
		}
		nc = m.NameNode
	}
	cfg := live.ServerConfig{
		NameNode:           nc,
		Secret:             dc.Secret,
		Insecure:           f.insecure,
		MaxUnauthenticated: f.maxUnauthenticated,
		Wire:               wire.Options{HandshakeTimeout: f.handshakeTimeout},
		Log:                a.log.With("role", "namenode"),
		TimeScale:          f.timeScale,
	}
	if f.events {
		cfg.Events = a.stdout
	}
	rec, err := startRecord(f.record, f.listen, &cfg)
	if err != nil {
		return usageErr(err)
	}
	ln, hln, err := listenBoth(f.listen, f.http)
	if err != nil {
		rec.close(0)
		return usageErr(err)
	}
	hello := map[string]string{"kind": "listening", "addr": ln.Addr().String()}
	if hln != nil {
		hello["http"] = hln.Addr().String()
		// An HTTP request that reaches the RPC port is told this address.
		cfg.Wire.HTTPAddr = hello["http"]
	}
	srv, err := live.NewServer(cfg)
	if err != nil {
		rec.close(0)
		ln.Close()
		if hln != nil {
			hln.Close()
		}
		return usageErr(err)
	}
	// The wall-clock instant of the NameNode's time zero: hbsim run --live
	// starts the scenario's time there, so the times its reasons quote are
	// the scenario's.
	hello["start_unix_ns"] = strconv.FormatInt(srv.Start().UnixNano(), 10)
	defer func() {
		if rerr := rec.close(live.Clock{Start: srv.Start(), Scale: f.timeScale}.Now()); rerr != nil {
			a.log.Error("--record: writing the trace failed", "file", f.record, "err", rerr)
		}
	}()
	var hs *http.Server
	hdone := make(chan error, 1)
	if hln != nil {
		hs = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
		go func() { hdone <- hs.Serve(hln) }()
	}
	a.log.Info("namenode listening", "addr", hello["addr"], "http", hello["http"], "secret", dc.SecretOrigin, "insecure", f.insecure,
		"detectors", srv.Detectors(), "interval", dc.Config.Heartbeat.Interval, "time_scale", f.timeScale)
	// People read where to point DataNodes and a browser. With --events
	// stdout belongs to JSON lines (hbsim run --live reads the first as
	// the addresses, and the log line above says the rest).
	if f.events {
		// Written before any transition: the events writer starts in Serve.
		if err := json.NewEncoder(a.stdout).Encode(hello); err != nil {
			return fmt.Errorf("write events: %w", err)
		}
	} else {
		fmt.Fprint(a.stdout, startBanner(hello["addr"], hello["http"], dc.SecretOrigin, f.insecure))
	}
	err = srv.Serve(ctx, ln)
	if hs != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		if herr := <-hdone; herr != nil && !errors.Is(herr, http.ErrServerClosed) && err == nil {
			err = herr
		}
	}
	return err
}

// listenBoth opens the RPC listener and, unless httpAddr is empty, the
// HTTP one; on failure nothing stays open.
func listenBoth(addr, httpAddr string) (rpc, web net.Listener, err error) {
	if rpc, err = net.Listen("tcp", addr); err != nil {
		return nil, nil, fmt.Errorf("listen: %w", err)
	}
	if httpAddr == "" {
		return rpc, nil, nil
	}
	if web, err = net.Listen("tcp", httpAddr); err != nil {
		rpc.Close()
		return nil, nil, fmt.Errorf("listen http: %w", err)
	}
	return rpc, web, nil
}

// startBanner says where DataNodes and people connect and whether the
// cluster is protected, in lines under 80 columns.
func startBanner(addr, httpAddr, secretOrigin string, insecure bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hbsim namenode: DataNodes connect to %s (RPC)\n", addr)
	if httpAddr != "" {
		fmt.Fprintf(&b, "  status page:  http://%s/\n", httpAddr)
		fmt.Fprintf(&b, "  report:       hbsim report --namenode %s\n", httpAddr)
	} else {
		b.WriteString("  status page:  off (--http is empty)\n")
	}
	switch {
	case secretOrigin != "":
		fmt.Fprintf(&b, "  secret:       set, from %s\n", secretOrigin)
	case insecure:
		fmt.Fprintf(&b, "  secret:       none, --insecure: DataNodes from any host may join\n")
	default:
		fmt.Fprintf(&b, "  secret:       none: only DataNodes on this host may join\n")
		fmt.Fprintf(&b, "                (set %s on every side, or --insecure)\n", live.SecretEnv)
	}
	return b.String()
}
