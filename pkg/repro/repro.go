// Package repro writes the replay block every failed expectation carries,
// as FoundationDB and TigerBeetle print one with every failure of their
// simulators: the hbsim version and commit, the seed, the settings that
// differ from the defaults (with where each came from) and the exact
// command that runs the scenario again.
package repro

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/hbsim/hbsim/pkg/buildinfo"
	"github.com/hbsim/hbsim/pkg/config"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/scenario"
)

// For builds the replay block of a run of s.
func For(s *scenario.Scenario) *report.Repro {
	r := &report.Repro{Version: buildinfo.Version(), Commit: buildinfo.Commit(), Seed: s.Seed,
		Settings: []report.ReproSetting{}}
	defaults := config.Default().Effective()
	args := []string{"hbsim", "run", quote(s.Path), "--seed", fmt.Sprint(s.Seed)}
	for _, k := range config.Keys() {
		v, def := lookup(s.Effective, k.Name), lookup(defaults, k.Name)
		origin := s.Origins[k.Name]
		if origin == "" || origin == config.DefaultOrigin {
			continue
		}
		if !reflect.DeepEqual(v, def) {
			r.Settings = append(r.Settings, report.ReproSetting{Key: k.Name, Value: v, Origin: origin})
		}
		// What the scenario file says travels with it; every other layer
		// (environment, --set, --hdfs-site) must be on the command line,
		// even at its default value, since it overrode the file.
		if !strings.HasPrefix(origin, s.Path+":") {
			args = append(args, "--set", quote(k.Name+"="+fmt.Sprint(v)))
		}
	}
	if len(s.Detectors) > 0 {
		args = append(args, "--compare", strings.Join(s.Detectors, ","))
	}
	r.Command = strings.Join(args, " ")
	return r
}

// Attach gives every failed expectation of r the replay block of s.
func Attach(r *report.Report, s *scenario.Scenario) {
	var block *report.Repro
	for i := range r.Expectations {
		if r.Expectations[i].Passed {
			continue
		}
		if block == nil {
			block = For(s)
		}
		r.Expectations[i].Repro = block
	}
}

// lookup reads a dotted key from nested maps such as Config.Effective's.
func lookup(m map[string]any, key string) any {
	parts := strings.Split(key, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, ok := m[p].(map[string]any)
		if !ok {
			return nil
		}
		m = sub
	}
	return m[parts[len(parts)-1]]
}

// quote makes a word safe for a POSIX shell: as is when it holds only
// characters no shell reads specially, else in single quotes.
func quote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
