package cost

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// Available is the memory this process may still use, in bytes: the
// kernel's MemAvailable, or less when a cgroup (a container's limit)
// leaves less. 0 means unknown (not Linux, or nothing readable), and no
// memory limit is applied.
func Available() uint64 {
	avail := memAvailable()
	if limit, ok := cgroupRoom(); ok && (avail == 0 || limit < avail) {
		avail = limit
	}
	return avail
}

// memAvailable reads MemAvailable from /proc/meminfo.
func memAvailable() uint64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	return parseMemInfo(data)
}

func parseMemInfo(data []byte) uint64 {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemAvailable:" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// cgroupRoom is a cgroup v2 limit less what the cgroup already uses.
func cgroupRoom() (uint64, bool) {
	limit, err1 := readUint("/sys/fs/cgroup/memory.max")
	used, err2 := readUint("/sys/fs/cgroup/memory.current")
	if err1 != nil || err2 != nil || used > limit {
		return 0, false
	}
	return limit - used, true
}

// readUint reads a number from a file; "max" (no limit) is an error.
func readUint(path string) (uint64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
}
