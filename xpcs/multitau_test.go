package xpcs

import (
	"math"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

// bruteG2 is the multi-tau definition written out directly on a full
// (pixels x frames) series: fold the series 2^L times, then form
// G/(IP·IF) for each lag of Lags.
func bruteG2(series []float64, lags []Lag) []float64 {
	g, ip, ifu := bruteMoments(series, lags)
	out := make([]float64, len(lags))
	for i := range out {
		out[i] = g[i] / (ip[i] * ifu[i])
	}
	return out
}

// bruteMoments returns G = <I(t)I(t+k)>, IP = <I>past and IF = <I>future
// of one series for each lag of Lags, written out directly.
func bruteMoments(series []float64, lags []Lag) (G, IP, IF []float64) {
	G, IP, IF = make([]float64, len(lags)), make([]float64, len(lags)), make([]float64, len(lags))
	for i, lag := range lags {
		x := series
		for range lag.Level {
			y := make([]float64, len(x)/2)
			for j := range y {
				y[j] = x[2*j] + x[2*j+1]
			}
			x = y
		}
		n, k := len(x), lag.K
		var g, ip, ifu float64
		for t := k; t < n; t++ {
			g += x[t] * x[t-k]
			ifu += x[t]
			ip += x[t-k]
		}
		np := float64(n - k)
		G[i], IP[i], IF[i] = g/np, ip/np, ifu/np
	}
	return G, IP, IF
}

func testQMap(t testing.TB, rows, cols, nstatic, ndyn int) *QMap {
	t.Helper()
	g := Geometry{BeamCenterX: float64(cols) / 2, BeamCenterY: float64(rows) / 2, PixelSize: 75e-6, Distance: 5, Energy: 10}
	mask := NewMask(rows, cols)
	mask.Valid[0] = false // one masked pixel
	qm, err := NewQMap(rows, cols, g, mask, Partition{NStatic: nstatic, NDynamic: ndyn})
	if err != nil {
		t.Fatal(err)
	}
	return qm
}

func TestMultiTauMatchesBruteForce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		frames     int
		block      int
		workers    int
		rows, cols int
	}{
		{"tiny-one-block", 100, 100, 2, 16, 16},
		{"odd-blocks", 137, 13, 3, 12, 10},
		{"single-frame-blocks", 70, 1, 1, 8, 8},
		{"few-frames", 9, 4, 2, 8, 8},
		{"two-frames", 2, 1, 2, 4, 4},
	} {
		for _, kern := range availableKernels() {
			t.Run(tc.name+"/"+kern.String(), func(t *testing.T) {
				qm := testQMap(t, tc.rows, tc.cols, 8, 4)
				rng := rand.New(rand.NewPCG(1, uint64(tc.frames)))
				np := tc.rows * tc.cols
				data := make([]uint16, tc.frames*np)
				for i := range data {
					data[i] = uint16(1 + rng.IntN(50))
				}
				c, err := NewCorrelator(qm, tc.frames, tc.workers)
				if err != nil {
					t.Fatal(err)
				}
				c.kern = kern
				for f := 0; f < tc.frames; f += tc.block {
					e := min(f+tc.block, tc.frames)
					if err := AddFrames(c, data[f*np:e*np]); err != nil {
						t.Fatal(err)
					}
				}
				got, err := c.Result()
				if err != nil {
					t.Fatal(err)
				}
				lags := Lags(tc.frames)
				// Expected (APS 8-ID-I): per pixel brute-force moments, their
				// means per static bin, the ratio of the means, then the mean
				// of the ratios over the static bins of each dynamic bin.
				type key struct{ s, d int32 }
				sum := map[key][][3]float64{}
				cnt := map[key]int{}
				pix := map[int32][][]float64{}
				for p := range np {
					if qm.Dynamic[p] < 0 {
						continue
					}
					series := make([]float64, tc.frames)
					for f := range series {
						series[f] = float64(data[f*np+p])
					}
					g := bruteG2(series, lags)
					mg, mp, mf := bruteMoments(series, lags)
					k := key{qm.Static[p], qm.Dynamic[p]}
					if sum[k] == nil {
						sum[k] = make([][3]float64, len(lags))
					}
					for i := range g {
						sum[k][i][0] += mg[i]
						sum[k][i][1] += mp[i]
						sum[k][i][2] += mf[i]
					}
					cnt[k]++
					pix[qm.Dynamic[p]] = append(pix[qm.Dynamic[p]], g)
				}
				for li := range lags {
					for d := range qm.NDynamic() {
						var acc float64
						var ng int
						for k, s := range sum {
							if k.d == int32(d) {
								n := float64(cnt[k])
								acc += (s[li][0] / n) / ((s[li][1] / n) * (s[li][2] / n))
								ng++
							}
						}
						want := acc / float64(ng)
						var mean, ss float64
						for _, g := range pix[int32(d)] {
							mean += g[li]
						}
						n := float64(len(pix[int32(d)]))
						mean /= n
						for _, g := range pix[int32(d)] {
							ss += (g[li] - mean) * (g[li] - mean)
						}
						wantErr := math.Sqrt(ss/n) / math.Sqrt(n)
						g2, e := got.At(li, d)
						if !relClose(g2, want, 1e-9) || !relClose(e, wantErr, 1e-9) {
							t.Errorf("lag %d (delay %d) bin %d: got g2 %.15g ± %.15g, want %.15g ± %.15g", li, lags[li].Delay, d, g2, e, want, wantErr)
						}
					}
				}
			})
		}
	}
}

func relClose(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1e-300)
}

func TestLagsSmall(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    int
		want []int64
	}{
		{0, []int64{}},
		{1, []int64{}},
		{2, []int64{1}},
		{9, []int64{1, 2, 3, 4, 5, 6, 7, 8}},
		{12, []int64{1, 2, 3, 4, 5, 6, 7, 8, 10}},
		{18, []int64{1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16}},
	} {
		if got := Delays(tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("Delays(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

// TestLagsMatchAPS checks the lag list for 100000 frames against the
// delay_list of a real APS 8-ID-I result file, read with h5dump.
func TestLagsMatchAPS(t *testing.T) {
	t.Parallel()
	file := testenv.Fixture(t, "xpcs/E0173.hdf")
	testenv.NeedCommand(t, "h5dump (apt-get install hdf5-tools)", "h5dump", "--version")
	out, err := exec.Command("h5dump", "-d", "/xpcs/multitau/delay_list", "-y", "-w", "0", file).Output()
	if err != nil {
		t.Fatalf("h5dump %s: %v", file, err)
	}
	body := string(out)
	body = body[strings.Index(body, "DATA {")+len("DATA {"):]
	var want []int64
	for _, f := range regexp.MustCompile(`-?\d+`).FindAllString(body, -1) {
		v, _ := strconv.ParseInt(f, 10, 64)
		want = append(want, v)
	}
	if len(want) != 61 {
		t.Fatalf("read %d delays from %s, want 61", len(want), file)
	}
	if got := Delays(100000); !slices.Equal(got, want) {
		t.Errorf("Delays(100000) =\n%v\nwant (E0173 delay_list)\n%v", got, want)
	}
}
