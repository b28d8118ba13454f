package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/hint"
	"github.com/hbsim/hbsim/pkg/replay"
	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
)

// centralDetectors are the detectors that run inside a NameNode.
var centralDetectors = []string{"missed-count", "hdfs", "phi"}

type replayFlags struct {
	crashes   []string
	sets      []string
	hdfsSite  string
	detectors []string
	duration  time.Duration
	format    string
	views     viewFlags
}

func newReplayCmd(a *app) *cobra.Command {
	var f replayFlags
	cmd := &cobra.Command{
		Use:   "replay TRACE",
		Short: "Run recorded heartbeat arrivals through every central detector",
		Long: `Replay feeds recorded heartbeat arrivals to the NameNode's own state
machine, with the central detectors (missed-count, hdfs, phi) judging the
same arrivals, and prints the report run prints: the timeline, the
detectors' table, the QoS JSON (qos keyed by detector) and, with --html, the
page.

A trace is CSV with a header, or JSON Lines with the same fields, one
heartbeat a line, sorted by arrival time; # starts a comment:

  # duration: 3m               (optional: when observation ended)
  node,arrival_ms,seq,sent_ms  (seq and sent_ms are optional)
  dn1,788.123,1,786.001

hbsim run --record FILE and hbsim namenode --record FILE write traces. The
trace cannot say which silences were crashes: give them with --crash
dn3@600s (repeatable); heartbeats from that node after a crash mean the
process was restarted. Settings come from the defaults, --hdfs-site,
HBSIM_* variables and --set, as in run. --detectors chooses the detectors,
the first acting (its deaths answer heartbeats with REGISTER); the default
is heartbeat.detector acting and every other central one watching.

Without --duration or a "# duration:" comment, the replay runs past the
last heartbeat until every detector has had time to call the final
silences dead.

Exit status: 0 when the replay ran, 2 if the trace or the command line is
wrong (every trace error names its file and line).`,
		Example: `  # Record a simulated run, then judge its heartbeats with every detector
  hbsim run scenarios/single-crash.yaml --record single-crash.csv
  hbsim replay single-crash.csv --crash dn3@30s --set heartbeat.interval=3s \
    --set heartbeat.check_interval=1s

  # A live NameNode's arrivals, with HDFS's settings from a site file
  hbsim namenode --record live.csv    # Ctrl-C when done
  hbsim replay live.csv --hdfs-site /etc/hadoop/conf/hdfs-site.xml \
    --html live.html`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr(fmt.Errorf("want 1 trace file, got %d arguments (see --help)", len(args)))
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			return a.replay(args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.crashes, "crash", nil, "ground truth: NODE@TIME, the process crashed then (repeatable), e.g. dn3@600s")
	fl.StringArrayVar(&f.sets, "set", nil, "override a setting, as key=value (repeatable)")
	fl.StringVar(&f.hdfsSite, "hdfs-site", "", "read HDFS's heartbeat keys (dfs.heartbeat.interval, ...) from an hdfs-site.xml")
	fl.StringSliceVar(&f.detectors, "detectors", nil, "detectors to run, the first acting (default: heartbeat.detector, then every other central one)")
	fl.DurationVar(&f.duration, "duration", 0, "end of the observation (default: the trace's # duration:, or enough past the last heartbeat)")
	fl.StringVar(&f.format, "format", "table", "report format: table or json")
	f.views.register(fl)
	return cmd
}

func (a *app) replay(path string, f replayFlags) error {
	if !slices.Contains(formats, f.format) {
		return usageErr(fmt.Errorf("invalid --format %s: want table or json", hint.Quote(f.format)))
	}
	viewOut := a.stdout
	if f.format == "json" {
		viewOut = a.stderr
	}
	o, err := f.views.options(a, viewOut)
	if err != nil {
		return usageErr(err)
	}
	if f.duration < 0 {
		return usageErr(fmt.Errorf("invalid --duration %v: want a positive time", f.duration))
	}
	crashes, err := parseCrashes(f.crashes)
	if err != nil {
		return usageErr(err)
	}
	for _, d := range f.detectors {
		if !slices.Contains(centralDetectors, d) {
			return usageErr(fmt.Errorf("invalid --detectors %s: replay runs the central detectors %v (gossip has no NameNode to replay into)", hint.Quote(d), centralDetectors))
		}
	}
	var io ioFiles
	io.input("the trace", path)
	io.input("--hdfs-site", f.hdfsSite)
	io.output("--html", f.views.html)
	if err := io.check(); err != nil {
		return err
	}
	file, err := os.Open(path)
	if err != nil {
		return usageErr(fmt.Errorf("read trace: %w", err))
	}
	t, err := replay.Parse(path, file)
	file.Close()
	if err != nil {
		return usageErr(err)
	}
	opts := scenario.Options{Sets: slices.Clone(f.sets), Env: a.env}
	if f.hdfsSite != "" {
		site, ignored, err := config.ReadHDFSSite(f.hdfsSite)
		if err != nil {
			return usageErr(err)
		}
		if len(ignored) > 0 {
			a.log.Info("hdfs-site keys hbsim does not model were ignored", "file", f.hdfsSite, "keys", ignored)
		}
		opts.HDFSSite = site
	}
	if len(f.detectors) > 0 {
		opts.Sets = append(opts.Sets, "heartbeat.detector="+f.detectors[0])
		opts.Compare = f.detectors[1:]
	}
	s, err := replayScenario(path, t, opts)
	if err != nil {
		return usageErr(err)
	}
	if len(f.detectors) == 0 {
		if !slices.Contains(centralDetectors, s.Config.Heartbeat.Detector) {
			return usageErr(fmt.Errorf("heartbeat.detector is %s: replay drives a NameNode, so use --detectors with %v", s.Config.Heartbeat.Detector, centralDetectors))
		}
		for _, d := range centralDetectors {
			if d != s.Config.Heartbeat.Detector && !slices.Contains(s.Detectors, d) {
				s.Detectors = append(s.Detectors, d)
			}
		}
	}
	switch {
	case f.duration > 0:
		s.Duration = f.duration
	case t.Duration > 0:
		s.Duration = t.Duration
	default:
		s.Duration = t.Arrivals[len(t.Arrivals)-1].At + replayTail(s)
		for _, c := range crashes {
			s.Duration = max(s.Duration, c.At+replayTail(s))
		}
	}
	if last := t.Arrivals[len(t.Arrivals)-1]; last.At > s.Duration {
		return usageErr(fmt.Errorf("--duration %v ends before the trace's last heartbeat (%s:%d, at %v)", s.Duration, path, last.Line, last.At))
	}
	tr, err := replay.Run(s, t, crashes)
	if err != nil {
		return usageErr(err)
	}
	r := runner.Judge(s, tr)
	if f.format == "json" {
		err = r.WriteJSON(a.stdout)
	} else {
		o.Trace = tr
		err = r.WriteTableWith(a.stdout, o)
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return f.views.write(a, f.format, o, r, tr)
}

// replayScenario is the scenario a replay is judged as: the trace's
// nodes, the settings layered as in run, no events.
func replayScenario(path string, t *replay.Trace, opts scenario.Options) (*scenario.Scenario, error) {
	var b strings.Builder
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	q := func(s string) string { v, _ := json.Marshal(s); return string(v) }
	fmt.Fprintf(&b, "name: %s\ndescription: %s\nduration: %v\ncluster: [", q(name), q("replay of "+path), t.Arrivals[len(t.Arrivals)-1].At+time.Second)
	nodes := slices.Clone(t.Nodes)
	slices.SortFunc(nodes, naturalCompare)
	for i, n := range nodes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(q(n))
	}
	b.WriteString("]\n")
	s, err := scenario.Parse(path, []byte(b.String()), opts)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// naturalCompare orders ids as people number them: dn2 before dn10.
func naturalCompare(a, b string) int {
	pa, na := splitNumber(a)
	pb, nb := splitNumber(b)
	if pa != pb || na < 0 || nb < 0 {
		return strings.Compare(a, b)
	}
	return cmp.Compare(na, nb)
}

// splitNumber splits a trailing whole number off an id; −1 when none.
func splitNumber(s string) (string, int) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	n, err := strconv.Atoi(s[i:])
	if err != nil || i == len(s) {
		return s, -1
	}
	return s[:i], n
}

// replayTail is how long past the last heartbeat every detector needs to
// call a silence dead: missed-count's threshold plus a scan, HDFS's
// expiry plus a dead-node scan, phi's pause plus ten intervals.
func replayTail(s *scenario.Scenario) time.Duration {
	hb := s.Config.Heartbeat
	tail := time.Duration(hb.MissThreshold)*hb.Interval + hb.CheckInterval
	for _, d := range append([]string{hb.Detector}, s.Detectors...) {
		switch d {
		case "hdfs":
			tail = max(tail, 3*hb.HDFS.RecheckInterval+10*hb.Interval+10*time.Second)
		case "phi":
			tail = max(tail, hb.Phi.AcceptablePause+10*hb.Interval+hb.CheckInterval)
		}
	}
	return tail + hb.Interval
}

// parseCrashes reads --crash NODE@TIME values.
func parseCrashes(vals []string) ([]replay.Crash, error) {
	var out []replay.Crash
	for _, v := range vals {
		node, at, ok := strings.Cut(v, "@")
		if !ok || node == "" {
			return nil, fmt.Errorf("invalid --crash %s: want NODE@TIME, e.g. dn3@600s", hint.Quote(v))
		}
		d, err := time.ParseDuration(at)
		if err != nil || d < 0 {
			return nil, errors.Join(fmt.Errorf("invalid --crash %s: %s is not a time since the start, e.g. 600s or 10m", hint.Quote(v), hint.Quote(at)))
		}
		out = append(out, replay.Crash{Node: node, At: d})
	}
	return out, nil
}
