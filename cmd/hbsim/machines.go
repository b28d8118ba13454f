package main

import (
	"errors"

	"github.com/spf13/pflag"

	"github.com/hbsim/hbsim/pkg/live"
)

// registerMachines adds --machines, hidden: hbsim run --live hands its
// children the run's machine configurations in a file, so that they run
// exactly what the simulator would.
func registerMachines(fl *pflag.FlagSet, path *string) {
	fl.StringVar(path, "machines", "", "JSON machine configurations written by hbsim run --live (instead of --config and --set)")
	_ = fl.MarkHidden("machines")
}

// loadMachines reads --machines, refusing it beside the settings layers it
// replaces: one source of settings per process.
func loadMachines(path, config string, sets []string) (live.Machines, error) {
	if config != "" || len(sets) > 0 {
		return live.Machines{}, errors.New("--machines replaces --config and --set: give one or the other")
	}
	return live.LoadMachines(path)
}
