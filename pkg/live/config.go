package live

import (
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hbsim/hbsim/pkg/config"
)

// SecretEnv names the environment variable holding the cluster secret.
const SecretEnv = "HBSIM_CLUSTER_SECRET"

// DaemonConfig is what a NameNode or DataNode process runs with.
type DaemonConfig struct {
	Config config.Config
	// Secret is the cluster secret: $HBSIM_CLUSTER_SECRET, else the
	// config file's auth.secret, else empty (any DataNode may join).
	Secret []byte
	// SecretOrigin says where Secret came from, for logs; never the value.
	SecretOrigin string
}

// fileSchema is a daemon config file: the scenario file's heartbeat: and
// network: sections (same keys, same defaults), plus auth:.
type fileSchema struct {
	Heartbeat map[string]any `yaml:"heartbeat"`
	Network   map[string]any `yaml:"network"`
	Auth      struct {
		Secret string `yaml:"secret"`
	} `yaml:"auth"`
}

// LoadDaemonConfig layers the built-in defaults, the file at path (if not
// empty), HBSIM_* variables and --set overrides through package config,
// exactly as a scenario's settings are layered.
func LoadDaemonConfig(path string, sets []string, env func(string) (string, bool)) (DaemonConfig, error) {
	if env == nil {
		env = os.LookupEnv
	}
	var settings []config.Setting
	var fs fileSchema
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return DaemonConfig{}, fmt.Errorf("read config: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&fs); err != nil {
			return DaemonConfig{}, fmt.Errorf("%s: %w", path, err)
		}
		for section, m := range map[string]map[string]any{"heartbeat": fs.Heartbeat, "network": fs.Network} {
			for k, v := range m {
				settings = append(settings, config.Setting{Key: section + "." + k, Value: v, Origin: path})
			}
		}
	}
	c, _, err := config.Load(settings, config.Options{Sets: sets, Env: env})
	if err != nil {
		return DaemonConfig{}, err
	}
	dc := DaemonConfig{Config: c}
	if s, ok := env(SecretEnv); ok && s != "" {
		dc.Secret, dc.SecretOrigin = []byte(s), "$"+SecretEnv
	} else if fs.Auth.Secret != "" {
		dc.Secret, dc.SecretOrigin = []byte(fs.Auth.Secret), path+" auth.secret"
	}
	return dc, nil
}
