// Package configs embeds hbsim's default configuration so the binary runs
// without any file next to it.
package configs

import _ "embed"

// Default is configs/default.yaml: the lowest layer of every run's
// configuration. Treat it as read-only.
//
//go:embed default.yaml
var Default []byte
