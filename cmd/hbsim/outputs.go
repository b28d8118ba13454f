package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hbsim/hbsim/pkg/hint"
)

// ioFiles names what one command reads and what it writes, so that no
// output replaces an input (run s.yaml --html s.yaml, test dir --junit
// dir/a.yaml) or another output, and so that each output's folder exists
// before a long run starts rather than failing after it (test --junit
// build/junit.xml on a fresh clone).
type ioFiles struct {
	in, out []namedFile
}

// namedFile is a path and what named it: "--html", "the scenario".
type namedFile struct{ what, path string }

func (f *ioFiles) input(what, path string) {
	if path != "" {
		f.in = append(f.in, namedFile{what, path})
	}
}

func (f *ioFiles) output(what, path string) {
	if path != "" {
		f.out = append(f.out, namedFile{what, path})
	}
}

// check refuses an output that is an input or another output, or a
// folder, and creates the folders outputs go in. Every error is bad usage.
func (f *ioFiles) check() error {
	var errs []error
	for i, o := range f.out {
		for _, in := range f.in {
			if sameFile(o.path, in.path) {
				errs = append(errs, fmt.Errorf("%s %s is %s: writing it would destroy an input; write it elsewhere",
					o.what, hint.Quote(o.path), describeInput(in)))
			}
		}
		for _, other := range f.out[:i] {
			if sameFile(o.path, other.path) {
				errs = append(errs, fmt.Errorf("%s and %s both write %s; give each its own file", other.what, o.what, hint.Quote(o.path)))
			}
		}
		if fi, err := os.Stat(o.path); err == nil && fi.IsDir() {
			errs = append(errs, fmt.Errorf("%s %s is a folder; name a file", o.what, hint.Quote(o.path)))
			continue
		}
		if err := os.MkdirAll(filepath.Dir(o.path), 0o755); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", o.what, hint.Quote(o.path), err))
		}
	}
	if len(errs) > 0 {
		return usageErr(errors.Join(errs...))
	}
	return nil
}

func describeInput(in namedFile) string {
	if in.what == "" {
		return "an input"
	}
	return in.what
}

// sameFile reports whether two paths name one file: the same path once
// made absolute and clean, or, when both exist, the same file through a
// link or another spelling.
func sameFile(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == bb {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	if errors.Is(err1, fs.ErrNotExist) || errors.Is(err2, fs.ErrNotExist) || err1 != nil || err2 != nil {
		return false
	}
	return os.SameFile(fa, fb)
}
