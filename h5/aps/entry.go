package aps

import (
	"github.com/xpcs-perf/xpcs-perf-action/xpcs"
)

// EntryFrameTime is where APS 8-ID-I raw and result files keep the frame
// time in seconds.
const EntryFrameTime = "/entry/instrument/detector_1/frame_time"

// EntryFloat returns a numeric single value of an /entry map as float64.
func EntryFloat(entry map[string]any, key string) (float64, bool) {
	switch v := entry[key].(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// GeometryFromEntry reads the detector geometry of an APS 8-ID-I raw file's
// /entry (NeXus names, as in E0173.hdf): detector_1/beam_center_x and _y
// (pixels), distance (m), x_pixel_size (m) and incident_beam/incident_energy
// (keV). ok is false unless all are present and valid.
func GeometryFromEntry(entry map[string]any) (xpcs.Geometry, bool) {
	const d = "instrument/detector_1/"
	var g xpcs.Geometry
	vals := []struct {
		key string
		dst *float64
	}{
		{d + "beam_center_x", &g.BeamCenterX}, {d + "beam_center_y", &g.BeamCenterY},
		{d + "distance", &g.Distance}, {d + "x_pixel_size", &g.PixelSize},
		{"instrument/incident_beam/incident_energy", &g.Energy},
	}
	for _, v := range vals {
		x, ok := EntryFloat(entry, v.key)
		if !ok {
			return g, false
		}
		*v.dst = x
	}
	return g, g.Validate() == nil
}
