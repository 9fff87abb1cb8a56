package devtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
)

// EnvCrashDir names a directory where each test process writes what the Go
// runtime prints when it crashes (a panic in a goroutine, a fatal error):
// crash-<pid>.txt, empty unless it crashed. Go's fuzzing coordinator
// discards its workers' output, so that without this a worker that dies
// leaves only "fuzzing process hung or terminated unexpectedly: exit
// status 2"; scripts/fuzz.sh sets it and prints what it finds.
const EnvCrashDir = "ZKACCEL_CRASH_DIR"

func init() {
	dir := os.Getenv(EnvCrashDir)
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("crash-%d.txt", os.Getpid())))
	if err != nil {
		fmt.Fprintf(os.Stderr, "zkaccel devtest: %s: %v\n", EnvCrashDir, err)
		return
	}
	if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err != nil {
		fmt.Fprintf(os.Stderr, "zkaccel devtest: %s: %v\n", EnvCrashDir, err)
	}
	f.Close() // SetCrashOutput keeps its own descriptor
}
