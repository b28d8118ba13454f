package setup

import (
	"testing"
	"time"

	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/config"
)

func TestNameNodeDetectors(t *testing.T) {
	for _, tc := range []struct {
		acting   string
		watching []string
		want     []string
		fails    bool
	}{
		{acting: "missed-count", want: []string{"missed-count"}},
		{acting: "hdfs", watching: []string{"phi", "missed-count"}, want: []string{"hdfs", "phi", "missed-count"}},
		{acting: "phi", want: []string{"phi"}},
		{acting: "gossip", fails: true},
		{acting: "missed-count", watching: []string{"gossip"}, fails: true},
		{acting: "psychic", fails: true},
	} {
		cfg := config.Default()
		cfg.Heartbeat.Detector = tc.acting
		nc, err := NameNode(cfg, tc.watching)
		if (err != nil) != tc.fails {
			t.Errorf("%s %v: err %v, want failure %v", tc.acting, tc.watching, err, tc.fails)
			continue
		}
		if tc.fails {
			continue
		}
		nn, err := namenode.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		if got := nn.Detectors(); len(got) != len(tc.want) || got[0] != tc.want[0] || got[len(got)-1] != tc.want[len(tc.want)-1] {
			t.Errorf("%s %v: detectors %v, want %v", tc.acting, tc.watching, got, tc.want)
		}
	}
}

func TestDataNode(t *testing.T) {
	cfg := config.Default()
	cfg.Heartbeat.RPCTimeout = time.Minute
	if dc := DataNode(cfg, "dn1"); dc.ID != "dn1" || dc.HeartbeatInterval != 3*time.Second || dc.RPCTimeout != time.Minute || dc.LifelineInterval != 0 {
		t.Errorf("lifeline off: %+v", dc)
	}
	cfg.Heartbeat.Lifeline.Enabled = true
	if dc := DataNode(cfg, "dn1"); dc.LifelineInterval != 9*time.Second {
		t.Errorf("lifeline interval %v, want HDFS's 3 × interval", dc.LifelineInterval)
	}
	cfg.Heartbeat.Lifeline.Interval = 5 * time.Second
	if dc := DataNode(cfg, "dn1"); dc.LifelineInterval != 5*time.Second {
		t.Errorf("lifeline interval %v, want the setting", dc.LifelineInterval)
	}
}
