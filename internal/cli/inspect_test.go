package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/xpcs-perf/xpcs-perf-action/internal/testenv"
)

func TestInspectCommand(t *testing.T) {
	t.Parallel()
	file := testenv.Fixture(t, "xpcs/E0173.hdf")
	var out, errb bytes.Buffer
	if err := run(context.Background(), &out, &errb, []string{"inspect", file}, nil); err != nil {
		t.Fatalf("inspect: %v\n%s", err, errb.String())
	}
	for _, want := range []string{
		"/xpcs/temporal_mean/scattering_2d  dataset float32 (1, 1676, 2100) chunk (1, 1676, 2100) filters lzf(32000)[4 261 14078400]",
		"/xpcs/multitau/delay_list  dataset int64 (61) contiguous",
		`@unit = `,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	out.Reset()
	if err := run(context.Background(), &out, &errb, []string{"inspect", "--json", "--path", "/xpcs/qmap", file}, nil); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tree struct {
			Children []struct {
				Path  string `json:"path"`
				DType string `json:"dtype"`
			} `json:"children"`
		} `json:"tree"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range doc.Tree.Children {
		if c.Path == "/xpcs/qmap/static_roi_map" && c.DType == "uint16" {
			found = true
		}
	}
	if !found {
		t.Errorf("JSON tree lacks /xpcs/qmap/static_roi_map uint16: %s", out.String()[:min(out.Len(), 400)])
	}
}

func TestInspectCommandErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"inspect", "--help"}, 0, ""},
		{[]string{"inspect"}, 2, "no file"},
		{[]string{"inspect", "cli.go"}, 1, "cli.go: not an HDF5 file"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), &out, &errb, c.args, nil)
		var buf bytes.Buffer
		code := exitCode(&buf, err)
		if code != c.code || !strings.Contains(buf.String(), c.msg) {
			t.Errorf("%v: got code %d %q, want %d with %q", c.args, code, buf.String(), c.code, c.msg)
		}
		var ee *exitError
		_ = errors.As(err, &ee)
	}
}
