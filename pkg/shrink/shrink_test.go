package shrink

import (
	"context"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
)

var update = flag.Bool("update", false, "rewrite testdata/*.small.yaml")

// load parses a shrunk scenario as `hbsim run SMALL.yaml` would, with no
// environment, runs it, and returns it and its one expectation.
func load(t *testing.T, data []byte) (*scenario.Scenario, bool, string) {
	t.Helper()
	s, err := scenario.Parse("small.yaml", data, scenario.Options{Env: noEnv})
	if err != nil {
		t.Fatalf("the small scenario does not parse: %v\n%s", err, data)
	}
	res, err := runner.Run(context.Background(), s, runner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Expectations) != 1 {
		t.Fatalf("%d expectations kept", len(res.Report.Expectations))
	}
	e := res.Report.Expectations[0]
	return s, e.Passed, e.Detail
}

// TestShrinkGCStorm is the acceptance test: 20 events on 30
// DataNodes, one of them a GC pause long enough to be taken for a death,
// shrink to that pause alone on its one DataNode.
func TestShrinkGCStorm(t *testing.T) {
	const path = "testdata/gc-storm.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Shrink(path, data, Options{Scenario: scenario.Options{Env: noEnv}, MaxRuns: 500, Name: "gc-storm.small"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Before != (Size{20, 30, 600e9}) || res.After.Events != 1 || res.After.Nodes != 1 || res.Stopped != "" {
		t.Errorf("shrunk %+v to %+v (stopped: %q)", res.Before, res.After, res.Stopped)
	}
	s, passed, detail := load(t, res.YAML)
	if passed || detail != "1 false positive (dn17 1)" || res.Detail != detail {
		t.Errorf("the small scenario: passed %v, %q (shrink said %q)", passed, detail, res.Detail)
	}
	if len(s.Events) != 1 || s.Events[0].Action != scenario.Pause || !slices.Equal(s.Nodes, []string{"dn17"}) {
		t.Errorf("kept %+v on %v", s.Events, s.Nodes)
	}
	golden := "testdata/gc-storm.small.yaml"
	if *update {
		if err := os.WriteFile(golden, res.YAML, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -run TestShrinkGCStorm -update writes it)", err)
	}
	if string(res.YAML) != string(want) {
		t.Errorf("shrunk scenario differs from %s:\n%s", golden, res.YAML)
	}
	for i, line := range strings.Split(string(res.YAML), "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("line %d is %d columns wide: %s", i+1, len([]rune(line)), line)
		}
	}
}

// TestShrinkRandomTargetAndSettings shrinks the third expectation, which
// a random kill breaks, with a setting from the environment: the random
// pick is written out as the ids the seed chose, the setting is written
// in, and the never_dead list loses the removed nodes.
func TestShrinkRandomTargetAndSettings(t *testing.T) {
	data, err := os.ReadFile("testdata/gc-storm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := func(k string) (string, bool) {
		if k == "HBSIM_NETWORK_JITTER" {
			return "2ms", true
		}
		return "", false
	}
	res, err := Shrink("testdata/gc-storm.yaml", data, Options{Scenario: scenario.Options{Env: env}, Expect: 3})
	if err != nil {
		t.Fatal(err)
	}
	s, passed, detail := load(t, res.YAML)
	if passed || !strings.HasPrefix(detail, "dn10 declared dead at ") {
		t.Errorf("passed %v, %q", passed, detail)
	}
	y := string(res.YAML)
	for _, want := range []string{"kill: {nodes: [dn10]}", "never_dead: [dn10]", "jitter: 2ms", "Written out: settings from $HBSIM_NETWORK_JITTER; random targets (lines 29, 31)."} {
		if !strings.Contains(strings.ReplaceAll(y, "\n# ", " "), want) {
			t.Errorf("lacks %q:\n%s", want, y)
		}
	}
	if s.Config.Network.Jitter.String() != "2ms" {
		t.Errorf("jitter %s", s.Config.Network.Jitter)
	}
}

// TestShrinkBounds: the search stops at --max-runs and still returns a
// scenario that fails the same way.
func TestShrinkBounds(t *testing.T) {
	data, _ := os.ReadFile("testdata/gc-storm.yaml")
	res, err := Shrink("gc-storm.yaml", data, Options{Scenario: scenario.Options{Env: noEnv}, MaxRuns: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stopped != "--max-runs 4" || res.Runs != 4 || !strings.Contains(string(res.YAML), "Stopped early by --max-runs 4") {
		t.Errorf("stopped %q after %d runs", res.Stopped, res.Runs)
	}
	if _, passed, _ := load(t, res.YAML); passed {
		t.Error("the partly shrunk scenario passes")
	}
}

func TestShrinkRefuses(t *testing.T) {
	data, _ := os.ReadFile("testdata/gc-storm.yaml")
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{Expect: 1}, "expectation 1 (dn8 dead within 1m0s) holds: nothing to shrink"},
		{Options{Expect: 4}, "--expect 4: x.yaml has 3 expectations"},
		{Options{Scenario: scenario.Options{Sets: []string{"heartbeat.miss_threshold=100"}}, Expect: 2}, "expectation 2 (false positives = 0) holds"},
	} {
		c.opts.Scenario.Env = noEnv
		if _, err := Shrink("x.yaml", data, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.opts, err, c.want)
		}
	}
	if _, err := Shrink("x.yaml", []byte("name: x\nduration: 1m\ncluster: {datanodes: 2}\n"), Options{}); err == nil || !strings.Contains(err.Error(), "every expectation holds") {
		t.Errorf("no expectation: %v", err)
	}
}

// TestRetargetGroupsAndRacks removes nodes from a partition between
// groups and from racks: sides and racks left empty take their events
// with them.
func TestRetargetGroupsAndRacks(t *testing.T) {
	const src = `name: groups
duration: 2m
cluster: {racks: {r1: [a, b], r2: [c, d]}}
events:
  - {at: 10s, partition: {groups: [[a, c], [namenode, b, d]]}, for: 30s}
  - {at: 20s, slow: {rack: r2}, latency: 1s, for: 10s}
  - {at: 30s, pause: {nodes: [b, d]}, for: 40s}
expect:
  - {never_dead: [a, b, c, d]}
golden: testdata/groups.json
`
	s0, err := scenario.Parse("g.yaml", []byte(src), scenario.Options{Env: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	sh := &shrinker{path: "g.yaml", nodes: s0.Nodes, racks: s0.Racks}
	if err := sh.normalize([]byte(src), s0, 0); err != nil {
		t.Fatal(err)
	}
	// Keep a and b: c and d go, so does rack r2 and the slow event.
	out, kept := sh.render(candidate{events: []int{0, 1, 2}, nodes: []int{0, 1}, duration: s0.Duration})
	y := string(out)
	for _, want := range []string{"cluster: {racks: {r1: [a, b]}}", "groups: [[a], [namenode, b]]", "pause: {nodes: [b]}", "never_dead: [a, b]"} {
		if !strings.Contains(y, want) {
			t.Errorf("lacks %q:\n%s", want, y)
		}
	}
	if !slices.Equal(kept, []int{0, 2}) {
		t.Errorf("kept events %v, want [0 2]", kept)
	}
	if !sh.hadGolden || strings.Contains(y, "golden") {
		t.Errorf("the golden report must go (it describes the whole scenario):\n%s", y)
	}
	if _, err := scenario.Parse("g.yaml", out, scenario.Options{Env: noEnv}); err != nil {
		t.Errorf("does not parse: %v\n%s", err, y)
	}
	// Keep only b: the partition's first side is empty, so it goes.
	_, kept = sh.render(candidate{events: []int{0, 1, 2}, nodes: []int{1}, duration: s0.Duration})
	if !slices.Equal(kept, []int{2}) {
		t.Errorf("kept events %v, want [2]", kept)
	}
}

func TestDDMin(t *testing.T) {
	calls := 0
	items := upTo(40)
	got := ddmin(items, func(s []int) bool {
		calls++
		return slices.Contains(s, 7) && slices.Contains(s, 31)
	})
	if !slices.Equal(got, []int{7, 31}) || calls > 80 {
		t.Errorf("ddmin = %v after %d tests", got, calls)
	}
	if got := ddmin(items, func([]int) bool { return true }); got != nil {
		t.Errorf("a failure that needs nothing: %v", got)
	}
}

func TestSignature(t *testing.T) {
	same := [][2]string{
		{"killed at 00:01:10.000, declared dead at 00:02:00.000: detection 50s > 35s", "killed at 00:00:20.000, declared dead at 00:01:01.500: detection 41.5s > 35s"},
		{"1 false positive (dn17 1)", "3 false positives (dn2 1, dn5 2)"},
		{"dn4 declared dead at 00:07:30.000 (missed 10 of 10 heartbeats)", "dn10 declared dead at 00:01:00.000 (phi 8.1 above 8)"},
		{"killed at 00:00:20.000, never declared dead; killed at ...", "killed at 00:03:00.000, never declared dead"},
	}
	for _, c := range same {
		if signature(c[0]) != signature(c[1]) {
			t.Errorf("%q and %q should be the same failure: %q vs %q", c[0], c[1], signature(c[0]), signature(c[1]))
		}
	}
	differ := [][2]string{
		{"killed at 00:01:10.000, declared dead at 00:02:00.000: detection 50s > 35s", "dn3 was never killed, so there was nothing to detect"},
		{"killed at 00:01:10.000, declared dead at 00:02:00.000: detection 50s > 35s", "killed at 00:01:10.000, never declared dead"},
	}
	for _, c := range differ {
		if signature(c[0]) == signature(c[1]) {
			t.Errorf("%q and %q should differ", c[0], c[1])
		}
	}
}

func TestRanges(t *testing.T) {
	all := []string{"dn1", "dn2", "dn3", "dn4", "dn5", "dn6", "dn7"}
	if got := ranges([]string{"dn1", "dn2", "dn3", "dn5", "dn6", "dn7"}, all); got != "dn1..dn3, dn5..dn7" {
		t.Errorf("ranges = %s", got)
	}
	if got := ranges([]string{"dn2", "dn3", "dn6"}, all); got != "dn2, dn3, dn6" {
		t.Errorf("ranges = %s", got)
	}
}
