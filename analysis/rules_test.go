package analysis

import (
	"strings"
	"testing"
)

func TestParseRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Rule
		wantErr bool
	}{
		{in: "mean:20%", want: Rule{Field: "mean", Percentage: true, Threshold: 20, Text: "mean:20%"}},
		{in: "min:5%", want: Rule{Field: "min", Percentage: true, Threshold: 5, Text: "min:5%"}},
		{in: "max:0.000001", want: Rule{Field: "max", Threshold: 1e-6, Text: "max:0.000001"}},
		{in: "iqr:1e-3", want: Rule{Field: "iqr", Threshold: 1e-3, Text: "iqr:1e-3"}},
		{in: "stddev:.5", want: Rule{Field: "stddev", Threshold: 0.5, Text: "stddev:.5"}},
		{in: "mean:100%", wantErr: true}, // pytest-benchmark accepts one or two digits only
		{in: "ops:5%", wantErr: true},
		{in: "mean:-1", wantErr: true},
		{in: "mean", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseRule(tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
			t.Errorf("ParseRule(%q) = %+v, %v; want %+v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), tt.in) {
			t.Errorf("error %q does not name the rule", err)
		}
	}
	rs, err := ParseRules([]string{"mean:20%,min:30%", "max:0.5"})
	if err != nil || len(rs) != 3 {
		t.Errorf("ParseRules = %v, %v", rs, err)
	}
}

func TestRuleCheck(t *testing.T) {
	t.Parallel()
	base, cur := Stats{Mean: 2, Min: 1, Stddev: 0}, Stats{Mean: 2.5, Min: 0.5, Stddev: 0.1}
	tests := []struct{ rule, want string }{
		{"mean:20%", "Field 'mean' has failed PercentageRegressionCheck: 25.000000000 > 20.000000000"},
		{"mean:25%", ""}, // not strictly greater
		{"min:1%", ""},   // faster never fails
		{"stddev:5%", "Field 'stddev' has failed PercentageRegressionCheck: inf > 5.000000000"},
		{"mean:0.4", "Field 'mean' has failed DifferenceRegressionCheck: 0.500000000 > 0.400000000"},
	}
	for _, tt := range tests {
		r, err := ParseRule(tt.rule)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Check(base, cur); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.rule, got, tt.want)
		}
	}
}
