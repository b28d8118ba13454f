package config

import (
	"fmt"
	"io"
	"os"
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
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%s is larger than %d MiB: split it, or check it is the file you meant", path, MaxFileBytes>>20)
	}
	return data, nil
}
