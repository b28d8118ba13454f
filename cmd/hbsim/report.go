package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/live"
	"github.com/hbsim/hbsim/pkg/wire"
)

func newReportCmd(a *app) *cobra.Command {
	var addr string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print a live NameNode's DataNodes, as hdfs dfsadmin -report does",
		Long: `report asks a live NameNode (its --http address, not the RPC port the
DataNodes use) for its DataNodes and prints them as a table, sorted by id:
state, last contact, capacity, use and heartbeats.`,
		Example: `  hbsim report --namenode 127.0.0.1:9870`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := fetchReport(cmd.Context(), addr)
			if errors.Is(err, errRPCPort) {
				return usageErr(err)
			}
			if err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			return writeDataNodesTable(a.stdout, r)
		},
	}
	cmd.Flags().StringVar(&addr, "namenode", "127.0.0.1:9870", "the NameNode's HTTP address")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the JSON instead of a table")
	return cmd
}

// errRPCPort: report was given the address DataNodes use, not the HTTP
// one; a usage error.
var errRPCPort = errors.New("the NameNode's RPC port, for DataNodes")

// fetchReport GETs /api/datanodes from a NameNode's HTTP address.
func fetchReport(ctx context.Context, addr string) (*live.DataNodesReport, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	url := addr
	if !strings.Contains(url, "://") {
		url = "http://" + url
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(url, "/")+"/api/datanodes", nil)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if strings.Contains(err.Error(), "malformed HTTP") {
			return nil, fmt.Errorf("report: %s does not speak HTTP: if it is %w (--listen), use its --http address (default 127.0.0.1:9870)", addr, errRPCPort)
		}
		return nil, fmt.Errorf("report: ask the namenode: %w", err)
	}
	defer resp.Body.Close()
	if httpAddr := resp.Header.Values(wire.HTTPAddrHeader); httpAddr != nil {
		if httpAddr[0] == "" {
			return nil, fmt.Errorf("report: %s is %w; that NameNode serves no HTTP (start it with --http)", addr, errRPCPort)
		}
		return nil, fmt.Errorf("report: %s is %w; use its HTTP address: hbsim report --namenode %s", addr, errRPCPort, httpAddr[0])
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("report: %s answered %s", req.URL, resp.Status)
	}
	var r live.DataNodesReport
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("report: decode %s: %w", req.URL, err)
	}
	return &r, nil
}

// writeDataNodesTable prints the report as dfsadmin does: a summary line,
// then one row per DataNode. Table options are pinned as in pkg/report.
func writeDataNodesTable(w io.Writer, r *live.DataNodesReport) error {
	fmt.Fprintf(w, "Live datanodes (%d), stale (%d), dead (%d); NameNode up %s\n\n",
		r.Live, r.Stale, r.Dead, time.Duration(r.UptimeS*float64(time.Second)).Round(time.Second))
	t := tablewriter.NewTable(w,
		tablewriter.WithEastAsian(tw.Off),
		tablewriter.WithHeaderAutoFormat(tw.On),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	t.Header([]string{"Name", "State", "Last contact", "Capacity", "Used", "Used%", "Heartbeats", "Address"})
	nodes := slices.Clone(r.DataNodes) // sorted by the NameNode too, unless it predates that
	slices.SortFunc(nodes, func(a, b live.DataNodeInfo) int { return live.CompareIDs(a.ID, b.ID) })
	for _, d := range nodes {
		row := []string{d.ID, d.State, strconv.FormatFloat(d.LastContactS, 'f', 1, 64) + "s ago",
			bytesIEC(d.Capacity), bytesIEC(d.Used), strconv.FormatFloat(d.UsedPercent, 'f', 2, 64) + "%",
			strconv.FormatInt(d.Heartbeats, 10), d.Address}
		if err := t.Append(row); err != nil {
			return fmt.Errorf("datanodes table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("datanodes table: %w", err)
	}
	return nil
}

// bytesIEC formats as dfsadmin does: 1.5 GB means GiB.
func bytesIEC(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.2f %cB", float64(n)/float64(div), "KMGTPE"[exp])
}
