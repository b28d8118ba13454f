package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// hbsimEnv runs the command line with the given environment variables
// (and no others).
func hbsimEnv(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut, func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
	return code, out.String(), errOut.String()
}

// sameFiles fails unless dirs a and b hold the same file names with the
// same bytes.
func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	list := func(dir string) []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		return names
	}
	na, nb := list(a), list(b)
	if strings.Join(na, " ") != strings.Join(nb, " ") {
		t.Fatalf("files differ: %v vs %v", na, nb)
	}
	for _, n := range na {
		x, _ := os.ReadFile(filepath.Join(a, n))
		y, _ := os.ReadFile(filepath.Join(b, n))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between the unsharded run and the merge (%d vs %d bytes)", n, len(x), len(y))
		}
	}
}

var sweepArgs = []string{"--param", "heartbeat.miss_threshold=3..5", "--param", "heartbeat.interval=1s,2s", "--seeds", "2"}

// TestSweepShardsMergeToTheUnshardedSweep is the acceptance test:
// three shards, given by --shard and by a Kubernetes Indexed Job's
// variables, merge into the unsharded sweep's files byte for byte.
func TestSweepShardsMergeToTheUnshardedSweep(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	whole := t.TempDir()
	code, wantOut, errOut := hbsim(t, append([]string{"sweep", path, "--out", whole, "--html", filepath.Join(whole, "sweep.html")}, sweepArgs...)...)
	if code != 0 {
		t.Fatalf("unsharded: exit %d\n%s", code, errOut)
	}
	for _, how := range []string{"flag", "kubernetes"} {
		t.Run(how, func(t *testing.T) {
			shards := t.TempDir()
			total := 0
			for i := range 3 {
				args := append([]string{"sweep", path, "--out", shards}, sweepArgs...)
				env := map[string]string{}
				if how == "flag" {
					args = append(args, "--shard", []string{"1/3", "2/3", "3/3"}[i])
				} else {
					env["JOB_COMPLETION_INDEX"] = []string{"0", "1", "2"}[i]
					env["HBSIM_SHARD_TOTAL"] = "3"
				}
				code, out, errOut := hbsimEnv(t, env, args...)
				if code != 0 {
					t.Fatalf("shard %d: exit %d\n%s", i+1, code, errOut)
				}
				var n int
				if _, err := fmt.Sscanf(out, "Shard %d/3", &n); err != nil || n != i+1 {
					t.Fatalf("shard %d said %q", i+1, out)
				}
				total += runsIn(t, out)
			}
			if total != 12 {
				t.Errorf("the shards ran %d runs together, want 12", total)
			}
			merged := t.TempDir()
			code, out, errOut := hbsim(t, "merge", shards, "--out", merged, "--html", filepath.Join(merged, "sweep.html"))
			if code != 0 {
				t.Fatalf("merge: exit %d\n%s", code, errOut)
			}
			if out != wantOut {
				t.Errorf("merge printed\n%s\nwant\n%s", out, wantOut)
			}
			sameFiles(t, whole, merged)
		})
	}
}

// TestTestShardsMergeToTheUnshardedSuite: the same for hbsim test, with
// --shard, Slurm's and Bazel's variables.
func TestTestShardsMergeToTheUnshardedSuite(t *testing.T) {
	dir := suiteDir(t, map[string]string{"a.yaml": crashOne, "b.yaml": tooEager, "c.yaml": wrongType,
		"d.yaml": strings.Replace(crashOne, "seed: 3", "seed: 4", 1), "e.yaml": strings.Replace(tooEager, "1s", "2s", 1)})
	whole := t.TempDir()
	code, _, errOut := hbsim(t, "test", dir, "--out", whole)
	if code != 2 {
		t.Fatalf("unsharded: exit %d, want 2 (c.yaml does not parse)\n%s", code, errOut)
	}
	wantSummary, _ := os.ReadFile(filepath.Join(whole, "summary.txt"))
	for _, how := range []string{"flag", "slurm", "bazel"} {
		t.Run(how, func(t *testing.T) {
			shards := t.TempDir()
			status := filepath.Join(t.TempDir(), "status")
			for i := range 3 {
				args := []string{"test", dir, "--out", shards}
				env := map[string]string{}
				idx := []string{"0", "1", "2"}[i]
				switch how {
				case "flag":
					args = append(args, "--shard", []string{"1/3", "2/3", "3/3"}[i])
				case "slurm":
					env = map[string]string{"SLURM_ARRAY_TASK_ID": idx, "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "0"}
				case "bazel":
					env = map[string]string{"TEST_SHARD_INDEX": idx, "TEST_TOTAL_SHARDS": "3", "TEST_SHARD_STATUS_FILE": status}
				}
				if code, out, errOut := hbsimEnv(t, env, args...); code > 2 || !strings.Contains(out, "Shard "+[]string{"1/3", "2/3", "3/3"}[i]) {
					t.Fatalf("shard %d: exit %d\n%s\n%s", i+1, code, out, errOut)
				}
			}
			if _, err := os.Stat(status); (how == "bazel") != (err == nil) {
				t.Errorf("Bazel's status file: %v", err)
			}
			merged := t.TempDir()
			code, out, errOut := hbsim(t, "merge", shards, "--out", merged)
			if code != 2 || !strings.Contains(errOut, "1 of 5 scenarios could not be run") {
				t.Fatalf("merge: exit %d, want 2 as the unsharded suite\n%s", code, errOut)
			}
			if out != string(wantSummary) {
				t.Errorf("merge printed\n%s\nwant summary.txt\n%s", out, wantSummary)
			}
			sameFiles(t, whole, merged)
		})
	}
}

func TestMergeRefusesWhatIsNotOneRun(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	shards := t.TempDir()
	for _, s := range []string{"1/3", "2/3", "3/3"} {
		if code, _, errOut := hbsim(t, append([]string{"sweep", path, "--out", shards, "--shard", s}, sweepArgs...)...); code != 0 {
			t.Fatalf("shard %s: %s", s, errOut)
		}
	}
	other := t.TempDir()
	copyFile := func(name, to string) {
		b, err := os.ReadFile(filepath.Join(shards, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("shard-0002-of-0003.jsonl", other)
	code, _, errOut := hbsim(t, "merge", shards, other)
	if code != 2 || !strings.Contains(errOut, "shard 2/3 appears twice") {
		t.Errorf("duplicated shard: exit %d, %s", code, errOut)
	}

	missing := t.TempDir()
	copyFile("shard-0001-of-0003.jsonl", missing)
	copyFile("shard-0003-of-0003.jsonl", missing)
	code, _, errOut = hbsim(t, "merge", missing)
	if code != 2 || !strings.Contains(errOut, "missing shard 2/3: no shard-0002-of-0003.jsonl in "+missing) {
		t.Errorf("missing shard: exit %d, %s", code, errOut)
	}

	// A shard cut short (a pod killed while copying) is named as such.
	cut := filepath.Join(missing, "shard-0002-of-0003.jsonl")
	b, _ := os.ReadFile(filepath.Join(shards, "shard-0002-of-0003.jsonl"))
	lines := strings.SplitAfter(string(b), "\n")
	if err := os.WriteFile(cut, []byte(strings.Join(lines[:len(lines)-2], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = hbsim(t, "merge", missing)
	if code != 2 || !strings.Contains(errOut, cut+": shard 2/3 is incomplete") {
		t.Errorf("truncated shard: exit %d, %s", code, errOut)
	}

	// A shard of another sweep (other seeds) is named with what differs.
	foreign := t.TempDir()
	copyFile("shard-0001-of-0003.jsonl", foreign)
	copyFile("shard-0003-of-0003.jsonl", foreign)
	args := append([]string{"sweep", path, "--out", foreign, "--shard", "2/3"}, sweepArgs...)
	args[len(args)-1] = "3"
	if code, _, errOut := hbsim(t, args...); code != 0 {
		t.Fatal(errOut)
	}
	code, _, errOut = hbsim(t, "merge", foreign)
	if code != 2 || !strings.Contains(errOut, "shard-0002-of-0003.jsonl is a shard of another sweep") || !strings.Contains(errOut, "plan.seeds: 2 → 3") {
		t.Errorf("foreign shard: exit %d, %s", code, errOut)
	}

	if code, _, errOut := hbsim(t, "merge", t.TempDir()); code != 2 || !strings.Contains(errOut, "no shard files") {
		t.Errorf("empty directory: exit %d, %s", code, errOut)
	}
}

func TestShardBadInput(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	out := t.TempDir()
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--shard", "0/3", "--out", out}, "the shard must be 1 to 3"},
		{nil, []string{"--shard", "4/3", "--out", out}, "the shard must be 1 to 3"},
		{nil, []string{"--shard", "x", "--out", out}, "want i/n"},
		{nil, []string{"--shard", "1/3"}, "needs --out DIR"},
		{nil, []string{"--shard", "1/3", "--shard-total", "3", "--out", out}, "drop --shard-total"},
		{map[string]string{"JOB_COMPLETION_INDEX": "1"}, []string{"--out", out}, "JOB_COMPLETION_INDEX=1 is set but not the number of shards"},
		{map[string]string{"JOB_COMPLETION_INDEX": "3", "HBSIM_SHARD_TOTAL": "3"}, []string{"--out", out}, "JOB_COMPLETION_INDEX=3 (shard 4, counted from 1)"},
		{map[string]string{"JOB_COMPLETION_INDEX": "-1"}, []string{"--shard-total", "3", "--out", out}, `JOB_COMPLETION_INDEX="-1"`},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, []string{"--out", out}, "SLURM_ARRAY_TASK_COUNT is not"},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_ARRAY_TASK_MIN": "1"}, []string{"--out", out}, "--array=0-1"},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2", "TEST_SHARD_INDEX": "0", "TEST_TOTAL_SHARDS": "2"}, []string{"--out", out}, "both SLURM_ARRAY_TASK_ID and TEST_SHARD_INDEX"},
		{map[string]string{"TEST_SHARD_INDEX": "0", "TEST_TOTAL_SHARDS": "2"}, []string{"--shard-total", "3", "--out", out}, "TEST_SHARD_INDEX says 2 shards but --shard-total says 3"},
		{map[string]string{"HBSIM_SHARD_TOTAL": "3"}, []string{"--out", out}, "HBSIM_SHARD_TOTAL is given but no shard index"},
		{nil, []string{"--shard", "1/2", "--out", out, "--html", filepath.Join(out, "x.html")}, "--html needs the whole sweep"},
	}
	for _, c := range cases {
		args := append([]string{"sweep", path, "--param", "heartbeat.miss_threshold=3", "--seeds", "1"}, c.args...)
		code, stdout, errOut := hbsimEnv(t, c.env, args...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != 2 || !strings.Contains(errOut, c.want) || len(lines) != 1 || stdout != "" {
			t.Errorf("%v %v: exit %d, stderr %q; want 2 and one line with %q", c.env, c.args, code, errOut, c.want)
		}
	}
	dir := suiteDir(t, map[string]string{"a.yaml": crashOne})
	if code, _, errOut := hbsim(t, "test", dir, "--shard", "1/2", "--out", out, "--update-golden"); code != 2 || !strings.Contains(errOut, "run it unsharded") {
		t.Errorf("sharded --update-golden: exit %d, %s", code, errOut)
	}
}

// runsIn reads how many runs a sweep shard said it ran.
func runsIn(t *testing.T, out string) int {
	t.Helper()
	_, rest, ok := strings.Cut(out, ": ")
	var n int
	if _, err := fmt.Sscanf(rest, "%d of", &n); !ok || err != nil {
		t.Fatalf("no run count in %q", out)
	}
	return n
}

// TestMergeOutputsNeverReplaceShards: merge dir --html dir/shard… replaced
// the shard it read with the page; it is refused like run s.yaml --html
// s.yaml, and the shard is left as it was.
func TestMergeOutputsNeverReplaceShards(t *testing.T) {
	path := writeScenario(t, "ok.yaml", crashOne)
	dir := filepath.Join(t.TempDir(), "shards")
	args := append([]string{"sweep", path, "--shard", "1/1", "--out", dir}, sweepArgs...)
	if code, _, errOut := hbsim(t, args...); code != exitOK {
		t.Fatalf("sweep: exit %d\n%s", code, errOut)
	}
	shards, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(shards) != 1 {
		t.Fatalf("want one shard file in %s, got %v", dir, shards)
	}
	before, _ := os.ReadFile(shards[0])
	code, _, errOut := hbsim(t, "merge", dir, "--html", shards[0])
	if code != exitBadInput || !strings.Contains(errOut, "is a shard: writing it would destroy an input") {
		t.Errorf("merge --html SHARD: exit %d, want 2 naming the shard:\n%s", code, errOut)
	}
	if after, _ := os.ReadFile(shards[0]); !bytes.Equal(before, after) {
		t.Error("the shard was rewritten")
	}
}
