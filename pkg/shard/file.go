package shard

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hbsim/hbsim/pkg/atomicfile"
	"github.com/hbsim/hbsim/pkg/buildinfo"
	"github.com/hbsim/hbsim/pkg/golden"
)

// Format is the version of the shard file layout; a reader refuses others.
const Format = 1

// Header is a shard file's first line.
type Header struct {
	Format int    `json:"hbsim_shard"`
	Kind   string `json:"kind"` // "sweep" or "test"
	Shard  int    `json:"shard"`
	Of     int    `json:"of"`
	// Version and Commit are the hbsim that wrote the file: shards built
	// from different code would not add up to one run.
	Version string `json:"version"`
	Commit  string `json:"commit"`
	// Plan is what the whole run is (scenario, grid, seeds, settings),
	// the same in every shard of one run.
	Plan json.RawMessage `json:"plan"`
}

// end is a shard file's last line: a file cut short has none.
type end struct {
	End     bool `json:"end"`
	Results int  `json:"results"`
}

// File is one shard file read back.
type File struct {
	Path string
	Header
	// Results are the lines between header and end, one per run.
	Results []json.RawMessage
	// Lines are the file line numbers of Results, for messages.
	Lines []int
}

// Name is the file name of a shard's results: shard-0002-of-0010.jsonl.
func Name(s Spec) string { return Base(s) + ".jsonl" }

// Base names a shard's files without extension: shard-0002-of-0010. The
// numbers are padded so the files list in order.
func Base(s Spec) string {
	w := max(4, len(strconv.Itoa(s.Total)))
	return fmt.Sprintf("shard-%0*d-of-%0*d", w, s.Index, w, s.Total)
}

// Write writes the results of shard s of a run into dir, atomically: a
// shard interrupted before the end leaves no file, and merge then names
// it as missing.
func Write[T any](dir string, s Spec, kind string, plan any, results []T) (string, error) {
	p, err := json.Marshal(plan)
	if err != nil {
		return "", fmt.Errorf("shard plan: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	h := Header{Format: Format, Kind: kind, Shard: s.Index, Of: s.Total,
		Version: buildinfo.Version(), Commit: buildinfo.Commit(), Plan: p}
	if err := enc.Encode(h); err != nil {
		return "", fmt.Errorf("shard header: %w", err)
	}
	for _, r := range results {
		if err := enc.Encode(r); err != nil {
			return "", fmt.Errorf("shard result: %w", err)
		}
	}
	if err := enc.Encode(end{End: true, Results: len(results)}); err != nil {
		return "", err
	}
	path := filepath.Join(dir, Name(s))
	if err := atomicfile.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// Read reads one shard file and checks its shape: a header of a known
// format, results, and an end line that counts them.
func Read(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := &File{Path: path}
	r := bufio.NewReader(f)
	line := 0
	var last json.RawMessage
	for {
		b, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			line++
			b = bytes.TrimSpace(b)
			if !json.Valid(b) {
				return nil, fmt.Errorf("%s:%d: not a JSON line: the file is damaged; run shard %s again", path, line, shardOf(out))
			}
			if line == 1 {
				if err := json.Unmarshal(b, &out.Header); err != nil || out.Format == 0 {
					return nil, fmt.Errorf("%s:1: not an hbsim shard header", path)
				}
				if out.Format != Format {
					return nil, fmt.Errorf("%s:1: shard format %d, this hbsim reads %d: merge with the hbsim that wrote it", path, out.Format, Format)
				}
				if err := (Spec{Index: out.Shard, Total: out.Of}).check(); err != nil {
					return nil, fmt.Errorf("%s:1: %w", path, err)
				}
			} else {
				if last != nil {
					out.Results = append(out.Results, last)
					out.Lines = append(out.Lines, line-1)
				}
				last = append(json.RawMessage(nil), b...)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if line == 0 {
		return nil, fmt.Errorf("%s: empty; run the shard again", path)
	}
	var e end
	if last == nil || json.Unmarshal(last, &e) != nil || !e.End {
		if last != nil {
			out.Results = append(out.Results, last)
		}
		return nil, fmt.Errorf("%s: shard %s is incomplete (no end line after %d results): it was interrupted; run it again", path, shardOf(out), len(out.Results))
	}
	if e.Results != len(out.Results) {
		return nil, fmt.Errorf("%s:%d: the end line counts %d results, the file holds %d: run shard %s again", path, line, e.Results, len(out.Results), shardOf(out))
	}
	return out, nil
}

func shardOf(f *File) string {
	if f.Of == 0 {
		return "?"
	}
	return Spec{Index: f.Shard, Total: f.Of}.String()
}

// Collect reads the shard files (shard-*.jsonl) in each directory and
// checks that together they are every shard of one run exactly once,
// written by the same hbsim. It returns them in shard order.
func Collect(dirs []string) ([]*File, error) {
	if len(dirs) == 0 {
		return nil, errors.New("no directory to merge: give the --out directories of the shards")
	}
	var files []*File
	for _, dir := range dirs {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("%s is not a directory: give the --out directories of the shards", dir)
		}
		paths, err := filepath.Glob(filepath.Join(dir, "shard-*.jsonl"))
		if err != nil {
			return nil, err
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("%s: no shard files (shard-*.jsonl); the shards write them with --out %s", dir, dir)
		}
		sort.Strings(paths)
		for _, p := range paths {
			f, err := Read(p)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
	}
	first := files[0]
	byIndex := map[int]*File{}
	for _, f := range files {
		if err := sameRun(first, f); err != nil {
			return nil, err
		}
		if other, dup := byIndex[f.Shard]; dup {
			return nil, fmt.Errorf("shard %s appears twice: %s and %s; keep one", shardOf(f), other.Path, f.Path)
		}
		byIndex[f.Shard] = f
	}
	var missing []int
	for i := 1; i <= first.Of; i++ {
		if byIndex[i] == nil {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		m := Spec{Index: missing[0], Total: first.Of}
		msg := fmt.Sprintf("missing shard %s: no %s in %s", m, Name(m), strings.Join(dirs, ", "))
		if len(missing) == 1 {
			return nil, fmt.Errorf("%s; run it, or wait for it to finish", msg)
		}
		var all []string
		for _, i := range missing {
			all = append(all, strconv.Itoa(i))
		}
		return nil, fmt.Errorf("%s (shards %s of %d are missing); run them, or wait for them to finish", msg, strings.Join(all, ", "), first.Of)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Shard < files[j].Shard })
	return files, nil
}

// sameRun checks that f is a shard of the same run as first.
func sameRun(first, f *File) error {
	switch {
	case f.Kind != first.Kind:
		return fmt.Errorf("%s holds a %s, %s a %s: merge the shards of one run", f.Path, f.Kind, first.Path, first.Kind)
	case f.Of != first.Of:
		return fmt.Errorf("%s is shard %s, %s is shard %s: shards of two different splits; merge the shards of one run", f.Path, shardOf(f), first.Path, shardOf(first))
	case f.Version != first.Version || f.Commit != first.Commit:
		return fmt.Errorf("%s was written by hbsim %s (commit %s), %s by hbsim %s (commit %s): run every shard with the same build",
			f.Path, f.Version, f.Commit, first.Path, first.Version, first.Commit)
	}
	changes, err := golden.Diff(first.Plan, f.Plan)
	if err != nil {
		return fmt.Errorf("%s: plan: %w", f.Path, err)
	}
	if len(changes) > 0 {
		return fmt.Errorf("%s is a shard of another %s than %s: plan.%s; give every shard the same arguments and environment",
			f.Path, f.Kind, first.Path, changes[0])
	}
	return nil
}
