package live

import (
	"testing"
	"time"

	"github.com/hbsim/hbsim/namenode"
)

// The NameNode closes a connection silent for twice the time its acting
// detector takes to declare a node dead, whichever detector that is: an
// hdfs NameNode (expiry 2 × recheck + 10 × interval = 630s by default,
// DatanodeManager heartbeatExpireInterval) must not drop a paused node's
// connection after a missed-count's 60s.
func TestReadTimeoutFollowsTheActingDetector(t *testing.T) {
	for _, tc := range []struct {
		detector string
		atLeast  time.Duration
	}{
		{namenode.DetectorMissedCount, 2 * 30 * time.Second},
		{namenode.DetectorHDFS, 2 * 630 * time.Second},
		{namenode.DetectorPhi, 2 * 3 * time.Second}, // phi: past its acceptable pause at least
	} {
		nc := namenode.DefaultConfig()
		nc.Detectors = []namenode.DetectorConfig{namenode.DefaultDetectorConfig(tc.detector)}
		s, err := NewServer(ServerConfig{NameNode: nc})
		if err != nil {
			t.Fatal(err)
		}
		got := s.cfg.Wire.ReadTimeout
		if got < tc.atLeast || got != 2*nc.DeadAfter() {
			t.Errorf("%s: read timeout %v, want 2 × its dead time %v and at least %v", tc.detector, got, nc.DeadAfter(), tc.atLeast)
		}
	}
}
