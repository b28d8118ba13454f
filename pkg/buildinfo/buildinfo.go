// Package buildinfo says which hbsim a binary is: its version and the
// commit it was built from, so that a failure printed on one machine can
// be replayed on another with the same code.
//
// Both come from the linker when the Makefile builds (-X with the values
// of git describe and git rev-parse), else from what the go command
// records in the binary (the module version of `go install ...@v1.2.3`,
// the vcs.revision of a build inside a git checkout).
package buildinfo

import "runtime/debug"

// Set by the Makefile: -ldflags "-X github.com/hbsim/hbsim/pkg/buildinfo.version=...".
var (
	version string
	commit  string
)

// Unknown stands for a value the binary does not know (go test, go run,
// a build outside a git checkout).
const Unknown = "unknown"

// Version is the release: the linker's value, else the module version,
// else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

// Commit is the git commit: the linker's value, else vcs.revision with
// "-dirty" when the checkout had uncommitted changes, else Unknown.
func Commit() string {
	if commit != "" {
		return commit
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return Unknown
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	switch {
	case rev == "":
		return Unknown
	case dirty:
		return rev + "-dirty"
	}
	return rev
}
