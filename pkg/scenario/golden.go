package scenario

import (
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// golden reads the top-level golden: key, a path relative to the scenario
// file so a suite can be moved or run from any directory.
func (p *parser) golden(n *yaml.Node) {
	s, ok := p.text(n, "golden")
	if !ok {
		return
	}
	if strings.TrimSpace(s) == "" {
		p.errs.add(n.Line, "golden", "must be a file path such as testdata/single-crash.json")
		return
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(filepath.Dir(p.path), s)
	}
	p.sc.Golden = s
}
