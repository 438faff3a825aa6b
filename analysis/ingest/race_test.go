//go:build race

package ingest

// raceEnabled is true under the race detector, whose shadow memory and
// slowdown make heap measurements meaningless.
const raceEnabled = true
