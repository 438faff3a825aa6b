package analysis

import (
	"math"
	"testing"
)

func TestScalingModelValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		m    ScalingModel
		n    float64
		want float64
	}{
		{ScalingModel{Name: "constant", Coef: 2, Intercept: 1}, 100, 3},
		{ScalingModel{Name: "linear", Coef: 2}, 100, 200},
		{ScalingModel{Name: "quadratic", Coef: 1}, 10, 100},
		{ScalingModel{Name: "power", Coef: 3, Exponent: 1.5}, 4, 24},
	} {
		if got := tc.m.Value(tc.n); got != tc.want {
			t.Errorf("ScalingModel{%s}.Value(%g) = %g, want %g", tc.m.Name, tc.n, got, tc.want)
		}
	}
}

// TestScalingModelValueUnknown: an unknown model name is NaN.
func TestScalingModelValueUnknown(t *testing.T) {
	t.Parallel()
	if v := (ScalingModel{Name: "cubic", Coef: 1}).Value(2); !math.IsNaN(v) {
		t.Errorf("unknown model: %g, want NaN", v)
	}
}
