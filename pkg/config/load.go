package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/viper"

	"github.com/hbsim/hbsim/configs"
	"github.com/hbsim/hbsim/pkg/hint"
)

// DefaultOrigin names the embedded defaults in messages and origins.
const DefaultOrigin = "configs/default.yaml"

// Setting is one value a layer gives, before conversion: the scenario file
// hands its heartbeat: and network: entries to Load this way.
type Setting struct {
	Key    string // dotted, e.g. "heartbeat.interval"
	Value  any    // as decoded from YAML: string, int, float64, bool, nil
	Origin string // where it was written, e.g. "scenarios/x.yaml:7"
}

// Options are the layers above the scenario file.
type Options struct {
	// Sets are --set overrides, "key=value", highest precedence; a later
	// one wins over an earlier one for the same key.
	Sets []string
	// Env looks up an environment variable; nil means os.LookupEnv. Tests
	// inject a map so they neither read nor change the process environment.
	Env func(string) (string, bool)
	// HDFSSite holds settings read from an hdfs-site.xml (ReadHDFSSite):
	// above the scenario file, below the environment.
	HDFSSite []Setting
}

// Origins maps each dotted key to where its effective value came from:
// "configs/default.yaml", "scenarios/x.yaml:7", "$HBSIM_HEARTBEAT_INTERVAL"
// or "--set heartbeat.interval".
type Origins map[string]string

// Load layers, lowest first, the embedded defaults, the file settings, the
// HBSIM_* environment and the --set overrides, then converts and validates
// the result. Every error names the origin of the bad value and the field.
func Load(file []Setting, opts Options) (Config, Origins, error) {
	env := opts.Env
	if env == nil {
		env = os.LookupEnv
	}
	v := viper.New()
	origins := Origins{}
	var errs []error

	if err := setDefaults(v, origins); err != nil {
		// The embedded file is part of the binary; a test keeps it valid.
		return Config{}, nil, err
	}

	// Scenario layer: viper's config layer, merged as one nested map.
	fileMap := map[string]any{}
	for _, s := range file {
		if _, ok := Lookup(s.Key); !ok {
			errs = append(errs, fmt.Errorf("%s: %w", s.Origin, unknownKey(s.Key)))
			continue
		}
		nest(fileMap, s.Key, s.Value)
		origins[s.Key] = s.Origin
	}
	if err := v.MergeConfigMap(fileMap); err != nil {
		return Config{}, nil, fmt.Errorf("layer scenario settings: %w", err)
	}
	siteMap := map[string]any{}
	for _, s := range opts.HDFSSite {
		nest(siteMap, s.Key, s.Value)
		origins[s.Key] = s.Origin
	}
	if err := v.MergeConfigMap(siteMap); err != nil {
		return Config{}, nil, fmt.Errorf("layer hdfs-site settings: %w", err)
	}

	// Environment layer. viper's own AutomaticEnv reads os.LookupEnv
	// directly, which tests cannot replace, so the variables (named as
	// SetEnvPrefix("HBSIM") plus a "." → "_" replacer would name them) are
	// looked up through opts.Env and bound to viper's flag layer, which sits
	// exactly between the scenario file and Set overrides.
	for _, k := range keyTable() {
		if val, ok := env(k.Env()); ok {
			if err := v.BindFlagValue(k.Name, envValue{name: k.Env(), value: val}); err != nil {
				return Config{}, nil, fmt.Errorf("bind %s: %w", k.Env(), err)
			}
			origins[k.Name] = "$" + k.Env()
		}
	}

	// --set layer: viper's override layer, the highest. HDFS key names
	// bring HDFS's rule (the hdfs detector) unless the environment or a
	// --set names the detector.
	_, detectorNamed := env(EnvName("heartbeat.detector"))
	firstDFS := ""
	for _, s := range opts.Sets {
		if key, _, _ := strings.Cut(s, "="); strings.TrimSpace(key) == "heartbeat.detector" {
			detectorNamed = true
		}
	}
	for _, s := range opts.Sets {
		key, val, ok := strings.Cut(s, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			errs = append(errs, fmt.Errorf("--set %s: want key=value, e.g. heartbeat.miss_threshold=5", hint.Quote(s)))
			continue
		}
		if strings.HasPrefix(key, "dfs.") {
			// HDFS's own key names, for operators: --set dfs.heartbeat.interval=3
			hk, hv, known, err := TranslateHDFS(key, val)
			switch {
			case !known:
				errs = append(errs, fmt.Errorf("--set %s: %s", hint.Clip(key), unknownHDFSKey(key)))
			case err != nil:
				errs = append(errs, fmt.Errorf("--set %w", err))
			default:
				v.Set(hk, hv)
				origins[hk] = "--set " + key
				if firstDFS == "" {
					firstDFS = key
				}
			}
			continue
		}
		if _, known := Lookup(key); !known {
			errs = append(errs, fmt.Errorf("--set %s: %w", hint.Clip(key), unknownKey(key).Err))
			continue
		}
		v.Set(key, val)
		origins[key] = "--set " + key
	}
	if firstDFS != "" && !detectorNamed {
		v.Set("heartbeat.detector", "hdfs")
		origins["heartbeat.detector"] = "--set " + firstDFS + " " + DetectorOrigin
	}
	if len(errs) > 0 {
		return Config{}, nil, errors.Join(errs...)
	}

	var c Config
	for _, k := range keyTable() {
		val, err := convert(k.Kind, v.Get(k.Name))
		if err != nil {
			errs = append(errs, &locatedError{origins[k.Name], &FieldError{Field: k.Name, Err: err}})
			continue
		}
		k.set(&c, val)
	}
	if len(errs) > 0 {
		return Config{}, nil, errors.Join(errs...)
	}
	if err := c.Validate(); err != nil {
		return Config{}, nil, withOrigins(err, origins)
	}
	return c, origins, nil
}

// Default returns the embedded defaults, ignoring the environment.
func Default() Config {
	c, _, err := Load(nil, Options{Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		// Only a broken build can get here: the file is embedded and
		// TestDefaultYAML loads it.
		panic(fmt.Sprintf("embedded %s: %v", DefaultOrigin, err))
	}
	return c
}

// setDefaults reads the embedded YAML and installs every key as a viper
// default, rejecting keys the registry does not know and keys it lacks.
func setDefaults(v *viper.Viper, origins Origins) error {
	raw, err := defaultValues()
	if err != nil {
		return err
	}
	for i, k := range keyTable() {
		v.SetDefault(k.Name, raw[i])
		origins[k.Name] = DefaultOrigin
	}
	return nil
}

// defaultValues reads the embedded YAML once: each key's raw value, in
// keyTable's order. Values are scalars (a latency default is a duration),
// so sharing them between loads shares nothing mutable.
var defaultValues = sync.OnceValues(func() ([]any, error) {
	dv := viper.New()
	dv.SetConfigType("yaml")
	if err := dv.ReadConfig(bytes.NewReader(configs.Default)); err != nil {
		return nil, fmt.Errorf("%s: %w", DefaultOrigin, err)
	}
	for _, name := range dv.AllKeys() {
		if _, ok := Lookup(name); !ok {
			return nil, fmt.Errorf("%s: %w", DefaultOrigin, unknownKey(name))
		}
	}
	var out []any
	for _, k := range keyTable() {
		raw := dv.Get(k.Name)
		if raw == nil {
			return nil, fmt.Errorf("%s: %s: missing", DefaultOrigin, k.Name)
		}
		switch raw.(type) {
		case map[string]any, []any:
			return nil, fmt.Errorf("%s: %s: a default must be a single value", DefaultOrigin, k.Name)
		}
		out = append(out, raw)
	}
	return out, nil
})

// withOrigins prefixes each *FieldError in err with the origin of its field.
func withOrigins(err error, origins Origins) error {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	out := make([]error, 0, len(list))
	for _, e := range list {
		var fe *FieldError
		if errors.As(e, &fe) {
			field := fe.Field
			for _, f := range fe.Via {
				if origins[field] == DefaultOrigin && origins[f] != DefaultOrigin {
					field = f
				}
			}
			if field != fe.Field {
				fe = &FieldError{Field: field, Err: fe.Err}
			}
			e = fe
			if origins[field] != "" {
				e = &locatedError{origins[field], fe}
			}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// unknownKey says a dotted key is not a setting, with the keys the user
// probably meant, or a short list of where to look: never all of them.
func unknownKey(key string) *FieldError {
	return &FieldError{Field: hint.Clip(key), Err: errors.New("unknown key; " + UnknownKeyHint(key))}
}

// UnknownKeyHint helps with a dotted key that is not a setting: "did you
// mean heartbeat.miss_threshold?", the names under its section when the
// section exists, or the sections.
func UnknownKeyHint(key string) string {
	if dym := hint.DidYouMean(key, KeyNames()); dym != "" {
		return dym
	}
	for section := key; section != ""; {
		i := strings.LastIndexByte(section, '.')
		if i < 0 {
			break
		}
		section = section[:i]
		if sub := SubKeys(section); len(sub) > 0 {
			return fmt.Sprintf("%s has %s", section, hint.Or(sub))
		}
	}
	return fmt.Sprintf("settings are under %s (the README's Settings table lists every key)", hint.Or(Sections()))
}

// SubKeys lists the names directly under a section or group, each nested
// group once: SubKeys("heartbeat") is interval, ..., lifeline, hdfs, phi,
// gossip.
func SubKeys(section string) []string {
	var out []string
	for _, k := range keyTable() {
		if name, ok := strings.CutPrefix(k.Name, section+"."); ok {
			name, _, _ = strings.Cut(name, ".")
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// envValue feeds one environment variable to viper's flag layer.
type envValue struct{ name, value string }

func (e envValue) HasChanged() bool    { return true }
func (e envValue) Name() string        { return e.name }
func (e envValue) ValueString() string { return e.value }
func (e envValue) ValueType() string   { return "string" }
