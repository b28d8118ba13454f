package htmlreport_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/expect"
	"github.com/hbsim/hbsim/pkg/htmlreport"
	"github.com/hbsim/hbsim/pkg/report"
	"github.com/hbsim/hbsim/pkg/scenario"
	"github.com/hbsim/hbsim/pkg/sim"
	"github.com/hbsim/hbsim/pkg/sweep"
)

// keep saves the page and the screenshot for a person to look at:
// go test ./pkg/htmlreport -run Chromium -args -keep /tmp/shots
var keep = flag.String("keep", "", "directory to copy the rendered page and screenshot into")

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
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()}
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
	tr, err := sim.RunWith(s, sim.Options{Arrivals: true})
	if err != nil {
		t.Fatal(err)
	}
	r := report.Build(report.Meta{Name: s.Name, Description: s.Description, Seed: s.Seed, Config: s.Effective}, tr)
	expect.CheckAll(s.Expect, r)
	path := filepath.Join(t.TempDir(), "report.html")
	if err := htmlreport.WriteFile(path, r, tr); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestChromiumRendersReport(t *testing.T) {
	bin := chromium(t)
	path := page(t, "crash-and-restart.yaml")
	url := "file://" + path

	dom := string(browse(t, bin, "--dump-dom", url))
	for _, c := range []struct {
		what, want string
		count      int // 0: at least once
	}{
		{"timeline", `id="timeline-svg"`, 1},
		{"a row per DataNode", `class="node-row"`, 5},
		{"live bands", `class="band view b-live"`, 0},
		{"dead band", `class="band view b-dead"`, 0},
		{"killed lane", `class="band truth b-killed"`, 1},
		{"heartbeat ticks", `<path class="ticks" d="M`, 5},
		{"detection marked", `class="mark m-dead"`, 1},
		{"node chart", `id="chart-nodes"`, 1},
		{"chart lines", `class="series l-live"`, 1},
		{"expectations", `class="expectation pass"`, 2},
		{"config", "heartbeat.miss_threshold", 0},
	} {
		n := strings.Count(dom, c.want)
		if c.count == 0 && n == 0 || c.count > 0 && n != c.count {
			t.Errorf("DOM: %s: %q found %d times, want %d (0: any)", c.what, c.want, n, c.count)
		}
	}

	shot := filepath.Join(t.TempDir(), "report.png")
	browse(t, bin, "--hide-scrollbars", "--screenshot="+shot, "--window-size=1400,900", url)
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot is not a PNG: % x", png[:min(8, len(png))])
	}
	// A blank 1400×900 page compresses to a few kB; bands, text and
	// charts take far more.
	if len(png) < 20_000 {
		t.Errorf("screenshot only %d bytes: is the page blank?", len(png))
	}
	if *keep != "" {
		for src, dst := range map[string]string{path: "report.html", shot: "report.png"} {
			if b, err := os.ReadFile(src); err == nil {
				os.WriteFile(filepath.Join(*keep, dst), b, 0o644)
			}
		}
	}
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
	dom := string(browse(t, bin, "--dump-dom", url))
	for _, c := range []struct {
		what, want string
		count      int // 0: at least once
	}{
		{"chart", `id="tradeoff-svg"`, 1},
		{"a line per interval", `class="curve"`, 2},
		{"a dot per point", `<circle class="pt`, 8},
		{"Pareto marked", `<circle class="pt pareto"`, 0},
		{"a row per point", `<tr class="point`, 8},
		{"recommendation", "smallest heartbeat.miss_threshold with no false positive in 3 seeds", 2},
	} {
		n := strings.Count(dom, c.want)
		if c.count == 0 && n == 0 || c.count > 0 && n != c.count {
			t.Errorf("DOM: %s: %q found %d times, want %d (0: any)", c.what, c.want, n, c.count)
		}
	}
	shot := filepath.Join(t.TempDir(), "sweep.png")
	browse(t, bin, "--hide-scrollbars", "--screenshot="+shot, "--window-size=1400,1200", url)
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 20_000 {
		t.Errorf("screenshot: %d bytes, PNG header %v: is the page blank?", len(png), bytes.HasPrefix(png, []byte("\x89PNG")))
	}
	if *keep != "" {
		for src, dst := range map[string]string{path: "sweep.html", shot: "sweep.png"} {
			if b, err := os.ReadFile(src); err == nil {
				os.WriteFile(filepath.Join(*keep, dst), b, 0o644)
			}
		}
	}
}
