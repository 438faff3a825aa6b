package analysis

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
)

// TestDescribeExtreme: Describe never returns a non-finite field (it must
// encode as JSON), computes the right mean and stddev of samples whose sum
// or squares leave the float64 range, and names what it had to clamp.
func TestDescribeExtreme(t *testing.T) {
	t.Parallel()
	const max = math.MaxFloat64
	tests := []struct {
		name      string
		samples   []float64
		unit      string
		mean, sd  float64 // want, relative 1e-12
		ops       float64
		wantBad   []string
		wantMedia float64
	}{
		{"huge equal", []float64{1e308, 1e308, 1e308, 1e308, 1e308}, "s", 1e308, 0, 1e-308, nil, 1e308},
		{"huge spread", []float64{1e308, 1.2e308, 1.4e308, 1.6e308}, "s", 1.3e308, math.Sqrt(0.2/3) * 1e308, 1 / 1.3e308, nil, 1.3e308},
		{"denormal", []float64{5e-324, 5e-324, 5e-324, 5e-324}, "s", 5e-324, 0, 0, []string{"ops"}, 5e-324},
		{"denormal spread", []float64{1e-320, 2e-320, 3e-320}, "", 2e-320, 1e-320, 0, nil, 2e-320},
		{"both signs", []float64{-1.7e308, -1.7e308, 1.7e308, 1.7e308}, "", 0, max, 0, []string{"stddev", "iqr"}, 0},
		{"ordinary", []float64{1, 2, 3, 4}, "s", 2.5, math.Sqrt(5.0 / 3), 0.4, nil, 2.5},
	}
	near := func(got, want float64) bool {
		return got == want || math.Abs(got-want) <= 1e-12*math.Max(math.Abs(got), math.Abs(want))
	}
	for _, tt := range tests {
		got, bad := DescribeChecked(tt.samples, tt.unit)
		if !near(got.Mean, tt.mean) || !near(got.Stddev, tt.sd) || !near(got.Ops, tt.ops) || !near(got.Median, tt.wantMedia) {
			t.Errorf("%s: mean %g sd %g ops %g median %g, want %g %g %g %g", tt.name, got.Mean, got.Stddev, got.Ops, got.Median, tt.mean, tt.sd, tt.ops, tt.wantMedia)
		}
		if !slices.Equal(bad, tt.wantBad) {
			t.Errorf("%s: clamped %q, want %q", tt.name, bad, tt.wantBad)
		}
		if _, err := json.Marshal(got); err != nil {
			t.Errorf("%s: stats do not encode: %v", tt.name, err)
		}
		if d := Describe(tt.samples, tt.unit); d != got {
			t.Errorf("%s: Describe %+v != DescribeChecked %+v", tt.name, d, got)
		}
	}
}
