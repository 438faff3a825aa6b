package fit

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// lags returns the multi-tau lag list (4 delays per level: 1..8, then 5..8
// times 2^L) up to maxLag frames, times dt seconds.
func lags(maxLag int, dt float64) []float64 {
	var t []float64
	for l := 1; l <= 8 && l <= maxLag; l++ {
		t = append(t, float64(l)*dt)
	}
	for lev := 1; ; lev++ {
		for k := 5; k <= 8; k++ {
			l := k << lev
			if l > maxLag {
				return t
			}
			t = append(t, float64(l)*dt)
		}
	}
}

// curve is model m with parameters p at times t, plus Gaussian noise of
// standard deviation sigma (also returned as the error bars).
func curve(m Model, p, t []float64, sigma float64, rng *rand.Rand) (g2, e []float64) {
	g2 = make([]float64, len(t))
	e = make([]float64, len(t))
	for i, ti := range t {
		g2[i] = m.Eval(p, ti)
		if rng != nil {
			g2[i] += sigma * rng.NormFloat64()
		}
		e[i] = sigma
	}
	return g2, e
}

func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

func TestFitNoiselessRecovers(t *testing.T) {
	t.Parallel()
	tt := lags(100000, 1e-4) // 61 lags, 0.1 ms .. 10 s
	cases := []struct {
		model Model
		p     []float64
	}{
		{Single, []float64{0.2, 0.05, 1, 1.001}},
		{Stretched, []float64{0.3, 0.02, 0.7, 0.999}},
		{Stretched, []float64{0.1, 0.5, 1.6, 1.0}},
		{Double, []float64{0.25, 0.002, 1, 0.2, 1, 0.6, 1.0}},
	}
	for _, c := range cases {
		for _, method := range Methods {
			if c.model == Double && method == NelderMead {
				continue // 5 free parameters: NelderMead stalls before 1e-4
			}
			g2, e := curve(c.model, c.p, tt, 1e-3, nil)
			res, err := Fit(tt, g2, e, Options{Model: c.model, Method: method})
			if err != nil {
				t.Fatalf("%v/%v: %v", c.model, method, err)
			}
			for i, got := range res.Params {
				if want := c.p[i]; !near(got, want, 1e-4) {
					t.Errorf("%v/%v: %s = %.8g, want %.8g (chi2 %g)", c.model, method, res.Names[i], got, want, res.Chi2)
				}
			}
		}
	}
}

func TestFitNoisyErrorsCover(t *testing.T) {
	t.Parallel()
	// With correct error bars the fitted tau must fall within 1 sigma of the
	// truth in ~68% of realisations and within 3 sigma almost always; this
	// checks both the optimum and the covariance scaling.
	tt := lags(20000, 1e-3)
	truth := []float64{0.2, 0.08, 1, 1.0}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 300
	methods := []Method{LM, LBFGS}
	if raceEnabled {
		methods = methods[:1]
	}
	for _, method := range methods {
		in1, in3 := 0, 0
		for range n {
			g2, e := curve(Single, truth, tt, 0.004, rng)
			res, err := Fit(tt, g2, e, Options{Method: method, Starts: 1})
			if err != nil {
				t.Fatal(err)
			}
			tau, te := res.Tau()
			z := math.Abs(tau-truth[1]) / te
			if z <= 1 {
				in1++
			}
			if z <= 3 {
				in3++
			}
		}
		f1 := float64(in1) / n
		if f1 < 0.60 || f1 > 0.76 || in3 < n-4 {
			t.Errorf("%v: tau within 1 sigma in %.2f of fits (want ~0.68), within 3 sigma %d/%d", method, f1, in3, n)
		}
	}
}

func TestFitBadStart(t *testing.T) {
	t.Parallel()
	tt := lags(20000, 1e-3)
	truth := []float64{0.3, 0.01, 1, 1.0}
	g2, e := curve(Single, truth, tt, 0.003, rand.New(rand.NewPCG(3, 4)))
	bad := []float64{1, 100, 1, 1.1}
	for _, method := range Methods {
		for _, starts := range []int{0, 1} {
			if starts == 1 && method != LM {
				continue // only LM is promised to recover from one bad start
			}
			res, err := Fit(tt, g2, e, Options{Method: method, Init: bad, Starts: starts})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Params[1]; !near(got, truth[1], 0.05) {
				t.Errorf("%v starts=%d from %v: tau = %g, want %g", method, starts, bad, got, truth[1])
			}
		}
	}
}

func TestFitBoundsAndFixed(t *testing.T) {
	t.Parallel()
	tt := lags(20000, 1e-3)
	// Contrast 1.2 is above the default upper bound 1.
	g2, e := curve(Single, []float64{1.2, 0.05, 1, 1}, tt, 0.002, nil)
	for _, method := range Methods {
		res, err := Fit(tt, g2, e, Options{Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Params[0]; !near(got, 1, 1e-6) {
			t.Errorf("%v: a = %g, want the bound 1", method, got)
		}
		if method == LM && !res.AtBound[0] {
			t.Errorf("%v: AtBound = %v, want a at bound", method, res.AtBound)
		}
	}
	g2, e = curve(Stretched, []float64{0.2, 0.05, 1.3, 1.002}, tt, 0.002, nil)
	res, err := Fit(tt, g2, e, Options{Model: Stretched, Fixed: map[string]float64{"d": 1.002}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Params, []float64{0.2, 0.05, 1.3, 1.002}; !near(got[2], want[2], 1e-5) || got[3] != want[3] {
		t.Errorf("fixed d: params %v, want %v", got, want)
	}
	if !res.Fixed[3] || res.Errors[3] != 0 || res.Fixed[2] {
		t.Errorf("fixed d: Fixed %v Errors %v", res.Fixed, res.Errors)
	}
	if res.DOF != len(tt)-3 {
		t.Errorf("DOF = %d, want %d", res.DOF, len(tt)-3)
	}
}

func TestFitSkipsBadPoints(t *testing.T) {
	t.Parallel()
	tt := lags(20000, 1e-3)
	g2, e := curve(Single, []float64{0.2, 0.05, 1, 1}, tt, 0.002, nil)
	g2[3], e[7], e[9] = math.NaN(), 0, math.Inf(1)
	res, err := Fit(tt, g2, e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped != 3 || res.N != len(tt)-3 {
		t.Errorf("Skipped %d N %d, want 3 and %d", res.Skipped, res.N, len(tt)-3)
	}
	if !near(res.Params[1], 0.05, 1e-6) {
		t.Errorf("tau = %g, want 0.05", res.Params[1])
	}
}

func TestFitErrors(t *testing.T) {
	t.Parallel()
	tt := lags(1000, 1e-3)
	g2, e := curve(Single, []float64{0.2, 0.05, 1, 1}, tt, 0.002, nil)
	nan := make([]float64, len(tt))
	for i := range nan {
		nan[i] = math.NaN()
	}
	cases := []struct {
		name    string
		t, g, e []float64
		opt     Options
		want    string
	}{
		{"length", tt, g2[:3], nil, Options{}, "g2 values"},
		{"errlength", tt, g2, e[:2], Options{}, "g2 errors"},
		{"allnan", tt, nan, e, Options{}, "too few valid points"},
		{"fixedname", tt, g2, e, Options{Fixed: map[string]float64{"tau": 1}}, `"tau" is not one of`},
		{"bounds", tt, g2, e, Options{Bounds: []Bound{{0, 1}}}, "4 parameters but 1 bounds"},
		{"logbound", tt, g2, e, Options{Bounds: []Bound{{0, 1}, {0, 1}, {1, 1}, {0, 2}}}, "positive lower bound"},
		{"init", tt, g2, e, Options{Init: []float64{1}}, "Init has 1 values"},
		{"model", tt, g2, e, Options{Model: 9}, "unknown model"},
	}
	for _, c := range cases {
		_, err := Fit(c.t, c.g, c.e, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
		}
	}
	if _, err := Fit(tt, nan, e, Options{}); !errors.Is(err, ErrTooFewPoints) {
		t.Errorf("all NaN: %v is not ErrTooFewPoints", err)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, m := range Models {
		got, err := ParseModel(m.String())
		if err != nil || got != m {
			t.Errorf("ParseModel(%q) = %v, %v", m.String(), got, err)
		}
	}
	for _, m := range Methods {
		got, err := ParseMethod(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMethod(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := ParseModel("triple"); err == nil {
		t.Error("ParseModel(triple): no error")
	}
	if _, err := ParseMethod("newton"); err == nil {
		t.Error("ParseMethod(newton): no error")
	}
}

func TestJacobianMatchesFiniteDifferences(t *testing.T) {
	t.Parallel()
	ps := map[Model][]float64{
		Stretched:       {0.3, 0.02, 0.7, 0.999},
		DoubleStretched: {0.25, 0.002, 1.3, 0.2, 0.8, 0.6, 1.0},
	}
	for m, p := range ps {
		jac := make([]float64, m.NumParams())
		for _, tt := range []float64{1e-4, 3e-3, 0.02, 0.5} {
			m.evalJac(p, tt, jac)
			for i := range p {
				h := 1e-6 * math.Max(math.Abs(p[i]), 1e-3)
				pp, pm := slices.Clone(p), slices.Clone(p)
				pp[i] += h
				pm[i] -= h
				fd := (m.Eval(pp, tt) - m.Eval(pm, tt)) / (2 * h)
				if math.Abs(fd-jac[i]) > 1e-6*math.Max(1, math.Abs(fd)) {
					t.Errorf("%v t=%g d/d%s = %g, finite difference %g", m, tt, m.Params()[i], jac[i], fd)
				}
			}
		}
	}
}

func TestFitAll(t *testing.T) {
	t.Parallel()
	tt := lags(20000, 1e-3)
	q := []float64{0.001, 0.002, 0.003, 0.004}
	var g2, e [][]float64
	for _, qi := range q {
		g, ei := curve(Single, []float64{0.2, 1e-7 / (qi * qi), 1, 1}, tt, 0.002, nil)
		g2, e = append(g2, g), append(e, ei)
	}
	g2[2] = make([]float64, len(tt)) // all zeros with zero errors
	e[2] = make([]float64, len(tt))
	rows := FitAll(tt, g2, e, q, Options{}, 2)
	if rows[2].Err == nil || !strings.Contains(rows[2].Err.Error(), "q bin 2") {
		t.Errorf("bin 2: err = %v, want a q bin 2 error", rows[2].Err)
	}
	for _, i := range []int{0, 1, 3} {
		if rows[i].Err != nil || !near(rows[i].Result.Params[1], 1e-7/(q[i]*q[i]), 1e-6) {
			t.Errorf("bin %d: %+v", i, rows[i])
		}
	}
	var sb strings.Builder
	if err := WriteTable(&sb, rows); err != nil {
		t.Fatal(err)
	}
	if out := sb.String(); !strings.Contains(out, "error: q bin 2") || strings.Count(out, " ok") != 3 {
		t.Errorf("table:\n%s", out)
	}
}

func TestFitNoisyStretchedAndDouble(t *testing.T) {
	t.Parallel()
	tt := lags(100000, 1e-5)
	rng := rand.New(rand.NewPCG(9, 9))
	cases := []struct {
		model Model
		p     []float64
		tol   []float64 // absolute tolerance per parameter
	}{
		{Stretched, []float64{0.2, 0.01, 0.7, 1.0}, []float64{0.01, 0.001, 0.05, 0.003}},
		{Double, []float64{0.3, 0.0005, 1, 0.05, 1, 0.5, 1.0}, []float64{0.02, 0.0001, 0, 0.01, 0, 0.05, 0.003}},
	}
	for _, c := range cases {
		g2, e := curve(c.model, c.p, tt, 0.002, rng)
		for _, method := range []Method{LM, LBFGS} {
			res, err := Fit(tt, g2, e, Options{Model: c.model, Method: method})
			if err != nil {
				t.Fatal(err)
			}
			for i, got := range res.Params {
				if math.Abs(got-c.p[i]) > c.tol[i] {
					t.Errorf("%v/%v: %s = %.5g, want %.5g ± %.2g", c.model, method, res.Names[i], got, c.p[i], c.tol[i])
				}
			}
		}
	}
}

func TestZeroResult(t *testing.T) {
	t.Parallel()
	var r Result
	if tau, e := r.Tau(); !math.IsNaN(tau) || !math.IsNaN(e) {
		t.Errorf("zero Result Tau = %g, %g; want NaN", tau, e)
	}
	if _, _, ok := r.Param("a"); ok {
		t.Error("zero Result has parameter a")
	}
}
