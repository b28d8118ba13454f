package suite

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/shard"
)

func noEnv(string) (string, bool) { return "", false }

// Tiny scenarios: three nodes, two minutes, so the suite runs in
// milliseconds.
const (
	passing = `name: crash-ok
duration: 2m
cluster: {datanodes: 3}
events:
  - {at: 20s, kill: dn3}
expect:
  - {dead: dn3, within: 1m}
`
	failing = `name: crash-eager
duration: 2m
cluster: {datanodes: 3}
events:
  - {at: 20s, kill: dn3}
expect:
  - {dead: dn3, within: 1s}
  - {false_positives: 0}
`
	broken = `name: broken
duration: 2m
cluster: {datanodes: 3}
seed: [1]
`
)

// writeTree writes files relative to a new temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDiscover(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"b.yaml": "", "a.yml": "", "sub/c.yaml": "", "notes.txt": "", ".hidden/d.yaml": "", "testdata/x.json": "",
	})
	files, err := Discover([]string{dir, filepath.Join(dir, "b.yaml"), filepath.Join(dir, "notes.txt")})
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, f := range files {
		r, _ := filepath.Rel(dir, f)
		rel = append(rel, r)
	}
	if got, want := strings.Join(rel, " "), "a.yml b.yaml notes.txt sub/c.yaml"; got != want {
		t.Errorf("Discover = %s, want %s", got, want)
	}
	if _, err := Discover([]string{filepath.Join(dir, "nope")}); err == nil {
		t.Error("a missing path must be an error")
	}
}

func TestRunVerdicts(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.yaml": passing, "b.yaml": failing, "c.yaml": broken})
	files, _ := Discover([]string{dir})
	results := Run(files, Options{Jobs: 2, Scenario: scenario.Options{Env: noEnv}})
	if len(results) != 3 {
		t.Fatalf("%d results", len(results))
	}
	want := []struct {
		name   string
		status Status
		detail string
	}{
		{"crash-ok", Pass, ""},
		{"crash-eager", Fail, "dn3 dead within 1s: killed at 00:00:20.000"},
		{"c", Error, "c.yaml:4: seed"},
	}
	for i, w := range want {
		r := results[i]
		if r.Name != w.name || r.Status != w.status || !strings.Contains(r.Detail(), w.detail) {
			t.Errorf("result %d = %s %s %q, want %s %s containing %q", i, r.Name, r.Status, r.Detail(), w.name, w.status, w.detail)
		}
	}
	if got := Summarize(results).String(); got != "1 passed, 1 failed, 1 error" {
		t.Errorf("summary %q", got)
	}
}

func TestSummary(t *testing.T) {
	for _, c := range []struct {
		s    Summary
		want string
	}{
		{Summary{12, 1, 0}, "12 passed, 1 failed"},
		{Summary{0, 0, 2}, "0 passed, 0 failed, 2 errors"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%+v = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestRunFilter(t *testing.T) {
	renamed := strings.Replace(passing, "name: crash-ok", "name: crash-fine\naliases: [crash-was-ok, old-name]", 1)
	dir := writeTree(t, map[string]string{"a.yaml": passing, "b.yaml": failing, "broken-c.yaml": broken, "d.yaml": renamed})
	files, _ := Discover([]string{dir})
	cases := []struct{ re, want string }{
		{"ok$", "crash-ok crash-fine"}, // crash-fine by its old name
		{"crash", "crash-ok crash-eager crash-fine"},
		{"^old-name$", "crash-fine"},
		{"broken", "broken-c"}, // by path: a broken file has no name
		{"zzz", ""},
	}
	for _, c := range cases {
		var names []string
		for _, r := range Run(files, Options{Filter: regexp.MustCompile(c.re), Scenario: scenario.Options{Env: noEnv}}) {
			names = append(names, r.Name)
		}
		if got := strings.Join(names, " "); got != c.want {
			t.Errorf("--run %s selected %q, want %q", c.re, got, c.want)
		}
	}
}

func TestGoldenInSuite(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.yaml": passing + "golden: testdata/a.json\n"})
	files, _ := Discover([]string{dir})
	opts := Options{Scenario: scenario.Options{Env: noEnv}}

	if r := Run(files, opts)[0]; r.Status != Error || !strings.Contains(r.Detail(), "--update-golden") {
		t.Fatalf("missing golden: %s %q", r.Status, r.Detail())
	}
	if err := os.MkdirAll(filepath.Join(dir, "testdata"), 0o755); err != nil {
		t.Fatal(err)
	}
	opts.UpdateGolden = true
	if r := Run(files, opts)[0]; r.Status != Pass {
		t.Fatalf("update: %s %q", r.Status, r.Detail())
	}
	opts.UpdateGolden = false
	if r := Run(files, opts)[0]; r.Status != Pass {
		t.Fatalf("same run against its golden: %s %q", r.Status, r.Detail())
	}
	// A lower threshold detects the crash sooner: the golden notices.
	opts.Scenario.Sets = []string{"heartbeat.miss_threshold=5"}
	r := Run(files, opts)[0]
	if r.Status != Fail || !strings.Contains(r.Detail(), "golden differs") {
		t.Fatalf("changed threshold: %s %q", r.Status, r.Detail())
	}
	found := false
	for _, c := range r.Golden {
		found = found || c.Path == "nodes.dn3.detection_ms"
	}
	if !found {
		t.Errorf("no nodes.dn3.detection_ms among the changes: %v", r.Golden)
	}
}

// Structs of the JUnit shape, written independently of the writer's, so
// the test checks the XML rather than the writer against itself.
type xSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Cases    []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnit(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.yaml": passing, "b.yaml": failing, "sub/c.yaml": broken, "sub/d.yaml": passing})
	files, _ := Discover([]string{dir})
	results := Run(files, Options{Scenario: scenario.Options{Env: noEnv}})
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := WriteJUnit(path, results); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var x xSuites
	if err := xml.Unmarshal(data, &x); err != nil {
		t.Fatalf("not JUnit XML: %v\n%s", err, data)
	}
	if x.Tests != 4 || x.Failures != 1 || x.Errors != 1 || len(x.Suites) != 2 {
		t.Fatalf("totals tests=%d failures=%d errors=%d suites=%d\n%s", x.Tests, x.Failures, x.Errors, len(x.Suites), data)
	}
	var tests, failures, errs int
	for _, s := range x.Suites {
		if len(s.Cases) != s.Tests {
			t.Errorf("suite %s says %d tests, has %d", s.Name, s.Tests, len(s.Cases))
		}
		tests, failures, errs = tests+s.Tests, failures+s.Failures, errs+s.Errors
		for _, c := range s.Cases {
			if c.Classname != s.Name || c.Name == "" || c.Time == "" {
				t.Errorf("testcase %+v lacks classname, name or time", c)
			}
		}
	}
	if tests != x.Tests || failures != x.Failures || errs != x.Errors {
		t.Errorf("suite counts %d/%d/%d do not add up to the totals", tests, failures, errs)
	}
	fail := x.Suites[0].Cases[1]
	if fail.Name != "crash-eager" || fail.Failure == nil ||
		!strings.Contains(fail.Failure.Message, "dn3 dead within 1s") || !strings.Contains(fail.Failure.Body, "detection 28s > 1s") {
		t.Errorf("failure case = %+v", fail)
	}
	if e := x.Suites[1].Cases[0]; e.Error == nil || !strings.Contains(e.Error.Message, "c.yaml:4") {
		t.Errorf("error case = %+v", e)
	}
}

// TestShardsMerge runs a suite in three shards and merges them: the same
// results, in the same order, as the whole suite; a result moved to the
// wrong shard is named.
func TestShardsMerge(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.yaml": passing, "b.yaml": failing, "c.yaml": broken, "d/e.yaml": passing})
	files, _ := Discover([]string{dir})
	opts := Options{Scenario: scenario.Options{Env: noEnv}}
	st := Load(files, opts)
	whole := st.Run(shard.Spec{})
	out := t.TempDir()
	n := 0
	for i := 1; i <= 3; i++ {
		s := shard.Spec{Index: i, Total: 3}
		res := st.Run(s)
		n += len(res)
		if _, err := st.WriteShard(out, s, res); err != nil {
			t.Fatal(err)
		}
	}
	if n != len(whole) {
		t.Fatalf("the shards ran %d scenarios, the suite has %d", n, len(whole))
	}
	collected, err := shard.Collect([]string{out})
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Merge(collected)
	if err != nil {
		t.Fatal(err)
	}
	for i := range whole {
		w, m := whole[i], merged[i]
		if w.Path != m.Path || w.Status != m.Status || w.Detail() != m.Detail() {
			t.Errorf("result %d: merged %s %s %q, whole %s %s %q", i, m.Path, m.Status, m.Detail(), w.Path, w.Status, w.Detail())
		}
	}
	// Move one result line into another shard's file.
	var from, to *shard.File
	for _, f := range collected {
		if len(f.Results) > 0 && from == nil {
			from = f
		} else if to == nil {
			to = f
		}
	}
	to.Results = append(to.Results, from.Results[0])
	to.Lines = append(to.Lines, 99)
	if _, err := Merge(collected); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("belongs to shard %d/3, not %d/3", from.Shard, to.Shard)) {
		t.Errorf("moved result: %v", err)
	}
}
