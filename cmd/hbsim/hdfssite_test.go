package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// fourCrashes kills one node at each of four times chosen against the hdfs
// monitor's checks (5s, 305s, 605s, 905s, 1205s): the expiry of the nodes
// killed at 62s and 150s falls well before the check at 905s; that of the
// node killed at 272s just before it (removed about 633s after its crash);
// that of the node killed at 279s just after it, so it waits for the check
// at 1205s (about 926s after its crash). No detector is named: the
// hdfs-site.xml brings HDFS's.
const fourCrashes = `name: four-crashes
seed: 4
duration: 21m
cluster: {datanodes: 6}
events:
  - {at: 62s, kill: dn1}
  - {at: 150s, kill: dn2}
  - {at: 272s, kill: dn3}
  - {at: 279s, kill: dn4}
`

// TestHDFSSiteDefaultsWindow: a scenario run with an hdfs-site.xml of
// HDFS's defaults (examples/hdfs-site.xml) detects crashes as HDFS does,
// 630s to about 930s after the last heartbeat (HeartbeatManager: expiry
// 2 × 300s + 10 × 3s, removal at the monitor's next 300-s check), where
// the scenario alone (missed-count) takes 30s.
func TestHDFSSiteDefaultsWindow(t *testing.T) {
	path := writeScenario(t, "four.yaml", fourCrashes)
	detection := func(args ...string) []float64 {
		t.Helper()
		code, out, errOut := hbsim(t, append([]string{"run", path, "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d; stderr:\n%s", code, errOut)
		}
		if errOut != "" {
			t.Errorf("stderr %q: every key of examples/hdfs-site.xml is modelled, so no warning", errOut)
		}
		var r struct {
			Detectors []string `json:"detectors"`
			Nodes     []struct {
				ID          string   `json:"id"`
				KilledMS    *float64 `json:"killed_at_ms"`
				DetectionMS *float64 `json:"detection_ms"`
				ReportedMS  *float64 `json:"reported_dead_at_ms"`
			} `json:"nodes"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		var ds []float64
		for _, n := range r.Nodes {
			if n.DetectionMS == nil {
				continue
			}
			ds = append(ds, *n.DetectionMS/1000)
			// dfsadmin says DEAD at the expiry, 630s after the last
			// heartbeat (less than 3s before the kill).
			switch hdfs := len(args) > 0; {
			case hdfs && (n.ReportedMS == nil || *n.ReportedMS-*n.KilledMS <= 627000 || *n.ReportedMS-*n.KilledMS > 630000):
				t.Errorf("%s: reported dead at %v, want 627s to 630s after the kill at %v", n.ID, n.ReportedMS, *n.KilledMS)
			case !hdfs && n.ReportedMS != nil:
				t.Errorf("%s: missed-count reports reported_dead_at_ms %v", n.ID, *n.ReportedMS)
			}
		}
		if len(ds) != 4 {
			t.Fatalf("detections %v, want the four crashes", ds)
		}
		return ds
	}
	for _, d := range detection() {
		if d > 35 {
			t.Errorf("without the site: detection %vs, want missed-count's ~30s", d)
		}
	}
	ds := detection("--hdfs-site", "../../examples/hdfs-site.xml")
	lo, hi := ds[0], ds[0]
	for _, d := range ds {
		lo, hi = min(lo, d), max(hi, d)
		if d <= 627 || d > 930 {
			t.Errorf("with HDFS's defaults: detection %vs, want within (630s − one interval, 930s]", d)
		}
	}
	if lo > 640 || hi < 920 {
		t.Errorf("detections %v: the four crashes should reach both ends of HDFS's window (under 640s, over 920s)", ds)
	}
	t.Logf("HDFS's defaults: crash to dead %v s", ds)
}

// TestHDFSSiteWarnsUnmodelledKeys: a key hbsim does not model is named on
// stderr with its line and the reason, never dropped in silence; the run
// goes on.
func TestHDFSSiteWarnsUnmodelledKeys(t *testing.T) {
	site := writeScenario(t, "hdfs-site.xml", `<configuration>
<property><name>dfs.heartbeat.interval</name><value>3</value></property>
<property><name>dfs.namenode.rpc-address</name><value>nn:8020</value></property>
<property><name>dfs.namenode.remove.dead.datanode.batchnum</name><value>5</value></property>
</configuration>
`)
	path := writeScenario(t, "ok.yaml", crashOne)
	code, _, errOut := hbsim(t, "validate", path, "--hdfs-site", site, "--show-config")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	for _, want := range []string{
		"hbsim: warning: " + site + ":3: dfs.namenode.rpc-address is not modelled by hbsim (no part of hbsim's model reads it); ignored\n",
		"hbsim: warning: " + site + ":4: dfs.namenode.remove.dead.datanode.batchnum is not modelled by hbsim (hbsim removes every dead node in one check; batches only bound HDFS's lock hold); ignored\n",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	code, out, _ := hbsim(t, "validate", path, "--hdfs-site", site, "--show-config")
	for _, want := range []string{
		"    heartbeat.detector = hdfs\n        from " + site + " (HDFS keys select the hdfs detector)\n",
		"    heartbeat.interval = 3s\n        from " + site + ":2 (dfs.heartbeat.interval)\n",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("--show-config lacks %q:\n%s", want, out)
		}
	}
}
