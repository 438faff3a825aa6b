package xpcs

// Multi-tau lag structure, 4 delays per level (the APS 8-ID-I convention):
// level 0 correlates the raw frames at lags 1..8; level L >= 1 correlates
// frames folded 2^L times (sums of 2^L consecutive frames) at lags 5..8 in
// folded frames, i.e. delays 5..8 x 2^L raw frames. A lag k of level L is
// kept when level L has more than k folded frames, i.e. when at least one
// pair of frames is that far apart: floor(n/2^L) > k for n frames.
const (
	// histLen is the number of past frames each level remembers: the
	// largest lag of any level, in folded frames.
	histLen = 8
	// firstLag is the smallest lag (in folded frames) of levels >= 1.
	firstLag = 5
)

// Lag is one multi-tau delay.
type Lag struct {
	// Level is the multi-tau level: frames are folded 2^Level times.
	Level int
	// K is the lag in folded frames of that level.
	K int
	// Delay is the lag in (effective) frames: K << Level.
	Delay int64
}

// Lags returns the multi-tau lags for a stack of n frames in increasing
// delay order. For n = 100000 it returns the 61 delays 1, 2, ..., 8, 10, 12,
// 14, 16, 20, ..., 65536, 81920 of APS result files. It returns nil for
// n < 2, where no pair of frames exists.
func Lags(n int) []Lag {
	var out []Lag
	for level := 0; ; level++ {
		nf := n >> level
		lo := firstLag
		if level == 0 {
			lo = 1
		}
		if nf <= lo {
			return out
		}
		for k := lo; k <= histLen && k < nf; k++ {
			out = append(out, Lag{Level: level, K: k, Delay: int64(k) << level})
		}
	}
}

// Delays returns the Delay of every lag of Lags(n): the APS delay_list.
func Delays(n int) []int64 {
	lags := Lags(n)
	d := make([]int64, len(lags))
	for i, l := range lags {
		d[i] = l.Delay
	}
	return d
}

// numLevels returns the number of multi-tau levels holding at least one lag
// for n frames.
func numLevels(n int) int {
	lags := Lags(n)
	if len(lags) == 0 {
		return 0
	}
	return lags[len(lags)-1].Level + 1
}
