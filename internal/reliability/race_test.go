//go:build race

package reliability

// raceEnabled shrinks the default-size load test under the race detector,
// which slows the pipeline about 10x.
const raceEnabled = true
