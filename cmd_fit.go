package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs/fit"
)

func init() {
	register(command{name: "fit", summary: "fit g2 models to the multi-tau g2 of a result file, print and store the table", run: cmdFit})
}

// Paths read and written by `fit` (APS 8-ID-I result layout).
const (
	fitDelayPath = "/xpcs/multitau/delay_list"
	fitG2Path    = "/xpcs/multitau/normalized_g2"
	fitErrPath   = "/xpcs/multitau/normalized_g2_err"
	fitQPath     = "/xpcs/qmap/dynamic_v_list_dim0"
	fitFramePath = "/entry/instrument/detector_1/frame_time"
)

// cmdFit fits every q bin of /xpcs/multitau/normalized_g2 (n_tau, n_q) at
// t = delay_list * frame_time * stride_frame * avg_frame (the last two from
// /xpcs/multitau/config when present, as APS 8-ID-I records them), prints the table and the tau(q) power law, and
// stores them below /xpcs/fit/<model> (see storeFit) unless --no-store.
func cmdFit(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: xpcs-perf fit [flags] result.hdf")
		fmt.Fprintln(fs.Output(), "Fits g2 of every q bin of an APS result file; stores the table in /xpcs/fit/<model> of the same file.")
		fs.PrintDefaults()
	}
	model := fs.String("model", "single", "g2 model: single (c=1), stretched, double, double-stretched")
	method := fs.String("method", "lm", "optimiser: lm (bounded Levenberg-Marquardt), lbfgs, bfgs, neldermead (gonum/optimize)")
	starts := fs.Int("starts", fit.DefaultStarts, "starting points per bin (multi-start)")
	dt := fs.Float64("dt", 0, "seconds per delay_list unit (default: "+fitFramePath+" times /xpcs/multitau/config stride_frame and avg_frame)")
	fixed := fs.String("fix", "", "fixed parameters, e.g. d=1,c=1.2")
	tmin := fs.Float64("tmin", 0, "fit only delays t >= tmin (seconds)")
	tmax := fs.Float64("tmax", 0, "fit only delays t <= tmax (seconds; 0: all). Multi-tau g2 is biased low at delays near the run length: T/4 is a safe limit")
	noStore := fs.Bool("no-store", false, "print only; do not write the fit into the file")
	group := fs.String("group", "", "group to store the fit in (default /xpcs/fit/<model>)")
	if err := parseFlags(fs, stderr, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return &exitError{code: 2, msg: "fit: want exactly one result file"}
	}
	path := fs.Arg(0)
	m, err := fit.ParseModel(*model)
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	me, err := fit.ParseMethod(*method)
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	fix, err := parseFixed(*fixed)
	if err != nil {
		return &exitError{code: 2, msg: "fit: --fix: " + err.Error()}
	}
	if *group == "" {
		*group = "/xpcs/fit/" + m.String()
	}

	// Read-only first: a refused or print-only run never touches the file.
	f, err := h5.Open(path)
	if err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	in, err := readFitInput(f, *dt)
	exists := err == nil && f.Exists(*group)
	f.Close()
	if err != nil {
		return fmt.Errorf("fit: %s: %w", path, err)
	}
	if !*noStore && exists {
		return fmt.Errorf("fit: %s already holds %s: pass --group NAME or --no-store", path, *group)
	}
	opt := fit.Options{Model: m, Method: me, Starts: *starts, Fixed: fix, TMin: *tmin, TMax: *tmax}
	rows := fit.FitAll(in.t, in.g2, in.err, in.q, opt, 0)
	fmt.Fprintf(stdout, "%s: %d q bins x %d lags, frame time %g s, model %v, method %v\n", path, len(in.g2), len(in.t), in.dt, m, me)
	if err := fit.WriteTable(stdout, rows); err != nil {
		return err
	}
	pl, plErr := powerLaw(rows)
	if plErr != nil {
		fmt.Fprintf(stdout, "tau(q) power law: %v\n", plErr)
	} else {
		fmt.Fprintf(stdout, "tau(q) = A q^alpha: alpha = %.4f ± %.4f (95%% CI [%.4f, %.4f]), A = %.4g, %d bins\n",
			pl.Alpha, pl.AlphaErr, pl.AlphaCI[0], pl.AlphaCI[1], pl.A, pl.N)
	}
	failed := 0
	for _, r := range rows {
		if r.Err != nil {
			failed++
		}
	}
	if !*noStore {
		// The fit goes into a copy of the input in the same folder, which
		// replaces the input only once complete: a full disk or a killed
		// process leaves the input as it was.
		err := replaceFile(path, func(tmp string) error {
			if err := copyFile(path, tmp); err != nil {
				return err
			}
			f, err := h5.OpenRW(tmp)
			if err != nil {
				return err
			}
			if err := storeFit(f, *group, opt, in, rows, pl, plErr); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		})
		if err != nil {
			return fmt.Errorf("fit: storing into %s (left unchanged): %w", path, err)
		}
		fmt.Fprintf(stdout, "stored in %s:%s\n", path, *group)
	}
	if failed == len(rows) {
		return fmt.Errorf("fit: %s: no q bin could be fitted", path)
	}
	return nil
}

// copyFile copies src to dst (created or truncated), keeping src's
// permissions, and syncs dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s: %w", src, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// parseFixed parses "name=value,name=value".
func parseFixed(s string) (map[string]float64, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string]float64{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not name=value", kv)
		}
		var x float64
		if _, err := fmt.Sscan(v, &x); err != nil {
			return nil, fmt.Errorf("%q: %w", kv, err)
		}
		out[strings.TrimSpace(k)] = x
	}
	return out, nil
}

type fitInput struct {
	dt       float64
	t, q     []float64
	g2, err  [][]float64 // per q bin
	hasError bool
}

// readFitInput reads the multi-tau g2 and transposes it to one curve per q bin.
func readFitInput(f *h5.File, dt float64) (*fitInput, error) {
	delays, _, err := readFloats(f, fitDelayPath)
	if err != nil {
		return nil, err
	}
	g2, shape, err := readFloats(f, fitG2Path)
	if err != nil {
		return nil, err
	}
	if len(shape) != 2 || shape[0] != len(delays) {
		return nil, fmt.Errorf("%s has shape %v, want (%d, n_q) to match %s", fitG2Path, shape, len(delays), fitDelayPath)
	}
	nt, nq := shape[0], shape[1]
	var ge []float64
	if f.Exists(fitErrPath) {
		var eshape []int
		ge, eshape, err = readFloats(f, fitErrPath)
		if err != nil {
			return nil, err
		}
		if len(eshape) != 2 || eshape[0] != nt || eshape[1] != nq {
			return nil, fmt.Errorf("%s has shape %v, want %v", fitErrPath, eshape, shape)
		}
	}
	if dt <= 0 {
		if !f.Exists(fitFramePath) {
			return nil, fmt.Errorf("no frame time at %s: pass --dt SECONDS", fitFramePath)
		}
		v, _, err := readFloats(f, fitFramePath)
		if err != nil {
			return nil, err
		}
		if len(v) != 1 || !(v[0] > 0) {
			return nil, fmt.Errorf("%s = %v is not a positive scalar: pass --dt SECONDS", fitFramePath, v)
		}
		dt = v[0]
		// APS: delays count effective frames of stride_frame*avg_frame raw
		// frames; /entry keeps the raw frame time.
		for _, k := range []string{"stride_frame", "avg_frame"} {
			p := "/xpcs/multitau/config/" + k
			if !f.Exists(p) {
				continue
			}
			n, _, err := readFloats(f, p)
			if err != nil {
				return nil, err
			}
			if len(n) != 1 || !(n[0] >= 1) {
				return nil, fmt.Errorf("%s = %v is not a positive scalar", p, n)
			}
			dt *= n[0]
		}
	}
	in := &fitInput{dt: dt, hasError: ge != nil}
	for _, d := range delays {
		in.t = append(in.t, d*dt)
	}
	if f.Exists(fitQPath) {
		q, _, err := readFloats(f, fitQPath)
		if err != nil {
			return nil, err
		}
		if len(q) == nq {
			in.q = q
		}
	}
	in.g2 = make([][]float64, nq)
	if ge != nil {
		in.err = make([][]float64, nq)
	}
	for j := 0; j < nq; j++ {
		in.g2[j] = make([]float64, nt)
		for i := 0; i < nt; i++ {
			in.g2[j][i] = g2[i*nq+j]
		}
		if ge != nil {
			in.err[j] = make([]float64, nt)
			for i := 0; i < nt; i++ {
				in.err[j][i] = ge[i*nq+j]
			}
		}
	}
	return in, nil
}

// readFloats reads a numeric dataset of any stored type as float64.
func readFloats(f *h5.File, path string) ([]float64, []int, error) {
	a, err := f.Read(path)
	if err != nil {
		return nil, nil, err
	}
	var out []float64
	switch v := a.Data.(type) {
	case []float64:
		out = v
	case []float32:
		out = conv(v)
	case []int64:
		out = conv(v)
	case []int32:
		out = conv(v)
	case []uint32:
		out = conv(v)
	case []uint16:
		out = conv(v)
	case []int16:
		out = conv(v)
	case []uint8:
		out = conv(v)
	case []int8:
		out = conv(v)
	case []uint64:
		out = conv(v)
	default:
		return nil, nil, fmt.Errorf("%s: stored %v, want a number", path, a.DType)
	}
	return out, a.Shape, nil
}

func conv[T int8 | uint8 | int16 | uint16 | int32 | uint32 | int64 | uint64 | float32](v []T) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// powerLaw fits tau(q) over the bins with a known q that converged with tau
// inside its bounds and determined (0 < error < tau).
func powerLaw(rows []fit.Row) (fit.PowerLawResult, error) {
	var q, tau, te []float64
	for _, r := range rows {
		if r.Err != nil || !r.Result.Converged || math.IsNaN(r.Q) {
			continue
		}
		if r.Result.AtBound[1] {
			continue
		}
		t, e := r.Result.Tau()
		if !(e > 0 && e < t) {
			continue
		}
		q, tau, te = append(q, r.Q), append(tau, t), append(te, e)
	}
	if len(q) < 2 {
		return fit.PowerLawResult{}, errors.New("fewer than 2 bins with a known q and a converged, determined tau inside its bounds")
	}
	return fit.PowerLaw(q, tau, te)
}

// storeFit writes the fit below group:
//
//	q (n_q) f64, params and errors (n_q, n_params) f64 (NaN for bins that
//	failed), red_chi2 (n_q) f64, status (n_q) strings;
//	attributes model, method, param_names, frame_time, starts, and, when the
//	power law could be fitted, power_law_A, power_law_alpha,
//	power_law_alpha_err, power_law_alpha_ci (2).
func storeFit(f *h5.File, group string, opt fit.Options, in *fitInput, rows []fit.Row, pl fit.PowerLawResult, plErr error) error {
	names := opt.Model.Params()
	np, nq := len(names), len(rows)
	params := make([]float64, nq*np)
	errs := make([]float64, nq*np)
	chi := make([]float64, nq)
	status := make([]string, nq)
	q := make([]float64, nq)
	for i, r := range rows {
		q[i] = r.Q
		if r.Err != nil {
			for j := 0; j < np; j++ {
				params[i*np+j], errs[i*np+j] = math.NaN(), math.NaN()
			}
			chi[i], status[i] = math.NaN(), "error: "+r.Err.Error()
			continue
		}
		copy(params[i*np:], r.Result.Params)
		copy(errs[i*np:], r.Result.Errors)
		chi[i] = r.Result.RedChi2
		status[i] = "ok"
		if !r.Result.Converged {
			status[i] = "not converged"
		}
	}
	if err := f.CreateGroup(group); err != nil {
		return err
	}
	for _, w := range []struct {
		name  string
		shape []int
		data  any
	}{
		{"q", []int{nq}, q},
		{"params", []int{nq, np}, params},
		{"errors", []int{nq, np}, errs},
		{"red_chi2", []int{nq}, chi},
		{"status", []int{nq}, status},
	} {
		if err := f.Write(group+"/"+w.name, w.shape, w.data, nil); err != nil {
			return err
		}
	}
	attrs := []struct {
		name  string
		value any
	}{
		{"model", opt.Model.String()},
		{"method", opt.Method.String()},
		{"param_names", strings.Join(names, ",")},
		{"frame_time", in.dt},
		{"starts", int64(opt.Starts)},
		{"weighted", int64(btoi(in.hasError))},
		{"tmin", opt.TMin},
		{"tmax", opt.TMax},
	}
	if plErr == nil {
		attrs = append(attrs,
			struct {
				name  string
				value any
			}{"power_law_A", pl.A},
			struct {
				name  string
				value any
			}{"power_law_alpha", pl.Alpha},
			struct {
				name  string
				value any
			}{"power_law_alpha_err", pl.AlphaErr},
			struct {
				name  string
				value any
			}{"power_law_alpha_ci", []float64{pl.AlphaCI[0], pl.AlphaCI[1]}})
	}
	for _, a := range attrs {
		if err := f.SetAttr(group, a.name, a.value); err != nil {
			return err
		}
	}
	return f.Flush()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
