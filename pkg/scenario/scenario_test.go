package scenario

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/config"
)

func noEnv(string) (string, bool) { return "", false }

func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestSingleCrash(t *testing.T) {
	sc, err := Load("../../scenarios/single-crash.yaml", Options{Env: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "single-crash" || sc.Seed != 7 || sc.Duration != 3*time.Minute ||
		!strings.HasPrefix(sc.Description, "dn3 crashes") {
		t.Errorf("header fields: %+v", sc)
	}
	if want := []string{"dn1", "dn2", "dn3", "dn4", "dn5"}; !reflect.DeepEqual(sc.Nodes, want) {
		t.Errorf("Nodes = %v", sc.Nodes)
	}
	wantCfg := config.Default()
	wantCfg.Heartbeat.CheckInterval = time.Second
	wantCfg.Network.Latency = config.Constant(2 * time.Millisecond)
	wantCfg.Network.Jitter = time.Millisecond
	if sc.Config != wantCfg {
		t.Errorf("Config = %+v", sc.Config)
	}
	if got := sc.Effective["heartbeat"].(map[string]any)["check_interval"]; got != "1s" {
		t.Errorf("Effective check_interval = %v", got)
	}
	if got := sc.Origins["heartbeat.check_interval"]; got != "../../scenarios/single-crash.yaml:13" {
		t.Errorf("origin = %q", got)
	}
	if got := sc.Origins["heartbeat.stale_after"]; got != config.DefaultOrigin {
		t.Errorf("origin = %q", got)
	}
	wantEv := []Event{{At: 30 * time.Second, Action: Kill, Nodes: []string{"dn3"}, Line: 16}}
	if !reflect.DeepEqual(sc.Events, wantEv) {
		t.Errorf("Events = %+v", sc.Events)
	}
	var names []string
	for _, e := range sc.Expect {
		names = append(names, e.Name())
	}
	if want := "dn3 dead within 35s|never dead: dn1, dn2, dn4, dn5|false positives = 0"; strings.Join(names, "|") != want {
		t.Errorf("Expect = %q", names)
	}
}

func TestShippedScenariosParse(t *testing.T) {
	for _, name := range []string{"single-crash", "crash-and-restart", "threshold-too-low"} {
		sc, err := Load("../../scenarios/"+name+".yaml", Options{Env: noEnv})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if sc.Name != name || len(sc.Expect) == 0 {
			t.Errorf("%s: name %q, %d expectations", name, sc.Name, len(sc.Expect))
		}
	}
}

const minimal = `name: t
duration: 5m
cluster: {datanodes: 3}
heartbeat:
  miss_threshold: 7
`

func TestPrecedence(t *testing.T) {
	seed := int64(42)
	tests := []struct {
		name       string
		env        map[string]string
		sets       []string
		want       int
		wantOrigin string
	}{
		{"scenario over default", nil, nil, 7, "t.yaml:5"},
		{"env over scenario", map[string]string{"HBSIM_HEARTBEAT_MISS_THRESHOLD": "5"}, nil, 5, "$HBSIM_HEARTBEAT_MISS_THRESHOLD"},
		{"set over env", map[string]string{"HBSIM_HEARTBEAT_MISS_THRESHOLD": "5"}, []string{"heartbeat.miss_threshold=4"}, 4, "--set heartbeat.miss_threshold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Parse("t.yaml", []byte(minimal), Options{Env: mapEnv(tt.env), Sets: tt.sets, Seed: &seed})
			if err != nil {
				t.Fatal(err)
			}
			if sc.Config.Heartbeat.MissThreshold != tt.want || sc.Origins["heartbeat.miss_threshold"] != tt.wantOrigin {
				t.Errorf("threshold %d from %q, want %d from %q", sc.Config.Heartbeat.MissThreshold,
					sc.Origins["heartbeat.miss_threshold"], tt.want, tt.wantOrigin)
			}
			if sc.Seed != 42 {
				t.Errorf("Seed = %d, want the --seed override", sc.Seed)
			}
			if sc.Config.Heartbeat.Interval != 3*time.Second {
				t.Errorf("Interval = %v, want the default", sc.Config.Heartbeat.Interval)
			}
		})
	}
}

func TestClusterForms(t *testing.T) {
	tests := []struct{ cluster, want string }{
		{"{datanodes: 2}", "dn1,dn2"},
		{"{datanodes: [a, b-2, c_3]}", "a,b-2,c_3"},
		{"[x, y]", "x,y"},
		{"\n  - p\n  - q", "p,q"},
	}
	for _, tt := range tests {
		src := "name: t\nduration: 1m\nseed: 0\ncluster: " + tt.cluster + "\n"
		sc, err := Parse("t.yaml", []byte(src), Options{Env: noEnv})
		if err != nil {
			t.Errorf("cluster %s: %v", tt.cluster, err)
			continue
		}
		if got := strings.Join(sc.Nodes, ","); got != tt.want {
			t.Errorf("cluster %s: Nodes = %s, want %s", tt.cluster, got, tt.want)
		}
		if sc.Seed != 0 {
			t.Errorf("Seed = %d", sc.Seed)
		}
	}
	sc, err := Parse("t.yaml", []byte("name: t\nduration: 1m\ncluster: [a]\n"), Options{Env: noEnv})
	if err != nil || sc.Seed != DefaultSeed {
		t.Errorf("default seed: %v, %v", sc, err)
	}
}

func TestEventsSortedStably(t *testing.T) {
	src := `name: t
duration: 10m
cluster: {datanodes: 5}
events:
  - {at: 2m, restart: dn1}
  - {at: 1m, kill: [dn1, dn2]}
  - {at: 2m, restart: dn2}
  - {at: 3m, kill: dn1}
  - {at: 3m, restart: dn1}
`
	sc, err := Parse("t.yaml", []byte(src), Options{Env: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range sc.Events {
		got = append(got, fmtDuration(e.At)+" "+string(e.Action)+" "+strings.Join(e.Nodes, "+")+" @"+strconv.Itoa(e.Line))
	}
	want := "1m kill dn1+dn2 @6|2m restart dn1 @5|2m restart dn2 @7|3m kill dn1 @8|3m restart dn1 @9"
	if strings.Join(got, "|") != want {
		t.Errorf("events:\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
}
