package config

import (
	"sort"
	"strings"
	"time"
)

// Kind is the type of a setting's value; it decides how text from the
// environment or --set is parsed and what a YAML value must look like.
type Kind string

// Kinds of settings.
const (
	KindDuration Kind = "duration" // Go syntax: 500ms, 3s, 2m
	KindInt      Kind = "int"
	KindFloat    Kind = "float"
	KindBool     Kind = "bool"
	KindString   Kind = "string"
)

// Key describes one setting. The table of keys is the single source of truth:
// it drives parsing, unknown-key detection, the effective-config map and the
// docs, so adding a setting means adding one row (and a field in Config).
type Key struct {
	Name string // dotted, as in YAML and --set: "heartbeat.interval"
	Kind Kind
	Doc  string // unit, meaning and HDFS equivalent, for people

	get func(*Config) any
	set func(*Config, any)
}

// Env is the environment variable that sets k: HBSIM_ followed by the
// upper-cased name with dots as underscores, the convention of viper's
// SetEnvPrefix plus a "." → "_" key replacer.
func (k Key) Env() string { return EnvName(k.Name) }

// EnvName is the environment variable for the dotted key name.
func EnvName(name string) string {
	return envPrefix + "_" + strings.ToUpper(strings.ReplaceAll(name, ".", "_"))
}

const envPrefix = "HBSIM"

func durationKey(name, doc string, field func(*Config) *time.Duration) Key {
	return Key{Name: name, Kind: KindDuration, Doc: doc,
		get: func(c *Config) any { return *field(c) },
		set: func(c *Config, v any) { *field(c) = v.(time.Duration) },
	}
}

func intKey(name, doc string, field func(*Config) *int) Key {
	return Key{Name: name, Kind: KindInt, Doc: doc,
		get: func(c *Config) any { return *field(c) },
		set: func(c *Config, v any) { *field(c) = v.(int) },
	}
}

// keyTable builds the table afresh on each call so no package state can be
// mutated by a caller; it is small and built rarely.
func keyTable() []Key {
	return []Key{
		durationKey("heartbeat.interval",
			"time between two heartbeats of one DataNode (HDFS dfs.heartbeat.interval)",
			func(c *Config) *time.Duration { return &c.Heartbeat.Interval }),
		durationKey("heartbeat.check_interval",
			"time between two scans of the registry by the NameNode (HDFS dfs.namenode.heartbeat.recheck-interval)",
			func(c *Config) *time.Duration { return &c.Heartbeat.CheckInterval }),
		intKey("heartbeat.miss_threshold",
			"whole intervals without a heartbeat that make a DataNode dead (HDFS: the 10 in 10 × dfs.heartbeat.interval)",
			func(c *Config) *int { return &c.Heartbeat.MissThreshold }),
		durationKey("heartbeat.stale_after",
			"silence after which a DataNode is stale, a warning before dead (HDFS dfs.namenode.stale.datanode.interval)",
			func(c *Config) *time.Duration { return &c.Heartbeat.StaleAfter }),
		durationKey("network.latency",
			"one-way delay of every message (no HDFS equivalent)",
			func(c *Config) *time.Duration { return &c.Network.Latency }),
		durationKey("network.jitter",
			"each delay varies by a seeded uniform draw in [-jitter, +jitter], never below zero (no HDFS equivalent)",
			func(c *Config) *time.Duration { return &c.Network.Jitter }),
	}
}

// Keys returns every setting, in documentation order.
func Keys() []Key { return keyTable() }

// Lookup finds the setting with the dotted name.
func Lookup(name string) (Key, bool) {
	for _, k := range keyTable() {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// KeyNames returns the sorted dotted names of every setting, for messages
// such as "unknown key (known: ...)".
func KeyNames() []string {
	ks := keyTable()
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.Name
	}
	sort.Strings(names)
	return names
}

// Sections returns the top-level sections ("heartbeat", "network") in
// documentation order.
func Sections() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range keyTable() {
		s, _, _ := strings.Cut(k.Name, ".")
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Get returns the value of the setting in c (time.Duration, int, ...).
func (k Key) Get(c Config) any {
	if k.get == nil {
		return nil
	}
	return k.get(&c)
}
