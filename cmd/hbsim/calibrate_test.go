package main

import (
	"strings"
	"testing"
)

func TestCalibrateBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"../../scenarios/single-crash.yaml", "--speed", "0"}, "invalid --speed 0"},
		{[]string{"../../scenarios/single-crash.yaml", "--format", "xml"}, "invalid --format"},
		{[]string{"../../scenarios/single-crash.yaml", "--noise", "-1s"}, "invalid --noise"},
		{[]string{"../../scenarios/nope.yaml"}, "read scenario"},
		// The live run refuses what only the simulator has, up front.
		{[]string{"../../scenarios/busy-namenode.yaml", "--speed", "0.1"}, "namenode_overload"},
	} {
		code, _, errOut := hbsim(t, append([]string{"calibrate"}, tc.args...)...)
		if code != exitBadInput || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, exitBadInput, tc.want)
		}
	}
}
