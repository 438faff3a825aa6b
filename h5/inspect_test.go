package h5

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

func TestInspectRealFiles(t *testing.T) {
	for _, name := range []string{"xpcs/E0173.hdf", "xpcs/avg_D0138.hdf"} {
		path := testenv.Fixture(t, name)
		checkNoLeak(t, func() {
			root, err := Inspect(path)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := root.Format(&buf, true); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, want := range []string{
				"/xpcs/multitau/normalized_g2  dataset float32 (61, ",
				"/xpcs/qmap/mask  dataset enum int8",
				"lzf(32000)[4 261 ",
				"/xpcs/multitau/delay_list  dataset int64 (61)",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("%s: inspect output lacks %q", name, want)
				}
			}
			if testing.Verbose() {
				t.Log(out[:min(len(out), 3000)])
			}
		})
	}
}
