package config

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/network"
)

func noEnv(string) (string, bool) { return "", false }

func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultYAML(t *testing.T) {
	c, origins, err := Load(nil, Options{Env: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Heartbeat: Heartbeat{Interval: 3 * time.Second, CheckInterval: 3 * time.Second, MissThreshold: 10, StaleAfter: 30 * time.Second,
			Detector: "missed-count",
			HDFS:     HDFSDetector{RecheckInterval: 5 * time.Minute, StaleMinimumInterval: 3},
			Phi:      PhiDetector{Threshold: 8, Window: 1000, MinStdDeviation: 100 * time.Millisecond, AcceptablePause: 3 * time.Second},
			Gossip:   GossipDetector{Fanout: 3, SuspicionTimeout: 10 * time.Second}},
		Network:  Network{Latency: Constant(time.Millisecond), Burst: Burst{Leave: 0.5, Loss: 1}},
		NameNode: NameNode{Handlers: 10, LifelineHandlers: 1, SafeModeThreshold: 0.999, SafeModeExtension: 30 * time.Second},
		IO:       IO{WriteStaleRatio: 0.5},
		Data:     Data{BlockSize: 128 << 20, Replication: 3},
		Replication: Replication{Interval: 3 * time.Second, WorkMultiplier: 2, MaxStreams: 2, MaxStreamsHardLimit: 4,
			PendingTimeout: 5 * time.Minute, InvalidateLimit: 1000, InvalidateWorkPct: 0.32, ConsiderLoad: true,
			ConsiderLoadFactor: 2, TolerateHeartbeatMultiplier: 4, MinReplication: 1},
		Admin:    Admin{Interval: 30 * time.Second, BlocksPerInterval: 500_000, MaxTrackedNodes: 100, MaintenanceMinReplication: 1},
		Workload: Workload{Distribution: "uniform", ZipfS: 1.1},
		Client: Client{Timeout: time.Minute, RetryWindowBase: 3 * time.Second, MaxBlockAcquireFailures: 3,
			ReplaceDatanodeOnFailure: true, ReplacePolicy: "default", BlockWriteRetries: 3},
	}
	if c != want {
		t.Errorf("defaults = %+v, want %+v", c, want)
	}
	if Default() != want {
		t.Errorf("Default() = %+v", Default())
	}
	for _, k := range Keys() {
		if origins[k.Name] != DefaultOrigin {
			t.Errorf("origin of %s = %q", k.Name, origins[k.Name])
		}
	}
}

func TestEffective(t *testing.T) {
	got := Default().Effective()
	hb := got["heartbeat"].(map[string]any)
	nw := got["network"].(map[string]any)
	if hb["interval"] != "3s" || hb["miss_threshold"] != 10 || hb["stale_after"] != "30s" || nw["jitter"] != "0s" || nw["latency"] != "1ms" {
		t.Errorf("Effective() = %v", got)
	}
}

func TestPrecedence(t *testing.T) {
	file := []Setting{
		{Key: "heartbeat.miss_threshold", Value: 7, Origin: "s.yaml:3"},
		{Key: "heartbeat.interval", Value: "2s", Origin: "s.yaml:4"},
		{Key: "network.latency", Value: "5ms", Origin: "s.yaml:5"},
	}
	env := mapEnv(map[string]string{
		"HBSIM_HEARTBEAT_MISS_THRESHOLD": "5",
		"HBSIM_HEARTBEAT_INTERVAL":       "4s",
	})
	c, o, err := Load(file, Options{Env: env, Sets: []string{"heartbeat.miss_threshold=3", "heartbeat.miss_threshold=4"}})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		key, origin string
		got, want   any
	}{
		{"heartbeat.miss_threshold", "--set heartbeat.miss_threshold", c.Heartbeat.MissThreshold, 4},
		{"heartbeat.interval", "$HBSIM_HEARTBEAT_INTERVAL", c.Heartbeat.Interval, 4 * time.Second},
		{"network.latency", "s.yaml:5", c.Network.Latency, Constant(5 * time.Millisecond)},
		{"network.jitter", DefaultOrigin, c.Network.Jitter, time.Duration(0)},
	}
	for _, ch := range checks {
		if ch.got != ch.want || o[ch.key] != ch.origin {
			t.Errorf("%s = %v from %q, want %v from %q", ch.key, ch.got, o[ch.key], ch.want, ch.origin)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		file []Setting
		env  map[string]string
		sets []string
		want string
	}{
		{"negative threshold in file", []Setting{{"heartbeat.miss_threshold", -2, "scenarios/x.yaml:7"}}, nil, nil,
			"scenarios/x.yaml:7: heartbeat.miss_threshold: must be a whole number ≥ 1, got -2"},
		{"fractional threshold", []Setting{{"heartbeat.miss_threshold", 2.5, "x.yaml:2"}}, nil, nil,
			"x.yaml:2: heartbeat.miss_threshold: must be a whole number, got 2.5"},
		{"unitless duration", []Setting{{"heartbeat.interval", 3, "x.yaml:4"}}, nil, nil,
			"x.yaml:4: heartbeat.interval: must be a duration with a unit, such as 3s or 500ms, got 3"},
		{"zero interval", []Setting{{"heartbeat.interval", "0s", "x.yaml:4"}}, nil, nil,
			"x.yaml:4: heartbeat.interval: must be a positive duration, got 0s"},
		{"negative jitter", []Setting{{"network.jitter", "-1ms", "x.yaml:9"}}, nil, nil,
			"x.yaml:9: network.jitter: must not be negative, got -1ms"},
		{"mapping value", []Setting{{"heartbeat.interval", map[string]any{}, "x.yaml:9"}}, nil, nil,
			"x.yaml:9: heartbeat.interval: must be a duration such as 3s or 500ms, got a mapping"},
		{"latency distribution without dist", []Setting{{"network.latency", map[string]any{"median": "2ms"}, "x.yaml:9"}}, nil, nil,
			"x.yaml:9: network.latency: dist must be one of [constant lognormal normal pareto uniform]"},
		{"latency distribution missing a field", []Setting{{"network.latency", map[string]any{"dist": "lognormal", "median": "2ms"}, "x.yaml:9"}}, nil, nil,
			"x.yaml:9: network.latency: a lognormal distribution needs [median p99]; p99 is missing"},
		{"latency distribution with a stray field", []Setting{{"network.latency", map[string]any{"dist": "uniform", "min": "1ms", "max": "2ms", "p99": "3ms"}, "x.yaml:9"}}, nil, nil,
			"x.yaml:9: network.latency: p99: not a field of a uniform distribution"},
		{"unknown detector", nil, nil, []string{"heartbeat.detector=psychic"},
			"--set heartbeat.detector: must be one of missed-count, hdfs, phi or gossip"},
		{"loss above 1", nil, nil, []string{"network.loss=1.5"},
			"--set network.loss: must be a probability between 0 and 1, got 1.5"},
		{"unknown file key", []Setting{{"heartbeat.bogus", 1, "x.yaml:5"}}, nil, nil,
			"x.yaml:5: heartbeat.bogus: unknown key; heartbeat has interval, check_interval, miss_threshold,"},
		{"bad env", nil, map[string]string{"HBSIM_HEARTBEAT_MISS_THRESHOLD": "lots"}, nil,
			`$HBSIM_HEARTBEAT_MISS_THRESHOLD: heartbeat.miss_threshold: must be a whole number, got "lots"`},
		{"env negative", nil, map[string]string{"HBSIM_NETWORK_LATENCY": "-3ms"}, nil,
			"$HBSIM_NETWORK_LATENCY: network.latency: must not be negative, got -3ms"},
		{"set unknown key", nil, nil, []string{"heartbeat.treshold=3"},
			"--set heartbeat.treshold: unknown key; did you mean heartbeat.miss_threshold or heartbeat.phi.threshold?"},
		{"set misspelt key", nil, nil, []string{"heartbeat.miss_treshold=3"},
			"--set heartbeat.miss_treshold: unknown key; did you mean heartbeat.miss_threshold?"},
		{"set unknown section", nil, nil, []string{"hearbeat.miss_threshold=3"},
			"--set hearbeat.miss_threshold: unknown key; did you mean heartbeat.miss_threshold?"},
		{"set nothing close", nil, nil, []string{"zzz=3"},
			"--set zzz: unknown key; settings are under heartbeat, network, namenode,"},
		{"set unknown HDFS key", nil, nil, []string{"dfs.heartbeat.intervall=3"},
			"--set dfs.heartbeat.intervall: hbsim does not model this HDFS key; did you mean dfs.heartbeat.interval?"},
		{"set NaN float", nil, nil, []string{"heartbeat.phi.threshold=NaN"},
			`--set heartbeat.phi.threshold: must be a finite number, got "NaN"`},
		{"set Inf float", nil, nil, []string{"workload.zipf_s=+Inf"},
			`--set workload.zipf_s: must be a finite number, got "+Inf"`},
		{"set rate too small to draw a gap", nil, nil, []string{"workload.writes_per_sec=1e-300"},
			"--set workload.writes_per_sec: must be 0 (none) or at least 1e-06 operations per second (one every 11.6 days), got 1e-300"},
		{"set rate above the bound", nil, nil, []string{"workload.reads_per_sec=2e6"},
			"--set workload.reads_per_sec: must be from 0 to 1000000 operations per second, got 2e+06"},
		{"set float out of range", nil, nil, []string{"network.loss=1e400"},
			`--set network.loss: must be a finite number, got "1e400" (out of range)`},
		{"file NaN float", []Setting{{"heartbeat.phi.threshold", math.NaN(), "x.yaml:7"}}, nil, nil,
			"x.yaml:7: heartbeat.phi.threshold: must be a finite number, got NaN"},
		{"file Inf zipf", []Setting{{"workload.zipf_s", math.Inf(1), "x.yaml:7"}}, nil, nil,
			"x.yaml:7: workload.zipf_s: must be a finite number, got +Inf"},
		{"NaN pareto alpha", []Setting{{"network.latency", map[string]any{"dist": "pareto", "min": "1ms", "alpha": math.NaN()}, "x.yaml:9"}}, nil, nil,
			"x.yaml:9: network.latency: alpha: must be a finite number, got NaN"},
		{"env NaN", nil, map[string]string{"HBSIM_NETWORK_LOSS": "nan"}, nil,
			`$HBSIM_NETWORK_LOSS: network.loss: must be a finite number, got "nan"`},
		{"duration overflows int64", nil, nil, []string{"heartbeat.interval=9999999999h"},
			`--set heartbeat.interval: "9999999999h" is too long: at most 876000h (100 years)`},
		{"duration beyond 100 years", []Setting{{"heartbeat.hdfs.recheck_interval", "2000000h", "x.yaml:6"}}, nil, nil,
			`x.yaml:6: heartbeat.hdfs.recheck_interval: "2000000h" is too long: at most 876000h (100 years)`},
		{"HDFS expiry overflows", []Setting{{"heartbeat.hdfs.recheck_interval", "500000h", "x.yaml:6"}}, nil, nil,
			"x.yaml:6: heartbeat.hdfs.recheck_interval: HDFS's expiry 2 × recheck_interval + 10 × interval (2 × 500000h0m0s + 10 × 3s) is longer than 876000h (100 years)"},
		{"dead after overflows", nil, nil, []string{"heartbeat.miss_threshold=1000000000", "heartbeat.interval=1h"},
			"--set heartbeat.miss_threshold: miss_threshold × interval (1000000000 × 1h0m0s) is longer than 876000h (100 years)"},
		{"count too large", nil, nil, []string{"replication.work_multiplier=9000000000000"},
			"--set replication.work_multiplier: must be at most 1000000000, got 9000000000000"},
		{"int out of range", nil, nil, []string{"replication.max_streams=99999999999999999999"},
			`replication.max_streams: must be a whole number from -9223372036854775808 to 9223372036854775807, got "99999999999999999999"`},
		{"handlers allocate", nil, nil, []string{"namenode.handlers=100000000"},
			"--set namenode.handlers: must be from 1 to 10000, got 100000000"},
		{"interval of 300 years as a lifeline default", nil, nil, []string{"heartbeat.interval=400000h"},
			"--set heartbeat.interval: 3 × interval (HDFS's lifeline default and stale floor) is longer than 876000h (100 years), got 400000h0m0s"},
		{"long value quoted briefly", nil, nil, []string{"heartbeat.interval=" + strings.Repeat("9", 5000)},
			"(4800 bytes more)"},
		{"set without =", nil, nil, []string{"heartbeat.miss_threshold"},
			`--set "heartbeat.miss_threshold": want key=value`},
		{"set bad value", nil, nil, []string{"heartbeat.check_interval=0"},
			"--set heartbeat.check_interval: must be a positive duration, got 0s"},
		{"set zero threshold", nil, nil, []string{"heartbeat.miss_threshold=0"},
			"--set heartbeat.miss_threshold: must be a whole number ≥ 1, got 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Load(tt.file, Options{Env: mapEnv(tt.env), Sets: tt.sets})
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestValidateFieldErrors(t *testing.T) {
	c := Default()
	c.Heartbeat.MissThreshold = 0
	c.Network.Latency = Constant(-time.Millisecond)
	err := c.Validate()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "heartbeat.miss_threshold" {
		t.Fatalf("Validate() = %v, want a *FieldError for heartbeat.miss_threshold first", err)
	}
	if !strings.Contains(err.Error(), "network.latency: must not be negative") {
		t.Errorf("Validate() = %v, want every problem reported", err)
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
}

func TestRegistry(t *testing.T) {
	for _, k := range Keys() {
		if k.Doc == "" || k.get == nil || k.set == nil {
			t.Errorf("key %s incomplete", k.Name)
		}
		if _, ok := Lookup(k.Name); !ok {
			t.Errorf("Lookup(%s) failed", k.Name)
		}
	}
	if got := EnvName("heartbeat.miss_threshold"); got != "HBSIM_HEARTBEAT_MISS_THRESHOLD" {
		t.Errorf("EnvName = %s", got)
	}
	if got := strings.Join(Sections(), ","); got != "heartbeat,network,namenode,io,data,replication,admin,datanode,workload,client" {
		t.Errorf("Sections = %s", got)
	}
	if !strings.Contains(DocTable(), "| `heartbeat.interval` | duration | `3s` | `HBSIM_HEARTBEAT_INTERVAL` |") {
		t.Errorf("DocTable:\n%s", DocTable())
	}
}

func TestProcessEnv(t *testing.T) {
	t.Setenv("HBSIM_HEARTBEAT_MISS_THRESHOLD", "5")
	c, o, err := Load(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Heartbeat.MissThreshold != 5 || o["heartbeat.miss_threshold"] != "$HBSIM_HEARTBEAT_MISS_THRESHOLD" {
		t.Errorf("threshold %d from %q", c.Heartbeat.MissThreshold, o["heartbeat.miss_threshold"])
	}
}

// TestDerivedErrorNamesWhatWasSet: miss_threshold × interval overflows
// because of an interval the user set, so the error points at that line,
// not at the default threshold.
func TestDerivedErrorNamesWhatWasSet(t *testing.T) {
	_, _, err := Load([]Setting{{"heartbeat.interval", "90000h", "x.yaml:4"}}, Options{Env: noEnv})
	want := "x.yaml:4: heartbeat.interval: miss_threshold × interval (10 × 90000h0m0s) is longer than 876000h (100 years)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v\nwant it to contain %q", err, want)
	}
	if strings.Contains(err.Error(), DefaultOrigin) {
		t.Errorf("error blames the defaults: %v", err)
	}
}

// TestMaxLatencyIsNetworksCap: the network clamps a draw at MaxLatency, so
// config refuses longer delays rather than let them shrink silently.
func TestMaxLatencyIsNetworksCap(t *testing.T) {
	d := network.MessageDraws(1, 1)
	if got := Constant(2 * MaxLatency).Sample(&d); got != MaxLatency {
		t.Errorf("network draws a constant 2h as %v; MaxLatency (%v) must be its cap", got, MaxLatency)
	}
	for _, raw := range []any{"2h", map[string]any{"dist": "lognormal", "median": "1ms", "p99": "90m"}} {
		if _, err := ParseLatency(raw); err == nil || !strings.Contains(err.Error(), "a one-way delay is at most 1h0m0s") {
			t.Errorf("ParseLatency(%v) = %v, want refused", raw, err)
		}
	}
}
