//go:build race

package runner

// raceEnabled: the race detector multiplies and perturbs the counts.
const raceEnabled = true
