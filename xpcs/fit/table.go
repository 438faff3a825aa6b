package fit

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"
)

// Row is the fit of one q bin.
type Row struct {
	Bin    int     // index of the q bin
	Q      float64 // q of the bin (1/Å, as the q-map), NaN when unknown
	Result Result  // valid when Err is nil
	Err    error   // why the bin could not be fitted
}

// FitAll fits every q bin: g2[i] and g2err[i] (nil for unweighted) are the
// curve of bin i at times t (s), q[i] its q (nil for unknown). Bins are
// fitted in parallel on up to workers goroutines (0: GOMAXPROCS). A bin that
// cannot be fitted (all NaN, too few points) gets Row.Err; the others are
// unaffected.
func FitAll(t []float64, g2, g2err [][]float64, q []float64, opt Options, workers int) []Row {
	rows := make([]Row, len(g2))
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, max(1, len(g2))) {
		wg.Go(func() {
			for i := range next {
				row := Row{Bin: i, Q: math.NaN()}
				if q != nil && i < len(q) {
					row.Q = q[i]
				}
				var e []float64
				if g2err != nil {
					e = g2err[i]
				}
				row.Result, row.Err = Fit(t, g2[i], e, opt)
				if row.Err != nil {
					row.Err = fmt.Errorf("q bin %d: %w", i, row.Err)
				}
				rows[i] = row
			}
		})
	}
	for i := range g2 {
		next <- i
	}
	close(next)
	wg.Wait()
	return rows
}

// WriteTable writes rows as an aligned text table: bin, q, every parameter
// with its error, reduced chi2 and a status (ok, not converged, at bound:
// names, or the error).
func WriteTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	var names []string
	for _, r := range rows {
		if r.Err == nil {
			names = r.Result.Names
			break
		}
	}
	hdr := []string{"bin", "q"}
	for _, n := range names {
		hdr = append(hdr, n, "±")
	}
	hdr = append(hdr, "chi2/dof", "status")
	fmt.Fprintln(tw, strings.Join(hdr, "\t")+"\t")
	for _, r := range rows {
		cells := []string{fmt.Sprint(r.Bin), fmt.Sprintf("%.5g", r.Q)}
		if r.Err != nil {
			for range names {
				cells = append(cells, "-", "-")
			}
			cells = append(cells, "-", "error: "+r.Err.Error())
			fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
			continue
		}
		res := r.Result
		for i := range names {
			cells = append(cells, fmt.Sprintf("%.5g", res.Params[i]))
			if res.Fixed[i] {
				cells = append(cells, "fixed")
			} else {
				cells = append(cells, fmt.Sprintf("%.2g", res.Errors[i]))
			}
		}
		cells = append(cells, fmt.Sprintf("%.3g", res.RedChi2), status(res))
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}

func status(r Result) string {
	var at []string
	for i, b := range r.AtBound {
		if b {
			at = append(at, r.Names[i])
		}
	}
	switch {
	case !r.Converged:
		return "not converged"
	case len(at) > 0:
		return "at bound: " + strings.Join(at, ",")
	}
	return "ok"
}
