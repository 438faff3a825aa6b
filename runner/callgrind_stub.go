//go:build !(cgo && linux && (amd64 || arm64))

package runner

// callgrindBuilt is false: this binary was built without cgo (or for a
// platform callgrind.h does not cover), so it cannot count instructions.
const callgrindBuilt = false

func runningOnValgrind() bool { return false }
func cgZero()                 {}
func cgStart()                {}
func cgStop()                 {}

type cgName struct{}

func newCgName(string) cgName { return cgName{} }
func (cgName) free()          {}
func cgDump(cgName)           {}
