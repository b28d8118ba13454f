package namenode

import (
	"time"

	"github.com/hbsim/hbsim/pkg/proto"
)

// The NameNode's side of ClientProtocol: the HDFS client asks where a
// block is, for a new block and its pipeline, for a replacement node, and
// closes or abandons what it wrote, by messages like the DataNodes'. The
// answers go out in Ready.Messages with the client's name in Client.

// client handles a message from the HDFS client.
func (n *NameNode) client(now time.Duration, m proto.Message) {
	n.now = now
	if !n.cfg.Blocks.Enable {
		return
	}
	reply := proto.Message{Type: proto.TypeLocatedBlock, Client: m.Client, Call: m.Call, Seq: m.Seq, Block: m.Block}
	switch m.Type {
	case proto.TypeGetLocations:
		switch {
		case n.safe:
			reply.Refused = proto.RefusedSafeMode
		case !n.Counted(m.Block):
			reply.Refused = proto.RefusedNoBlock
		default:
			reply.Nodes = n.Locations(m.Block, now, nil)
		}
	case proto.TypeAddBlock:
		if n.safe {
			reply.Refused = proto.RefusedSafeMode
			break
		}
		reply.Block, reply.Nodes = n.addBlock(now, m.Nodes)
		if len(reply.Nodes) == 0 {
			reply.Refused = proto.RefusedNoNodes
		}
	case proto.TypeAddDatanode:
		if id, ok := n.addTarget(m.Block, now, m.Nodes); ok {
			reply.Nodes = []string{id}
		}
	case proto.TypeComplete:
		n.completeBlock(m.Block, len(m.Nodes), now)
		return
	case proto.TypeAbandonBlock:
		n.abandonBlock(m.Block)
		return
	default:
		return
	}
	n.outbox = append(n.outbox, reply)
}

// indices maps ids to the nodes the NameNode knows.
func (n *NameNode) indices(ids []string) []int32 {
	var out []int32
	for _, id := range ids {
		if i, ok := n.byID(id); ok {
			out = append(out, int32(i))
		}
	}
	return out
}

// addBlock starts a new block written by a client outside the cluster: it
// chooses a pipeline of Replication targets, none of them in excluded,
// and returns the block and their ids. The block is not counted until
// completeBlock.
func (n *NameNode) addBlock(now time.Duration, excluded []string) (int64, []string) {
	b := int32(len(n.bm.cnt))
	n.bm.grow(1)
	n.bm.flags[b] |= flagUC
	n.bstats.Total++
	ts := n.chooseTargets(now, b, n.bm.rf, nil, n.indices(excluded), -1, true)
	return int64(b), n.ids(ts)
}

// addTarget chooses one more node for block b's pipeline, which holds the
// nodes in pipeline (getAdditionalDatanode after a pipeline failure); ok
// is false when none is left.
func (n *NameNode) addTarget(b int64, now time.Duration, pipeline []string) (string, bool) {
	if b < 0 || b >= int64(len(n.bm.cnt)) {
		return "", false
	}
	existing := n.indices(pipeline)
	writer := int32(-1)
	if len(existing) > 0 {
		writer = existing[0]
	}
	ts := n.chooseTargets(now, int32(b), 1, existing, nil, writer, false)
	if len(ts) == 0 {
		return "", false
	}
	return n.nodes[ts[0]].id, true
}

// completeBlock says the writer finished block b with a pipeline of want
// nodes: the block is counted once that many replicas are reported (at
// once if they already are).
func (n *NameNode) completeBlock(b int64, want int, now time.Duration) {
	if b < 0 || b >= int64(len(n.bm.cnt)) || n.bm.flags[b]&flagUC == 0 || n.bm.flags[b]&flagGone != 0 {
		return
	}
	if int(n.bm.cnt[b]) >= want {
		n.complete(int32(b))
		return
	}
	if n.bm.ucWant == nil {
		n.bm.ucWant = map[int32]int{}
	}
	n.bm.ucWant[int32(b)] = want
}

// abandonBlock drops a block whose write failed.
func (n *NameNode) abandonBlock(b int64) {
	if b < 0 || b >= int64(len(n.bm.cnt)) || n.bm.flags[b]&flagUC == 0 {
		return
	}
	n.bm.flags[b] |= flagGone
	delete(n.bm.ucWant, int32(b))
}
