package script

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
)

func TestCheckHeader(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct {
		body string
		ok   bool
	}{
		"pinned":   {"# What it shows.\n# Pins: TestDeadDatanode\n\ncmd\n----\n", true},
		"unpinned": {"# What it shows.\n\ncmd\n----\n", false},
		"late":     {"cmd\n----\n\n# Pins: TestDeadDatanode\n", false},
	} {
		path := filepath.Join(dir, name+".txt")
		if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := checkHeader(path); (err == nil) != c.ok {
			t.Errorf("%s: checkHeader = %v, want ok %v", name, err, c.ok)
		}
	}
}

// TestArgs reads a directive's arguments as the harnesses do, and marks
// what was read: an argument left unread fails the script.
func TestArgs(t *testing.T) {
	_, args, err := datadriven.ParseLine("heartbeat dn1 dn2 at=27s xmits=2 blocks=(1, 2) racks=a:1,b:2 fatal")
	if err != nil {
		t.Fatal(err)
	}
	a := &Args{td: &datadriven.TestData{CmdArgs: args}, read: make([]bool, len(args))}
	if w := a.Words(); strings.Join(w, " ") != "dn1 dn2 fatal" {
		t.Errorf("words %q", w)
	}
	if at := a.At(10 * time.Second); at != 27*time.Second {
		t.Errorf("at %v", at)
	}
	if n := a.Int("xmits", 0); n != 2 {
		t.Errorf("xmits %d", n)
	}
	if b := a.Ints("blocks"); len(b) != 2 || b[0] != 1 || b[1] != 2 {
		t.Errorf("blocks %v", b)
	}
	if r := a.List("racks"); strings.Join(r, " ") != "a:1 b:2" {
		t.Errorf("racks %q", r)
	}
	for i, read := range a.read {
		if !read {
			t.Errorf("argument %s left unread", args[i].Key)
		}
	}
	if a.err != nil {
		t.Errorf("err %v", a.err)
	}
	// Time never goes back; a malformed value is remembered.
	if a.At(30 * time.Second); a.err == nil || !strings.Contains(a.err.Error(), "time never goes back") {
		t.Errorf("at before now: err %v", a.err)
	}
	b := &Args{td: &datadriven.TestData{CmdArgs: []datadriven.CmdArg{{Key: "every", Vals: []string{"3"}}}}, read: make([]bool, 1)}
	if d := b.Dur("every", time.Second); d != time.Second || b.err == nil {
		t.Errorf("every=3: %v, err %v", d, b.err)
	}
}

func TestUntil(t *testing.T) {
	args := func(line string) *Args {
		_, cmd, err := datadriven.ParseLine(line)
		if err != nil {
			t.Fatal(err)
		}
		return &Args{td: &datadriven.TestData{CmdArgs: cmd}, read: make([]bool, len(cmd))}
	}
	now := 10 * time.Second
	for _, c := range []struct {
		line    string
		want    time.Duration
		verbose bool
		ok      bool
	}{
		{"tick 5s", 15 * time.Second, false, true},
		{"tick verbose 5s", 15 * time.Second, true, true},
		{"tick until=40s", 40 * time.Second, false, true},
		{"tick until=4s", 0, false, false}, // before now
		{"tick 5s 6s", 0, false, false},
		{"tick soon", 0, false, false},
	} {
		a := args(c.line)
		got, set, ok := a.Until(now, "verbose")
		if ok != c.ok || ok && (got != c.want || set["verbose"] != c.verbose) || !ok && a.err == nil {
			t.Errorf("%s: %v %v %v (err %v); want %v %v %v", c.line, got, set, ok, a.err, c.want, c.verbose, c.ok)
		}
	}
}
