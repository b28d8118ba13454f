package config

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestCheckEnv(t *testing.T) {
	got := CheckEnv([]string{
		"PATH=/bin",
		"HBSIM_HEARTBEAT_INTERVAL=3s",
		"HBSIM_HEARTBEAT_INTERVALL=3s",
		"HBSIM_CLUSTER_SECRET=x",
		"HBSIM_NOTHING_LIKE_IT=1",
	})
	want := []string{
		"$HBSIM_HEARTBEAT_INTERVALL is not a variable hbsim reads, so it changes nothing; did you mean $HBSIM_HEARTBEAT_INTERVAL?",
		"$HBSIM_NOTHING_LIKE_IT is not a variable hbsim reads, so it changes nothing",
	}
	if !slices.Equal(got, want) {
		t.Errorf("CheckEnv =\n%q\nwant\n%q", got, want)
	}
}

// TestEveryHBSIMVariableIsKnown finds each HBSIM_* name the code reads (any
// literal outside tests; in tests, what Getenv, LookupEnv, envDuration or a
// constant name) and checks CheckEnv knows it: a variable added without a
// line in otherEnv would draw a false warning.
func TestEveryHBSIMVariableIsKnown(t *testing.T) {
	anywhere := regexp.MustCompile(`"(HBSIM_[A-Z0-9_]+)"`)
	inTests := regexp.MustCompile(`(?:Getenv\(|LookupEnv\(|const \w+\s*=\s*|envDuration\(\w+,\s*)"(HBSIM_[A-Z0-9_]+)"`)
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		re := anywhere
		if strings.HasSuffix(path, "_test.go") {
			re = inTests
		}
		for _, m := range re.FindAllSubmatch(data, -1) {
			if w := CheckEnv([]string{string(m[1]) + "=1"}); len(w) > 0 {
				t.Errorf("%s reads %s, which CheckEnv does not know: add it to otherEnv", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
