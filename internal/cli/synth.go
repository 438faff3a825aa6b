package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/xpcs-perf/xpcs-perf-action/h5"
	"github.com/xpcs-perf/xpcs-perf-action/h5/aps"
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// cmdSynth streams a synthetic stack into /entry/data/data of --out, frame
// block by frame block (xlarge is 10 GB and is never held in memory), and
// embeds the q-map it was generated for at /xpcs/qmap (APS layout) of the
// same file, so that `correlate --raw FILE` needs no --qmap. The ground
// truth is stored as attributes of /xpcs/qmap: synthetic_beta,
// synthetic_rate, synthetic_tau_c (frames, per dynamic bin), synthetic_seed.
func cmdSynth(ctx context.Context, stdout, stderr io.Writer, getenv func(string) string, args []string) error {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	size := fs.String("size", "small", "stack size: "+strings.Join(xpcs.SizeNames(), ", ")+" (frames x rows x cols)")
	frames := fs.Int("frames", 0, "override the number of frames of --size")
	out := fs.String("out", "", "output HDF5 file (required)")
	comp := fs.String("compression", "none", "none, deflate, lzf or bitshuffle-lz4")
	seed := fs.Uint64("seed", 1, "random seed: the stack is a deterministic function of the flags")
	rate := fs.Float64("rate", 1, "mean counts per pixel per frame (sparse data: down to 1e-4)")
	beta := fs.Float64("beta", 0.2, "speckle contrast beta in [0, 1]")
	tau0 := fs.Float64("tau0", 5, "correlation time tau_c in frames at the middle of the q range (tau_c ~ q^-2)")
	nstatic := fs.Int("static", 36, "number of static q bins")
	ndynamic := fs.Int("dynamic", 9, "number of dynamic q bins (divides --static)")
	spacing := fs.String("spacing", "linear", "q bin spacing: linear or log")
	frameTime := fs.Float64("frame-time", 1e-3, "frame time in seconds, stored at /entry/instrument/detector_1/frame_time")
	if err := parseFlags(fs, stderr, args); err != nil {
		return err
	}
	if *out == "" {
		return &exitError{code: 2, msg: "synth: --out is required"}
	}
	shape, ok := xpcs.Sizes[*size]
	if !ok {
		return &exitError{code: 2, msg: fmt.Sprintf("synth: unknown --size %q (want %s)", *size, strings.Join(xpcs.SizeNames(), ", "))}
	}
	if *frames > 0 {
		shape.Frames = *frames
	}
	c, err := h5.ParseCompression(*comp)
	if err != nil {
		return &exitError{code: 2, msg: "synth: " + err.Error()}
	}
	sp, err := xpcs.ParseSpacing(*spacing)
	if err != nil {
		return &exitError{code: 2, msg: "synth: " + err.Error()}
	}
	cfg := xpcs.DefaultSynth(shape, *seed)
	cfg.Rate, cfg.Beta, cfg.Tau0 = *rate, *beta, *tau0
	cfg.Partition = xpcs.Partition{NStatic: *nstatic, NDynamic: *ndynamic, Spacing: sp}
	syn, err := xpcs.NewSynth(cfg)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if err := writeSynth(*out, syn, h5.StackOptions{Compression: c}, *frameTime); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s: %s uint16 stack at %s (%s), q-map at /xpcs/qmap (%d static, %d dynamic bins), seed %d\n",
		*out, shape, h5.StackPath, c, syn.QMap().NStatic(), syn.QMap().NDynamic(), *seed)
	return nil
}

// writeSynth streams syn into a new stack file and appends its q-map.
func writeSynth(path string, syn *xpcs.Synth, opt h5.StackOptions, frameTime float64) (err error) {
	sh := syn.Shape()
	w, err := h5.CreateStack(path, h5.Uint16, sh.Frames, sh.Rows, sh.Cols, opt)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := w.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing %s: %w", path, cerr)
		}
	}()
	np := sh.Pixels()
	block := max(1, min(sh.Frames, (32<<20)/(2*np)))
	buf := make([]uint16, block*np)
	for f := 0; f < sh.Frames; {
		n, rerr := syn.ReadFrames(buf)
		if n > 0 {
			if err := w.WriteFrames(f, buf[:n*np]); err != nil {
				return fmt.Errorf("writing frames %d-%d of %s: %w", f, f+n-1, path, err)
			}
			f += n
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	cfg := syn.Config()
	res := &h5.Result{
		QMap:  aps.QMapToAPS(syn.QMap()),
		Entry: map[string]any{"instrument/detector_1/frame_time": frameTime},
	}
	f := w.File()
	if err := f.WriteResult(res); err != nil {
		return fmt.Errorf("writing q-map to %s: %w", path, err)
	}
	for name, v := range map[string]any{
		"synthetic_beta":  cfg.Beta,
		"synthetic_rate":  cfg.Rate,
		"synthetic_tau_c": syn.TauC(),
		"synthetic_seed":  int64(cfg.Seed),
	} {
		if err := f.SetAttr("/xpcs/qmap", name, v); err != nil {
			return fmt.Errorf("writing %s attribute to %s: %w", name, path, err)
		}
	}
	return nil
}
