package analysis

import "testing"

func TestParseShard(t *testing.T) {
	t.Parallel()
	if i, n, err := ParseShard(" 2 / 4 "); err != nil || i != 2 || n != 4 {
		t.Errorf("ParseShard(2/4) = %d, %d, %v", i, n, err)
	}
	for _, bad := range []string{"0/3", "4/3", "x", "1/0", "1/", "/3", ""} {
		if _, _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
}

// TestShardOfStable: the split is FNV-1a of the ID, so it never changes
// between releases (baselines are stored per shard).
func TestShardOfStable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		id      string
		n, want int
	}{
		{"memory/g/a", 1, 1},
	} {
		if got := ShardOf(c.id, c.n); got != c.want {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", c.id, c.n, got, c.want)
		}
	}
	seen := map[int]bool{}
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		s := ShardOf(id, 3)
		if s < 1 || s > 3 {
			t.Fatalf("ShardOf(%q, 3) = %d, out of 1..3", id, s)
		}
		seen[s] = true
	}
	if len(seen) != 3 {
		t.Errorf("8 ids fall into %d of 3 shards", len(seen))
	}
}
