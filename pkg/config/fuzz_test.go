package config

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hbsim/hbsim/pkg/vtime"
)

// accepted checks what every accepted configuration must be, whatever
// the layer it came from: valid, every float finite, every duration
// within vtime.Max, and its effective form encodable as JSON (the report
// carries it).
func accepted(t *testing.T, c Config) {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatalf("Load accepted a configuration Validate refuses: %v", err)
	}
	for _, k := range Keys() {
		switch v := k.Get(c).(type) {
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s = %v accepted", k.Name, v)
			}
		case time.Duration:
			if v > vtime.Max || v < -vtime.Max {
				t.Fatalf("%s = %v accepted", k.Name, v)
			}
		}
	}
	if _, err := json.Marshal(c.Effective()); err != nil {
		t.Fatalf("effective configuration does not encode: %v", err)
	}
}

// FuzzSet feeds --set lines: any key, any value, HDFS names included.
func FuzzSet(f *testing.F) {
	for _, s := range []string{
		"heartbeat.interval=3s", "heartbeat.interval=1ns", "heartbeat.miss_threshold=0",
		"dfs.heartbeat.interval=18446744074", "dfs.namenode.heartbeat.recheck-interval=9000000000000",
		"heartbeat.phi.threshold=NaN", "workload.zipf_s=+Inf", "network.loss=1e400",
		"network.latency=2h", "heartbeat.hdfs.recheck_interval=2000000h", "namenode.handlers=100000000",
		"replication.work_multiplier=9000000000000", "data.size=1PiB", "data.block_size=0",
		"heartbeat.miss_treshold=3", "=", "a=b=c", "heartbeat.interval= 3s ",
		"heartbeat.lifeline.interval=1s", "io.write_stale_ratio=-0", "dfs.namenode.handler.count=1e3",
	} {
		f.Add(s, "")
	}
	f.Add("heartbeat.interval=90000h", "heartbeat.miss_threshold=10")
	f.Fuzz(func(t *testing.T, a, b string) {
		c, _, err := Load(nil, Options{Sets: []string{a, b}, Env: noEnv})
		if err == nil {
			accepted(t, c)
		} else if strings.Contains(err.Error(), "\n\n") {
			t.Fatalf("an empty line in the error: %q", err)
		}
	})
}

// FuzzEnv feeds HBSIM_* variables: one set to any value, and CheckEnv over
// any environment.
func FuzzEnv(f *testing.F) {
	for _, k := range Keys() {
		f.Add(k.Env(), "NaN")
	}
	f.Add("HBSIM_HEARTBEAT_INTERVAL", "99999999999h")
	f.Add("HBSIM_NETWORK_LATENCY", "-3ms")
	f.Add("HBSIM_HEARTBEAT_INTERVALL", "3s")
	f.Add("HBSIM_=", "x")
	f.Fuzz(func(t *testing.T, name, value string) {
		env := func(k string) (string, bool) {
			if k == name {
				return value, true
			}
			return "", false
		}
		c, _, err := Load(nil, Options{Env: env})
		if err == nil {
			accepted(t, c)
		}
		for _, w := range CheckEnv([]string{name + "=" + value, value}) {
			if len(w) > 1000 {
				t.Fatalf("a warning of %d bytes", len(w))
			}
		}
	})
}

// FuzzHDFSSite feeds hdfs-site.xml files, then layers what they set.
func FuzzHDFSSite(f *testing.F) {
	f.Add([]byte(site))
	for _, p := range [][2]string{
		{"dfs.heartbeat.interval", "18446744074"}, {"dfs.namenode.heartbeat.recheck-interval", "9000000000000"},
		{"dfs.namenode.stale.datanode.interval", "-1"}, {"dfs.namenode.handler.count", "NaN"},
		{"dfs.heartbeat.interval", "3s"}, {"dfs.namenode.avoid.write.stale.datanode", "yes"},
	} {
		f.Add([]byte("<configuration><property><name>" + p[0] + "</name><value>" + p[1] + "</value></property></configuration>"))
	}
	f.Add([]byte("<configuration>\n<property>\n"))
	f.Add([]byte("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><configuration><property><name>&a;</name></property></configuration>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		settings, _, err := ParseHDFSSite("hdfs-site.xml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "hdfs-site.xml") {
				t.Fatalf("an error that does not name the file: %v", err)
			}
			return
		}
		c, _, err := Load(nil, Options{Env: noEnv, HDFSSite: settings})
		if err == nil {
			accepted(t, c)
		}
	})
}
