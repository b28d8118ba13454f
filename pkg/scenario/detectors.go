package scenario

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/hbsim/hbsim/pkg/hint"
)

// Detectors hbsim knows, in the order reports list them.
var knownDetectors = []string{"missed-count", "hdfs", "phi", "gossip"}

// detectors reads `detectors: [missed-count, hdfs, phi]`: the detectors
// that watch the same trace. The acting one (heartbeat.detector) may be
// listed too.
func (p *parser) detectors(n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		p.errs.add(n.Line, "detectors", "must be a list such as [missed-count, hdfs, phi], got %s", kindName(n))
		return
	}
	for i, c := range n.Content {
		f := fmt.Sprintf("detectors[%d]", i)
		name, ok := p.text(c, f)
		if !ok {
			continue
		}
		if !slices.Contains(knownDetectors, name) {
			p.errs.add(c.Line, f, "unknown detector %s (%s)", hint.Quote(name), detectorHint(name))
			continue
		}
		if slices.Contains(p.sc.Detectors, name) {
			p.errs.add(c.Line, f, "%s is listed twice", name)
			continue
		}
		p.sc.Detectors = append(p.sc.Detectors, name)
	}
}

// Watching returns the detectors that watch without acting: Detectors less
// the acting one, without duplicates.
func (s *Scenario) Watching() []string {
	var out []string
	for _, d := range s.Detectors {
		if d != s.Config.Heartbeat.Detector && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// detectorHint helps with a detector name hbsim does not know: the one the
// user probably meant, else the list.
func detectorHint(name string) string {
	if dym := hint.DidYouMean(name, knownDetectors); dym != "" {
		return dym
	}
	return "want " + joinWords(knownDetectors)
}
