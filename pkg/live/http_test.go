package live

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestCompareIDs(t *testing.T) {
	want := []string{"", "a", "dn", "dn1", "dn01", "dn2", "dn9", "dn10", "dn10a", "dn10b", "dn11", "dn100", "dn18446744073709551616", "dnx", "rack1-dn2", "rack2-dn1", "rack10-dn1"}
	for i := range want {
		for j := range want {
			got := CompareIDs(want[i], want[j])
			exp := 0
			if i < j {
				exp = -1
			} else if i > j {
				exp = 1
			}
			if got != exp {
				t.Errorf("CompareIDs(%q, %q) = %d, want %d", want[i], want[j], got, exp)
			}
		}
	}
}

func get(t *testing.T, c *testCluster, path string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	c.srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d", path, rec.Code)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// The status page, /api/datanodes and hbsim report list nodes as people
// count (dn2 before dn10), whatever order they registered in; the page
// shows the recent transitions with their reasons.
func TestStatusPageAndAPISortedWithEvents(t *testing.T) {
	c := newCluster(t)
	next := 0
	stops := map[string]func(){}
	for _, id := range []string{"dn10", "dn2", "dn1"} {
		stops[id], _ = c.startDN(id)
		c.await(&next, id+" live", to(id, "live"))
	}
	stops["dn2"]()
	dead := c.await(&next, "dn2 dead", to("dn2", "dead"))

	var r DataNodesReport
	if err := json.Unmarshal([]byte(get(t, c, "/api/datanodes")), &r); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range r.DataNodes {
		ids = append(ids, d.ID)
	}
	if !slices.Equal(ids, []string{"dn1", "dn2", "dn10"}) {
		t.Errorf("/api/datanodes lists %v, want dn1, dn2, dn10", ids)
	}

	page := get(t, c, "/")
	rows := regexp.MustCompile(`<td class="id">(\w+)</td>`).FindAllStringSubmatch(page, -1)
	var order []string
	for _, m := range rows {
		order = append(order, m[1])
	}
	if !slices.Equal(order, []string{"dn1", "dn2", "dn10"}) {
		t.Errorf("the status page lists %v, want dn1, dn2, dn10", order)
	}
	for _, want := range []string{"Recent events", `<span class="pill dead">dead</span>`, dead.Reason, "1 dead"} {
		if !strings.Contains(page, want) {
			t.Errorf("the status page lacks %q", want)
		}
	}
	// Newest first: the death comes before the registrations.
	if strings.Index(page, dead.Reason) > strings.Index(page, "registered") {
		t.Error("recent events are not newest first")
	}
}

// The status page uses the run report's palette: the same colour for
// each state as pkg/htmlreport's page, so a class sees one code.
func TestStatusPageUsesReportPalette(t *testing.T) {
	tmpl, err := os.ReadFile("../htmlreport/page.html.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	c := newCluster(t)
	page := get(t, c, "/")
	for _, v := range []string{"--live", "--stale", "--dead", "--ink", "--muted"} {
		re := regexp.MustCompile(regexp.QuoteMeta(v) + `:\s*(#[0-9A-Fa-f]{6})`)
		want := re.FindStringSubmatch(string(tmpl))
		got := re.FindStringSubmatch(page)
		if want == nil || got == nil || !strings.EqualFold(want[1], got[1]) {
			t.Errorf("%s: status page %v, report %v; want the same colour", v, got, want)
		}
	}
	if !strings.Contains(page, "font: 20px") {
		t.Error("the status page's base font should be 20px, legible on a projector")
	}
}
