package aps

import (
	"fmt"
	"math"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs/fit"
)

// Paths read and written by `fit` (APS 8-ID-I result layout).
const (
	FitDelayPath = "/xpcs/multitau/delay_list"
	FitG2Path    = "/xpcs/multitau/normalized_g2"
	FitErrPath   = "/xpcs/multitau/normalized_g2_err"
	FitQPath     = "/xpcs/qmap/dynamic_v_list_dim0"
	FitFramePath = "/entry/instrument/detector_1/frame_time"
)

// FitInput is the multi-tau g2 of a result file, one curve per q bin.
type FitInput struct {
	DT       float64     // seconds per delay_list unit
	T, Q     []float64   // delays (s); q of each bin (nil when unknown)
	G2, Err  [][]float64 // per q bin; Err nil without normalized_g2_err
	HasError bool
}

// ReadFitInput reads the multi-tau g2 and transposes it to one curve per q bin.
func ReadFitInput(f *h5.File, dt float64) (*FitInput, error) {
	delays, _, err := ReadFloats(f, FitDelayPath)
	if err != nil {
		return nil, err
	}
	g2, shape, err := ReadFloats(f, FitG2Path)
	if err != nil {
		return nil, err
	}
	if len(shape) != 2 || shape[0] != len(delays) {
		return nil, fmt.Errorf("%s has shape %v, want (%d, n_q) to match %s", FitG2Path, shape, len(delays), FitDelayPath)
	}
	nt, nq := shape[0], shape[1]
	var ge []float64
	if f.Exists(FitErrPath) {
		var eshape []int
		ge, eshape, err = ReadFloats(f, FitErrPath)
		if err != nil {
			return nil, err
		}
		if len(eshape) != 2 || eshape[0] != nt || eshape[1] != nq {
			return nil, fmt.Errorf("%s has shape %v, want %v", FitErrPath, eshape, shape)
		}
	}
	if dt <= 0 {
		if !f.Exists(FitFramePath) {
			return nil, fmt.Errorf("no frame time at %s: pass --dt SECONDS", FitFramePath)
		}
		v, _, err := ReadFloats(f, FitFramePath)
		if err != nil {
			return nil, err
		}
		if len(v) != 1 || !(v[0] > 0) {
			return nil, fmt.Errorf("%s = %v is not a positive scalar: pass --dt SECONDS", FitFramePath, v)
		}
		dt = v[0]
		// APS: delays count effective frames of stride_frame*avg_frame raw
		// frames; /entry keeps the raw frame time.
		for _, k := range []string{"stride_frame", "avg_frame"} {
			p := "/xpcs/multitau/config/" + k
			if !f.Exists(p) {
				continue
			}
			n, _, err := ReadFloats(f, p)
			if err != nil {
				return nil, err
			}
			if len(n) != 1 || !(n[0] >= 1) {
				return nil, fmt.Errorf("%s = %v is not a positive scalar", p, n)
			}
			dt *= n[0]
		}
	}
	in := &FitInput{DT: dt, HasError: ge != nil}
	for _, d := range delays {
		in.T = append(in.T, d*dt)
	}
	if f.Exists(FitQPath) {
		q, _, err := ReadFloats(f, FitQPath)
		if err != nil {
			return nil, err
		}
		if len(q) == nq {
			in.Q = q
		}
	}
	in.G2 = make([][]float64, nq)
	if ge != nil {
		in.Err = make([][]float64, nq)
	}
	for j := 0; j < nq; j++ {
		in.G2[j] = make([]float64, nt)
		for i := 0; i < nt; i++ {
			in.G2[j][i] = g2[i*nq+j]
		}
		if ge != nil {
			in.Err[j] = make([]float64, nt)
			for i := 0; i < nt; i++ {
				in.Err[j][i] = ge[i*nq+j]
			}
		}
	}
	return in, nil
}

// ReadFloats reads a numeric dataset of any stored type as float64.
func ReadFloats(f *h5.File, path string) ([]float64, []int, error) {
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

// StoreFit writes the fit below group:
//
//	q (n_q) f64, params and errors (n_q, n_params) f64 (NaN for bins that
//	failed), red_chi2 (n_q) f64, status (n_q) strings;
//	attributes model, method, param_names, frame_time, starts, and, when the
//	power law could be fitted, power_law_A, power_law_alpha,
//	power_law_alpha_err, power_law_alpha_ci (2).
func StoreFit(f *h5.File, group string, opt fit.Options, in *FitInput, rows []fit.Row, pl fit.PowerLawResult, plErr error) error {
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
		{"frame_time", in.DT},
		{"starts", int64(opt.Starts)},
		{"weighted", int64(btoi(in.HasError))},
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
