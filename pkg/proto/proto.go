// Package proto defines the messages DataNodes and the NameNode exchange.
//
// The same values travel through the simulator's network model and, encoded
// as msgpack frames, over TCP in live mode. Like raftpb.Message in etcd's
// raft, one flat struct carries every kind of message: the hot path (a
// heartbeat) is then a plain value copy with no interface boxing and no
// allocation, which is what lets the simulator push millions of them a second.
//
// The Type enum only ever grows: values are on the wire.
package proto

import "fmt"

// Type says what a Message is.
type Type uint8

// Message types. Never renumber: live mode sends these bytes.
const (
	TypeInvalid        Type = 0
	TypeRegister       Type = 1 // DataNode → NameNode: join, or join again
	TypeRegisterReply  Type = 2 // NameNode → DataNode: accepted or refused
	TypeHeartbeat      Type = 3 // DataNode → NameNode: I am alive, here is my state
	TypeHeartbeatReply Type = 4 // NameNode → DataNode: commands to carry out
	TypeLifeline       Type = 5 // DataNode → NameNode: still alive (HDFS-9239); no reply
	// TypeBlockReport is a full block report (FBR): every block the
	// DataNode holds, in Blocks. Sent after each registration.
	TypeBlockReport Type = 6
	// TypeBlockReceived is an incremental block report (IBR): the DataNode
	// now holds Block (a transfer or a write reached it).
	TypeBlockReceived Type = 7
	// TypeErrorReport is HDFS's DatanodeProtocol.errorReport: Code says
	// what; with ErrorDisk, Blocks are the replicas lost with the failed
	// volumes.
	TypeErrorReport Type = 8

	// The HDFS client's messages (ClientProtocol to the NameNode,
	// DataTransferProtocol to DataNodes). Each carries Client, the
	// client's name, and Call, its number for the operation; Seq numbers
	// the operation's attempts, and a reply echoes all three.

	// TypeGetLocations asks the NameNode where Block is
	// (getBlockLocations).
	TypeGetLocations Type = 9
	// TypeLocatedBlock is the NameNode's answer to GetLocations, AddBlock
	// and AddDatanode: Block and its nodes in Nodes, or Refused.
	TypeLocatedBlock Type = 10
	// TypeAddBlock asks for a new block and its write pipeline, avoiding
	// the nodes in Nodes (addBlock with excludedNodes).
	TypeAddBlock Type = 11
	// TypeAddDatanode asks for one more node for Block's pipeline, which
	// holds Nodes (getAdditionalDatanode).
	TypeAddDatanode Type = 12
	// TypeComplete closes Block, written to the nodes in Nodes (complete).
	TypeComplete Type = 13
	// TypeAbandonBlock drops Block, whose pipeline could not be set up
	// (abandonBlock).
	TypeAbandonBlock Type = 14
	// TypeReadBlock asks a DataNode for its replica of Block
	// (OP_READ_BLOCK).
	TypeReadBlock Type = 15
	// TypeReadReply is a DataNode's answer to ReadBlock: the data, or
	// Refused when it has no such replica.
	TypeReadReply Type = 16
	// TypeWriteBlock sets up a DataNode for Block in a write pipeline
	// (OP_WRITE_BLOCK); with Bytes it carries the block's data, which the
	// DataNode stores and reports.
	TypeWriteBlock Type = 17
	// TypeWriteAck is a DataNode's answer to WriteBlock: set up, or (with
	// Bytes) the data stored.
	TypeWriteAck Type = 18
)

// Error codes of an ErrorReport, HDFS's DatanodeProtocol numbers.
const (
	ErrorDisk      uint8 = 1 // DISK_ERROR: volumes failed, the node goes on
	ErrorFatalDisk uint8 = 3 // FATAL_DISK_ERROR: too many failed; it shuts down
)

// Refusals a client's call can get, in Refused.
const (
	// RefusedSafeMode: the NameNode is in startup safe mode. HDFS refuses
	// addBlock there (SafeModeException). It serves getBlockLocations, but
	// hbsim's readers, like an application that runs `hdfs dfsadmin
	// -safemode wait` first, do not read before safe mode ends: the read
	// is refused and not counted.
	RefusedSafeMode = "safe mode"
	// RefusedNoBlock: no complete block of that number (never written,
	// being written, or abandoned).
	RefusedNoBlock = "no such block"
	// RefusedNoNodes: no DataNode can take the block (addBlock's "could
	// only be written to 0 nodes").
	RefusedNoNodes = "no datanode available"
	// RefusedNoReplica: the DataNode has no such replica
	// (ReplicaNotFoundException).
	RefusedNoReplica = "replica not found"
)

var typeNames = [...]string{
	TypeInvalid:        "invalid",
	TypeRegister:       "register",
	TypeRegisterReply:  "register-reply",
	TypeHeartbeat:      "heartbeat",
	TypeHeartbeatReply: "heartbeat-reply",
	TypeLifeline:       "lifeline",
	TypeBlockReport:    "block-report",
	TypeBlockReceived:  "block-received",
	TypeErrorReport:    "error-report",
	TypeGetLocations:   "get-locations",
	TypeLocatedBlock:   "located-block",
	TypeAddBlock:       "add-block",
	TypeAddDatanode:    "add-datanode",
	TypeComplete:       "complete",
	TypeAbandonBlock:   "abandon-block",
	TypeReadBlock:      "read-block",
	TypeReadReply:      "read-reply",
	TypeWriteBlock:     "write-block",
	TypeWriteAck:       "write-ack",
}

func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// Valid reports whether t is a message type this version knows.
func (t Type) Valid() bool { return t > TypeInvalid && t <= TypeWriteAck }

// FromClient reports whether t is sent by the HDFS client.
func (t Type) FromClient() bool {
	switch t {
	case TypeGetLocations, TypeAddBlock, TypeAddDatanode, TypeComplete, TypeAbandonBlock, TypeReadBlock, TypeWriteBlock:
		return true
	}
	return false
}

// Action is a command the NameNode hands a DataNode in a heartbeat reply.
// The numbers follow HDFS's DatanodeProtocol action codes where one exists.
type Action uint8

// Actions. Never renumber.
const (
	ActionUnknown    Action = 0
	ActionTransfer   Action = 1 // HDFS DNA_TRANSFER: copy Block along Targets
	ActionInvalidate Action = 2 // HDFS DNA_INVALIDATE: delete your replica of Block
	ActionRegister   Action = 4 // HDFS DNA_REGISTER: you are not registered; register again
)

func (a Action) String() string {
	switch a {
	case ActionTransfer:
		return "transfer"
	case ActionInvalidate:
		return "invalidate"
	case ActionRegister:
		return "register"
	default:
		return fmt.Sprintf("action(%d)", uint8(a))
	}
}

// Command is one instruction in a heartbeat reply.
type Command struct {
	Action Action `codec:"a"`
	// Block is the block a TRANSFER or INVALIDATE is about.
	Block int64 `codec:"b,omitempty"`
	// Target is the first DataNode a TRANSFER copies Block to; a command
	// without Targets has only this one.
	Target string `codec:"tg,omitempty"`
	// Targets is a TRANSFER's whole pipeline, Target first: HDFS sends one
	// task per block, the source streaming to the first target, which
	// forwards to the next (BlockCommand's BlockTargetPair).
	Targets []string `codec:"tgs,omitempty"`
}

// Pipeline is a TRANSFER's targets in order: Targets, or just Target from
// a sender that predates pipelines.
func (c *Command) Pipeline() []string {
	if len(c.Targets) > 0 {
		return c.Targets
	}
	if c.Target != "" {
		return []string{c.Target}
	}
	return nil
}

// Stats is the state a DataNode reports with every heartbeat.
type Stats struct {
	Capacity int64 `codec:"cap"`              // bytes
	Used     int64 `codec:"used"`             // bytes
	Xmits    int32 `codec:"xmits"`            // block transfers in progress
	Blocks   int64 `codec:"blocks,omitempty"` // replicas held
	// Xceivers counts the node's active data connections, as HDFS's
	// xceiverCount (DataXceiverServer's thread group): 1 for the server,
	// plus one per block being received. Placement's considerLoad reads it.
	Xceivers int32 `codec:"xc,omitempty"`
	// FailedVolumes counts the node's failed volumes (HDFS's
	// VolumeFailureSummary in every heartbeat).
	FailedVolumes int32 `codec:"fv,omitempty"`
}

// Message is every message of the protocol. Fields a type does not use stay
// zero; the comment on each field says which types use it.
type Message struct {
	Type Type `codec:"t"`
	// Node is the DataNode the message is from (Register, Heartbeat) or to
	// (RegisterReply, HeartbeatReply).
	Node string `codec:"n"`
	// Handle is the NameNode's number for the node, handed out in
	// RegisterReply and echoed in every Heartbeat so the NameNode finds
	// the node without a lookup by name. The NameNode checks it against
	// Node, so a stale or wrong handle only costs the lookup. 0: none.
	Handle uint32 `codec:"h,omitempty"`
	// Seq numbers a DataNode's heartbeats from 1, per process lifetime;
	// a HeartbeatReply echoes the Seq it answers.
	Seq uint64 `codec:"s,omitempty"`
	// Stats rides on Register and Heartbeat.
	Stats Stats `codec:"st,omitempty"`
	// Commands rides on HeartbeatReply.
	Commands []Command `codec:"c,omitempty"`
	// Blocks rides on BlockReport: every block the DataNode holds; and on
	// an ErrorReport of ErrorDisk: the replicas on the failed volumes.
	Blocks []int64 `codec:"bl,omitempty"`
	// Block rides on BlockReceived: the block now held.
	Block int64 `codec:"b,omitempty"`
	// Refused, on RegisterReply, says why registration was refused; on
	// LocatedBlock and ReadReply, why the client's call was (Refused*
	// constants); empty means accepted.
	Refused string `codec:"r,omitempty"`
	// Code rides on ErrorReport: ErrorDisk or ErrorFatalDisk.
	Code uint8 `codec:"ec,omitempty"`
	// Client names the HDFS client a client message is from or to.
	Client string `codec:"cl,omitempty"`
	// Call is the client's number for the operation a client message
	// belongs to.
	Call uint64 `codec:"cn,omitempty"`
	// Nodes rides on client messages: a located block's nodes, a
	// pipeline, or the nodes to exclude.
	Nodes []string `codec:"ns,omitempty"`
	// Bytes, on WriteBlock and WriteAck, is the size of the data carried
	// or stored (0: pipeline setup).
	Bytes int64 `codec:"by,omitempty"`
}

func (m Message) String() string {
	return fmt.Sprintf("%s %s seq=%d", m.Type, m.Node, m.Seq)
}
