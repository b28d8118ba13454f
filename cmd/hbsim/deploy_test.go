package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// The manifests in deploy/ are checked here, where the hbsim they drive
// can run in-process: parsed with the Kubernetes API types (strictly, so
// a misspelt field fails), their wiring checked, then their commands run
// as the engines would run them, with a smaller workload (the shipped
// scenario is 1,000 DataNodes for an hour), and the merge compared with
// the unsharded sweep.

// smaller swaps the shipped scenario for a small one and 500 seeds for 2:
// the same wiring, milliseconds of work.
func smaller(args []string) []string {
	out := slices.Clone(args)
	for i, a := range out {
		switch {
		case strings.HasSuffix(a, "examples/thousand-nodes.yaml"):
			out[i] = "../../examples/jittery-crash.yaml"
		case i > 0 && out[i-1] == "--seeds":
			out[i] = "2"
		}
	}
	return out
}

// k8sManifest reads the manifest's documents into their API types.
func k8sManifest(t *testing.T) (pvc *corev1.PersistentVolumeClaim, jobs map[string]*batchv1.Job) {
	t.Helper()
	data, err := os.ReadFile("../../deploy/k8s/sweep-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	jobs = map[string]*batchv1.Job{}
	for i, doc := range strings.Split(string(data), "\n---\n") {
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		switch tm.APIVersion + " " + tm.Kind {
		case "v1 PersistentVolumeClaim":
			pvc = &corev1.PersistentVolumeClaim{}
			if err := yaml.UnmarshalStrict([]byte(doc), pvc); err != nil {
				t.Fatalf("document %d: %v", i, err)
			}
		case "batch/v1 Job":
			j := &batchv1.Job{}
			if err := yaml.UnmarshalStrict([]byte(doc), j); err != nil {
				t.Fatalf("document %d: %v", i, err)
			}
			jobs[j.Name] = j
		default:
			t.Fatalf("document %d: unexpected %s %s", i, tm.APIVersion, tm.Kind)
		}
	}
	if pvc == nil || len(jobs) != 2 {
		t.Fatalf("want a PersistentVolumeClaim and two Jobs, got %v and %d Jobs", pvc != nil, len(jobs))
	}
	return pvc, jobs
}

func envOf(c corev1.Container, name string) *corev1.EnvVar {
	for i := range c.Env {
		if c.Env[i].Name == name {
			return &c.Env[i]
		}
	}
	return nil
}

// mountOf is the path where the pod mounts the claim.
func mountOf(t *testing.T, spec corev1.PodSpec, claim string) string {
	t.Helper()
	for _, v := range spec.Volumes {
		if v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != claim {
			continue
		}
		for _, m := range spec.Containers[0].VolumeMounts {
			if m.Name == v.Name {
				return m.MountPath
			}
		}
	}
	t.Fatalf("the pod does not mount claim %s", claim)
	return ""
}

func flagValue(args []string, flag string) string {
	for i := range args[:len(args)-1] {
		if args[i] == flag {
			return args[i+1]
		}
	}
	return ""
}

func TestKubernetesSweepJob(t *testing.T) {
	pvc, jobs := k8sManifest(t)
	if !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Errorf("every shard writes the claim at once, from any node: want ReadWriteMany, got %v", pvc.Spec.AccessModes)
	}
	sweepJob, mergeJob := jobs["hbsim-sweep"], jobs["hbsim-merge"]
	if sweepJob == nil || mergeJob == nil {
		t.Fatalf("jobs %v, want hbsim-sweep and hbsim-merge", jobs)
	}
	s := sweepJob.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		t.Fatalf("completionMode %v, want Indexed", s.CompletionMode)
	}
	if s.Completions == nil || s.Parallelism == nil || *s.Parallelism < 1 || *s.Parallelism > *s.Completions {
		t.Fatalf("completions %v, parallelism %v: want both, parallelism at most completions", s.Completions, s.Parallelism)
	}
	n := int(*s.Completions)
	if s.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %s: a podFailurePolicy needs Never", s.Template.Spec.RestartPolicy)
	}
	failJobOn2 := false
	if s.PodFailurePolicy != nil {
		for _, r := range s.PodFailurePolicy.Rules {
			failJobOn2 = failJobOn2 || (r.Action == batchv1.PodFailurePolicyActionFailJob && r.OnExitCodes != nil && slices.Contains(r.OnExitCodes.Values, exitBadInput))
		}
	}
	if !failJobOn2 {
		t.Error("exit 2 (bad input, the same in every pod) must fail the Job rather than be retried")
	}

	c := s.Template.Spec.Containers[0]
	args := append(slices.Clone(c.Command[1:]), c.Args...)
	if c.Command[0] != "hbsim" || args[0] != "sweep" || slices.Contains(args, "--shard") || slices.Contains(args, "--shard-total") {
		t.Fatalf("command %v %v: want hbsim sweep, its shard from the environment", c.Command, c.Args)
	}
	total := envOf(c, "HBSIM_SHARD_TOTAL")
	if total == nil || total.Value != strconv.Itoa(n) {
		t.Fatalf("HBSIM_SHARD_TOTAL %+v, want %d, the Job's completions", total, n)
	}
	index := envOf(c, "JOB_COMPLETION_INDEX")
	if index == nil || index.ValueFrom == nil || index.ValueFrom.FieldRef == nil ||
		index.ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Fatalf("JOB_COMPLETION_INDEX %+v: want the pod's job-completion-index annotation", index)
	}
	mount := mountOf(t, s.Template.Spec, pvc.Name)
	shards := flagValue(args, "--out")
	if !strings.HasPrefix(shards, mount+"/") {
		t.Fatalf("--out %s is not on the shared volume (%s)", shards, mount)
	}
	scenarioPath := args[1]
	if _, err := os.Stat("../../" + strings.TrimPrefix(scenarioPath, "/hbsim/")); err != nil {
		t.Errorf("the image's %s is not in the repository: %v", scenarioPath, err)
	}

	m := mergeJob.Spec
	if m.Suspend == nil || !*m.Suspend {
		t.Error("the merge Job must wait, suspended, until the sweep completes")
	}
	mc := m.Template.Spec.Containers[0]
	margs := append(slices.Clone(mc.Command[1:]), mc.Args...)
	if mc.Command[0] != "hbsim" || margs[0] != "merge" || margs[1] != shards || mountOf(t, m.Template.Spec, pvc.Name) != mount {
		t.Fatalf("merge command %v %v: want hbsim merge %s on the same volume", mc.Command, mc.Args, shards)
	}

	// Run every pod as Kubernetes would, on a temporary "volume".
	volume := t.TempDir()
	onVolume := func(args []string) []string {
		out := smaller(args)
		for i, a := range out {
			if strings.HasPrefix(a, mount+"/") {
				out[i] = volume + strings.TrimPrefix(a, mount)
			}
		}
		return out
	}
	for i := range n {
		env := map[string]string{"HBSIM_SHARD_TOTAL": total.Value, "JOB_COMPLETION_INDEX": strconv.Itoa(i)}
		if code, _, errOut := hbsimEnv(t, env, onVolume(args)...); code != 0 {
			t.Fatalf("pod %d: exit %d\n%s", i, code, errOut)
		}
	}
	if code, _, errOut := hbsim(t, onVolume(margs)...); code != 0 {
		t.Fatalf("merge: exit %d\n%s", code, errOut)
	}
	whole := t.TempDir()
	unsharded := append(smaller(args[:len(args)-2]), "--out", whole, "--html", filepath.Join(whole, "sweep.html"))
	if code, _, errOut := hbsim(t, unsharded...); code != 0 {
		t.Fatalf("unsharded: exit %d\n%s", code, errOut)
	}
	sameFiles(t, whole, volume+strings.TrimPrefix(flagValue(margs, "--out"), mount))
}

// TestSlurmSweep runs deploy/slurm's scripts with bash, each array task
// with the variables Slurm sets, hbsim being this test binary
// (see TestMain).
func TestSlurmSweep(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to run the sbatch scripts")
	}
	script, err := os.ReadFile("../../deploy/slurm/sweep.sbatch")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^#SBATCH --array=0-(\d+)$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("sweep.sbatch has no #SBATCH --array=0-N line (hbsim counts array tasks from 0)")
	}
	last, _ := strconv.Atoi(string(m[1]))
	n := last + 1

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(self, filepath.Join(bin, "hbsim")); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	base := []string{asHbsimEnv + "=1", "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"SCENARIO=../../examples/jittery-crash.yaml", "SEEDS=2", "OUT=" + out,
		"SLURM_ARRAY_JOB_ID=4242", "SLURM_CPUS_PER_TASK=1"}
	sh := func(script string, env ...string) error {
		cmd := exec.Command(bash, script)
		cmd.Env = append(slices.Clone(base), env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s %v: %v\n%s", script, env, err, stderr.String())
		}
		return nil
	}
	// The array's tasks, a few at a time as a cluster would run them.
	tasks := make(chan int)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range tasks {
				errs <- sh("../../deploy/slurm/sweep.sbatch", "SLURM_ARRAY_TASK_ID="+strconv.Itoa(i),
					"SLURM_ARRAY_TASK_COUNT="+strconv.Itoa(n), "SLURM_ARRAY_TASK_MIN=0", "SLURM_ARRAY_TASK_MAX="+strconv.Itoa(last))
			}
		}()
	}
	for i := range n {
		tasks <- i
	}
	close(tasks)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := sh("../../deploy/slurm/merge.sbatch"); err != nil {
		t.Fatal(err)
	}

	// The same sweep, unsharded, with the script's params.
	if !strings.Contains(string(script), "\nhbsim sweep \"$SCENARIO\"") {
		t.Fatal("no hbsim sweep line in sweep.sbatch")
	}
	params := regexp.MustCompile(`--param (\S+)`).FindAllStringSubmatch(string(script), -1)
	whole := t.TempDir()
	args := []string{"sweep", "../../examples/jittery-crash.yaml", "--seeds", "2", "--out", whole, "--html", filepath.Join(whole, "sweep.html")}
	for _, p := range params {
		args = append(args, "--param", p[1])
	}
	if code, _, errOut := hbsim(t, args...); code != 0 {
		t.Fatalf("unsharded: exit %d\n%s", code, errOut)
	}
	sameFiles(t, whole, filepath.Join(out, "merged"))
}
