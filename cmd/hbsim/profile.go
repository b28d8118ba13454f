package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile starts --cpuprofile's CPU profile, if asked.
func (a *app) startProfile() error {
	if a.cpuProfile == "" {
		return nil
	}
	f, err := os.Create(a.cpuProfile)
	if err != nil {
		return usageErr(fmt.Errorf("--cpuprofile: %w", err))
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return usageErr(fmt.Errorf("--cpuprofile: %w", err))
	}
	a.profile = f
	return nil
}

// stopProfile ends the profile and closes its file.
func (a *app) stopProfile() error {
	if a.profile == nil {
		return nil
	}
	pprof.StopCPUProfile()
	f := a.profile
	a.profile = nil
	if err := f.Close(); err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	return nil
}
