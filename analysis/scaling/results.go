package scaling

import (
	"encoding/json"
	"fmt"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
)

// Extra keys by which a benchmark joins a scaling family (the runner's
// scalability category writes them): the family name and the size n.
const (
	ExtraFamily = "scaling_family"
	ExtraN      = "scaling_n"
)

// FitResults fits every scaling family of res: the benchmarks whose Extra
// has ExtraFamily (a string) and ExtraN (a number), with their median time
// (samples, else Stats.Median) as the value. Families with fewer than
// MinPoints usable members are left out with a note; so are fits that fail
// (the note names the family and the reason). Families come back in the order
// of their first member.
func FitResults(res *analysis.Results) (infos []analysis.ScalingInfo, notes []string) {
	type fam struct {
		unit string
		pts  []analysis.ScalingPoint
	}
	fams := map[string]*fam{}
	var order []string
	for _, b := range res.Benchmarks {
		name, _ := b.Extra[ExtraFamily].(string)
		n, ok := number(b.Extra[ExtraN])
		if name == "" || !ok || b.Error != "" {
			continue
		}
		var med float64
		switch {
		case len(b.Samples) > 0:
			med = analysis.Describe(b.Samples, b.Unit).Median
		case b.Stats != nil:
			med = b.Stats.Median
		default:
			continue
		}
		f := fams[name]
		if f == nil {
			f = &fam{unit: b.Unit}
			fams[name] = f
			order = append(order, name)
		}
		if b.Unit != f.unit {
			notes = append(notes, fmt.Sprintf("scaling %s: %s is in %q, the family in %q: left out", name, b.ID, b.Unit, f.unit))
			continue
		}
		f.pts = append(f.pts, analysis.ScalingPoint{N: n, Value: med})
	}
	for _, name := range order {
		f := fams[name]
		if len(f.pts) < MinPoints {
			notes = append(notes, fmt.Sprintf("scaling %s: %d sizes, a fit needs %d", name, len(f.pts), MinPoints))
			continue
		}
		info, err := Fit(name, f.pts, f.unit)
		if err != nil {
			notes = append(notes, err.Error())
			continue
		}
		infos = append(infos, info)
	}
	return infos, notes
}

// number accepts the numeric types an Extra value has in memory (int,
// int64, float64) or after a JSON round trip (float64, json.Number).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}
