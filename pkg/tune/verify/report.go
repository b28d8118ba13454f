package verify

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/hbsim/hbsim/pkg/tune"
)

// Report is what hbsim tune prints. Field names are a contract, as in
// the run report: add fields, never rename one. Times are milliseconds.
//
// The top-level settings, predicted, measured and met are those of the
// recommended detector: the one with the fewest heartbeats per second
// that meets every target (with --detector all), or the one asked for.
// Detectors holds every detector tuned, in the order asked.
type Report struct {
	Scenario string  `json:"scenario"`
	Path     string  `json:"path"`
	Targets  Targets `json:"targets"`
	Network  Network `json:"network"`
	// Detector is the recommended detector; "" when none meets the
	// targets.
	Detector string `json:"detector"`
	Entry
	Detectors []Entry `json:"detectors"`
	// Passed is true when the recommended detector met every target.
	Passed bool `json:"passed"`
}

// Targets echo the command line.
type Targets struct {
	MaxDetectionMs         float64  `json:"max_detection_ms"`
	MinMistakeRecurrenceMs float64  `json:"min_mistake_recurrence_ms"`
	MaxMistakeDurationMs   *float64 `json:"max_mistake_duration_ms"`
}

// Network is the link as tune modelled it.
type Network struct {
	// HeartbeatLoss is the long-run share of heartbeats lost.
	HeartbeatLoss float64 `json:"heartbeat_loss"`
	// MeanBurst is the mean length of a run of lost heartbeats.
	MeanBurst   float64 `json:"mean_loss_run"`
	MeanDelayMs float64 `json:"mean_delay_ms"`
	// DelayP999Ms is the delay's 99.9th percentile, used in detection
	// bounds.
	DelayP999Ms float64 `json:"delay_p999_ms"`
}

// Entry is one detector's tuning.
type Entry struct {
	Name string `json:"name,omitempty"`
	// Settings maps --set keys to values --set accepts; Set is the same as
	// command-line arguments, in order.
	Settings map[string]string `json:"settings"`
	Set      []string          `json:"set"`
	// HDFSSite is an hdfs-site.xml snippet, for the hdfs detector.
	HDFSSite string `json:"hdfs_site,omitempty"`
	// HeartbeatsPerSec is the cost per DataNode.
	HeartbeatsPerSec float64  `json:"heartbeats_per_sec"`
	Why              string   `json:"why,omitempty"`
	Predicted        *Metrics `json:"predicted"`
	Measured         *Metrics `json:"measured"`
	// Simulation says what the runs covered and how far they can confirm
	// the recurrence target.
	Simulation *Simulation `json:"simulation,omitempty"`
	// Met says, per target, whether it holds: predicted, and not refuted
	// by the simulation (max_detection: every probe crash detected within
	// the bound).
	Met map[string]bool `json:"met"`
	// Relax, when no setting meets every target, says how far each target
	// would have to move on its own (null: moving it alone cannot help).
	Relax []Relax `json:"relax,omitempty"`
}

// Metrics are QoS figures; the measured ones carry a 95% interval.
type Metrics struct {
	DetectionMs           Detection `json:"detection_ms"`
	MistakeRecurrenceMs   Value     `json:"mistake_recurrence_ms"`
	MistakeDurationMs     Value     `json:"mistake_duration_ms"`
	FalsePositivesPerHour Value     `json:"false_positives_per_hour"`
	PA                    Value     `json:"p_a"`
}

// Detection is T_D's percentiles; CI95 is the interval of p99.
type Detection struct {
	P50  *float64     `json:"p50"`
	P99  *float64     `json:"p99"`
	Max  *float64     `json:"max"`
	CI95 *[2]*float64 `json:"ci95,omitempty"`
}

// Value is one figure; null when undefined (no mistake: no recurrence).
type Value struct {
	Value *float64     `json:"value"`
	CI95  *[2]*float64 `json:"ci95,omitempty"`
}

// Simulation is the extent of the check.
type Simulation struct {
	Seeds      int     `json:"seeds"`
	Crashes    int     `json:"crashes"`
	Undetected int     `json:"undetected"`
	Mistakes   int     `json:"mistakes"`
	NodeHours  float64 `json:"node_hours"`
	// ConfirmedRecurrenceMs is the longest mean recurrence the runs
	// support at 95% (1 / the rate's upper bound).
	ConfirmedRecurrenceMs float64 `json:"confirmed_recurrence_ms"`
	// NodeHoursToConfirm is the mistake-free node time that would confirm
	// the recurrence target.
	NodeHoursToConfirm float64 `json:"node_hours_to_confirm"`
}

// Relax is one target and the value that would make it reachable.
type Relax struct {
	Target string   `json:"target"`
	FromMs float64  `json:"from_ms"`
	ToMs   *float64 `json:"to_ms"`
}

// NewTargets converts targets to the report's form.
func NewTargets(t tune.Targets) Targets {
	out := Targets{MaxDetectionMs: ms(t.MaxDetection), MinMistakeRecurrenceMs: ms(t.MinRecurrence)}
	if t.MaxDuration > 0 {
		out.MaxMistakeDurationMs = ptr(ms(t.MaxDuration))
	}
	return out
}

// NewNetwork describes a link.
func NewNetwork(l tune.Link) Network {
	return Network{HeartbeatLoss: round(l.LossRate(), 6), MeanBurst: round(l.MeanLossRun(), 3),
		MeanDelayMs: round(ms(l.MeanDelay()), 3), DelayP999Ms: round(ms(l.DelayHi), 3)}
}

// NewEntry builds a detector's entry from its recommendation and, when
// the simulation ran, its measurement.
func NewEntry(rec tune.Recommendation, m *Measured, t tune.Targets) Entry {
	e := Entry{Name: rec.Detector, Settings: map[string]string{}, Why: rec.Why,
		HeartbeatsPerSec: round(rec.Predicted.HeartbeatsPerSecond, 4)}
	for _, s := range rec.Settings {
		e.Settings[s.Key] = s.Value
		e.Set = append(e.Set, "--set", s.Key+"="+s.Value)
	}
	if len(rec.HDFSSite) > 0 {
		var b strings.Builder
		b.WriteString("<configuration>\n")
		for _, s := range rec.HDFSSite {
			fmt.Fprintf(&b, "  <property>\n    <name>%s</name>\n    <value>%s</value>\n  </property>\n", s.Key, s.Value)
		}
		b.WriteString("</configuration>\n")
		e.HDFSSite = b.String()
	}
	p := rec.Predicted
	e.Predicted = &Metrics{
		DetectionMs:           Detection{P50: ptr(ms(p.DetectionP50)), P99: ptr(ms(p.DetectionP99)), Max: ptr(ms(p.DetectionMax))},
		MistakeRecurrenceMs:   Value{Value: finite(ms(p.Recurrence))},
		MistakeDurationMs:     Value{Value: ptr(ms(p.Duration))},
		FalsePositivesPerHour: Value{Value: ptr(p.MistakesPerHour)},
		PA:                    Value{Value: ptr(p.PA)},
	}
	if p.Recurrence == math.Inf(1) {
		e.Predicted.MistakeDurationMs.Value = nil
	}
	e.Met = map[string]bool{
		"max_detection":          p.DetectionMax <= t.MaxDetection+1e-9,
		"min_mistake_recurrence": p.Recurrence >= t.MinRecurrence,
	}
	if t.MaxDuration > 0 {
		e.Met["max_mistake_duration"] = p.Duration <= t.MaxDuration
	}
	if m != nil {
		e.measure(m, t)
	}
	return e
}

// measure fills the measured figures and lets the simulation refute the
// prediction.
func (e *Entry) measure(m *Measured, t tune.Targets) {
	mm := &Metrics{}
	if n := len(m.Detection); n > 0 {
		p50, p99 := m.Detection[quantileIndex(n, 0.5)], m.Detection[quantileIndex(n, 0.99)]
		iv := tune.QuantileCI(m.Detection, 0.99)
		mm.DetectionMs = Detection{P50: ptr(ms(p50)), P99: ptr(ms(p99)), Max: ptr(ms(m.Detection[n-1])),
			CI95: &[2]*float64{msPtr(iv.Lo), msPtr(iv.Hi)}}
	}
	hours := m.Uptime / 3600
	lo, hi := tune.PoissonRateCI(m.Mistakes, hours)
	mm.FalsePositivesPerHour = Value{Value: ptr(round(float64(m.Mistakes)/math.Max(hours, 1e-12), 6)),
		CI95: &[2]*float64{ptr(round(lo, 6)), ptr(round(hi, 6))}}
	rec := Value{CI95: &[2]*float64{ptr(ms(3600 / hi)), nil}}
	if m.Mistakes > 0 {
		rec.Value = ptr(ms(m.Uptime / float64(m.Mistakes)))
		rec.CI95[1] = ptr(ms(3600 / lo))
	}
	mm.MistakeRecurrenceMs = rec
	if len(m.Durations) > 0 {
		mean, iv := tune.MeanCI(m.Durations)
		mm.MistakeDurationMs = Value{Value: ptr(ms(mean)), CI95: &[2]*float64{msPtr(iv.Lo), msPtr(iv.Hi)}}
	}
	_, pa := tune.MeanCI(m.PASeeds)
	mm.PA = Value{Value: ptr(round(m.PA, 9)), CI95: &[2]*float64{roundPtr(pa.Lo), roundPtr(pa.Hi)}}
	e.Measured = mm
	e.Simulation = &Simulation{Seeds: m.Seeds, Crashes: m.Crashes, Undetected: m.Crashes - m.Detected,
		Mistakes: m.Mistakes, NodeHours: round(hours, 3), ConfirmedRecurrenceMs: ms(3600 / hi),
		NodeHoursToConfirm: round(tune.ZeroEventExposure(t.MinRecurrence)/3600, 1)}

	detOK := m.Crashes > 0 && m.Detected == m.Crashes && len(m.Detection) > 0 && m.Detection[len(m.Detection)-1] <= t.MaxDetection
	e.Met["max_detection"] = e.Met["max_detection"] && detOK
	// Refuted when even the rate's lower bound is above 1/target.
	e.Met["min_mistake_recurrence"] = e.Met["min_mistake_recurrence"] && lo <= 3600/t.MinRecurrence
	if t.MaxDuration > 0 && mm.MistakeDurationMs.CI95 != nil && mm.MistakeDurationMs.CI95[0] != nil {
		e.Met["max_mistake_duration"] = e.Met["max_mistake_duration"] && *mm.MistakeDurationMs.CI95[0] <= ms(t.MaxDuration)
	}
}

// AllMet reports whether every target of the entry holds.
func (e *Entry) AllMet() bool {
	if len(e.Relax) > 0 || len(e.Met) == 0 {
		return false
	}
	for _, ok := range e.Met {
		if !ok {
			return false
		}
	}
	return true
}

// NewRelax converts relaxations.
func NewRelax(rs []tune.Relaxation) []Relax {
	var out []Relax
	for _, r := range rs {
		x := Relax{Target: r.Target, FromMs: ms(r.From)}
		if r.To > 0 && !math.IsInf(r.To, 0) {
			x.ToMs = ptr(ms(r.To))
		}
		out = append(out, x)
	}
	return out
}

// WriteTable writes the report for people, one block per detector.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "Tune %s: detection ≤ %s, mistake recurrence ≥ %s", r.Scenario,
		human(r.Targets.MaxDetectionMs), human(r.Targets.MinMistakeRecurrenceMs))
	if r.Targets.MaxMistakeDurationMs != nil {
		fmt.Fprintf(w, ", mistake duration ≤ %s", human(*r.Targets.MaxMistakeDurationMs))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Network: %.2f%% of heartbeats lost (runs of %.2f on average), delay\nmean %s, 99.9th percentile %s\n",
		100*r.Network.HeartbeatLoss, r.Network.MeanBurst, human(r.Network.MeanDelayMs), human(r.Network.DelayP999Ms))
	for _, e := range r.Detectors {
		fmt.Fprintln(w)
		if err := e.writeTable(w, r); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	switch {
	case r.Detector == "":
		fmt.Fprintln(w, "No detector meets every target: relax one as shown above.")
	case len(r.Detectors) > 1:
		fmt.Fprintf(w, "Fewest heartbeats meeting every target: %s (%.3g per second per node).\n", r.Detector, r.HeartbeatsPerSec)
	}
	return nil
}

func (e *Entry) writeTable(w io.Writer, r *Report) error {
	if len(e.Relax) > 0 {
		fmt.Fprintf(w, "%s: no setting meets every target. Relax one of them:\n", e.Name)
		for _, x := range e.Relax {
			switch {
			case x.ToMs == nil:
				fmt.Fprintf(w, "  %s: moving it alone cannot help\n", x.Target)
			default:
				fmt.Fprintf(w, "  %s: from %s to %s\n", x.Target, human(x.FromMs), human(*x.ToMs))
			}
		}
		return nil
	}
	fmt.Fprintf(w, "%s: %.3g heartbeats per second per node\n", e.Name, e.HeartbeatsPerSec)
	fmt.Fprintln(w, wrap(e.Why, 78))
	t := tablewriter.NewTable(w,
		tablewriter.WithEastAsian(tw.Off),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	t.Header([]string{"metric", "target", "predicted", "measured", "95% CI", "met"})
	p, m := e.Predicted, e.Measured
	if m == nil {
		m = &Metrics{}
	}
	yes := func(k string) string {
		if ok, has := e.Met[k]; has {
			if ok {
				return "yes"
			}
			return "NO"
		}
		return ""
	}
	dur := ""
	if r.Targets.MaxMistakeDurationMs != nil {
		dur = "≤ " + human(*r.Targets.MaxMistakeDurationMs)
	}
	rows := [][]string{
		{"detection p50", "", humanPtr(p.DetectionMs.P50), humanPtr(m.DetectionMs.P50), "", ""},
		{"detection p99", "", humanPtr(p.DetectionMs.P99), humanPtr(m.DetectionMs.P99), ciText(m.DetectionMs.CI95, human), ""},
		{"detection max", "≤ " + human(r.Targets.MaxDetectionMs), humanPtr(p.DetectionMs.Max), humanPtr(m.DetectionMs.Max), "", yes("max_detection")},
		{"mistake recurrence", "≥ " + human(r.Targets.MinMistakeRecurrenceMs), humanPtr(p.MistakeRecurrenceMs.Value), noneSeen(m.MistakeRecurrenceMs.Value, e.Measured), ciText(m.MistakeRecurrenceMs.CI95, human), yes("min_mistake_recurrence")},
		{"mistake duration", dur, humanPtr(p.MistakeDurationMs.Value), humanPtr(m.MistakeDurationMs.Value), ciText(m.MistakeDurationMs.CI95, human), yes("max_mistake_duration")},
		{"false positives/h", "", numPtr(p.FalsePositivesPerHour.Value), numPtr(m.FalsePositivesPerHour.Value), ciText(m.FalsePositivesPerHour.CI95, num), ""},
		{"P_A", "", numPtr(p.PA.Value), numPtr(m.PA.Value), "", ""},
	}
	for _, row := range rows {
		if err := t.Append(row); err != nil {
			return fmt.Errorf("tune table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("tune table: %w", err)
	}
	if s := e.Simulation; s != nil {
		fmt.Fprintln(w, wrap(fmt.Sprintf("Simulated %d seeds: %d crashes, %d undetected; %d mistakes in %.1f node-hours.",
			s.Seeds, s.Crashes, s.Undetected, s.Mistakes, s.NodeHours), 78))
		if s.ConfirmedRecurrenceMs < r.Targets.MinMistakeRecurrenceMs {
			fmt.Fprintln(w, wrap(fmt.Sprintf("The recurrence target of %s is predicted; these runs can confirm a mean recurrence of %s at most. Confirming %s takes about %s node-hours without a mistake.",
				human(r.Targets.MinMistakeRecurrenceMs), human(s.ConfirmedRecurrenceMs), human(r.Targets.MinMistakeRecurrenceMs),
				strconv.FormatFloat(s.NodeHoursToConfirm, 'f', 0, 64)), 78))
		}
	}
	fmt.Fprintf(w, "Run with:\n%s\n", shellLines("hbsim run "+r.Path, pairs(e.Set), 76))
	if e.HDFSSite != "" {
		fmt.Fprintf(w, "hdfs-site.xml:\n%s", e.HDFSSite)
	}
	return nil
}

// pairs joins "--set" with its value so a line never breaks between them.
func pairs(args []string) []string {
	var out []string
	for i := 0; i+1 < len(args); i += 2 {
		out = append(out, args[i]+"\u00a0"+args[i+1])
	}
	return out
}

// shellLines writes a command over lines of at most width, each ending
// in a backslash, indented for pasting into a shell.
func shellLines(cmd string, args []string, width int) string {
	lines := []string{"  " + cmd}
	cur := "   "
	for _, a := range args {
		a = strings.ReplaceAll(a, "\u00a0", " ")
		if len(cur)+1+len(a) > width && cur != "   " {
			lines = append(lines, cur)
			cur = "   "
		}
		cur += " " + a
	}
	lines = append(lines, cur)
	return strings.Join(lines, " \\\n")
}

// wrap breaks text at spaces to lines of at most width, indenting
// continuation lines by two; non-breaking spaces become plain ones.
func wrap(s string, width int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(s) {
		if i > 0 {
			if line+1+len([]rune(word)) > width {
				b.WriteString("\n  ")
				line = 2
			} else {
				b.WriteString(" ")
				line++
			}
		}
		b.WriteString(word)
		line += len([]rune(word))
	}
	return strings.ReplaceAll(b.String(), "\u00a0", " ")
}

func noneSeen(v *float64, m *Metrics) string {
	if m == nil {
		return "—"
	}
	if v == nil {
		return "none seen"
	}
	return human(*v)
}

func ciText(c *[2]*float64, f func(float64) string) string {
	if c == nil {
		return ""
	}
	switch {
	case c[0] == nil && c[1] == nil:
		return ""
	case c[1] == nil:
		return "≥ " + f(*c[0])
	case c[0] == nil:
		return "≤ " + f(*c[1])
	}
	return f(*c[0]) + " – " + f(*c[1])
}

func humanPtr(v *float64) string {
	if v == nil {
		return "—"
	}
	return human(*v)
}

func numPtr(v *float64) string {
	if v == nil {
		return "—"
	}
	return num(*v)
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// human renders milliseconds as a short duration: 850ms, 29.82s, 3.5m,
// 96.3h, 1.1y.
func human(msv float64) string {
	d := time.Duration(msv * float64(time.Millisecond))
	switch {
	case msv < 1000:
		return strconv.FormatFloat(round(msv, 3), 'f', -1, 64) + "ms"
	case d < 100*time.Second:
		return strconv.FormatFloat(msv/1e3, 'f', 2, 64) + "s"
	case d < 100*time.Minute:
		return strconv.FormatFloat(d.Minutes(), 'f', 1, 64) + "m"
	case d < 24*365*time.Hour:
		return strconv.FormatFloat(d.Hours(), 'f', 1, 64) + "h"
	}
	return strconv.FormatFloat(d.Hours()/(24*365), 'f', 1, 64) + "y"
}

func quantileIndex(n int, p float64) int {
	// nearest rank, as pkg/qos
	r := int(math.Ceil(p*float64(n))) - 1
	return min(max(r, 0), n-1)
}

func ms(s float64) float64 { return round(s*1000, 3) }

func msPtr(s *float64) *float64 {
	if s == nil {
		return nil
	}
	return ptr(ms(*s))
}

func roundPtr(v *float64) *float64 {
	if v == nil {
		return nil
	}
	return ptr(round(math.Min(math.Max(*v, 0), 1), 9))
}

func finite(v float64) *float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	return &v
}

func ptr(v float64) *float64 { return &v }

func round(f float64, digits int) float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return f
	}
	p := math.Pow(10, float64(digits))
	return math.Round(f*p) / p
}
