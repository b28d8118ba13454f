package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/hbsim/hbsim/pkg/hint"
)

// MaxFileBytes bounds every input file hbsim reads (a scenario, an
// hdfs-site.xml): the largest shipped scenario is a few KiB, and a
// 50 MB one once took a minute and 4 GB to check.
const MaxFileBytes = 8 << 20

// ReadFile reads an input file of at most MaxFileBytes. It reads through a
// limit rather than trusting the file's size, so a pipe or /dev/zero is
// refused as well.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		// The error repeats the path the user typed: at most ~200 bytes
		// of it, as every quoted value.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = hint.Clip(pe.Path)
		}
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%s is larger than %d MiB: split it, or check it is the file you meant", hint.Clip(path), MaxFileBytes>>20)
	}
	return data, nil
}
