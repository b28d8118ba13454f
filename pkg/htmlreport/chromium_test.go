package htmlreport_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/htmlreport"
	"github.com/hbsim/hbsim/pkg/runner"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/sim"
	"github.com/hbsim/hbsim/pkg/sweep"
)

// keep saves the pages and the screenshots for a person to look at:
// go test ./pkg/htmlreport -run Chromium -args -keep /tmp/shots
var keep = flag.String("keep", "", "directory to copy the rendered pages and screenshots into")

// chromium finds Debian's headless browser, or skips: the test needs a
// real browser, and machines without one still run every other test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not installed: run `make chromium` (apt-get install -y chromium) to render the HTML report in a browser")
	return ""
}

// browse runs headless Chromium with flags that keep it off the network
// and out of the user's profile, and returns its stdout.
func browse(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// page renders a shipped scenario as the CLI does with --html.
func page(t *testing.T, file string) string {
	t.Helper()
	s, err := scenario.Load(filepath.Join("..", "..", "scenarios", file), scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := runner.Run(context.Background(), s, runner.Options{Sim: sim.Options{Arrivals: true, Windows: true, Beliefs: true}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), strings.TrimSuffix(file, ".yaml")+".html")
	if err := htmlreport.WriteFile(path, res.Report, res.Trace); err != nil {
		t.Fatal(err)
	}
	return path
}

// measure is injected into a copy of a page (the page itself runs no
// script): it finds the smallest text on screen, in CSS pixels as drawn
// (SVG text scaled by its drawing), how wide the document is, and how
// tall the space-time diagram the URL targets is.
const measure = `<script>
window.addEventListener("load", () => {
  let least = 1e9, where = "";
  for (const el of document.querySelectorAll("body *")) {
    let text = false;
    for (const n of el.childNodes) if (n.nodeType === 3 && n.textContent.trim()) text = true;
    if (!text || el.closest("title")) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement && el.getScreenCTM()) {
      const m = el.getScreenCTM();
      size *= Math.min(Math.hypot(m.a, m.b), Math.hypot(m.c, m.d));
    }
    if (size < least) { least = size; where = el.tagName + " " + el.textContent.trim().slice(0, 40); }
  }
  const st = document.querySelector(":target");
  const pre = document.createElement("pre");
  pre.id = "measure";
  pre.textContent = [least.toFixed(2), document.documentElement.scrollWidth, st ? st.getBoundingClientRect().height : -1, where].join("|");
  document.body.appendChild(pre);
});
</script>`

// measured is what the script found.
type measured struct {
	least       float64
	scrollWidth int
	targetH     float64
	where       string
}

func measurePage(t *testing.T, bin, path string, width int, fragment string) (measured, string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	probe := filepath.Join(t.TempDir(), "probe.html")
	if err := os.WriteFile(probe, bytes.Replace(raw, []byte("</body>"), []byte(measure+"</body>"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := string(browse(t, bin, "--dump-dom", fmt.Sprintf("--window-size=%d,1000", width), "file://"+probe+fragment))
	m := regexp.MustCompile(`<pre id="measure">([^|]*)\|([^|]*)\|([^|]*)\|([^<]*)</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("%s at %dpx: the measuring script wrote nothing", filepath.Base(path), width)
	}
	var got measured
	got.least, _ = strconv.ParseFloat(m[1], 64)
	got.scrollWidth, _ = strconv.Atoi(m[2])
	got.targetH, _ = strconv.ParseFloat(m[3], 64)
	got.where = m[4]
	return got, dom
}

// color is one colour a screenshot must show.
type color struct {
	what    string
	r, g, b int
}

var (
	bands = []color{{"live green", 0x00, 0x9E, 0x73}, {"dead orange", 0xD5, 0x5E, 0x00}}
	ink   = []color{{"message ink", 0x1F, 0x29, 0x37}}
)

// shot takes a screenshot and checks it is a picture of the page: a PNG
// of the window's width, with the colours it must show.
func shot(t *testing.T, bin, path string, width, height int, fragment, name string, colors []color) {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	browse(t, bin, "--screenshot="+out, fmt.Sprintf("--window-size=%d,%d", width, height), "file://"+path+fragment)
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", name, err)
	}
	if img.Bounds().Dx() != width {
		t.Errorf("%s is %d wide, want %d", name, img.Bounds().Dx(), width)
	}
	for _, c := range colors {
		if n := countColor(img, c.r, c.g, c.b); n < 200 {
			t.Errorf("%s: %d pixels of %s: is the page drawn?", name, n, c.what)
		}
	}
	if *keep != "" {
		os.WriteFile(filepath.Join(*keep, name), raw, 0o644)
	}
}

func countColor(img image.Image, r, g, b int) int {
	n := 0
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if abs(int(cr>>8)-r) < 8 && abs(int(cg>>8)-g) < 8 && abs(int(cb>>8)-b) < 8 {
				n++
			}
		}
	}
	return n
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestChromiumRunPages renders the run page of three shipped scenarios in
// Chromium at 1400px and at 800px: every label at least 11px, nothing
// wider than the window, each page's own sections in the DOM, a
// screenshot of each, and a fault's space-time diagram opened by its
// link.
func TestChromiumRunPages(t *testing.T) {
	bin := chromium(t)
	type want struct {
		what, text string
		count      int // 0: at least once
	}
	pages := []struct {
		file  string
		wants []want
	}{
		{"rack-failure.yaml", []want{
			{"rack headings", `class="tl-rack"`, 3},
			{"a row per DataNode", `class="tl-row node-row"`, 9},
			{"blocks and I/O", `id="blocks"`, 1},
			{"re-replicated", "re-replicated", 0},
			{"reads", "reads (rerouted, failed)", 1},
			{"fault shaded on every chart", `class="fault-shade"`, 2},
			{"space-time diagram", `class="spacetime"`, 1},
			{"the fault links to it", `<a href="#st-1">`, 0},
		}},
		{"detector-shootout.yaml", []want{
			{"a lane per watching detector and node", `class="watch-lane"`, 24},
			{"where they disagree", `class="disagreement"`, 0},
			{"a disagreement against the truth", `class="wrong"`, 0},
			{"space-time diagrams, one per fault", `class="spacetime"`, 5},
		}},
		{"gossip-100.yaml", []want{
			{"quiet nodes folded", `class="tl-row folded-row"`, 0},
			{"crashed nodes keep their rows", `id="row-dn40"`, 1},
			{"who suspects whom", `id="matrix"`, 1},
			{"matrix snapshots", `class="snap"`, 0},
			{"convergence table", `class="convergence"`, 4},
		}},
	}
	for _, pg := range pages {
		path := page(t, pg.file)
		name := strings.TrimSuffix(pg.file, ".yaml")
		for _, width := range []int{1400, 800} {
			got, dom := measurePage(t, bin, path, width, "")
			if got.least < 11 {
				t.Errorf("%s at %dpx: text of %.2fpx (%s): want at least 11px", name, width, got.least, got.where)
			}
			if got.scrollWidth > width {
				t.Errorf("%s at %dpx: the page is %dpx wide", name, width, got.scrollWidth)
			}
			if width == 1400 {
				for _, w := range pg.wants {
					n := strings.Count(dom, w.text)
					if w.count == 0 && n == 0 || w.count > 0 && n != w.count {
						t.Errorf("%s: %s: %q found %d times, want %d (0: any)", name, w.what, w.text, n, w.count)
					}
				}
			}
			shot(t, bin, path, width, 2200, "", fmt.Sprintf("%s-%d.png", name, width), bands)
		}
		if *keep != "" {
			if b, err := os.ReadFile(path); err == nil {
				os.WriteFile(filepath.Join(*keep, name+".html"), b, 0o644)
			}
		}
	}
	// A click on a fault opens its diagram: the link's target shows, and
	// draws its messages (a tall window, so the page scrolled to it is
	// drawn).
	path := page(t, "single-crash.yaml")
	if got, _ := measurePage(t, bin, path, 800, "#st-1"); got.targetH < 100 {
		t.Errorf("the space-time diagram #st-1 is %.0fpx tall when targeted", got.targetH)
	}
	shot(t, bin, path, 1400, 3000, "#st-1", "single-crash-spacetime.png", ink)
}

func TestChromiumRendersSweep(t *testing.T) {
	bin := chromium(t)
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "jittery-crash.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	params, err := sweep.ParseParams([]string{"heartbeat.miss_threshold=2..5", "heartbeat.interval=1s,3s"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := sweep.Run("examples/jittery-crash.yaml", data, sweep.Options{Params: params, Seeds: 3})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sweep.html")
	if err := htmlreport.WriteSweepFile(path, res); err != nil {
		t.Fatal(err)
	}
	url := "file://" + path
	got, dom := measurePage(t, bin, path, 1400, "")
	if got.least < 11 {
		t.Errorf("sweep page at 1400px: text of %.2fpx (%s): want at least 11px", got.least, got.where)
	}
	if got, _ := measurePage(t, bin, path, 800, ""); got.least < 11 {
		t.Errorf("sweep page at 800px: text of %.2fpx (%s): want at least 11px", got.least, got.where)
	}
	for _, c := range []struct {
		what, want string
		count      int // 0: at least once
	}{
		{"chart", `id="tradeoff-svg"`, 1},
		{"a line per interval", `class="curve"`, 2},
		{"a dot per point", `<circle class="pt`, 8},
		{"Pareto marked", `<circle class="pt pareto"`, 0},
		{"recommended ringed", `<circle class="ring"`, 2},
		{"point labels", `class="plabel"`, 0},
		{"a row per point", `<tr class="point`, 8},
		{"recommendation", "smallest heartbeat.miss_threshold with no false positive in 3 seeds", 2},
	} {
		n := strings.Count(dom, c.want)
		if c.count == 0 && n == 0 || c.count > 0 && n != c.count {
			t.Errorf("DOM: %s: %q found %d times, want %d (0: any)", c.what, c.want, n, c.count)
		}
	}
	out := filepath.Join(t.TempDir(), "sweep.png")
	browse(t, bin, "--screenshot="+out, "--window-size=1400,1200", url)
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil || countColor(img, 0x00, 0x72, 0xB2) < 200 {
		t.Errorf("sweep screenshot: %v, or no blue curve drawn", err)
	}
	if *keep != "" {
		os.WriteFile(filepath.Join(*keep, "sweep.png"), raw, 0o644)
		if b, err := os.ReadFile(path); err == nil {
			os.WriteFile(filepath.Join(*keep, "sweep.html"), b, 0o644)
		}
	}
}
