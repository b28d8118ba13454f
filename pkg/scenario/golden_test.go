package scenario

import (
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
		{"absolute", "s/a.yaml", head + "golden: /tmp/a.json\n", "/tmp/a.json", false},
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
