//go:build race

package fit

// raceEnabled trims the slowest statistical tests under the race detector
// (10x slower), keeping one case of each.
const raceEnabled = true
