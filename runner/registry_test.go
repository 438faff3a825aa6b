package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

func TestFormatID(t *testing.T) {
	for _, tc := range []struct {
		params map[string]string
		want   string
	}{
		{nil, "c/g/n"},
		{map[string]string{"size": "tiny"}, "c/g/n[size=tiny]"},
		{map[string]string{"workers": "2", "size": "small", "a": "x"}, "c/g/n[a=x,size=small,workers=2]"},
	} {
		if got := FormatID("c", "g", "n", tc.params); got != tc.want {
			t.Errorf("FormatID(%v) = %q, want %q", tc.params, got, tc.want)
		}
	}
}

func testRegistry() *Registry {
	r := &Registry{}
	op := func(*Env) (*Op, error) { return &Op{Run: func() error { return nil }}, nil }
	for _, cat := range []string{"a", "b"} {
		for _, size := range []string{"tiny", "small", "large"} {
			var mk []string
			if size == "large" {
				mk = []string{MemoryIntensive}
			}
			r.Register(&Benchmark{Category: cat, Group: "g", Name: "x", Params: map[string]string{"size": size}, Markers: mk, Setup: op})
		}
		r.Register(&Benchmark{Category: cat, Group: "h", Name: "nosize", Setup: op})
	}
	return r
}

func ids(bs []*Benchmark) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.ID())
	}
	return out
}

func TestSelect(t *testing.T) {
	r := testRegistry()
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
		mem  float64
		want string
	}{
		{"default sizes", func(c *Config) { c.Categories = []string{"a"} }, 0, "a/g/x[size=tiny] a/g/x[size=small] a/h/nosize"},
		{"regex", func(c *Config) { c.Filter = "nosize" }, 0, "a/h/nosize b/h/nosize"},
		{"memory intensive asked", func(c *Config) { c.Categories = []string{"b"}; c.Sizes = []string{"large"}; c.MemoryIntensive = true }, 0, "b/g/x[size=large] b/h/nosize"},
		{"memory intensive, too little memory", func(c *Config) { c.Sizes = []string{"large"}; c.MemoryIntensive = true; c.Categories = []string{"a"} }, 512, "a/h/nosize"},
		{"memory intensive not asked", func(c *Config) { c.Sizes = []string{"large"}; c.Categories = []string{"a"} }, 0, "a/h/nosize"},
	} {
		c := DefaultConfig()
		tc.cfg(&c)
		sel, err := r.Select(&c, tc.mem)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := strings.Join(ids(sel.Run), " "); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	c := DefaultConfig()
	c.Categories = []string{"nope"}
	if _, err := r.Select(&c, 0); err == nil || !strings.Contains(err.Error(), "unknown category") {
		t.Errorf("unknown category: got %v", err)
	}
}

// TestShards: the shards partition the selection, and a benchmark's shard
// does not depend on the others.
func TestShards(t *testing.T) {
	r := testRegistry()
	all := DefaultConfig()
	base, _ := r.Select(&all, 0)
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		c := DefaultConfig()
		c.Shard = strings.Join([]string{string(rune('0' + i)), "3"}, "/")
		sel, err := r.Select(&c, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids(sel.Run) {
			seen[id]++
			if analysis.ShardOf(id, 3) != i {
				t.Errorf("%s in shard %d, ShardOf says %d", id, i, analysis.ShardOf(id, 3))
			}
		}
	}
	for _, id := range ids(base.Run) {
		if seen[id] != 1 {
			t.Errorf("%s appears in %d shards, want 1", id, seen[id])
		}
	}
	c := DefaultConfig()
	c.Shard = "4/3"
	if _, err := r.Select(&c, 0); err == nil {
		t.Errorf("Select with shard 4/3 accepted")
	}
}

func TestLoadConfigFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ConfigFileName)
	os.WriteFile(p, []byte(`{"rounds": 20, "max_time": "1m", "min_time": 0.05, "sizes": ["tiny"]}`), 0o644)
	c := DefaultConfig()
	if err := LoadConfigFile(&c, p, false); err != nil {
		t.Fatal(err)
	}
	if c.Rounds != 20 || c.MaxTime.D() != time.Minute || c.MinTime.D() != 50*time.Millisecond || c.WarmupRounds != 3 || len(c.Sizes) != 1 {
		t.Errorf("got %+v", c)
	}
	for name, body := range map[string]string{
		"typo":      `{"round": 20}`,
		"bad size":  `{"sizes": ["huge"]}`,
		"bad value": `{"rounds": 0}`,
		"duration":  `{"max_time": "soon"}`,
	} {
		os.WriteFile(p, []byte(body), 0o644)
		c := DefaultConfig()
		if err := LoadConfigFile(&c, p, false); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: got %v, want an error naming the file", name, err)
		}
	}
	c = DefaultConfig()
	if err := LoadConfigFile(&c, filepath.Join(dir, "missing.json"), true); err != nil {
		t.Errorf("optional missing file: %v", err)
	}
	if err := LoadConfigFile(&c, filepath.Join(dir, "missing.json"), false); err == nil {
		t.Errorf("required missing file accepted")
	}
}

func TestDefaultsAreSeedConfig(t *testing.T) {
	c := DefaultConfig()
	if c.Rounds != 10 || c.WarmupRounds != 3 || c.MaxTime.D() != 30*time.Second || c.MemoryThresholdMB != 1024 {
		t.Errorf("defaults %+v differ from the seed's PERFORMANCE_CONFIG", c)
	}
}

// TestConfigApply: overrides over the file's settings; zero keeps them
// (negative for Warmup and TimeBudget); the slowdown comes from the
// override, else the environment, else the file; debug from any of them.
func TestConfigApply(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	c := DefaultConfig()
	c.Slowdown, c.Sizes = "file=2", []string{"tiny"}
	c.Apply(Overrides{Warmup: -1, TimeBudget: -1}, getenv)
	if c.Slowdown != "file=2" || c.WarmupRounds != 3 || c.TimeBudget.D() != 5*time.Minute || len(c.Sizes) != 1 || c.Debug {
		t.Errorf("empty overrides changed the config: %+v", c)
	}
	env[SlowdownEnv], env[DebugEnv] = "env=3", "1"
	c.Apply(Overrides{Warmup: 0, TimeBudget: 0, Rounds: 2}, getenv)
	if c.Slowdown != "env=3" || c.WarmupRounds != 0 || c.TimeBudget != 0 || c.Rounds != 2 || c.MinRounds != 2 || !c.Debug {
		t.Errorf("got %+v", c)
	}
	c.Apply(Overrides{Slowdown: "flag=4", NoCounters: true, Warmup: -1, TimeBudget: -1}, getenv)
	if c.Slowdown != "flag=4" || c.Counters {
		t.Errorf("flag slowdown / no counters: got %q, counters %v", c.Slowdown, c.Counters)
	}
}
