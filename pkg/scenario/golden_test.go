package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGoldenKey(t *testing.T) {
	head := "name: g\nduration: 1m\ncluster: {datanodes: 2}\n"
	cases := []struct {
		name, path, body string
		want             string // Golden, or the error's text
		wantErr          bool
	}{
		{"none", "s/a.yaml", head, "", false},
		{"relative to the file", "s/a.yaml", head + "golden: testdata/a.json\n", filepath.Join("s", "testdata", "a.json"), false},
		{"absolute, outside", "s/a.yaml", head + "golden: /tmp/a.json\n", `s/a.yaml:4: golden: "/tmp/a.json" leads outside "s", the folder goldens must stay in`, true},
		{"up and out", "s/a.yaml", head + "golden: ../other/notes.txt\n", `s/a.yaml:4: golden: "../other/notes.txt" leads outside "s"`, true},
		{"up and back in", "s/a.yaml", head + "golden: ../s/testdata/a.json\n", filepath.Join("s", "testdata", "a.json"), false},
		{"the scenario itself", "s/a.yaml", head + "golden: a.yaml\n", "s/a.yaml:4: golden: is the scenario file itself", true},
		{"empty", "s/a.yaml", head + "golden: ''\n", "s/a.yaml:4: golden: must be a file path", true},
		{"not text", "s/a.yaml", head + "golden: [a]\n", "s/a.yaml:4: golden: must be text", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc, err := Parse(c.path, []byte(c.body), Options{Env: noEnv})
			if c.wantErr {
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("error = %v, want %q", err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sc.Golden != c.want {
				t.Errorf("Golden = %q, want %q", sc.Golden, c.want)
			}
		})
	}
}

// TestGoldenRoot: --golden-root names another folder goldens may be in,
// and a symbolic link inside the folder that leads out is refused.
func TestGoldenRoot(t *testing.T) {
	head := "name: g\nduration: 1m\ncluster: {datanodes: 2}\n"
	dir := t.TempDir()
	scn := filepath.Join(dir, "suite", "a.yaml")
	shared := filepath.Join(dir, "goldens")
	body := []byte(head + "golden: ../goldens/a.json\n")
	if _, err := Parse(scn, body, Options{Env: noEnv}); err == nil {
		t.Error("a golden in a sibling folder was accepted without --golden-root")
	}
	sc, err := Parse(scn, body, Options{Env: noEnv, GoldenRoot: dir})
	if err != nil || sc.Golden != filepath.Join(shared, "a.json") {
		t.Errorf("with --golden-root: %v, %v", sc, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "suite"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(t.TempDir(), filepath.Join(dir, "suite", "out")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if _, err := Parse(scn, []byte(head+"golden: out/a.json\n"), Options{Env: noEnv}); err == nil ||
		!strings.Contains(err.Error(), "leads outside") {
		t.Errorf("a golden through a link out of the folder: %v", err)
	}
}
