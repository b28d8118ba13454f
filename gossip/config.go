package gossip

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Config configures one member. It is plain data: start from
// DefaultConfig, set ID, Peers and Rand. Validate only checks.
type Config struct {
	// ID names the member; peers know it by this name. Required.
	ID string
	// Peers lists the members of the group. It may or may not include ID
	// itself (a runtime may hand every member the same list); ID is added
	// if missing. Order does not matter: a member sorts the list, and
	// digests are sent in that order, so members given the same list merge
	// each other's digests without a lookup per entry. Ids must be
	// non-empty and unique. The group is fixed: a digest entry for an id
	// not in Peers is ignored, and so is a message from one.
	Peers []string
	// Interval is the time between two gossip rounds (hbsim
	// heartbeat.interval, the heartbeat interval of the other detectors so
	// they compare on one footing; 3s). Each round the member increments
	// its heartbeat counter and sends its digest to Fanout peers; measured
	// from the start of the previous round, a late round is not followed
	// by a burst.
	Interval time.Duration
	// Fanout is how many peers, believed alive or suspect, get the digest
	// each round (hbsim heartbeat.gossip.fanout; 3). More fanout spreads
	// heartbeats and deaths in fewer rounds at the cost of Fanout messages
	// per member per Interval.
	Fanout int
	// SuspectAfter is how long a peer's heartbeat counter may go without
	// rising before this member suspects the peer. It must cover the time
	// a counter takes to reach every member by gossip, with a margin, or
	// healthy peers are suspected. 0 (the default) means
	// DefaultSuspectAfter(Interval, Fanout, number of members), which New
	// computes: 36s for 100 members, fanout 3 and a 3s interval.
	SuspectAfter time.Duration
	// SuspicionTimeout is how long a peer stays suspect, with no fresher
	// counter arriving, before this member declares it dead (hbsim
	// heartbeat.gossip.suspicion_timeout; 10s). It is the time the group
	// gives a slow or partitioned peer to refute.
	SuspicionTimeout time.Duration
	// ReconnectInterval is how often a member that believes some peers
	// dead sends a round's digest to one of them picked at random, as
	// Serf's reconnect does (Serf's 30s; negative: never). The fanout never
	// picks dead peers, so without this two sides of a healed partition,
	// each believing the other dead, would never talk again.
	ReconnectInterval time.Duration
	// AwarenessMaxMultiplier turns on Lifeguard's local health
	// (memberlist's AwarenessMaxMultiplier; hbsim
	// heartbeat.gossip.local_health; memberlist's LAN preset uses 8, hbsim
	// defaults to 0: off). The member keeps a score in [0, max−1]: each
	// interval it missed because it was not running (its own round came
	// late) adds one, as does each suspicion about itself it has to
	// refute; each round on time takes one off. While the score is s > 0,
	// SuspectAfter and SuspicionTimeout are multiplied by s+1: a member
	// that is itself late or suspected waits longer before it accuses
	// others. memberlist scales its probe interval and timeout instead;
	// here a round also carries the member's own heartbeat, so rounds keep
	// their pace and only the member's judgement of others slows. 0 or 1:
	// off.
	AwarenessMaxMultiplier int
	// Rand is the source of every random choice (which peers a round
	// goes to). Required. Members may share one source when they run on
	// one goroutine, as in the simulator; a run is then reproducible from
	// the seed.
	Rand *rand.Rand
}

// DefaultConfig returns a member's defaults, in the style of memberlist's
// DefaultLANConfig; ID, Peers and Rand must be set.
func DefaultConfig() Config {
	return Config{
		Interval:          3 * time.Second,
		Fanout:            3,
		SuspicionTimeout:  10 * time.Second,
		ReconnectInterval: 30 * time.Second,
	}
}

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("gossip: bad config")

// SpreadRounds estimates how many gossip rounds a heartbeat counter takes
// to reach all of members members when each forwards everything it knows
// to fanout random peers each round (push epidemic; Pittel 1987, Karp et
// al. 2000): about log_{fanout+1}(members) rounds while the informed set
// grows by a factor of fanout+1 per round, then about ln(members)/fanout
// rounds to reach the last few, each of whom a round misses with
// probability about e^-fanout. It is at least 1.
func SpreadRounds(fanout, members int) int {
	if fanout < 1 || members < 2 {
		return 1
	}
	n := float64(members)
	r := int(math.Ceil(math.Log(n)/math.Log(float64(fanout+1)))) +
		int(math.Ceil(math.Log(n)/float64(fanout)))
	return max(1, r)
}

// DefaultSuspectAfter is SuspectAfter's default: twice SpreadRounds
// rounds. A counter increment reaches every member within about
// SpreadRounds hops, and a hop waits up to one interval for the holder's
// next round, so the gap between two increases seen by one member is
// about one interval plus the difference of two spread delays; twice the
// spread time leaves a margin for the tail of the epidemic and for lost
// messages. For 100 members, fanout 3 and a 1s interval the default is
// 12s; the largest gap the in-package driver measured is 5.8s.
func DefaultSuspectAfter(interval time.Duration, fanout, members int) time.Duration {
	return 2 * time.Duration(SpreadRounds(fanout, members)) * interval
}

// Validate reports impossible values; it changes nothing.
func (c *Config) Validate() error {
	if c.ID == "" {
		return fmt.Errorf("%w: ID is empty", ErrConfig)
	}
	seen := make(map[string]bool, len(c.Peers)+1)
	for _, p := range c.Peers {
		if p == "" {
			return fmt.Errorf("%w: member %s: a peer id is empty", ErrConfig, c.ID)
		}
		if seen[p] {
			return fmt.Errorf("%w: member %s: peer %s is listed twice", ErrConfig, c.ID, p)
		}
		seen[p] = true
	}
	switch {
	case c.Interval <= 0:
		return fmt.Errorf("%w: member %s: interval %v must be positive", ErrConfig, c.ID, c.Interval)
	case c.Fanout < 0:
		return fmt.Errorf("%w: member %s: fanout %d is negative", ErrConfig, c.ID, c.Fanout)
	case c.SuspectAfter < 0:
		return fmt.Errorf("%w: member %s: suspect after %v is negative", ErrConfig, c.ID, c.SuspectAfter)
	case c.SuspectAfter > 0 && c.SuspectAfter <= c.Interval:
		return fmt.Errorf("%w: member %s: suspect after %v must exceed the interval %v, or every peer is suspected between two heartbeats",
			ErrConfig, c.ID, c.SuspectAfter, c.Interval)
	case c.SuspicionTimeout <= 0:
		return fmt.Errorf("%w: member %s: suspicion timeout %v must be positive", ErrConfig, c.ID, c.SuspicionTimeout)
	case c.ReconnectInterval == 0:
		return fmt.Errorf("%w: member %s: reconnect interval is 0; use a negative value for never", ErrConfig, c.ID)
	case c.AwarenessMaxMultiplier < 0:
		return fmt.Errorf("%w: member %s: awareness max multiplier %d is negative; 0 turns local health off", ErrConfig, c.ID, c.AwarenessMaxMultiplier)
	case c.Rand == nil:
		return fmt.Errorf("%w: member %s: Rand is nil; pass a seeded source", ErrConfig, c.ID)
	}
	return nil
}
