package golden

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/hbsim/hbsim/pkg/atomicfile"
)

// ErrMissing is returned, wrapped, by Check when the golden file does not
// exist yet: the first run of a new golden test needs --update-golden.
var ErrMissing = errors.New("golden file missing (create it with --update-golden)")

// Check compares got, a JSON report, with the golden file at path.
func Check(path string, got []byte) ([]Change, error) {
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrMissing)
	}
	if err != nil {
		return nil, fmt.Errorf("read golden: %w", err)
	}
	changes, err := Diff(want, got)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return changes, nil
}

// Update replaces the golden file at path with what write writes (a
// report's WriteJSON), atomically and without holding the report's bytes:
// an interrupted or failed update leaves the old golden whole.
func Update(path string, write func(io.Writer) error) error {
	return atomicfile.Write(path, 0o644, write)
}

// Format lists changes one per line, indented, for a terminal.
func Format(changes []Change) string {
	var b strings.Builder
	for _, c := range changes {
		b.WriteString("  ")
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Summary is a one-line description of changes, for a table cell: the
// first change and how many more there are.
func Summary(changes []Change) string {
	switch len(changes) {
	case 0:
		return "matches golden"
	case 1:
		return "golden differs: " + changes[0].String()
	}
	return fmt.Sprintf("golden differs: %s (+%d more)", changes[0], len(changes)-1)
}
