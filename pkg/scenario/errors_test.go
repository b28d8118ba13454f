package scenario

import (
	"errors"
	"strings"
	"testing"
)

// head is a valid start; tests append lines, so line numbers below count
// from 5.
const head = `name: bad
duration: 3m
cluster: {datanodes: 5}
seed: 1
`

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
		env  map[string]string
		sets []string
	}{
		{"yaml unclosed flow", head + "events: [{at: 30s\n", "bad.yaml:5: invalid YAML: did not find expected ',' or '}'", nil, nil},
		{"yaml unclosed list", "name: x\ncluster: [a\nduration: 1m\n", "bad.yaml:2: invalid YAML: did not find expected ',' or ']'", nil, nil},
		{"yaml bad mapping", "name: x\nduration: 1m\ncluster: a: b\n", "bad.yaml:3: invalid YAML: mapping values are not allowed", nil, nil},
		{"yaml unclosed at end", "[a\n", "bad.yaml:2: invalid YAML: did not find expected ',' or ']'", nil, nil},
		{"yaml first line", "a: b: c\n", "bad.yaml:1: invalid YAML: mapping values", nil, nil},
		{"yaml tab", "name: x\n\tduration: 3m\n", "bad.yaml:2: invalid YAML:", nil, nil},
		{"empty file", "", "bad.yaml: empty scenario", nil, nil},
		{"not a mapping", "- a\n- b\n", "bad.yaml:1: a scenario must be a mapping", nil, nil},
		{"alias", head + "description: &d hi\nnetwork: *d\n", "bad.yaml:6: YAML aliases (*d) are not supported", nil, nil},
		{"unknown top key, nothing close", head + "bogus: 3m\n", "bad.yaml:5: bogus: unknown key (want name, description, seed, duration,", nil, nil},
		{"cluster unknown key, nothing close", "name: x\nduration: 1m\ncluster: {nodes: 3}\n", "bad.yaml:3: cluster.nodes: unknown key (want datanodes, racks, capacity, bandwidth or volumes)", nil, nil},
		{"config unknown key, nothing close", head + "heartbeat:\n  latency: 3s\n", "bad.yaml:6: heartbeat.latency: unknown key (want interval, check_interval, miss_threshold, stale_after,", nil, nil},
		{"event action misspelt", head + "events:\n  - {at: 30s, kil: dn3}\n", "bad.yaml:6: events[0].kil: unknown key; did you mean kill?", nil, nil},
		{"event key misspelt", head + "events:\n  - {at: 30s, pause: dn3, fro: 5s}\n", "bad.yaml:6: events[0].fro: unknown key for pause; did you mean for?", nil, nil},
		{"unknown top key", head + "durration: 3m\n", "bad.yaml:5: durration: unknown key; did you mean duration?", nil, nil},
		{"alias not text", head + "aliases: [old, 3]\n", "bad.yaml:5: aliases[1]: must be text, got 3", nil, nil},
		{"alias empty", head + "aliases: \"\"\n", "bad.yaml:5: aliases: must not be empty", nil, nil},
		{"duplicate key", head + "name: again\n", "bad.yaml:5: name: duplicate key (first at line 1)", nil, nil},
		{"missing name", "duration: 1m\ncluster: [a]\n", "bad.yaml:1: name: missing", nil, nil},
		{"missing duration", "name: x\ncluster: [a]\n", "bad.yaml:1: duration: missing", nil, nil},
		{"name not text", "name: [x]\nduration: 1m\ncluster: [a]\n", "bad.yaml:1: name: must be text, got a list", nil, nil},
		{"negative seed", "name: x\nduration: 1m\ncluster: [a]\nseed: -4\n", "bad.yaml:4: seed: must be a whole number from 0 to", nil, nil},
		{"seed text", "name: x\nduration: 1m\ncluster: [a]\nseed: abc\n", `bad.yaml:4: seed: must be a whole number, got "abc"`, nil, nil},
		{"seed past int64", "name: x\nduration: 1m\ncluster: [a]\nseed: 99999999999999999999\n", "bad.yaml:4: seed: must be a whole number from 0 to 4611686018427387904, got 99999999999999999999", nil, nil},
		{"duration without unit", "name: x\nduration: 180\ncluster: [a]\n", "bad.yaml:2: duration: must be a duration with a unit, such as 30s or 2m, got 180", nil, nil},
		{"duration zero", "name: x\nduration: 0s\ncluster: [a]\n", "bad.yaml:2: duration: must be longer than 0s", nil, nil},
		{"duration negative", "name: x\nduration: -3m\ncluster: [a]\n", "bad.yaml:2: duration: must not be negative, got -3m", nil, nil},
		{"cluster zero", "name: x\nduration: 1m\ncluster: {datanodes: 0}\n", "bad.yaml:3: cluster.datanodes: must be at least 1, got 0", nil, nil},
		{"cluster negative", "name: x\nduration: 1m\ncluster: {datanodes: -2}\n", "bad.yaml:3: cluster.datanodes: must be a whole number from 0 to 1000000, got -2", nil, nil},
		{"cluster too big", "name: x\nduration: 1m\ncluster: {datanodes: 1000001}\n", "cluster.datanodes: must be a whole number from 0 to 1000000", nil, nil},
		{"cluster unknown key", "name: x\nduration: 1m\ncluster: {datanode: 3}\n", "bad.yaml:3: cluster.datanode: unknown key; did you mean datanodes?", nil, nil},
		{"cluster scalar", "name: x\nduration: 1m\ncluster: 3\n", "bad.yaml:3: cluster: must be {datanodes: 5}", nil, nil},
		{"cluster duplicate name", "name: x\nduration: 1m\ncluster:\n  - a\n  - b\n  - a\n", `bad.yaml:6: cluster[2]: duplicate DataNode "a" (first at line 4)`, nil, nil},
		{"cluster empty name", "name: x\nduration: 1m\ncluster: {datanodes: [a, '']}\n", `bad.yaml:3: cluster.datanodes[1]: DataNode name "" must be`, nil, nil},
		{"cluster dotted name", "name: x\nduration: 1m\ncluster: [a.b]\n", `cluster[0]: DataNode name "a.b" must be`, nil, nil},
		{"cluster empty list", "name: x\nduration: 1m\ncluster: []\n", "bad.yaml:3: cluster: must name at least one DataNode", nil, nil},
		{"config unknown key", head + "heartbeat:\n  intervall: 3s\n", "bad.yaml:6: heartbeat.intervall: unknown key; did you mean interval?", nil, nil},
		{"config negative threshold", head + "heartbeat:\n  interval: 3s\n  miss_threshold: -2\n", "bad.yaml:7: heartbeat.miss_threshold: must be a whole number ≥ 1, got -2", nil, nil},
		{"config negative latency", head + "network: {latency: -1ms}\n", "bad.yaml:5: network.latency: must not be negative, got -1ms", nil, nil},
		{"config wrong type", head + "network: {latency: [1ms]}\n", "bad.yaml:5: network.latency: must be a single value, got a list", nil, nil},
		{"config unitless", head + "heartbeat: {interval: 3}\n", "bad.yaml:5: heartbeat.interval: must be a duration with a unit", nil, nil},
		{"config section scalar", head + "network: fast\n", `bad.yaml:5: network: must be a mapping such as {latency: ...}, got "fast"`, nil, nil},
		{"config duplicate", head + "heartbeat:\n  interval: 3s\n  interval: 4s\n", "bad.yaml:7: heartbeat.interval: duplicate key (first at line 6)", nil, nil},
		{"env bad", head, `$HBSIM_NETWORK_JITTER: network.jitter: must be a duration with a unit, such as 3s or 500ms, got "lots"`,
			map[string]string{"HBSIM_NETWORK_JITTER": "lots"}, nil},
		{"set unknown", head, "--set heartbeat.treshold: unknown key", nil, []string{"heartbeat.treshold=1"}},
		{"events not list", head + "events: {at: 1s}\n", "bad.yaml:5: events: must be a list", nil, nil},
		{"event not mapping", head + "events:\n  - kill dn3\n", `bad.yaml:6: events[0]: must be a mapping such as {at: 30s, kill: dn3}, got "kill dn3"`, nil, nil},
		{"event unknown node", head + "events:\n  - {at: 10s, kill: dn1}\n  - {at: 30s, kill: dn9}\n", `bad.yaml:7: events[1].kill: unknown DataNode "dn9" (cluster has dn1..dn5)`, nil, nil},
		{"event unknown node in list", head + "events:\n  - at: 10s\n    kill:\n      - dn1\n      - dn6\n", `bad.yaml:9: events[0].kill[1]: unknown DataNode "dn6"`, nil, nil},
		{"event node twice", head + "events:\n  - {at: 10s, kill: [dn1, dn1]}\n", "bad.yaml:6: events[0].kill[1]: dn1 is listed twice", nil, nil},
		{"event at end", head + "events:\n  - {at: 3m, kill: dn1}\n", "bad.yaml:6: events[0].at: 3m is not before the end of the run (duration: 3m)", nil, nil},
		{"event after end", head + "events:\n  - {at: 1h, kill: dn1}\n", "bad.yaml:6: events[0].at: 1h is not before the end of the run", nil, nil},
		{"event negative at", head + "events:\n  - {at: -1s, kill: dn1}\n", "bad.yaml:6: events[0].at: must not be negative, got -1s", nil, nil},
		{"event missing at", head + "events:\n  - {kill: dn1}\n", "bad.yaml:6: events[0]: missing at", nil, nil},
		{"event no action", head + "events:\n  - {at: 1s}\n", "bad.yaml:6: events[0]: needs an action: one of kill, restart, pause, partition, slow, loss, namenode_overload, clock_drift, decommission, maintenance, recommission or volume_failure", nil, nil},
		{"event two actions", head + "events:\n  - {at: 1s, kill: dn1, restart: dn2}\n", "bad.yaml:6: events[0]: one action per event, got kill and restart", nil, nil},
		{"event two actions", head + "events:\n  - {at: 1s, kill: dn1, pause: dn2}\n", "bad.yaml:6: events[0]: one action per event, got kill and pause", nil, nil},
		{"event unknown key", head + "events:\n  - {at: 1s, kill: dn1, sev: 2}\n", "bad.yaml:6: events[0].sev: unknown key for kill (want at)", nil, nil},
		{"kill with for", head + "events:\n  - {at: 1s, kill: dn1, for: 5s}\n", "bad.yaml:6: events[0].for: kill is instantaneous; to bring the node back, add a restart event", nil, nil},
		{"pause without for", head + "events:\n  - {at: 1s, pause: dn1}\n", "bad.yaml:6: events[0].pause: a pause needs for: or until:", nil, nil},
		{"until before at", head + "events:\n  - {at: 10s, pause: dn1, until: 5s}\n", "bad.yaml:6: events[0].until: 5s is not after at (10s)", nil, nil},
		{"slow without latency", head + "events:\n  - {at: 1s, slow: dn1, for: 5s}\n", "bad.yaml:6: events[0]: slow needs latency", nil, nil},
		{"slow bad latency", head + "events:\n  - {at: 1s, slow: dn1, latency: {dist: weird}}\n", "bad.yaml:6: events[0].latency: dist must be one of", nil, nil},
		{"loss above one", head + "events:\n  - {at: 1s, loss: dn1, p: 2}\n", "bad.yaml:6: events[0].p: must be a probability between 0 and 1, got 2", nil, nil},
		{"unknown rack", head + "events:\n  - {at: 1s, partition: {rack: r9}, for: 5s}\n", "bad.yaml:6: events[0].partition.rack: unknown rack \"r9\" (cluster has no racks: add racks to cluster)", nil, nil},
		{"random too many", head + "events:\n  - {at: 1s, kill: {random: 9}}\n", "bad.yaml:6: events[0].kill.random: must be a whole number from 0 to 5, got 9", nil, nil},
		{"two target forms", head + "events:\n  - {at: 1s, kill: {random: 1, rack: r1}}\n", "bad.yaml:6: events[0].kill: name the targets one way", nil, nil},
		{"overload without service time", head + "events:\n  - {at: 1s, namenode_overload: {handlers: 2}, for: 5s}\n", "bad.yaml:6: events[0].namenode_overload.service_time: missing", nil, nil},
		{"drift ratio zero", head + "events:\n  - {at: 1s, clock_drift: dn1, ratio: 0}\n", "bad.yaml:6: events[0].ratio: must be from 0.01 to 100", nil, nil},
		{"drift ratio tiny", head + "events:\n  - {at: 1s, clock_drift: dn1, ratio: 1e-300}\n", "bad.yaml:6: events[0].ratio: must be from 0.01 to 100 (1.5: the node's timers run 1.5× fast; 0.5: half speed), got 1e-300", nil, nil},
		{"drift ratio NaN", head + "events:\n  - {at: 1s, clock_drift: dn1, ratio: .nan}\n", "bad.yaml:6: events[0].ratio: must be a number, got .nan", nil, nil},
		{"drift over a long run", "name: x\nduration: 9000h\ncluster: {datanodes: 2}\nevents:\n  - {at: 1s, clock_drift: dn1, ratio: 100}\n",
			"bad.yaml:5: events[0].clock_drift: a clock running 100× as fast over 9000h (timers up to 9s) would pass 876000h (100 years)", nil, nil},
		{"drift of a slow clock with a long timer", "name: x\nduration: 1h\ncluster: {datanodes: 2}\nheartbeat: {rpc_timeout: 100000h}\nevents:\n  - {at: 1s, clock_drift: dn1, ratio: 0.01}\n",
			"bad.yaml:6: events[0].clock_drift: a clock running 0.01× as fast over 1h (timers up to 100000h) would pass", nil, nil},
		{"overload load huge", head + "events:\n  - {at: 1s, namenode_overload: {service_time: 1ms, load: 1e300}, for: 5s}\n", "bad.yaml:6: events[0].namenode_overload.load: must be from 0 to 1000000 background requests per second, got 1e+300", nil, nil},
		{"overload load too small to draw a gap", head + "events:\n  - {at: 1s, namenode_overload: {service_time: 1ms, load: 1e-300}, for: 5s}\n", "bad.yaml:6: events[0].namenode_overload.load: must be 0 (none) or at least 1e-06 background requests per second (one every 11.6 days), got 1e-300", nil, nil},
		{"block copy longer than a virtual time", "name: x\nduration: 1m\ncluster: {datanodes: 3, bandwidth: 1B/s, capacity: 1000PiB}\ndata: {blocks: 3, block_size: 1PiB}\n",
			"bad.yaml:4: data.block_size: one block of 1PiB at 1B/s takes 3.57e+07 years to copy", nil, nil},
		{"overload load inf", head + "events:\n  - {at: 1s, namenode_overload: {service_time: 1ms, load: .inf}, for: 5s}\n", "bad.yaml:6: events[0].namenode_overload.load: must be a number, got .inf", nil, nil},
		{"overload queue overflows", head + "events:\n  - {at: 1s, namenode_overload: {service_time: 800000h, load: 1000}}\n",
			"bad.yaml:6: events[0].namenode_overload.service_time: the NameNode's queue would hold work until after 876000h (100 years)", nil, nil},
		{"overload handlers", head + "events:\n  - {at: 1s, namenode_overload: {service_time: 1ms, handlers: 20000}, for: 5s}\n", "bad.yaml:6: events[0].namenode_overload.handlers: must be a whole number from 0 to 10000, got 20000", nil, nil},
		{"event time too long", head + "events:\n  - {at: 1s, pause: dn1, for: 99999999999h}\n", `bad.yaml:6: events[0].for: "99999999999h" is too long: at most 876000h (100 years)`, nil, nil},
		{"duration too long", "name: x\nduration: 900000h\ncluster: [a]\n", `bad.yaml:2: duration: "900000h" is too long: at most 876000h (100 years)`, nil, nil},
		{"partition groups overlap", head + "events:\n  - at: 1s\n    for: 5s\n    partition:\n      groups:\n        - [dn1, dn2]\n        - [dn3, dn2]\n",
			"bad.yaml:11: events[0].partition.groups[1][1]: dn2 is listed twice (first at events[0].partition.groups[0][1])", nil, nil},
		{"partition group duplicate", head + "events:\n  - {at: 1s, for: 5s, partition: {groups: [[dn1, dn1], [dn3]]}}\n",
			"bad.yaml:6: events[0].partition.groups[0][1]: dn1 is listed twice (first at events[0].partition.groups[0][0])", nil, nil},
		{"partition namenode both sides", head + "events:\n  - {at: 1s, for: 5s, partition: {groups: [[dn1, namenode], [dn3, namenode]]}}\n",
			"bad.yaml:6: events[0].partition.groups[1][1]: namenode is already in events[0].partition.groups[0]: it can be on one side only", nil, nil},
		{"pause of a dead node", head + "events:\n  - {at: 10s, kill: dn2}\n  - {at: 20s, pause: dn2, for: 5s}\n",
			"bad.yaml:7: events[1].pause: dn2 is down at 20s (killed at 10s, line 6): only a running process can be paused", nil, nil},
		{"pause of a paused node", head + "events:\n  - {at: 10s, pause: dn2, for: 30s}\n  - {at: 20s, pause: [dn1, dn2], for: 5s}\n",
			"bad.yaml:7: events[1].pause: dn2 is already paused at 20s (from 10s to 40s, line 6): make it one longer pause", nil, nil},
		{"pause of a paused namenode", head + "events:\n  - {at: 10s, pause: namenode, for: 30s}\n  - {at: 20s, pause: namenode, for: 5s}\n",
			"bad.yaml:7: events[1].pause: the NameNode is already paused at 20s (from 10s to 40s, line 6): make it one longer pause", nil, nil},
		{"more failed volumes than a node has", head + "events:\n  - {at: 10s, volume_failure: dn2, volumes: 5}\n",
			"bad.yaml:6: events[0].volume_failure: dn2 has 1 volume(s) (cluster.volumes) and 0 already failed: 5 more cannot fail", nil, nil},
		{"decommission twice", head + "events:\n  - {at: 10s, decommission: dn2}\n  - {at: 20s, decommission: dn2}\n",
			"bad.yaml:7: events[1].decommission: dn2 is already being decommissioned (line 6): recommission it first", nil, nil},
		{"recommission of a normal node", head + "events:\n  - {at: 10s, recommission: dn2}\n",
			"bad.yaml:6: events[0].recommission: dn2 was never decommissioned nor put in maintenance before 10s: nothing to recommission", nil, nil},
		{"random pause with too few running", head + "events:\n  - {at: 10s, kill: [dn1, dn2, dn3, dn4]}\n  - {at: 20s, pause: {random: 2}, for: 5s}\n",
			"bad.yaml:7: events[1].pause: wants 2 nodes but only 1 can be paused at 20s", nil, nil},
		{"restart of a running node", head + "events:\n  - {at: 10s, restart: dn1}\n", "bad.yaml:6: events[0].restart: dn1 is not down at 10s: it was never killed", nil, nil},
		{"bad direction", head + "events:\n  - {at: 1s, partition: dn1, direction: up, for: 5s}\n", "bad.yaml:6: events[0].direction: must be both, to", nil, nil},
		{"event duplicate key", head + "events:\n  - at: 1s\n    at: 2s\n    kill: dn1\n", "bad.yaml:7: events[0].at: duplicate key (first at line 6)", nil, nil},
		{"restart never killed", head + "events:\n  - {at: 1m, kill: dn1}\n  - {at: 2m, restart: dn2}\n", "bad.yaml:7: events[1].restart: dn2 is not down at 2m: it was never killed", nil, nil},
		{"restart twice", head + "events:\n  - {at: 1m, kill: dn1}\n  - {at: 2m, restart: dn1}\n  - {at: 150s, restart: dn1}\n",
			"bad.yaml:8: events[2].restart: dn1 is not down at 2m30s: it was already restarted at 2m (line 7)", nil, nil},
		{"restart before kill in time", head + "events:\n  - {at: 2m, kill: dn1}\n  - {at: 1m, restart: dn1}\n", "bad.yaml:7: events[1].restart: dn1 is not down at 1m: it was never killed", nil, nil},
		{"kill twice", head + "events:\n  - {at: 1m, kill: dn1}\n  - {at: 2m, kill: [dn2, dn1]}\n", "bad.yaml:7: events[1].kill: dn1 is already down at 2m (killed at 1m, line 6)", nil, nil},
		{"expect not list", head + "expect: {dead: dn1}\n", "bad.yaml:5: expect: must be a list", nil, nil},
		{"expect unknown kind", head + "expect:\n  - {alive: dn1}\n", "bad.yaml:6: expect[0].alive: unknown expectation; want one of dead, decommissioned, failed_reads, false_positives, metric, never_dead, no_data_loss, read_p99_below, recovered_within", nil, nil},
		{"expect unknown node", head + "expect:\n  - {false_positives: 0}\n  - dead: dn7\n    within: 35s\n", `bad.yaml:7: expect[1].dead: unknown DataNode "dn7" (cluster has dn1..dn5)`, nil, nil},
		{"expect bad within", head + "expect:\n  - dead: dn1\n    within: soon\n", `bad.yaml:7: expect[0].within: must be a duration with a unit, such as 35s, got "soon"`, nil, nil},
		{"expect list element", head + "expect:\n  - never_dead:\n      - dn1\n      - dn8\n", `bad.yaml:8: expect[0].never_dead[1]: unknown DataNode "dn8"`, nil, nil},
		{"expect nested field", head + "expect:\n  - false_positives:\n      min: 1\n      most: 3\n", "bad.yaml:8: expect[0].false_positives.most: unknown field", nil, nil},
		{"expect extra field", head + "expect:\n  - {false_positives: 0, within: 3s}\n", "bad.yaml:6: expect[0].within: unknown field for false_positives", nil, nil},
		{"expect duplicate key", head + "expect:\n  - {false_positives: 0, false_positives: 1}\n", "bad.yaml:6: expect[0].false_positives: duplicate key (first at line 6)", nil, nil},
		{"expect metric typo", head + "expect:\n  - {metric: nodes.dn1.detection, max: 1}\n", `bad.yaml:6: expect[0].metric: no field "detection" at nodes.dn1`, nil, nil},
		{"expect not mapping", head + "expect:\n  - dead dn1\n", `bad.yaml:6: expect[0]: must be a mapping such as {dead: dn3, within: 35s}, got "dead dn1"`, nil, nil},
		{"huge int", head + "expect:\n  - {false_positives: 99999999999999999999999}\n", "bad.yaml:6: expect[0].false_positives:", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.src), Options{Env: mapEnv(tt.env), Sets: tt.sets})
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%s\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

func TestErrorsAreAllReported(t *testing.T) {
	src := "name: x\nduration: 1m\ncluster: [a]\nheartbeat: {interval: 0s}\nnetwork: {jitter: -1s}\nbogus: 1\n"
	_, err := Parse("f.yaml", []byte(src), Options{Env: noEnv})
	for _, want := range []string{"f.yaml:6: bogus: unknown key", "f.yaml:4: heartbeat.interval: must be a positive duration",
		"f.yaml:5: network.jitter: must not be negative"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v\nwant it to contain %q", err, want)
		}
	}
	var se *Error
	if !errors.As(err, &se) || se.File != "f.yaml" || se.Line != 6 {
		t.Errorf("want a *Error for line 6 first, got %#v", se)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("does/not/exist.yaml", Options{Env: noEnv})
	if err == nil || !strings.Contains(err.Error(), "read scenario") {
		t.Errorf("Load = %v", err)
	}
}
