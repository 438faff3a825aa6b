package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/h5/aps"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs/fit"
)

// cmdFit fits every q bin of /xpcs/multitau/normalized_g2 (n_tau, n_q) at
// t = delay_list * frame_time * stride_frame * avg_frame (the last two from
// /xpcs/multitau/config when present, as APS 8-ID-I records them), prints the table and the tau(q) power law, and
// stores them below /xpcs/fit/<model> (see aps.StoreFit) unless --no-store.
func cmdFit(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: xpcs-perf fit [flags] result.hdf")
		fmt.Fprintln(fs.Output(), "Fits g2 of every q bin of an APS result file; stores the table in /xpcs/fit/<model> of the same file.")
		fs.PrintDefaults()
	}
	model := fs.String("model", "single", "g2 model: single (c=1), stretched, double, double-stretched")
	method := fs.String("method", "lm", "optimiser: lm (bounded Levenberg-Marquardt), lbfgs, bfgs, neldermead (gonum/optimize)")
	starts := fs.Int("starts", fit.DefaultStarts, "starting points per bin (multi-start)")
	dt := fs.Float64("dt", 0, "seconds per delay_list unit (default: "+aps.FitFramePath+" times /xpcs/multitau/config stride_frame and avg_frame)")
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
	in, err := aps.ReadFitInput(f, *dt)
	exists := err == nil && f.Exists(*group)
	f.Close()
	if err != nil {
		return fmt.Errorf("fit: %s: %w", path, err)
	}
	if !*noStore && exists {
		return fmt.Errorf("fit: %s already holds %s: pass --group NAME or --no-store", path, *group)
	}
	opt := fit.Options{Model: m, Method: me, Starts: *starts, Fixed: fix, TMin: *tmin, TMax: *tmax}
	rows := fit.FitAll(in.T, in.G2, in.Err, in.Q, opt, 0)
	fmt.Fprintf(stdout, "%s: %d q bins x %d lags, frame time %g s, model %v, method %v\n", path, len(in.G2), len(in.T), in.DT, m, me)
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
		err := aps.ReplaceFile(path, func(tmp string) error {
			if err := aps.CopyFile(path, tmp); err != nil {
				return err
			}
			f, err := h5.OpenRW(tmp)
			if err != nil {
				return err
			}
			if err := aps.StoreFit(f, *group, opt, in, rows, pl, plErr); err != nil {
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
