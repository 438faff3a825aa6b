// Package aps is the glue between APS 8-ID-I HDF5 files (package h5) and the
// XPCS toolkit (package xpcs): raw stacks as an xpcs.FrameSource, /xpcs/qmap
// to and from xpcs.QMap, correlation results to the APS result layout, the
// detector geometry and frame time of /entry, the multi-tau g2 read for
// fitting and the fit stored back, and files replaced atomically.
//
// The command line (correlate, fit, synth) and the benchmark suite use it;
// it holds no statistics and no command-line parsing.
package aps
