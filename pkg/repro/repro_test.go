package repro

import (
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/scenario"
)

const file = `name: x
duration: 1m
cluster: {datanodes: 3}
seed: 9
heartbeat: {interval: 3s, miss_threshold: 4}
network: {latency: {dist: uniform, min: 1ms, max: 5ms}}
detectors: [phi]
events:
  - {at: 10s, kill: dn2}
expect:
  - {dead: dn2, within: 1s}
`

func TestFor(t *testing.T) {
	env := map[string]string{"HBSIM_NETWORK_JITTER": "2ms"}
	s, err := scenario.Parse("dir with space/x.yaml", []byte(file), scenario.Options{
		Sets:     []string{"heartbeat.check_interval=250ms", "heartbeat.miss_threshold=10"},
		Env:      func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		HDFSSite: []config.Setting{{Key: "heartbeat.rpc_timeout", Value: "5s", Origin: "site.xml:7 (ipc.client.rpc-timeout.ms)"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := For(s)
	want := "hbsim run 'dir with space/x.yaml' --seed 9 --set heartbeat.check_interval=250ms --set heartbeat.miss_threshold=10" +
		" --set heartbeat.rpc_timeout=5s --set network.jitter=2ms --compare phi"
	if r.Command != want {
		t.Errorf("command\n%s\nwant\n%s", r.Command, want)
	}
	var got []string
	for _, st := range r.Settings {
		got = append(got, st.Key+"@"+st.Origin)
	}
	// interval 3s is the default: written in the file, but no difference;
	// miss_threshold 10 is the default again after --set, but --set must
	// still be on the command line, since it overrides the file's 4.
	if g, w := strings.Join(got, "\n"), "heartbeat.check_interval@--set heartbeat.check_interval\n"+
		"heartbeat.rpc_timeout@site.xml:7 (ipc.client.rpc-timeout.ms)\n"+
		"network.latency@dir with space/x.yaml:6\n"+
		"network.jitter@$HBSIM_NETWORK_JITTER"; g != w {
		t.Errorf("settings\n%s\nwant\n%s", g, w)
	}
	if r.Seed != 9 || r.Version == "" || r.Commit == "" {
		t.Errorf("block %+v", r)
	}

	rep := &report.Report{Expectations: []report.Expectation{{Name: "a", Passed: true}, {Name: "b"}}}
	Attach(rep, s)
	if rep.Expectations[0].Repro != nil || rep.Expectations[1].Repro == nil {
		t.Error("only failed expectations carry the block")
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"scenarios/x.yaml": "scenarios/x.yaml",
		"a b":              "'a b'",
		"it's":             `'it'\''s'`,
		"":                 "''",
		"$HOME":            "'$HOME'",
	} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}
