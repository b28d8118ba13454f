package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/live"
	"github.com/hbsim/hbsim/pkg/setup"
)

type datanodeFlags struct {
	namenode, id, config string
	machines             string
	count                int
	sets                 []string
	capacity, used       int64
	status               bool
	timeScale            float64
}

func newDataNodeCmd(a *app) *cobra.Command {
	var f datanodeFlags
	cmd := &cobra.Command{
		Use:   "datanode",
		Short: "Run live DataNodes that register and heartbeat to a NameNode",
		Long: `datanode runs one DataNode (or --count N of them, each with its own
connection and timers) against a live NameNode. It registers, heartbeats
every heartbeat.interval, re-registers when the NameNode says so, and
reconnects with backoff when the connection drops.

It exits non-zero if the NameNode refuses it: "authentication failed: ..."
for a wrong cluster secret ($HBSIM_CLUSTER_SECRET) on either side, or for a
NameNode without a secret on another host (unless it runs with --insecure);
"registration refused" for an id already live on another connection. It
stops on SIGINT/SIGTERM.`,
		Example: `  HBSIM_CLUSTER_SECRET=s3cret hbsim datanode --namenode 127.0.0.1:8020 --id dn1
  # 1000 DataNodes dn1..dn1000 in one process
  HBSIM_CLUSTER_SECRET=s3cret hbsim datanode --namenode 127.0.0.1:8020 \
    --id dn --count 1000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return a.datanode(ctx, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.namenode, "namenode", "127.0.0.1:8020", "the NameNode's address")
	fl.StringVar(&f.id, "id", "", "DataNode id (default dn1); with --count, the prefix of ids prefix1..prefixN (default dn: dn1..dnN)")
	fl.IntVar(&f.count, "count", 1, "how many DataNodes to run in this process")
	fl.StringVar(&f.config, "config", "", "YAML file with heartbeat:, network: and auth: sections")
	fl.StringArrayVar(&f.sets, "set", nil, "override a setting, as key=value (repeatable)")
	fl.Int64Var(&f.capacity, "capacity", 100<<30, "capacity each DataNode reports, in bytes")
	fl.Int64Var(&f.used, "used", 0, "space used each DataNode reports, in bytes")
	fl.BoolVar(&f.status, "status", false, "print heartbeats sent as JSON lines on stdout (for hbsim run --live)")
	fl.Float64Var(&f.timeScale, "time-scale", 1, "wall-clock seconds per second of the DataNodes' time, as for hbsim namenode")
	registerMachines(fl, &f.machines)
	return cmd
}

// maxDataNodesPerProcess bounds --count: each DataNode holds a
// connection, and more than this belong in several processes.
const maxDataNodesPerProcess = 100_000

// check rejects flag values that parse but make no sense, each in one
// line naming the flag.
func (f datanodeFlags) check() error {
	if err := checkTimeScale(f.timeScale); err != nil {
		return err
	}
	if f.capacity < 0 {
		return fmt.Errorf("invalid --capacity %d: want 0 or more bytes", f.capacity)
	}
	if f.used < 0 || f.used > f.capacity {
		return fmt.Errorf("invalid --used %d: want 0 to --capacity (%d bytes)", f.used, f.capacity)
	}
	return nil
}

// datanodeIDs is the id itself, or prefix1..prefixN with --count. Without
// --id they are dn1, or dn1..dnN (not dn11..dn1N).
func datanodeIDs(id string, count int) ([]string, error) {
	if count < 1 || count > maxDataNodesPerProcess {
		return nil, fmt.Errorf("invalid --count %d: want 1 to %d (run several processes for more)", count, maxDataNodesPerProcess)
	}
	if count == 1 {
		if id == "" {
			id = "dn1"
		}
		return []string{id}, nil
	}
	if id == "" {
		id = "dn"
	}
	ids := make([]string, count)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%d", id, i+1)
	}
	return ids, nil
}

func (a *app) datanode(ctx context.Context, f datanodeFlags) error {
	if err := f.check(); err != nil {
		return usageErr(err)
	}
	ids, err := datanodeIDs(f.id, f.count)
	if err != nil {
		return usageErr(err)
	}
	dc, err := live.LoadDaemonConfig(f.config, f.sets, a.env)
	if err != nil {
		return usageErr(err)
	}
	var m *live.Machines
	if f.machines != "" {
		lm, err := loadMachines(f.machines, f.config, f.sets)
		if err != nil {
			return usageErr(err)
		}
		m = &lm
	}
	var (
		outMu sync.Mutex
		enc   = json.NewEncoder(a.stdout)
	)
	onSent := func(id string, heartbeats, messages int64) {
		outMu.Lock()
		defer outMu.Unlock()
		_ = enc.Encode(live.Status{Kind: "sent", Node: id, HeartbeatsSent: heartbeats, MessagesSent: messages})
	}
	start := time.Now()
	cfgs := make([]live.DataNodeConfig, len(ids))
	for i, id := range ids {
		dcfg := setup.DataNode(dc.Config, id)
		dcfg.Capacity, dcfg.Used = f.capacity, f.used
		if m != nil {
			if dcfg, err = m.DataNode(id); err != nil {
				return usageErr(fmt.Errorf("--machines %s: %w", f.machines, err))
			}
		}
		cfgs[i] = live.DataNodeConfig{
			DataNode:  dcfg,
			Addr:      f.namenode,
			Secret:    dc.Secret,
			Start:     start,
			Log:       a.log.With("role", "datanode"),
			TimeScale: f.timeScale,
		}
		if f.status {
			cfgs[i].OnSent = onSent
		}
	}
	a.log.Info("datanodes starting", "count", len(ids), "namenode", f.namenode, "interval", dc.Config.Heartbeat.Interval)
	if err := live.RunDataNodes(ctx, cfgs); err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	return nil
}
