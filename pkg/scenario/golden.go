package scenario

import (
	"errors"
	"io/fs"

	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hbsim/hbsim/pkg/hint"
)

// golden reads the top-level golden: key, a path relative to the scenario
// file so a suite can be moved or run from any directory. It must stay
// inside the scenario's folder (or Options.GoldenRoot): --update-golden
// writes it, and a scenario from elsewhere must not be able to overwrite
// ../../notes.txt.
func (p *parser) golden(n *yaml.Node, root string) {
	s, ok := p.text(n, "golden")
	if !ok {
		return
	}
	if strings.TrimSpace(s) == "" {
		p.errs.add(n.Line, "golden", "must be a file path such as testdata/single-crash.json")
		return
	}
	written := s
	dir := filepath.Dir(p.path)
	if !filepath.IsAbs(s) {
		s = filepath.Join(dir, s)
	}
	if root == "" {
		root = dir
	}
	if !Inside(root, s) {
		p.errs.add(n.Line, "golden", "%s leads outside %s, the folder goldens must stay in (--update-golden writes them); keep it beside the scenario, or name another folder with --golden-root",
			hint.Quote(written), hint.Quote(root))
		return
	}
	if filepath.Clean(s) == filepath.Clean(p.path) {
		p.errs.add(n.Line, "golden", "is the scenario file itself; --update-golden would overwrite it")
		return
	}
	p.sc.Golden = s
}

// Inside reports whether path is within the folder root, lexically and
// once symbolic links are resolved: a link inside root that points
// elsewhere is outside.
func Inside(root, path string) bool {
	if !within(root, path) {
		return false
	}
	r, err1 := resolve(root)
	q, err2 := resolve(path)
	return err1 == nil && err2 == nil && within(r, q)
}

// within is the lexical test.
func within(root, path string) bool {
	ra, err1 := filepath.Abs(root)
	pa, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(ra, pa)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// resolve evaluates the symbolic links of the longest part of path that
// exists and appends the rest: a golden that does not exist yet is judged
// by its folder.
func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	rest := ""
	for {
		r, err := filepath.EvalSymlinks(abs)
		if err == nil {
			return filepath.Join(r, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return filepath.Join(abs, rest), nil
		}
		rest = filepath.Join(filepath.Base(abs), rest)
		abs = parent
	}
}
