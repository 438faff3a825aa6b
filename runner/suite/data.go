package suite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/xpcs-perf/xpcs-perf-action/analysis"
	"github.com/xpcs-perf/xpcs-perf-action/runner"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/h5/aps"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// Shared, lazily built test data. Synthesising a small stack takes about 2 s
// on 2 cores, so stacks and HDF5 files are built once per process and shared
// by the benchmarks that read them (never modified by them).

type synthData struct {
	synth *xpcs.Synth
	stack *xpcs.Stack
}

var (
	dataMu    sync.Mutex
	synthMemo = map[string]*synthData{}
	fileMemo  = map[string]string{}
	dataDir   string
	// sharedDir is a caller's data folder (SetDataDir): files found there
	// are reused, files written there are kept.
	sharedDir string
)

// SetDataDir makes the benchmarks read and write their synthetic HDF5 files
// in dir instead of a private temporary folder: a file already there (same
// size and compression) is reused, a new one is written atomically (temp
// file, rename) and kept; [CleanupData] leaves dir in place. The A/B
// orchestrator gives both of its workers the same dir so that base and head
// read the same files.
func SetDataDir(dir string) {
	dataMu.Lock()
	defer dataMu.Unlock()
	sharedDir = dir
	fileMemo = map[string]string{}
}

// shapeOf converts a Size to an xpcs.Shape.
func shapeOf(s runner.Size) xpcs.Shape {
	return xpcs.Shape{Frames: s.Frames, Rows: s.Rows, Cols: s.Cols}
}

// synthStack returns the deterministic synthetic stack of size s (seed 1) and
// its generator (which carries the q-map and the known g2).
func synthStack(s runner.Size) (*xpcs.Synth, *xpcs.Stack, error) {
	if s.Frames == 0 {
		return nil, nil, fmt.Errorf("benchmark has no size param")
	}
	return synthShape(shapeOf(s))
}

// synthShape is synthStack for any shape (memoised by shape).
func synthShape(shape xpcs.Shape) (*xpcs.Synth, *xpcs.Stack, error) {
	key := shape.String()
	dataMu.Lock()
	defer dataMu.Unlock()
	if d, ok := synthMemo[key]; ok {
		return d.synth, d.stack, nil
	}
	sy, err := xpcs.NewSynth(xpcs.DefaultSynth(shape, 1))
	if err != nil {
		return nil, nil, fmt.Errorf("synthetic %v stack: %w", shape, err)
	}
	st, err := xpcs.ReadAll(sy)
	if err != nil {
		return nil, nil, fmt.Errorf("synthetic %v stack: %w", shape, err)
	}
	// A fresh generator for the q-map and model (ReadAll consumed this one).
	sy2, err := xpcs.NewSynth(xpcs.DefaultSynth(shape, 1))
	if err != nil {
		return nil, nil, err
	}
	synthMemo[key] = &synthData{sy2, st}
	return sy2, st, nil
}

// stackFile returns an HDF5 raw stack file (/entry/data/data, uint16, one
// chunk per frame) of size s with compression c, written once per process
// into a temporary folder that [CleanupData] removes.
func stackFile(s runner.Size, c h5.Compression) (string, error) {
	_, st, err := synthStack(s)
	if err != nil {
		return "", err
	}
	key := s.Name + "/" + c.String()
	dataMu.Lock()
	defer dataMu.Unlock()
	if p, ok := fileMemo[key]; ok {
		return p, nil
	}
	dir := sharedDir
	if dir == "" {
		if dataDir == "" {
			if dataDir, err = os.MkdirTemp("", "xpcs-perf-data-"); err != nil {
				return "", fmt.Errorf("data folder: %w", err)
			}
		}
		dir = dataDir
	}
	name := fmt.Sprintf("stack-%s-%s.h5", s.Name, c)
	p := filepath.Join(dir, name)
	if sharedDir != "" {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			fileMemo[key] = p
			return p, nil
		}
	}
	tmp := p
	if sharedDir != "" {
		tmp = filepath.Join(dir, fmt.Sprintf(".%s.%d.tmp", name, os.Getpid()))
	}
	if err := h5.WriteStack(tmp, st.Data, s.Frames, s.Rows, s.Cols, h5.StackOptions{Compression: c, FramesPerChunk: 1}); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	if tmp != p {
		if err := os.Rename(tmp, p); err != nil {
			os.Remove(tmp)
			return "", fmt.Errorf("data file: %w", err)
		}
	}
	fileMemo[key] = p
	return p, nil
}

// CleanupData removes the temporary files the benchmarks wrote and drops the
// cached stacks.
func CleanupData() {
	dataMu.Lock()
	defer dataMu.Unlock()
	if dataDir != "" {
		os.RemoveAll(dataDir)
		dataDir = ""
	}
	fileMemo = map[string]string{}
	synthMemo = map[string]*synthData{}
}

// sizesUpTo returns the size names from tiny to last (inclusive).
func sizesUpTo(last string) []string {
	for i, n := range runner.SizeNames {
		if n == last {
			return runner.SizeNames[:i+1]
		}
	}
	return runner.SizeNames
}

// Parallel is the marker of benchmarks whose operation runs on several
// threads (worker goroutines, OpenBLAS): the comparison judges them on wall
// time, since their CPU time sums the threads and would hide a loss of
// parallelism (analysis.MarkerParallel).
const Parallel = analysis.MarkerParallel

// parallel returns markers plus Parallel.
func parallel(markers ...string) []string { return append(markers, Parallel) }

// IO is the marker of benchmarks whose operation reads or writes files
// (HDF5): an instruction count does not measure waiting on I/O, so
// --metric instructions leaves them out with that reason (runner.IO).
const IO = runner.IO

// ioBound returns markers plus IO.
func ioBound(markers ...string) []string { return append(slices.Clone(markers), IO) }

// allIO registers the benchmarks of reg, each marked IO (the hdf5 category:
// every operation is a libhdf5 call on a file).
func allIO(reg func(*runner.Registry)) func(*runner.Registry) {
	return func(r *runner.Registry) {
		var tmp runner.Registry
		reg(&tmp)
		for _, b := range tmp.All() {
			b.Markers = ioBound(b.Markers...)
			r.Register(b)
		}
	}
}

// heavyMarkers marks sizes from large up as memory_intensive.
func heavyMarkers(size string) []string {
	switch size {
	case "large", "xlarge":
		return []string{runner.MemoryIntensive, runner.Slow}
	case "medium":
		return []string{runner.Slow}
	}
	return nil
}

// userDataMaxBytes bounds what the user_data benchmark reads of each --data
// stack per round: the first frames up to this many bytes (at least one
// frame; FrameBytes is at most 1 GiB, h5's limit). Reading whole stacks
// would allocate frames x rows x cols per file, so a large (or hostile)
// --data file would exhaust memory; a bounded leading range keeps both the
// buffer and a round's time bounded while still measuring the file's real
// layout and codec.
var userDataMaxBytes = 256 << 20 // a var so tests can lower it

// userDataSetup is the Setup of hdf5/user_data/read_stacks: it opens every
// --data stack and reads, each round, frames 0..k-1 of each, with k =
// min(Frames, max(1, userDataMaxBytes/FrameBytes)), into one buffer per
// element type shared by the files (read one after the other), so memory is
// max over files of k*FrameBytes, not the sum of the stacks' sizes.
func userDataSetup(env *runner.Env) (*runner.Op, error) {
	if len(env.Data) == 0 {
		return nil, fmt.Errorf("%w: no --data files given", runner.ErrSkip)
	}
	var stacks []*h5.Stack
	closeAll := func() error {
		var errs []error
		for _, s := range stacks {
			errs = append(errs, s.Close())
		}
		return errors.Join(errs...)
	}
	var (
		frames       []int // frames read per round, per file
		bytes        int64
		max16, max32 int // buffer elements needed per type
	)
	for _, path := range env.Data {
		s, err := h5.OpenStack(path)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("--data %s: %w", path, err)
		}
		stacks = append(stacks, s)
		fb := s.FrameBytes()
		k := min(s.Frames, max(1, userDataMaxBytes/max(fb, 1)))
		if s.Frames == 0 {
			k = 0
		}
		n := k * s.Rows * s.Cols
		switch s.DType {
		case h5.Uint16:
			max16 = max(max16, n)
		case h5.Uint32:
			max32 = max(max32, n)
		default:
			closeAll()
			return nil, fmt.Errorf("--data %s: stack type %v, want uint16 or uint32", path, s.DType)
		}
		frames = append(frames, k)
		bytes += int64(k) * int64(fb)
	}
	buf16, buf32 := make([]uint16, max16), make([]uint32, max32)
	env.SetExtra("files", env.Data)
	env.SetExtra("frames_read", frames)
	env.SetExtra("max_bytes_per_file", userDataMaxBytes)
	return &runner.Op{Bytes: bytes, Teardown: closeAll, Run: func() error {
		for i, s := range stacks {
			var dst any
			n := frames[i] * s.Rows * s.Cols
			if s.DType == h5.Uint16 {
				dst = buf16[:n]
			} else {
				dst = buf32[:n]
			}
			if err := s.ReadFrames(0, frames[i], dst); err != nil {
				return fmt.Errorf("%s: %w", env.Data[i], err)
			}
		}
		return nil
	}}, nil
}

// correlateOp is the multi-tau benchmark body shared by the scientific and
// scalability categories: one whole stack through a reused correlator (all
// cores) per operation.
func correlateOp(sy *xpcs.Synth, st *xpcs.Stack, err error) (*runner.Op, error) {
	if err != nil {
		return nil, err
	}
	c, err := xpcs.NewCorrelator(sy.QMap(), st.Frames, 0)
	if err != nil {
		return nil, err
	}
	return &runner.Op{Bytes: int64(2 * len(st.Data)), Run: func() error {
		c.Reset()
		if err := xpcs.AddFrames(c, st.Data); err != nil {
			return err
		}
		_, err := c.Result()
		return err
	}}, nil
}

// correlateStackOp is xpcs.Correlate of the whole in-memory stack: the
// pixel-major path that `xpcs-perf correlate` takes for an uncompressed
// (memory-mapped) raw file, g2 with time average, SAXS 1D and intensity
// vs time. It fails if Correlate streamed instead.
func correlateStackOp(sy *xpcs.Synth, st *xpcs.Stack, err error) (*runner.Op, error) {
	if err != nil {
		return nil, err
	}
	return &runner.Op{Bytes: int64(2 * len(st.Data)), Run: func() error {
		res, err := xpcs.Correlate(st.Source(), sy.QMap(), xpcs.Options{})
		if err == nil && !res.PixelMajor {
			err = fmt.Errorf("correlate streamed the in-memory stack instead of correlating it pixel-major")
		}
		return err
	}}, nil
}

// correlateFileOp opens the size's synthetic stack file of compression c
// and correlates it as `xpcs-perf correlate` does (aps.OpenSource,
// xpcs.Correlate); it records which path ran in extra "path".
func correlateFileOp(env *runner.Env, c h5.Compression) (*runner.Op, error) {
	sy, _, err := synthStack(env.Size)
	if err != nil {
		return nil, err
	}
	path, err := stackFile(env.Size, c)
	if err != nil {
		return nil, err
	}
	run := func() (*xpcs.Result, error) {
		src, err := aps.OpenSource(path)
		if err != nil {
			return nil, err
		}
		defer src.Close()
		return xpcs.Correlate(src, sy.QMap(), xpcs.Options{})
	}
	res, err := run()
	if err != nil {
		return nil, err
	}
	if res.PixelMajor {
		env.SetExtra("path", "memory-mapped, pixel-major")
	} else {
		env.SetExtra("path", "streamed: "+res.StreamReason)
	}
	return &runner.Op{Bytes: int64(2 * env.Size.Elements()), Run: func() error {
		_, err := run()
		return err
	}}, nil
}

// timeAveraged returns the time-averaged image of the size's synthetic
// stack and its q-map (the input of the SAXS 1D benchmarks).
func timeAveraged(s runner.Size) ([]float64, *xpcs.QMap, error) {
	sy, st, err := synthStack(s)
	if err != nil {
		return nil, nil, err
	}
	img := make([]float64, st.Pixels())
	timeAverage(st, img)
	return img, sy.QMap(), nil
}
