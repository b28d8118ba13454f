package golden

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	cases := []struct {
		name      string
		want, got string
		changes   []string
	}{
		{"equal", `{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, nil},
		{"number forms equal", `{"a":31000}`, `{"a":31000.0}`, nil},
		{"changed number", `{"a":{"b":29000}}`, `{"a":{"b":31000}}`, []string{"a.b: 29000 → 31000"}},
		{"null to number", `{"d":null}`, `{"d":31000}`, []string{"d: null → 31000"}},
		{"string", `{"s":"live"}`, `{"s":"dead"}`, []string{`s: "live" → "dead"`}},
		{"added key", `{}`, `{"x":true}`, []string{"x: added true"}},
		{"removed key", `{"x":[1]}`, `{}`, []string{"x: removed (was [1])"}},
		{
			"nodes by id",
			`{"nodes":[{"id":"dn1","d":null},{"id":"dn3","d":29000}]}`,
			`{"nodes":[{"id":"dn3","d":31000},{"id":"dn1","d":null},{"id":"dn4","d":null}]}`,
			[]string{"nodes.dn3.d: 29000 → 31000", `nodes.dn4: added {"id":"dn4","d":null}`},
		},
		{"qos map", `{"qos":{"missed-count":{"mistakes":0}}}`, `{"qos":{"missed-count":{"mistakes":2}}}`,
			[]string{"qos.missed-count.mistakes: 0 → 2"}},
		{"list by index", `{"e":[{"t":1},{"t":2}]}`, `{"e":[{"t":1},{"t":3},{"t":4}]}`,
			[]string{"e.1.t: 2 → 3", `e.2: added {"t":4}`, "e: 2 items → 3 items"}},
		{"type change", `{"a":[1]}`, `{"a":{"x":1}}`, []string{`a: [1] → {"x":1}`}},
		{"top level", `1`, `2`, []string{"(report): 1 → 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			changes, err := Diff([]byte(c.want), []byte(c.got))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ch := range changes {
				got = append(got, ch.String())
			}
			if strings.Join(got, "\n") != strings.Join(c.changes, "\n") {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.changes, "\n"))
			}
		})
	}
}

func TestDiffCapsLongLists(t *testing.T) {
	var a, b []string
	for i := range 20 {
		a = append(a, `{"t":1}`)
		b = append(b, `{"t":`+string(rune('2'+i%5))+`}`)
	}
	changes, err := Diff([]byte("["+strings.Join(a, ",")+"]"), []byte("["+strings.Join(b, ",")+"]"))
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != itemsShown+1 || changes[itemsShown].String() != "(report): 15 more items differ" {
		t.Errorf("got %d changes, last %v", len(changes), changes[len(changes)-1])
	}
}

func TestDiffBadJSON(t *testing.T) {
	for _, c := range []struct{ want, got, msg string }{
		{`{"a":`, `{}`, "golden report"},
		{`{}`, `{} {}`, "new report"},
		{``, `{}`, "golden report"},
	} {
		if _, err := Diff([]byte(c.want), []byte(c.got)); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("Diff(%q, %q) error = %v, want one about the %s", c.want, c.got, err, c.msg)
		}
	}
}

func TestCheckAndUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.json")
	if _, err := Check(path, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "--update-golden") {
		t.Errorf("missing golden: error %v", err)
	}
	if err := Update(path, func(w io.Writer) error {
		_, err := io.WriteString(w, `{"a":1}`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	changes, err := Check(path, []byte(`{"a":2}`))
	if err != nil || len(changes) != 1 || Summary(changes) != "golden differs: a: 1 → 2" {
		t.Errorf("Check = %v, %v", changes, err)
	}
	if got, _ := os.ReadFile(path); string(got) != `{"a":1}` {
		t.Errorf("Check must not touch the golden: %s", got)
	}
}
