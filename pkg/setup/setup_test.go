package setup

import (
	"reflect"
	"testing"
	"time"

	"github.com/hbsim/hbsim/client"
	"github.com/hbsim/hbsim/datanode"
	"github.com/hbsim/hbsim/gossip"
	"github.com/hbsim/hbsim/namenode"
	"github.com/hbsim/hbsim/pkg/config"
)

// TestDefaultsAgree: configs/default.yaml and the machines' DefaultConfigs
// are one truth. The embedded defaults, turned into machine
// configurations, are exactly each machine's DefaultConfig (with the id
// set), for every detector.
func TestDefaultsAgree(t *testing.T) {
	cfg := config.Default()
	nc, err := NameNode(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := namenode.DefaultConfig(); !reflect.DeepEqual(nc, want) {
		t.Errorf("NameNode from configs/default.yaml\n%+v\nnamenode.DefaultConfig()\n%+v", nc, want)
	}
	for _, name := range []string{namenode.DetectorMissedCount, namenode.DetectorHDFS, namenode.DetectorPhi} {
		d, err := Detector(name, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if want := namenode.DefaultDetectorConfig(name); !reflect.DeepEqual(d, want) {
			t.Errorf("%s from configs/default.yaml\n%+v\nnamenode.DefaultDetectorConfig\n%+v", name, d, want)
		}
	}
	want := datanode.DefaultConfig()
	want.ID = "dn1"
	if dc := DataNode(cfg, "dn1"); !reflect.DeepEqual(dc, want) {
		t.Errorf("DataNode from configs/default.yaml\n%+v\ndatanode.DefaultConfig()\n%+v", dc, want)
	}
	if cc := Client(cfg); cc != client.DefaultConfig() {
		t.Errorf("client from configs/default.yaml %+v, client.DefaultConfig() %+v", cc, client.DefaultConfig())
	}
	gwant := gossip.DefaultConfig()
	gwant.ID = "a"
	if gc := Gossip(cfg, "a", nil); !reflect.DeepEqual(gc, gwant) {
		t.Errorf("gossip member from configs/default.yaml\n%+v\ngossip.DefaultConfig()\n%+v", gc, gwant)
	}
}

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
