package shard

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestResolve(t *testing.T) {
	cases := []struct {
		name  string
		req   Request
		env   map[string]string
		want  Spec
		from  string
		error string
	}{
		{name: "nothing", want: Spec{}},
		{name: "flag", req: Request{Flag: "2/8"}, want: Spec{2, 8}, from: "--shard"},
		{name: "flag beats the engine", req: Request{Flag: "1/2"}, env: map[string]string{EnvK8sIndex: "5"}, want: Spec{1, 2}, from: "--shard"},
		{name: "kubernetes with --shard-total", req: Request{Total: 4}, env: map[string]string{EnvK8sIndex: "0"}, want: Spec{1, 4}, from: EnvK8sIndex},
		{name: "kubernetes with HBSIM_SHARD_TOTAL", env: map[string]string{EnvK8sIndex: "3", EnvTotal: "4"}, want: Spec{4, 4}, from: EnvK8sIndex},
		{name: "kubernetes: --shard-total beats the variable", req: Request{Total: 5}, env: map[string]string{EnvK8sIndex: "4", EnvTotal: "4"}, want: Spec{5, 5}, from: EnvK8sIndex},
		{name: "slurm", env: map[string]string{EnvSlurmIndex: "9", EnvSlurmCount: "10", EnvSlurmMin: "0"}, want: Spec{10, 10}, from: EnvSlurmIndex},
		{name: "bazel", env: map[string]string{EnvBazelIndex: "0", EnvBazelTotal: "1"}, want: Spec{1, 1}, from: EnvBazelIndex},
		{name: "bazel agrees with --shard-total", req: Request{Total: 2}, env: map[string]string{EnvBazelIndex: "1", EnvBazelTotal: "2"}, want: Spec{2, 2}, from: EnvBazelIndex},
		{name: "empty variables are unset", env: map[string]string{EnvK8sIndex: " ", EnvSlurmIndex: ""}, want: Spec{}},

		{name: "flag and total", req: Request{Flag: "1/2", Total: 2}, error: "drop --shard-total"},
		{name: "flag out of range", req: Request{Flag: "3/2"}, error: "the shard must be 1 to 2"},
		{name: "flag zero shards", req: Request{Flag: "1/0"}, error: "number of shards must be 1"},
		{name: "flag too many", req: Request{Flag: "1/2000000"}, error: "number of shards must be 1"},
		{name: "negative total", req: Request{Total: -1}, error: "invalid --shard-total -1"},
		{name: "kubernetes without total", env: map[string]string{EnvK8sIndex: "0"}, error: "HBSIM_SHARD_TOTAL to the Job's completions"},
		{name: "kubernetes zero total", env: map[string]string{EnvK8sIndex: "0", EnvTotal: "0"}, error: `HBSIM_SHARD_TOTAL="0"`},
		{name: "kubernetes index too big", env: map[string]string{EnvK8sIndex: "4", EnvTotal: "4"}, error: "JOB_COMPLETION_INDEX=4 (shard 5, counted from 1): the shard must be 1 to 4"},
		{name: "not a number", env: map[string]string{EnvK8sIndex: "one", EnvTotal: "4"}, error: `JOB_COMPLETION_INDEX="one": want a whole number`},
		{name: "slurm without count", env: map[string]string{EnvSlurmIndex: "1"}, error: "SLURM_ARRAY_TASK_COUNT is not"},
		{name: "slurm from 1", env: map[string]string{EnvSlurmIndex: "1", EnvSlurmCount: "3", EnvSlurmMin: "1"}, error: "--array=0-2"},
		{name: "bazel disagrees", req: Request{Total: 3}, env: map[string]string{EnvBazelIndex: "0", EnvBazelTotal: "2"}, error: "TEST_SHARD_INDEX says 2 shards but --shard-total says 3"},
		{name: "two engines", env: map[string]string{EnvK8sIndex: "0", EnvTotal: "2", EnvBazelIndex: "0", EnvBazelTotal: "2"}, error: "both JOB_COMPLETION_INDEX and TEST_SHARD_INDEX"},
		{name: "total alone", env: map[string]string{EnvTotal: "2"}, error: "HBSIM_SHARD_TOTAL is given but no shard index"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.req.Env = env(c.env)
			got, err := Resolve(c.req)
			if c.error != "" {
				if err == nil || !strings.Contains(err.Error(), c.error) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("error %v, want one line with %q", err, c.error)
				}
				return
			}
			if err != nil || got.Spec != c.want || got.From != c.from {
				t.Fatalf("= %v from %q, %v; want %v from %q", got.Spec, got.From, err, c.want, c.from)
			}
		})
	}
	r, _ := Resolve(Request{Env: env(map[string]string{EnvBazelIndex: "0", EnvBazelTotal: "2", EnvBazelStatus: "/tmp/s"})})
	if r.StatusFile != "/tmp/s" {
		t.Errorf("Bazel's status file %q", r.StatusFile)
	}
}

// TestOwnerIsFixed pins the split: a change of hash would silently move
// runs between shards written by two versions of hbsim.
func TestOwnerIsFixed(t *testing.T) {
	var got []string
	for seed := int64(1); seed <= 8; seed++ {
		got = append(got, fmt.Sprint(Owner(Key("scenarios/x.yaml", "heartbeat.miss_threshold=3", seed), 4)))
	}
	if g, want := strings.Join(got, ""), "23134243"; g != want {
		t.Errorf("owners of seeds 1..8 = %s, want %s", g, want)
	}
	if Key(`a\b.yaml`, "", 1) != Key("a/b.yaml", "", 1) {
		t.Error("a Windows path must split like the same path with slashes")
	}
}

// TestOwnerSpreads checks the hash spreads a sweep's runs evenly: 10,000
// runs over 8 shards, each within 10% of its fair share (1,250).
func TestOwnerSpreads(t *testing.T) {
	counts := make([]int, 9)
	for p := range 100 {
		for seed := range int64(100) {
			counts[Owner(Key("s.yaml", fmt.Sprintf("t=%d", p), seed), 8)]++
		}
	}
	for i := 1; i <= 8; i++ {
		if counts[i] < 1125 || counts[i] > 1375 {
			t.Errorf("shard %d/8 got %d of 10000 runs", i, counts[i])
		}
	}
}

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	s := Spec{2, 3}
	path, err := Write(dir, s, "test", map[string]int{"a": 1}, []map[string]string{{"x": "1"}, {"x": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "shard-0002-of-0003.jsonl" {
		t.Errorf("file %s", path)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != "test" || f.Shard != 2 || f.Of != 3 || len(f.Results) != 2 || string(f.Results[1]) != `{"x":"2"}` || f.Lines[1] != 3 {
		t.Errorf("read back %+v", f)
	}
	if Name(Spec{7, 12345}) != "shard-00007-of-12345.jsonl" {
		t.Errorf("Name = %s", Name(Spec{7, 12345}))
	}

	data, _ := os.ReadFile(path)
	bad := map[string]string{
		"empty":     "",
		"no header": "{\"x\":1}\n{\"end\":true,\"results\":0}\n",
		"format":    strings.Replace(string(data), `"hbsim_shard":1`, `"hbsim_shard":9`, 1),
		"cut":       strings.Join(strings.SplitAfter(string(data), "\n")[:3], ""),
		"count":     strings.Replace(string(data), `"results":2`, `"results":3`, 1),
		"damaged":   strings.Replace(string(data), `{"x":"1"}`, `{"x":`, 1),
	}
	want := map[string]string{
		"empty":     "empty",
		"no header": ":1: not an hbsim shard header",
		"format":    "shard format 9",
		"cut":       "shard 2/3 is incomplete (no end line after 2 results)",
		"count":     ":4: the end line counts 3 results, the file holds 2",
		"damaged":   ":2: not a JSON line",
	}
	for name, body := range bad {
		p := filepath.Join(t.TempDir(), "shard-0002-of-0003.jsonl")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(p); err == nil || !strings.Contains(err.Error(), want[name]) {
			t.Errorf("%s: %v, want %q", name, err, want[name])
		}
	}
}

func TestCollect(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for i := 1; i <= 3; i++ {
		dir := a
		if i == 3 {
			dir = b
		}
		if _, err := Write(dir, Spec{i, 3}, "sweep", map[string]int{"seeds": 2}, []int{i}); err != nil {
			t.Fatal(err)
		}
	}
	files, err := Collect([]string{b, a})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		if f.Shard != i+1 {
			t.Errorf("file %d is shard %d", i, f.Shard)
		}
	}
	// Shards of another split, or of another plan, do not mix.
	c := t.TempDir()
	if _, err := Write(c, Spec{1, 2}, "sweep", map[string]int{"seeds": 2}, []int{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Collect([]string{a, c}); err == nil || !strings.Contains(err.Error(), "two different splits") {
		t.Errorf("mixed splits: %v", err)
	}
	d := t.TempDir()
	if _, err := Write(d, Spec{3, 3}, "sweep", map[string]int{"seeds": 3}, []int{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Collect([]string{a, d}); err == nil || !strings.Contains(err.Error(), "plan.seeds: 2 → 3") {
		t.Errorf("mixed plans: %v", err)
	}
	if _, err := Collect([]string{a}); err == nil || !strings.Contains(err.Error(), "missing shard 3/3: no shard-0003-of-0003.jsonl in "+a) {
		t.Errorf("missing: %v", err)
	}
	if _, err := Collect(nil); err == nil {
		t.Error("no directory must be an error")
	}
}
