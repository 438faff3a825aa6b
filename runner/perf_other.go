//go:build !linux

package runner

import "errors"

type hwCounters struct{}

func openCounters() (*hwCounters, error) {
	return nil, errors.New("hardware counters need Linux perf events")
}
func (h *hwCounters) start()                        {}
func (h *hwCounters) stop() (uint64, uint64, error) { return 0, 0, nil }
func (h *hwCounters) close()                        {}
