package config

import (
	"errors"
	"strings"
	"testing"
	"time"
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
			HDFS:     HDFSDetector{RecheckInterval: 5 * time.Minute},
			Phi:      PhiDetector{Threshold: 8, Window: 1000, MinStdDeviation: 100 * time.Millisecond, AcceptablePause: 3 * time.Second},
			Gossip:   GossipDetector{Fanout: 3, SuspicionTimeout: 10 * time.Second}},
		Network:  Network{Latency: Constant(time.Millisecond), Burst: Burst{Leave: 0.5, Loss: 1}},
		NameNode: NameNode{Handlers: 10, LifelineHandlers: 1},
		IO:       IO{WriteStaleRatio: 0.5},
		Data:     Data{BlockSize: 128 << 20, Replication: 3},
		Replication: Replication{Interval: 3 * time.Second, WorkMultiplier: 2, MaxStreams: 2, MaxStreamsHardLimit: 4,
			PendingTimeout: 5 * time.Minute, InvalidateLimit: 1000},
		Workload: Workload{Distribution: "uniform", ZipfS: 1.1},
		Client:   Client{Timeout: time.Minute},
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
			"--set heartbeat.detector: heartbeat.detector: must be one of missed-count, hdfs, phi or gossip"},
		{"loss above 1", nil, nil, []string{"network.loss=1.5"},
			"--set network.loss: network.loss: must be a probability between 0 and 1, got 1.5"},
		{"unknown file key", []Setting{{"heartbeat.bogus", 1, "x.yaml:5"}}, nil, nil,
			"x.yaml:5: heartbeat.bogus: unknown key (known: client.timeout, data.block_size,"},
		{"bad env", nil, map[string]string{"HBSIM_HEARTBEAT_MISS_THRESHOLD": "lots"}, nil,
			`$HBSIM_HEARTBEAT_MISS_THRESHOLD: heartbeat.miss_threshold: must be a whole number, got "lots"`},
		{"env negative", nil, map[string]string{"HBSIM_NETWORK_LATENCY": "-3ms"}, nil,
			"$HBSIM_NETWORK_LATENCY: network.latency: must not be negative, got -3ms"},
		{"set unknown key", nil, nil, []string{"heartbeat.treshold=3"},
			"--set heartbeat.treshold: unknown key (known:"},
		{"set without =", nil, nil, []string{"heartbeat.miss_threshold"},
			`--set "heartbeat.miss_threshold": want key=value`},
		{"set bad value", nil, nil, []string{"heartbeat.check_interval=0"},
			"--set heartbeat.check_interval: heartbeat.check_interval: must be a positive duration, got 0s"},
		{"set zero threshold", nil, nil, []string{"heartbeat.miss_threshold=0"},
			"--set heartbeat.miss_threshold: heartbeat.miss_threshold: must be a whole number ≥ 1, got 0"},
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
	if got := strings.Join(Sections(), ","); got != "heartbeat,network,namenode,io,data,replication,workload,client" {
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
