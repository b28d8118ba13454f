package client

import (
	"errors"
	"fmt"
	"time"
)

// Config configures one HDFS client (HDFS's DfsClientConf). It is plain
// data: start from DefaultConfig, set ID and what differs. Validate only
// checks.
type Config struct {
	// ID names the client in its messages ("client").
	ID string
	// Read is how a read goes: DFSInputStream's settings and the socket
	// timeout.
	Read ReadConfig
	// Replace is when a write pipeline that lost a DataNode asks for a
	// new one (dfs.client.block.write.replace-datanode-on-failure.enable
	// and .policy; default).
	Replace ReplacePolicy
	// BlockWriteRetries is how many times a write whose pipeline could
	// not be set up abandons the block and asks for another, without the
	// node that failed (dfs.client.block.write.retries; 3).
	BlockWriteRetries int
	// BlockSize is the bytes a write carries (dfs.blocksize; 128 MiB).
	BlockSize int64
	// Bandwidth is the rate a write's data is expected to stream at,
	// bytes per second: a pipeline silent for the socket timeout past
	// BlockSize / Bandwidth has lost a node (100 MiB/s).
	Bandwidth int64
	// Blocks is how many blocks exist when the client starts, numbered
	// from 0: the ones it may read before writing any (0).
	Blocks int
	// Seed roots the client's random draws (0).
	Seed uint64
}

// DefaultConfig returns HDFS's defaults; ID is "client".
func DefaultConfig() Config {
	return Config{ID: "client", Read: DefaultReadConfig(), Replace: ReplaceDefault, BlockWriteRetries: 3,
		BlockSize: 128 << 20, Bandwidth: 100 << 20}
}

// Validate reports impossible values; it changes nothing.
func (c *Config) Validate() error {
	switch {
	case c.ID == "":
		return errors.New("client: ID is empty")
	case c.BlockWriteRetries < 0:
		return fmt.Errorf("client: block write retries (dfs.client.block.write.retries) %d is negative", c.BlockWriteRetries)
	case c.BlockSize <= 0:
		return fmt.Errorf("client: block size (dfs.blocksize) %d must be positive", c.BlockSize)
	case c.Bandwidth <= 0:
		return fmt.Errorf("client: bandwidth %d must be positive", c.Bandwidth)
	case c.Blocks < 0:
		return fmt.Errorf("client: %d blocks at start is negative", c.Blocks)
	case c.Replace > ReplaceDisable:
		return fmt.Errorf("client: unknown replace-datanode-on-failure policy %v", c.Replace)
	}
	return c.Read.Validate()
}

// streamTime is how long a block's data should take to stream.
func (c *Config) streamTime() time.Duration {
	return time.Duration(float64(c.BlockSize) / float64(c.Bandwidth) * float64(time.Second))
}
