package comment

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// unitKind classifies a unit string for human formatting.
type unitKind int

const (
	kindOther unitKind = iota
	kindSeconds
	kindBytes
)

// kindOf maps the units seen in results files to a kind and the factor that
// converts a value to seconds or bytes ("ns/op" values are nanoseconds).
func kindOf(unit string) (unitKind, float64) {
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "s", "sec", "secs", "second", "seconds", "s/op", "sec/op":
		return kindSeconds, 1
	case "ms", "ms/op":
		return kindSeconds, 1e-3
	case "us", "µs", "us/op", "µs/op":
		return kindSeconds, 1e-6
	case "ns", "ns/op":
		return kindSeconds, 1e-9
	case "b", "bytes", "b/op", "bytes/op", "peak-rss", "rss":
		return kindBytes, 1
	}
	if _, base, ok := qualified(unit); ok {
		return kindOf(base)
	}
	return kindOther, 1
}

// qualified splits a time unit with a qualifier, such as the runner's
// "cpu-s/op" (CPU seconds per op) or "user-ns/op", into "cpu" and "s/op".
func qualified(unit string) (qual, base string, ok bool) {
	i := strings.LastIndexByte(unit, '-')
	if i <= 0 || i == len(unit)-1 {
		return "", "", false
	}
	if k, _ := kindOf(unit[i+1:]); k != kindSeconds {
		return "", "", false
	}
	return unit[:i], unit[i+1:], true
}

// FormatValue formats v (in unit) for people: times with ns, µs, ms or s,
// byte counts with B, KiB, MiB, GiB or TiB (powers of 1024), anything else as
// a 3-significant-digit number followed by the unit. NaN and ±Inf print as
// "n/a" and "∞".
func FormatValue(v float64, unit string) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	if math.IsInf(v, 0) {
		if v < 0 {
			return "-∞"
		}
		return "∞"
	}
	kind, f := kindOf(unit)
	switch kind {
	case kindSeconds:
		if q, _, ok := qualified(unit); ok {
			return FormatSeconds(v*f) + " " + q
		}
		return FormatSeconds(v * f)
	case kindBytes:
		return FormatBytes(v * f)
	}
	s := sig3(v)
	if unit == "" {
		return s
	}
	return s + " " + unit
}

// FormatSeconds formats a duration in seconds with 3 significant digits in
// the largest unit of ns, µs, ms, s that keeps the number at least 1
// (e.g. 0.0123 -> "12.3 ms", 2.5e-7 -> "250 ns").
func FormatSeconds(sec float64) string {
	a := math.Abs(sec)
	switch {
	case a == 0:
		return "0 s"
	case a < 1e-6:
		return sig3(sec*1e9) + " ns"
	case a < 1e-3:
		return sig3(sec*1e6) + " µs"
	case a < 1:
		return sig3(sec*1e3) + " ms"
	}
	return sig3(sec) + " s"
}

// FormatBytes formats a byte count with binary prefixes (1 KiB = 1024 B),
// 3 significant digits above 1 KiB (e.g. 1536 -> "1.50 KiB").
func FormatBytes(b float64) string {
	a := math.Abs(b)
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for a >= 1024 && i < len(units)-1 {
		a /= 1024
		b /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatFloat(math.Round(b), 'f', 0, 64) + " B"
	}
	return sig3(b) + " " + units[i]
}

// sig3 prints v with 3 significant digits in plain notation between 1e-3 and
// 1e6 ("1.23", "12.3", "123", "12345"), in e-notation outside.
func sig3(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a >= 1e6 || a < 1e-3:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	// 0.001 <= a < 1: three significant digits after the leading zeros.
	d := 2 - int(math.Floor(math.Log10(a)))
	return strconv.FormatFloat(v, 'f', d, 64)
}

// FormatPercent formats a fraction as a percentage with one decimal
// (0.253 -> "25.3%").
func FormatPercent(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "n/a"
	}
	p := f * 100
	if math.Abs(p) >= 1000 {
		return strconv.FormatFloat(p, 'f', 0, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// FormatP formats a p-value: 3 significant digits, "<0.001" below 1e-3.
func FormatP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "n/a"
	case p < 1e-3:
		return "<0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

// ageText is FormatAge as an age: "5 h old", but "just now" and "in the
// future" as they are.
func ageText(d time.Duration) string {
	if d < time.Minute {
		return FormatAge(d)
	}
	return FormatAge(d) + " old"
}

// FormatAge formats a duration as a rounded age ("45 min", "5 h", "3 days").
func FormatAge(d time.Duration) string {
	switch {
	case d < 0:
		return "in the future"
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}
