package analysis

import "testing"

func TestRatioCI(t *testing.T) {
	base := []float64{1.02, 0.98, 1.00, 1.01, 0.99, 1.03, 0.97, 1.00, 1.02, 0.98}
	cur := make([]float64, len(base))
	for i, v := range base {
		cur[len(base)-1-i] = 2 * v // unsorted on purpose
	}
	ratio, lo, hi := RatioCI(base, cur, 2000, 1)
	if ratio != 2 {
		t.Errorf("ratio %g, want 2", ratio)
	}
	if !(lo <= 2 && 2 <= hi) || lo < 1.9 || hi > 2.1 {
		t.Errorf("95%% CI [%g, %g], want a narrow interval around 2", lo, hi)
	}
	r2, lo2, hi2 := RatioCI(base, cur, 2000, 1)
	if r2 != ratio || lo2 != lo || hi2 != hi {
		t.Errorf("not deterministic: [%g, %g] then [%g, %g]", lo, hi, lo2, hi2)
	}
	if base[0] != 1.02 || cur[0] != 1.96 {
		t.Errorf("inputs modified: %v %v", base, cur)
	}
}
