package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shellWords splits a replay command as a POSIX shell would; the commands
// use only plain words and single quotes.
func shellWords(t *testing.T, cmd string) []string {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range cmd {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quotes in %q", cmd)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// withoutRepro is a JSON report with the replay blocks taken out: the
// replayed run names its settings' origins differently (--set where the
// first run had the environment).
func withoutRepro(t *testing.T, out string) (string, string) {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	command := ""
	for _, e := range r["expectations"].([]any) {
		e := e.(map[string]any)
		if rp, ok := e["repro"].(map[string]any); ok {
			command = rp["command"].(string)
			delete(e, "repro")
		}
	}
	b, _ := json.Marshal(r)
	return string(b), command
}

// TestReplayCommandReplays runs a failing scenario with settings from the
// environment and --set, then runs the command of its replay block with
// no environment: the same report.
func TestReplayCommandReplays(t *testing.T) {
	path := writeScenario(t, "eager.yaml", tooEager)
	env := map[string]string{"HBSIM_NETWORK_JITTER": "3ms", "HBSIM_HEARTBEAT_INTERVAL": "2s"}
	code, out, _ := hbsimEnv(t, env, "run", path, "--format", "json", "--set", "heartbeat.miss_threshold=4", "--seed", "11")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	first, command := withoutRepro(t, out)
	words := shellWords(t, command)
	if words[0] != "hbsim" || !strings.Contains(command, "--seed 11") || !strings.Contains(command, "--set network.jitter=3ms") {
		t.Fatalf("command %q", command)
	}
	code, out, _ = hbsim(t, append(words[1:], "--format", "json")...)
	if code != 1 {
		t.Fatalf("replay: exit %d", code)
	}
	if again, _ := withoutRepro(t, out); again != first {
		t.Errorf("the replay differs:\n%s\n%s", first, again)
	}

	// The table shows the block under the expectations.
	_, table, _ := hbsimEnv(t, env, "run", path)
	for _, want := range []string{"Replay the failure:\n  hbsim run " + path + " --seed 1 --set heartbeat.interval=2s --set network.jitter=3ms\n",
		"  with hbsim dev, commit unknown, seed 1\n", "    heartbeat.interval = 2s  ($HBSIM_HEARTBEAT_INTERVAL)\n"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}

// TestSuiteReplays: hbsim test gives the block of a failed scenario on
// stderr, in JUnit and in summary.txt.
func TestSuiteReplays(t *testing.T) {
	dir := suiteDir(t, map[string]string{"a.yaml": crashOne, "b.yaml": tooEager})
	out := t.TempDir()
	code, _, errOut := hbsim(t, "test", dir, "--out", out, "--set", "heartbeat.miss_threshold=9")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	b := filepath.Join(dir, "b.yaml")
	cmd := "hbsim run " + b + " --seed 1 --set heartbeat.miss_threshold=9"
	if !strings.Contains(errOut, "replay too-eager ("+b+"):\n  "+cmd+"\n") {
		t.Errorf("stderr lacks the replay:\n%s", errOut)
	}
	summary, _ := os.ReadFile(filepath.Join(out, "summary.txt"))
	if !strings.Contains(string(summary), cmd) || strings.Contains(string(summary), "hbsim run "+filepath.Join(dir, "a.yaml")) {
		t.Errorf("summary.txt:\n%s", summary)
	}
	data, _ := os.ReadFile(filepath.Join(out, "junit.xml"))
	var x struct {
		Suites []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Time    string `xml:"time,attr"`
				Failure *struct {
					Body string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &x); err != nil {
		t.Fatal(err)
	}
	c := x.Suites[0].Cases[1]
	if c.Name != "too-eager" || c.Failure == nil || !strings.Contains(c.Failure.Body, "replay:\n  "+cmd+"\n  with hbsim ") || c.Time != "0" {
		t.Errorf("JUnit case %+v", c)
	}
}
