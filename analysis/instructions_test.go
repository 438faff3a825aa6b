package analysis

import (
	"math/rand/v2"
	"testing"
)

// instrBench is a benchmark counted under callgrind: counts as primary
// samples, repeated under MetricInstructions, with the wall time under
// Valgrind and a CPU metric that must not take over the judgement.
func instrBench(id string, counts, wall []float64) Benchmark {
	b := Benchmark{ID: id, Name: id, Unit: UnitInstructions, Direction: LowerIsBetter, Samples: counts}
	b.Metrics = map[string]Metric{
		MetricInstructions: {Unit: UnitInstructions, Direction: LowerIsBetter, Samples: counts},
		MetricValgrindWall: {Unit: "s", Direction: LowerIsBetter, Samples: wall},
		MetricCPU:          {Unit: MetricCPU, Direction: LowerIsBetter, Samples: wall},
	}
	return b
}

func TestCompareInstructionCounts(t *testing.T) {
	t.Parallel()
	const n = 7
	const spread = 0.002 // the run-to-run spread measured here is ~0.1-0.5%
	tests := []struct {
		name      string
		factor    float64 // current / baseline counts
		wallShift float64 // the wall time under Valgrind moves too, never judged
		cfg       func(*Config)
		want      Verdict
	}{
		{name: "same", factor: 1, wallShift: 3, want: Unchanged},
		{name: "plus 1%", factor: 1.01, wallShift: 1, want: Unchanged},
		{name: "plus 3%", factor: 1.03, wallShift: 1, want: Regression},
		{name: "minus 3%", factor: 0.97, wallShift: 1, want: Improvement},
		{name: "plus 3% with threshold 5%", factor: 1.03, wallShift: 1, cfg: func(c *Config) { c.InstructionThreshold = 0.05 }, want: Unchanged},
		{name: "plus 3% with 0: the time threshold", factor: 1.03, wallShift: 1, cfg: func(c *Config) { c.InstructionThreshold = 0 }, want: Unchanged},
		// Time without history would call a 30% change inside the drift;
		// counts get no drift allowance.
		{name: "plus 30% no drift allowance", factor: 1.3, wallShift: 1, want: Regression},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(3, 4))
			base := res(instrBench("k", noisy(rng, n, 2e6, spread), noisy(rng, n, 1e-2, 0.3)))
			cur := res(instrBench("k", noisy(rng, n, 2e6*tt.factor, spread), noisy(rng, n, 1e-2*tt.wallShift, 0.3)))
			cfg := DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			c, err := Compare(base, cur, cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := findRow(t, c, "k", MetricTime)
			if r.Verdict != tt.want {
				t.Errorf("verdict %s (%s), want %s", r.Verdict, r.Reason, tt.want)
			}
			if r.Unit != UnitInstructions || r.Clock == ClockCPU {
				t.Errorf("primary row unit %q clock %q: want the counts judged", r.Unit, r.Clock)
			}
			for _, row := range c.Rows {
				if row.Metric == MetricInstructions {
					t.Errorf("the counts appear twice: row %+v", row)
				}
				if row.Metric == MetricValgrindWall && row.Role != RoleDerived {
					t.Errorf("valgrind wall row has role %q, want derived", row.Role)
				}
			}
			wantReg := 0
			if tt.want == Regression {
				wantReg = 1
			}
			if c.Summary.Regressions != wantReg {
				t.Errorf("summary counts %d regressions, want %d", c.Summary.Regressions, wantReg)
			}
		})
	}
}

func TestConfigInstructionThresholdValidate(t *testing.T) {
	t.Parallel()
	for _, v := range []float64{-0.01, 1 / zero()} {
		cfg := DefaultConfig()
		cfg.InstructionThreshold = v
		if err := cfg.Validate(); err == nil {
			t.Errorf("instruction threshold %v accepted", v)
		}
	}
	if got := DefaultConfig().InstructionThreshold; got != DefaultInstructionThreshold {
		t.Errorf("default instruction threshold %v, want %v", got, DefaultInstructionThreshold)
	}
}

func zero() float64 { return 0 }
