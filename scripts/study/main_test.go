package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestStudyRuns(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, []string{"-samples", "testdata/samples.json", "-trials", "40", "-clock", "cpu"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| synthetic-lognormal-cv5 | 5.0% | ours |", "| single |", "Targets (ours)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(&out, []string{"-samples", "testdata/samples.json", "-pairing", "bogus"}); err == nil {
		t.Error("bad -pairing accepted")
	}
}

func TestSeedRule(t *testing.T) {
	b := []float64{1, 1.1, 0.9, 1, 1}
	tests := []struct {
		c    []float64
		want bool
	}{
		{[]float64{1, 1.1, 0.9, 1, 1}, false},            // A/A
		{[]float64{1.5, 1.6, 1.4, 1.5, 1.5}, true},       // +50%, |z| = 7
		{[]float64{1.15, 1.25, 1.05, 1.15, 1.15}, false}, // +15%: below 20%
		{[]float64{0.5, 2.5, 0.7, 1.3, 1.4}, false},      // +28% but z = 0.4
	}
	for _, tt := range tests {
		if got := seedRule(b, tt.c); got != tt.want {
			t.Errorf("seedRule(%v) = %v, want %v", tt.c, got, tt.want)
		}
	}
}
