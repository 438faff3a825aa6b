package analysis

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// ParseShard parses a shard "i/n" (1 <= i <= n): the runner's --shard, the
// action's shard input and Run.Shard of results.json.
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("shard %q: want i/n with 1 <= i <= n, e.g. 2/4", s)
	}
	return i, n, nil
}

// ShardOf returns the 1-based shard of a benchmark id among n: FNV-1a of
// the ID modulo n. A hash (not the position in the list) keeps a benchmark
// in the same shard when others are added or removed, so baselines stay
// comparable; the runner selects by it and the action filters ingested
// results by it, so measured and ingested shards agree.
func ShardOf(id string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32()%uint32(n)) + 1
}
