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
  <property><name>dfs.replication</name><value>2</value></property>
  <property><name>dfs.namenode.name.dir</name><value>/data/nn</value></property>
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
	if len(ignored) != 1 || ignored[0].Key != "dfs.namenode.name.dir" || !strings.HasSuffix(ignored[0].Origin, "hdfs-site.xml:11") ||
		!strings.Contains(ignored[0].String(), "hdfs-site.xml:11: dfs.namenode.name.dir is not modelled by hbsim (hbsim keeps no namespace on disk); ignored") {
		t.Errorf("ignored %v, want dfs.namenode.name.dir at line 11 with its reason", ignored)
	}
	scenario := []Setting{{Key: "heartbeat.interval", Value: "1s", Origin: "s.yaml:3"}}
	c, origins, err := Load(scenario, Options{Env: noEnv, HDFSSite: settings})
	if err != nil {
		t.Fatal(err)
	}
	if c.Heartbeat.Interval != 5*time.Second || c.Heartbeat.HDFS.RecheckInterval != 45*time.Second ||
		c.Heartbeat.StaleAfter != 20*time.Second || !c.IO.AvoidWriteStale || c.Data.Replication != 2 || c.Heartbeat.Detector != "hdfs" {
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
	if _, _, err := Load(nil, Options{Env: noEnv, Sets: []string{"dfs.namenode.name.dir=/x"}}); err == nil || !strings.Contains(err.Error(), "does not model") {
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

// writeSite writes an hdfs-site.xml into a temporary directory.
func writeSite(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hdfs-site.xml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHDFSSiteOfHDFSDefaults: examples/hdfs-site.xml writes out
// hdfs-default.xml's value of every key hbsim maps (0.32f and all). It
// gives exactly the embedded defaults, but for the detector, which an
// hdfs-site.xml makes the hdfs one: hbsim's defaults are HDFS's.
func TestHDFSSiteOfHDFSDefaults(t *testing.T) {
	settings, ignored, err := ReadHDFSSite("../../examples/hdfs-site.xml")
	if err != nil || len(ignored) > 0 {
		t.Fatalf("examples/hdfs-site.xml: %v, ignored %v", err, ignored)
	}
	c, origins, err := Load(nil, Options{Env: noEnv, HDFSSite: settings})
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Heartbeat.Detector = "hdfs"
	if c != want {
		t.Errorf("HDFS's defaults give\n%+v\nwant\n%+v", c, want)
	}
	if o := origins["heartbeat.detector"]; o != "../../examples/hdfs-site.xml (HDFS keys select the hdfs detector)" {
		t.Errorf("detector origin %q", o)
	}
	// Every key hbsim maps is in the example, so each is exercised.
	seen := map[string]bool{}
	for _, s := range settings {
		if _, name, ok := strings.Cut(s.Origin, "("); ok {
			seen[strings.TrimSuffix(name, ")")] = true
		}
	}
	for k := range HDFSKeys() {
		deprecated := k == "dfs.namenode.replication.interval" || k == "dfs.namenode.replication.pending.timeout-sec" ||
			k == "dfs.namenode.replication.considerLoad"
		optional := k == "dfs.datanode.lifeline.interval.seconds" || k == "dfs.namenode.lifeline.rpc-address" ||
			k == "dfs.namenode.lifeline.handler.count" // unset in hdfs-default.xml
		if !seen[k] && !deprecated && !optional && k != lifelineHandlerRatio {
			t.Errorf("examples/hdfs-site.xml lacks %s", k)
		}
	}
}

// TestHDFSKeysSelectHDFSDetector: an hdfs-site.xml or a dfs.* --set brings
// HDFS's rule over the scenario's detector, unless the environment or a
// --set names one.
func TestHDFSKeysSelectHDFSDetector(t *testing.T) {
	path := writeSite(t, "<configuration>\n<property><name>dfs.heartbeat.interval</name><value>3</value></property>\n</configuration>\n")
	site, _, err := ReadHDFSSite(path)
	if err != nil {
		t.Fatal(err)
	}
	scn := []Setting{{Key: "heartbeat.detector", Value: "phi", Origin: "s.yaml:4"}}
	for _, tc := range []struct {
		name string
		site []Setting
		env  map[string]string
		sets []string
		want string
	}{
		{"scenario alone", nil, nil, nil, "phi"},
		{"site over the scenario", site, nil, nil, "hdfs"},
		{"environment over the site", site, map[string]string{"HBSIM_HEARTBEAT_DETECTOR": "missed-count"}, nil, "missed-count"},
		{"--set over the site", site, nil, []string{"heartbeat.detector=missed-count"}, "missed-count"},
		{"--set dfs.* alone", nil, nil, []string{"dfs.heartbeat.interval=3"}, "hdfs"},
		{"--set dfs.* and a named detector, either order", nil, nil,
			[]string{"heartbeat.detector=phi", "dfs.heartbeat.interval=3"}, "phi"},
		{"--set dfs.* under the environment", nil, map[string]string{"HBSIM_HEARTBEAT_DETECTOR": "phi"},
			[]string{"dfs.heartbeat.interval=3"}, "phi"},
		{"a site with no key hbsim maps selects nothing", nil, nil, nil, "phi"},
	} {
		c, _, err := Load(scn, Options{Env: mapEnv(tc.env), HDFSSite: tc.site, Sets: tc.sets})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.Heartbeat.Detector != tc.want {
			t.Errorf("%s: detector %s, want %s", tc.name, c.Heartbeat.Detector, tc.want)
		}
	}
	none := writeSite(t, "<configuration><property><name>dfs.namenode.name.dir</name><value>/x</value></property></configuration>")
	if settings, ignored, err := ReadHDFSSite(none); err != nil || len(settings) != 0 || len(ignored) != 1 {
		t.Errorf("a site of unmodelled keys: settings %v, ignored %v, %v", settings, ignored, err)
	}
}

// TestHDFSValues: HDFS's units and spellings (getTimeDuration with its
// default unit, getLongBytes, Java float literals, case-insensitive
// booleans), each refused with its line when wrong.
func TestHDFSValues(t *testing.T) {
	for _, tc := range []struct{ set, key, want string }{
		{"dfs.blocksize=128m", "data.block_size", "128MiB"},
		{"dfs.blocksize=1g", "data.block_size", "1GiB"},
		{"dfs.blocksize=134217728", "data.block_size", "128MiB"},
		{"dfs.namenode.safemode.extension=30000", "namenode.safemode_extension", "30s"},
		{"dfs.namenode.safemode.extension=1m", "namenode.safemode_extension", "1m0s"},
		{"dfs.namenode.redundancy.interval.seconds=5", "replication.interval", "5s"},
		{"dfs.namenode.replication.interval=7", "replication.interval", "7s"},
		{"dfs.namenode.reconstruction.pending.timeout-sec=600", "replication.pending_timeout", "10m0s"},
		{"dfs.namenode.invalidate.work.pct.per.iteration=0.5f", "replication.invalidate_work_pct", "0.5"},
		{"dfs.namenode.redundancy.considerLoad=FALSE", "replication.consider_load", "false"},
		{"dfs.namenode.replication.considerLoad=false", "replication.consider_load", "false"},
		{"dfs.client.socket-timeout=20000", "client.timeout", "20s"},
		{"dfs.namenode.decommission.interval=3", "admin.interval", "3s"},
		{"dfs.datanode.failed.volumes.tolerated=-1", "datanode.failed_volumes_tolerated", "-1"},
	} {
		c, _, err := Load(nil, Options{Env: noEnv, Sets: []string{tc.set}})
		if err != nil {
			t.Errorf("--set %s: %v", tc.set, err)
			continue
		}
		k, _ := Lookup(tc.key)
		if got := k.Text(c); got != tc.want {
			t.Errorf("--set %s: %s = %s, want %s", tc.set, tc.key, got, tc.want)
		}
	}
	for _, tc := range []struct{ set, want string }{
		{"dfs.blocksize=12x", "want whole bytes or a size such as 128m"},
		{"dfs.blocksize=9999999e", "out of range"},
		{"dfs.namenode.redundancy.considerLoad=yes", `want true or false, got "yes"`},
		{"dfs.namenode.write.stale.datanode.ratio=half", "want a number such as 0.5"},
		{"dfs.namenode.write.stale.datanode.ratio=1.5", "io.write_stale_ratio: must be above 0 and at most 1"},
		{"dfs.namenode.safemode.extension=soon", "want whole milliseconds or a duration"},
	} {
		if _, _, err := Load(nil, Options{Env: noEnv, Sets: []string{tc.set}}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--set %s: %v, want %q", tc.set, err, tc.want)
		}
	}
	path := writeSite(t, "<configuration>\n<property><name>dfs.namenode.lifeline.handler.ratio</name><value>0.25</value></property>\n"+
		"<property><name>dfs.namenode.handler.count</name><value>40</value></property>\n</configuration>\n")
	site, _, err := ReadHDFSSite(path)
	if err != nil {
		t.Fatal(err)
	}
	c, origins, err := Load(nil, Options{Env: noEnv, HDFSSite: site})
	if err != nil || c.NameNode.LifelineHandlers != 10 || !strings.Contains(origins["namenode.lifeline_handlers"], "hdfs-site.xml:2 (dfs.namenode.lifeline.handler.ratio × dfs.namenode.handler.count)") {
		t.Errorf("lifeline ratio 0.25 × 40 handlers: %d from %q, %v; want 10 from line 2", c.NameNode.LifelineHandlers, origins["namenode.lifeline_handlers"], err)
	}
}
