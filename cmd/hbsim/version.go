package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/hbsim/hbsim/pkg/buildinfo"
)

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print hbsim's version and the Go version it was built with",
		Long:    "Version prints the hbsim release, the Go toolchain that built it, and the\nplatform.",
		Example: "  hbsim version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(a.stdout, "hbsim %s (%s %s/%s)\n",
				buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}

// buildVersion is main.version when a release build set it (the -ldflags
// name older build scripts use), else pkg/buildinfo's.
func buildVersion() string {
	if version != "dev" {
		return version
	}
	return buildinfo.Version()
}
