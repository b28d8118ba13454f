package config

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hbsim/hbsim/pkg/hint"
	"github.com/hbsim/hbsim/pkg/vtime"
)

// hdfsKey maps one HDFS configuration key to an hbsim setting, converting
// HDFS's units (plain seconds, plain milliseconds) to hbsim's values.
type hdfsKey struct {
	key     string
	convert func(v string) (any, error)
}

func hdfsSeconds(v string) (any, error) {
	// dfs.heartbeat.interval is seconds, with unit suffixes allowed.
	if wholeNumber.MatchString(v) {
		return hdfsUnits(v, time.Second)
	}
	if d, err := parseDuration(v); err == nil {
		return d.String(), nil
	} else if strings.Contains(err.Error(), "too long") {
		return nil, err
	}
	return nil, fmt.Errorf("want whole seconds or a duration such as 3s, got %s", hint.Quote(v))
}

func hdfsMillis(v string) (any, error) {
	if !wholeNumber.MatchString(v) {
		return nil, fmt.Errorf("want whole milliseconds, got %s", hint.Quote(v))
	}
	return hdfsUnits(v, time.Millisecond)
}

var wholeNumber = regexp.MustCompile(`^[-+]?[0-9]+$`)

// hdfsUnits reads a whole number of units (HDFS's plain seconds or
// milliseconds) in checked arithmetic: 18446744074 seconds is refused, not
// wrapped round to 290ms.
func hdfsUnits(v string, unit time.Duration) (any, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	d, ok := vtime.Mul(n, unit)
	if err != nil || !ok {
		return nil, fmt.Errorf("%s %s is too long: at most %s", hint.Clip(v), unitName[unit], vtime.MaxText)
	}
	return d.String(), nil
}

var unitName = map[time.Duration]string{time.Second: "seconds", time.Millisecond: "milliseconds"}

// hdfsMillisOrDuration reads a key HDFS reads with getTimeDuration in
// milliseconds: whole milliseconds, or a duration with its unit.
func hdfsMillisOrDuration(v string) (any, error) {
	if wholeNumber.MatchString(v) {
		return hdfsUnits(v, time.Millisecond)
	}
	if d, err := parseDuration(v); err == nil {
		return d.String(), nil
	} else if strings.Contains(err.Error(), "too long") {
		return nil, err
	}
	return nil, fmt.Errorf("want whole milliseconds or a duration such as 30s, got %s", hint.Quote(v))
}

// hdfsString passes a number or a word on to the setting's own parser,
// which checks it against the setting's kind.
func hdfsString(v string) (any, error) { return v, nil }

// hdfsFloat reads Configuration.getFloat, which is Java's Float.parseFloat:
// hdfs-default.xml itself writes 0.32f.
func hdfsFloat(v string) (any, error) {
	num := strings.TrimRight(v, "fFdD")
	if _, err := strconv.ParseFloat(num, 64); err != nil || num == "" || len(v)-len(num) > 1 {
		return nil, fmt.Errorf("want a number such as 0.5, got %s", hint.Quote(v))
	}
	return num, nil
}

// hdfsBool reads Hadoop's booleans, true or false in any case; anything
// else is an error here (Hadoop would quietly take the default).
func hdfsBool(v string) (any, error) {
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return nil, fmt.Errorf("want true or false, got %s", hint.Quote(v))
}

// hdfsBytes reads Configuration.getLongBytes: a whole number of bytes, or
// one with a binary suffix k, m, g, t, p or e (dfs.blocksize=128m).
func hdfsBytes(v string) (any, error) {
	num, shift := v, 0
	if n := len(v); n > 0 {
		if k := strings.IndexByte("kmgtpe", lower(v[n-1])); k >= 0 {
			num, shift = v[:n-1], 10*(k+1)
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || !wholeNumber.MatchString(num) {
		return nil, fmt.Errorf("want whole bytes or a size such as 128m, got %s", hint.Quote(v))
	}
	if n < 0 || n > math.MaxInt64>>shift {
		return nil, fmt.Errorf("%s is out of range: at most 8e (2^63 bytes)", hint.Clip(v))
	}
	return strconv.FormatInt(n<<shift, 10), nil
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hdfsEnum reads an enum's name as HDFS does, in any case
// (ReplaceDatanodeOnFailure's policy is upper-cased before valueOf).
func hdfsEnum(v string) (any, error) { return strings.ToLower(strings.TrimSpace(v)), nil }

func hdfsSet(v string) (any, error) { return strings.TrimSpace(v) != "", nil }

// hdfsKeys are the HDFS keys hbsim understands; HDFS's deprecated names
// map like their successors.
var hdfsKeys = map[string]hdfsKey{
	// Liveness (HeartbeatManager, DatanodeManager).
	"dfs.heartbeat.interval":                       {"heartbeat.interval", hdfsSeconds},
	"dfs.namenode.heartbeat.recheck-interval":      {"heartbeat.hdfs.recheck_interval", hdfsMillis},
	"dfs.namenode.stale.datanode.interval":         {"heartbeat.stale_after", hdfsMillis},
	"dfs.namenode.stale.datanode.minimum.interval": {"heartbeat.hdfs.stale_minimum_interval", hdfsString},
	"dfs.namenode.avoid.read.stale.datanode":       {"io.avoid_read_stale", hdfsBool},
	"dfs.namenode.avoid.write.stale.datanode":      {"io.avoid_write_stale", hdfsBool},
	"dfs.namenode.write.stale.datanode.ratio":      {"io.write_stale_ratio", hdfsFloat},
	// The lifeline (HDFS-9239). HDFS runs the lifeline server only when
	// its address is set.
	"dfs.datanode.lifeline.interval.seconds": {"heartbeat.lifeline.interval", hdfsSeconds},
	"dfs.namenode.lifeline.rpc-address":      {"heartbeat.lifeline.enabled", hdfsSet},
	"dfs.namenode.handler.count":             {"namenode.handlers", hdfsString},
	"dfs.namenode.lifeline.handler.count":    {"namenode.lifeline_handlers", hdfsString},
	// Safe mode (BlockManagerSafeMode).
	"dfs.namenode.safemode.threshold-pct": {"namenode.safemode_threshold", hdfsFloat},
	"dfs.namenode.safemode.extension":     {"namenode.safemode_extension", hdfsMillisOrDuration},
	// Blocks and re-replication (BlockManager, BlockPlacementPolicyDefault).
	"dfs.replication":                                        {"data.replication", hdfsString},
	"dfs.blocksize":                                          {"data.block_size", hdfsBytes},
	"dfs.namenode.replication.min":                           {"replication.min_replication", hdfsString},
	"dfs.namenode.redundancy.interval.seconds":               {"replication.interval", hdfsSeconds},
	"dfs.namenode.replication.interval":                      {"replication.interval", hdfsSeconds},
	"dfs.namenode.replication.work.multiplier.per.iteration": {"replication.work_multiplier", hdfsString},
	"dfs.namenode.replication.max-streams":                   {"replication.max_streams", hdfsString},
	"dfs.namenode.replication.max-streams-hard-limit":        {"replication.max_streams_hard_limit", hdfsString},
	"dfs.namenode.reconstruction.pending.timeout-sec":        {"replication.pending_timeout", hdfsSeconds},
	"dfs.namenode.replication.pending.timeout-sec":           {"replication.pending_timeout", hdfsSeconds},
	"dfs.block.invalidate.limit":                             {"replication.invalidate_limit", hdfsString},
	"dfs.namenode.invalidate.work.pct.per.iteration":         {"replication.invalidate_work_pct", hdfsFloat},
	"dfs.namenode.redundancy.considerLoad":                   {"replication.consider_load", hdfsBool},
	"dfs.namenode.replication.considerLoad":                  {"replication.consider_load", hdfsBool},
	"dfs.namenode.redundancy.considerLoad.factor":            {"replication.consider_load_factor", hdfsFloat},
	"dfs.namenode.tolerate.heartbeat.multiplier":             {"replication.tolerate_heartbeat_multiplier", hdfsString},
	// Decommission and maintenance (DatanodeAdminManager).
	"dfs.namenode.decommission.interval":                     {"admin.interval", hdfsSeconds},
	"dfs.namenode.decommission.blocks.per.interval":          {"admin.blocks_per_interval", hdfsString},
	"dfs.namenode.decommission.max.concurrent.tracked.nodes": {"admin.max_tracked_nodes", hdfsString},
	"dfs.namenode.maintenance.replication.min":               {"admin.maintenance_min_replication", hdfsString},
	// DataNodes and clients.
	"dfs.datanode.failed.volumes.tolerated":                     {"datanode.failed_volumes_tolerated", hdfsString},
	"dfs.client.socket-timeout":                                 {"client.timeout", hdfsMillis},
	"dfs.client.retry.window.base":                              {"client.retry_window_base", hdfsMillis},
	"dfs.client.max.block.acquire.failures":                     {"client.max_block_acquire_failures", hdfsString},
	"dfs.client.block.write.replace-datanode-on-failure.enable": {"client.replace_datanode_on_failure", hdfsBool},
	"dfs.client.block.write.replace-datanode-on-failure.policy": {"client.replace_policy", hdfsEnum},
	"dfs.client.block.write.retries":                            {"client.block_write_retries", hdfsString},
}

// lifelineHandlerRatio is dfs.namenode.lifeline.handler.ratio: without
// dfs.namenode.lifeline.handler.count, HDFS runs max(1, handler.count ×
// ratio) lifeline handlers. It depends on another key, so ReadHDFSSite
// resolves it after reading the whole file.
const lifelineHandlerRatio = "dfs.namenode.lifeline.handler.ratio"

// unmodelled says why common HDFS keys change nothing in hbsim; any other
// key gets the general reason.
var unmodelled = map[string]string{
	"dfs.namenode.remove.dead.datanode.batchnum":    "hbsim removes every dead node in one check; batches only bound HDFS's lock hold",
	"dfs.namenode.service.handler.count":            "hbsim's DataNodes share one RPC queue, namenode.handlers",
	"dfs.namenode.lifeline.rpc-bind-host":           "the simulator has no sockets; the lifeline is on when dfs.namenode.lifeline.rpc-address is set",
	"dfs.datanode.data.dir":                         "give each node its volumes in the scenario's cluster section",
	"dfs.namenode.name.dir":                         "hbsim keeps no namespace on disk",
	"dfs.namenode.enable.log.stale.datanode":        "logging only",
	"dfs.namenode.startup.delay.block.deletion.sec": "hbsim deletes excess replicas from the first round",
	"dfs.blockreport.intervalMsec":                  "hbsim sends a full block report at each registration only",
	"dfs.blockreport.initialDelay":                  "hbsim sends a full block report at each registration only",
}

// HDFSKeys lists the HDFS keys hbsim reads, with the setting each sets;
// dfs.namenode.lifeline.handler.ratio sets namenode.lifeline_handlers
// through dfs.namenode.handler.count.
func HDFSKeys() map[string]string {
	out := make(map[string]string, len(hdfsKeys)+1)
	for k, v := range hdfsKeys {
		out[k] = v.key
	}
	out[lifelineHandlerRatio] = "namenode.lifeline_handlers"
	return out
}

// unknownHDFSKey says an HDFS key is not one hbsim models, with the one the
// user probably meant.
func unknownHDFSKey(key string) string {
	msg := "hbsim does not model this HDFS key"
	if dym := hint.DidYouMean(key, sortedHDFSKeys()); dym != "" {
		return msg + "; " + dym
	}
	return msg + fmt.Sprintf(" (it reads %d: the README's Settings section lists them)", len(hdfsKeys))
}

func sortedHDFSKeys() []string {
	keys := make([]string, 0, len(hdfsKeys))
	for k := range hdfsKeys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TranslateHDFS turns an HDFS key and value into an hbsim setting; ok is
// false for a key hbsim does not model.
func TranslateHDFS(name, value string) (key string, v any, ok bool, err error) {
	h, ok := hdfsKeys[strings.TrimSpace(name)]
	if !ok {
		return "", nil, false, nil
	}
	v, err = h.convert(strings.TrimSpace(value))
	if err != nil {
		return h.key, nil, true, &FieldError{Field: name, Err: err}
	}
	return h.key, v, true, nil
}

// Ignored is an hdfs-site.xml property hbsim does not model.
type Ignored struct {
	Key    string
	Origin string // path:line
	Reason string
}

// String is the warning a user reads on stderr.
func (ig Ignored) String() string {
	return fmt.Sprintf("%s: %s is not modelled by hbsim (%s); ignored", ig.Origin, ig.Key, ig.Reason)
}

// DetectorOrigin marks heartbeat.detector set by HDFS keys: an
// hdfs-site.xml, or dfs.* keys given with --set, bring HDFS's rule, the
// hdfs detector, unless $HBSIM_HEARTBEAT_DETECTOR or --set
// heartbeat.detector names another.
const DetectorOrigin = "(HDFS keys select the hdfs detector)"

// ReadHDFSSite reads an hdfs-site.xml: every property is either mapped to
// an hbsim setting, with its file:line as origin, or returned in ignored
// with the reason, for the caller to warn about; none is dropped in
// silence. A file that maps any key also selects the hdfs detector
// (origin "path (HDFS keys select the hdfs detector)").
func ReadHDFSSite(path string) (settings []Setting, ignored []Ignored, err error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read hdfs-site: %w", err)
	}
	return ParseHDFSSite(path, data)
}

// ParseHDFSSite is ReadHDFSSite of data already read; path is for
// messages.
func ParseHDFSSite(path string, data []byte) (settings []Setting, ignored []Ignored, err error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var errs []error
	type prop struct {
		name, value string
		line        int
	}
	var ratio *prop
	handlers, haveCount := "10", false // HDFS's dfs.namenode.handler.count default
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := dec.InputPos()
			return nil, nil, fmt.Errorf("%s:%d: not well-formed XML: %w", path, line, err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok || start.Name.Local != "property" {
			continue
		}
		line, _ := dec.InputPos()
		var p struct {
			Name  string `xml:"name"`
			Value string `xml:"value"`
		}
		if err := dec.DecodeElement(&p, &start); err != nil {
			return nil, nil, fmt.Errorf("%s:%d: not well-formed XML in this property: %w", path, line, err)
		}
		name, value := strings.TrimSpace(p.Name), strings.TrimSpace(p.Value)
		switch name {
		case lifelineHandlerRatio:
			ratio = &prop{name, value, line}
			continue
		case "dfs.namenode.handler.count":
			handlers = value
		case "dfs.namenode.lifeline.handler.count":
			haveCount = true
		}
		key, v, known, err := TranslateHDFS(name, value)
		switch {
		case !known:
			reason := unmodelled[name]
			if reason == "" {
				reason = "no part of hbsim's model reads it"
			}
			ignored = append(ignored, Ignored{Key: name, Origin: fmt.Sprintf("%s:%d", path, line), Reason: reason})
		case err != nil:
			errs = append(errs, fmt.Errorf("%s:%d: %w", path, line, err))
		default:
			settings = append(settings, Setting{Key: key, Value: v, Origin: fmt.Sprintf("%s:%d (%s)", path, line, name)})
		}
	}
	if ratio != nil {
		origin := fmt.Sprintf("%s:%d", path, ratio.line)
		r, err1 := strconv.ParseFloat(strings.TrimRight(ratio.value, "fFdD"), 64)
		h, err2 := strconv.Atoi(handlers)
		switch {
		case err1 != nil || !(r >= 0 && r <= 1):
			errs = append(errs, fmt.Errorf("%s: %s: want a number from 0 to 1, got %s", origin, ratio.name, hint.Quote(ratio.value)))
		case haveCount:
			ignored = append(ignored, Ignored{Key: ratio.name, Origin: origin,
				Reason: "dfs.namenode.lifeline.handler.count is set, and HDFS uses it instead"})
		case err2 == nil:
			settings = append(settings, Setting{Key: "namenode.lifeline_handlers", Value: max(1, int(float64(h)*r)),
				Origin: fmt.Sprintf("%s (%s × dfs.namenode.handler.count)", origin, ratio.name)})
		}
	}
	if len(settings) > 0 {
		settings = append(settings, Setting{Key: "heartbeat.detector", Value: "hdfs", Origin: path + " " + DetectorOrigin})
	}
	return settings, ignored, errors.Join(errs...)
}
