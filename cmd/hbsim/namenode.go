package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/live"
	"github.com/hbsim/hbsim/pkg/setup"
)

type namenodeFlags struct {
	listen, http, config string
	record               string
	sets                 []string
	events               bool
	timeScale            float64
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

DataNodes must prove they hold the cluster secret ($HBSIM_CLUSTER_SECRET, or
auth.secret in --config). Settings come from the built-in defaults, --config
(heartbeat: and network: sections as in a scenario file), HBSIM_* variables
and --set. On --http it serves /metrics (Prometheus), /api/datanodes (JSON,
like hdfs dfsadmin -report), /api/events and a status page at /.

It stops cleanly on SIGINT or SIGTERM.`,
		Example: `  HBSIM_CLUSTER_SECRET=s3cret hbsim namenode --listen 127.0.0.1:8020 --http 127.0.0.1:9870
  # then, in other terminals:
  HBSIM_CLUSTER_SECRET=s3cret hbsim datanode --namenode 127.0.0.1:8020 --id dn --count 5
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
	return cmd
}

func (a *app) namenode(ctx context.Context, f namenodeFlags) error {
	dc, err := live.LoadDaemonConfig(f.config, f.sets, a.env)
	if err != nil {
		return usageErr(err)
	}
	if dc.Secret == nil {
		a.log.Warn("no cluster secret set: any DataNode can join", "env", live.SecretEnv)
	}
	if f.timeScale <= 0 {
		return usageErr(fmt.Errorf("--time-scale must be above 0, got %v", f.timeScale))
	}
	nc, err := setup.NameNode(dc.Config, nil)
	if err != nil {
		return usageErr(err)
	}
	cfg := live.ServerConfig{
		NameNode:  nc,
		Secret:    dc.Secret,
		Log:       a.log.With("role", "namenode"),
		TimeScale: f.timeScale,
	}
	if f.events {
		cfg.Events = a.stdout
	}
	rec, err := startRecord(f.record, f.listen, &cfg)
	if err != nil {
		return usageErr(err)
	}
	srv, err := live.NewServer(cfg)
	if err != nil {
		rec.close(0)
		return usageErr(err)
	}
	defer func() {
		if rerr := rec.close(live.Clock{Start: srv.Start(), Scale: f.timeScale}.Now()); rerr != nil {
			a.log.Error("--record: writing the trace failed", "file", f.record, "err", rerr)
		}
	}()
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return usageErr(fmt.Errorf("listen: %w", err))
	}
	hello := map[string]string{"kind": "listening", "addr": ln.Addr().String()}
	var hs *http.Server
	hdone := make(chan error, 1)
	if f.http != "" {
		hln, err := net.Listen("tcp", f.http)
		if err != nil {
			ln.Close()
			return usageErr(fmt.Errorf("listen http: %w", err))
		}
		hello["http"] = hln.Addr().String()
		hs = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
		go func() { hdone <- hs.Serve(hln) }()
	}
	a.log.Info("namenode listening", "addr", hello["addr"], "http", hello["http"], "secret", dc.SecretOrigin,
		"detectors", srv.Detectors(), "interval", dc.Config.Heartbeat.Interval, "time_scale", f.timeScale)
	if f.events {
		// Written before any transition: the events writer starts in Serve.
		if err := json.NewEncoder(a.stdout).Encode(hello); err != nil {
			return fmt.Errorf("write events: %w", err)
		}
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
