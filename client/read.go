package client

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// ReadConfig configures a read (HDFS's DfsClientConf).
type ReadConfig struct {
	// RetryWindowBase scales the wait before each refetch of a block's
	// locations (dfs.client.retry.window.base; 3s).
	RetryWindowBase time.Duration
	// MaxBlockAcquireFailures is how many times a read refetches the
	// locations of a block whose every location failed before it gives up
	// with BlockMissingException (dfs.client.max.block.acquire.failures; 3).
	MaxBlockAcquireFailures int
	// SocketTimeout is what a DataNode that does not answer costs: a
	// crashed host, a partition, a frozen process (dfs.client.socket-timeout;
	// 60s). A DataNode whose host answers but whose process is gone refuses
	// the connection, which costs one round trip.
	SocketTimeout time.Duration
}

// DefaultReadConfig returns HDFS's defaults.
func DefaultReadConfig() ReadConfig {
	return ReadConfig{RetryWindowBase: 3 * time.Second, MaxBlockAcquireFailures: 3, SocketTimeout: time.Minute}
}

// Validate reports impossible values; it changes nothing.
func (c ReadConfig) Validate() error {
	switch {
	case c.RetryWindowBase < 0:
		return fmt.Errorf("client: retry window base (dfs.client.retry.window.base) %v is negative", c.RetryWindowBase)
	case c.MaxBlockAcquireFailures < 0:
		return fmt.Errorf("client: max block acquire failures (dfs.client.max.block.acquire.failures) %d is negative", c.MaxBlockAcquireFailures)
	case c.SocketTimeout <= 0:
		return fmt.Errorf("client: socket timeout (dfs.client.socket-timeout) %v must be positive", c.SocketTimeout)
	}
	return nil
}

// Outcome is what trying one DataNode came to.
type Outcome uint8

// Outcomes.
const (
	// Read: the replica was read.
	Read Outcome = iota
	// Refused: the host answered but nothing listens (a killed process):
	// one round trip.
	Refused
	// NoAnswer: nothing answered (a crashed host, a partition, a frozen
	// process): the socket timeout.
	NoAnswer
	// NoReplica: the DataNode answered that it has no such replica
	// (ReplicaNotFoundException): one round trip.
	NoReplica
)

// Cost is what an attempt with outcome o costs the reader, given one
// round trip rtt.
func (c ReadConfig) Cost(o Outcome, rtt time.Duration) time.Duration {
	if o == NoAnswer {
		return c.SocketTimeout
	}
	return rtt
}

// Step is what an InputStream does next.
type Step struct {
	// Node is the DataNode to try, if not empty.
	Node string
	// Refetch: ask the NameNode for the locations again, after Wait.
	Refetch bool
	// Missing: the read gives up (BlockMissingException).
	Missing bool
}

// ErrNotTried is returned for an outcome of a node not being tried.
var ErrNotTried = errors.New("client: outcome for a node that is not being tried")

// InputStream is DFSInputStream reading one block: it tries the locations
// in the NameNode's order, skipping the nodes on its dead list; a node that
// fails joins the list. When no location is left it waits
// base × failures + base × (failures + 1) × u, clears the list and asks
// for the locations again, at most MaxBlockAcquireFailures times
// (DFSInputStream.chooseDataNode and refetchLocations).
type InputStream struct {
	cfg       ReadConfig
	locations []string
	dead      []string
	failures  int
	trying    string
}

// NewInputStream starts a read of a block at the given locations.
func NewInputStream(cfg ReadConfig, locations []string) *InputStream {
	return &InputStream{cfg: cfg, locations: slices.Clone(locations)}
}

// Next returns the next step.
func (s *InputStream) Next() Step {
	for _, id := range s.locations {
		if !slices.Contains(s.dead, id) {
			s.trying = id
			return Step{Node: id}
		}
	}
	s.trying = ""
	if s.failures >= s.cfg.MaxBlockAcquireFailures {
		return Step{Missing: true}
	}
	return Step{Refetch: true}
}

// Wait is how long a refetch step waits first, base × failures + base ×
// (failures + 1) × u, u a uniform draw in [0, 1).
func (s *InputStream) Wait(u float64) time.Duration {
	base := float64(s.cfg.RetryWindowBase)
	return time.Duration(base*float64(s.failures) + base*float64(s.failures+1)*u)
}

// Tried records the outcome of trying the node Next returned; it reports
// whether the read is done.
func (s *InputStream) Tried(node string, o Outcome) (bool, error) {
	if node == "" || node != s.trying {
		return false, ErrNotTried
	}
	s.trying = ""
	if o == Read {
		return true, nil
	}
	s.dead = append(s.dead, node) // addToDeadNodes
	return false, nil
}

// Refetched gives the locations the NameNode returned after a refetch
// step: the dead list is cleared and the failure counted.
func (s *InputStream) Refetched(locations []string) {
	s.locations = append(s.locations[:0], locations...)
	s.dead = s.dead[:0]
	s.failures++
}

// Failures is how many refetches the read made.
func (s *InputStream) Failures() int { return s.failures }
