package config

import (
	"os"
	"strings"
	"testing"
)

// TestREADMESettings keeps the README's settings table in step with the key
// registry: a new setting without documentation fails here.
func TestREADMESettings(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skip("no README.md beside the module")
	}
	if !strings.Contains(string(readme), DocTable()) {
		t.Fatal("README.md's settings table differs from config.DocTable(); paste the new table between the settings-table markers")
	}
}
