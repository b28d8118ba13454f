package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const site = `<?xml version="1.0"?>
<configuration>
  <property>
    <name>dfs.heartbeat.interval</name>
    <value>5</value>
  </property>
  <property><name>dfs.namenode.heartbeat.recheck-interval</name><value>45000</value></property>
  <property><name>dfs.namenode.stale.datanode.interval</name><value>20000</value></property>
  <property><name>dfs.namenode.avoid.write.stale.datanode</name><value>true</value></property>
  <property><name>dfs.replication</name><value>3</value></property>
</configuration>
`

func TestHDFSSite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hdfs-site.xml")
	if err := os.WriteFile(path, []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	settings, ignored, err := ReadHDFSSite(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(ignored) != 1 || ignored[0] != "dfs.replication" {
		t.Errorf("ignored %v, want dfs.replication", ignored)
	}
	scenario := []Setting{{Key: "heartbeat.interval", Value: "1s", Origin: "s.yaml:3"}}
	c, origins, err := Load(scenario, Options{Env: noEnv, HDFSSite: settings})
	if err != nil {
		t.Fatal(err)
	}
	if c.Heartbeat.Interval != 5*time.Second || c.Heartbeat.HDFS.RecheckInterval != 45*time.Second ||
		c.Heartbeat.StaleAfter != 20*time.Second || !c.IO.AvoidWriteStale {
		t.Errorf("config %+v", c)
	}
	// The site file wins over the scenario, and says where.
	if o := origins["heartbeat.interval"]; !strings.HasSuffix(o, "hdfs-site.xml:3 (dfs.heartbeat.interval)") {
		t.Errorf("origin %q", o)
	}
	// --set with HDFS names, above everything.
	c, _, err = Load(scenario, Options{Env: noEnv, HDFSSite: settings, Sets: []string{"dfs.heartbeat.interval=2s"}})
	if err != nil || c.Heartbeat.Interval != 2*time.Second {
		t.Errorf("--set dfs.heartbeat.interval=2s: %v, %v", c.Heartbeat.Interval, err)
	}
	if _, _, err := Load(nil, Options{Env: noEnv, Sets: []string{"dfs.blocksize=1"}}); err == nil || !strings.Contains(err.Error(), "does not model") {
		t.Errorf("unmodelled HDFS key: %v", err)
	}
}

func TestHDFSSiteErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.xml")
	os.WriteFile(bad, []byte("<configuration>\n<property><name>dfs.heartbeat.interval</name><value>soon</value></property>\n</configuration>\n"), 0o644)
	if _, _, err := ReadHDFSSite(bad); err == nil || !strings.Contains(err.Error(), "bad.xml:2: dfs.heartbeat.interval: want whole seconds") {
		t.Errorf("bad value: %v", err)
	}
	broken := filepath.Join(dir, "broken.xml")
	os.WriteFile(broken, []byte("<configuration>\n<property>\n"), 0o644)
	if _, _, err := ReadHDFSSite(broken); err == nil || !strings.Contains(err.Error(), "broken.xml:") {
		t.Errorf("broken XML: %v", err)
	}
}

// TestHDFSOverflow: HDFS's plain seconds and milliseconds are multiplied in
// checked arithmetic, so a huge value is refused where it was written
// instead of wrapping round (18446744074 s once became 290.448384ms).
func TestHDFSOverflow(t *testing.T) {
	for _, tt := range []struct{ set, want string }{
		{"dfs.heartbeat.interval=18446744074", "--set dfs.heartbeat.interval: 18446744074 seconds is too long: at most 876000h (100 years)"},
		{"dfs.heartbeat.interval=99999999999999999999999", "--set dfs.heartbeat.interval: 99999999999999999999999 seconds is too long"},
		{"dfs.namenode.heartbeat.recheck-interval=9000000000000", "--set dfs.namenode.heartbeat.recheck-interval: 9000000000000 milliseconds is too long"},
		{"dfs.namenode.heartbeat.recheck-interval=1e9", `want whole milliseconds, got "1e9"`},
		{"dfs.heartbeat.interval=9999999999h", `"9999999999h" is too long`},
		{"dfs.namenode.handler.count=NaN", `namenode.handlers: must be a whole number, got "NaN"`},
	} {
		_, _, err := Load(nil, Options{Env: noEnv, Sets: []string{tt.set}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("--set %s: %v\nwant %q", tt.set, err, tt.want)
		}
	}
	path := filepath.Join(t.TempDir(), "hdfs-site.xml")
	os.WriteFile(path, []byte("<configuration>\n<property>\n<name>dfs.namenode.heartbeat.recheck-interval</name>\n<value>9000000000000</value>\n</property>\n</configuration>\n"), 0o644)
	if _, _, err := ReadHDFSSite(path); err == nil || !strings.Contains(err.Error(), "hdfs-site.xml:2: dfs.namenode.heartbeat.recheck-interval: 9000000000000 milliseconds is too long") {
		t.Errorf("site: %v", err)
	}
	// Within 100 years each, but the expiry they make is not.
	os.WriteFile(path, []byte("<configuration>\n<property><name>dfs.namenode.heartbeat.recheck-interval</name><value>1800000000000</value></property>\n</configuration>\n"), 0o644)
	site, _, err := ReadHDFSSite(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(nil, Options{Env: noEnv, HDFSSite: site}); err == nil ||
		!strings.Contains(err.Error(), "hdfs-site.xml:2 (dfs.namenode.heartbeat.recheck-interval): heartbeat.hdfs.recheck_interval: HDFS's expiry") {
		t.Errorf("expiry: %v", err)
	}
}
