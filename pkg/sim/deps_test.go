package sim

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/hbsim/hbsim/"

// TestDependencies keeps the simulator's core runtime-neutral (issue 9):
// the simulator, the model and the fault interpreter build from the
// machines and plain data, never from the configuration, YAML, report or
// CLI libraries; and the machines themselves import no runtime of hbsim
// and nothing that reaches a socket, a file, a process or a goroutine
// scheduler.
func TestDependencies(t *testing.T) {
	core := []string{"pkg/sim", "pkg/model", "pkg/faults"}
	machines := []string{"namenode", "datanode", "gossip", "client"}
	deps, imports := goList(t, append(core, machines...))
	forbidden := []string{"github.com/spf13/viper", "github.com/spf13/cobra", "github.com/olekukonko/tablewriter", "yaml"}
	for _, pkg := range append(core, machines...) {
		for _, dep := range deps[pkg] {
			for _, f := range forbidden {
				if strings.Contains(dep, f) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
	// What a state machine may use of hbsim: the wire types, virtual time,
	// keyed random draws and the other machines.
	allowed := append([]string{"pkg/proto", "pkg/vtime", "pkg/rng"}, machines...)
	// Standard packages that would give a machine I/O, processes or
	// goroutine synchronisation.
	impure := []string{"net", "os", "os/exec", "os/signal", "syscall", "sync", "sync/atomic", "crypto/rand", "io/fs"}
	for _, pkg := range machines {
		for _, dep := range deps[pkg] {
			if own, ok := strings.CutPrefix(dep, module); ok && !slices.Contains(allowed, own) {
				t.Errorf("machine %s depends on %s, a part of hbsim that is not pure", pkg, own)
			}
		}
		for _, imp := range imports[pkg] {
			if slices.Contains(impure, imp) || strings.HasPrefix(imp, "net/") {
				t.Errorf("machine %s imports %s", pkg, imp)
			}
		}
	}
}

// goList runs go list once over the module's packages pkgs and returns
// each one's dependencies (import paths) and direct imports.
func goList(t *testing.T, pkgs []string) (deps, imports map[string][]string) {
	t.Helper()
	args := []string{"list", "-f", `{{.ImportPath}}|{{join .Deps " "}}|{{join .Imports " "}}`}
	for _, p := range pkgs {
		args = append(args, module+p)
	}
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok {
			msg += ": " + string(ee.Stderr)
		}
		t.Fatalf("go %s: %s", strings.Join(args, " "), msg)
	}
	deps, imports = map[string][]string{}, map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 3 {
			t.Fatalf("go list printed %q", line)
		}
		pkg := strings.TrimPrefix(f[0], module)
		deps[pkg], imports[pkg] = strings.Fields(f[1]), strings.Fields(f[2])
	}
	if len(deps) != len(pkgs) {
		t.Fatalf("go list listed %d of the %d packages", len(deps), len(pkgs))
	}
	return deps, imports
}
