package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	for _, body := range []string{"first\n", "second\n"} {
		if err := WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != body {
			t.Fatalf("read %q, %v; want %q", got, err, body)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestWriteFileCreatesParents(t *testing.T) {
	path := filepath.Join(t.TempDir(), "build", "reports", "junit.xml")
	if err := WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatalf("a fresh clone has no build/: %v", err)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != "x" {
		t.Errorf("read %q, %v", got, err)
	}
}

func TestWriteFileKeepsOldOnError(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A regular file where the folder should be: nothing can be written.
	if err := WriteFile(filepath.Join(blocker, "out.json"), []byte("x"), 0o644); err == nil {
		t.Fatal("want an error when the parent is a file")
	}
	if got, _ := os.ReadFile(blocker); string(got) != "old" {
		t.Errorf("the file in the way became %q", got)
	}
}

func TestWriteFileKeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "golden.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil { // past the umask
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after rewrite %v, %v; want 0640 kept", fi.Mode(), err)
	}
	path2 := filepath.Join(t.TempDir(), "new.json")
	if err := WriteFile(path2, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path2); fi.Mode().Perm() != 0o600 {
		t.Errorf("a new file's mode %v, want 0600", fi.Mode())
	}
}

func TestWriteFileRefusesADirectory(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(dir, []byte("x"), 0o644); err == nil {
		t.Error("wrote over a directory")
	}
}

// TestWriteFailingProducer: when the producer fails halfway, the old
// content stays, no temporary file is left and the error says why.
func TestWriteFailingProducer(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	errFull := errors.New("disk full")
	err := Write(path, 0o644, func(w io.Writer) error {
		if _, err := io.WriteString(w, "half a docu"); err != nil {
			return err
		}
		return errFull
	})
	if !errors.Is(err, errFull) || !strings.Contains(err.Error(), path) {
		t.Errorf("Write = %v, want %v naming %s", err, errFull, path)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("after a failed write the file holds %q, want the old content", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// TestWriteStreams: what the producer writes, in pieces, is the file.
func TestWriteStreams(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.json")
	err := Write(path, 0o644, func(w io.Writer) error {
		for i := range 3 {
			if _, err := fmt.Fprintf(w, "part %d\n", i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "part 0\npart 1\npart 2\n" {
		t.Errorf("read %q", got)
	}
}
