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
