package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFileClipsLongPaths: a 5,000-character path the user typed came
// back whole in "open …: file name too long"; errors quote at most ~200
// bytes of it, as of any value.
func TestReadFileClipsLongPaths(t *testing.T) {
	path := filepath.Join(t.TempDir(), strings.Repeat("x", 5000)+".yaml")
	_, err := ReadFile(path)
	if err == nil {
		t.Fatal("reading a missing file succeeded")
	}
	if n := len(err.Error()); n > 400 {
		t.Errorf("error is %d bytes long: %.120s…", n, err)
	}
}
