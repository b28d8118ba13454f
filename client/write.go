package client

import (
	"fmt"
	"strings"
)

// ReplacePolicy is ReplaceDatanodeOnFailure: whether DataStreamer, after a
// DataNode of a write pipeline failed, asks the NameNode for a new one
// (dfs.client.block.write.replace-datanode-on-failure.enable and .policy).
type ReplacePolicy uint8

// Policies, HDFS's names.
const (
	// ReplaceDefault adds a node only if the replication is 3 or more and
	// no more than half the replication is left (or the block was
	// hflushed or appended).
	ReplaceDefault ReplacePolicy = iota
	// ReplaceAlways adds a node whenever one failed.
	ReplaceAlways
	// ReplaceNever goes on with the nodes left.
	ReplaceNever
	// ReplaceDisable is the feature switched off (.enable false): as
	// never.
	ReplaceDisable
)

var policyNames = [...]string{ReplaceDefault: "default", ReplaceAlways: "always", ReplaceNever: "never",
	ReplaceDisable: "disable"}

func (p ReplacePolicy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return fmt.Sprintf("policy(%d)", uint8(p))
}

// ParseReplacePolicy reads a policy by its name (any case, as HDFS).
func ParseReplacePolicy(s string) (ReplacePolicy, error) {
	for p, name := range policyNames {
		if strings.EqualFold(s, name) {
			return ReplacePolicy(p), nil
		}
	}
	return 0, fmt.Errorf("client: replace-datanode-on-failure policy %q: want default, always, never or disable", s)
}

// Replace is ReplaceDatanodeOnFailure.satisfy: whether to add a node to a
// pipeline of replication r with left nodes still working; hflushed says
// the block was hflushed or appended.
func (p ReplacePolicy) Replace(r, left int, hflushed bool) bool {
	if left == 0 || left >= r {
		return false
	}
	switch p {
	case ReplaceAlways:
		return true
	case ReplaceDefault:
		return r >= 3 && (left <= r/2 || hflushed)
	}
	return false
}
