package devtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// EnvTallyDir names a directory where each test process counts what its fuzz
// executions did ([Tally]): tally-<pid>.txt, one outcome a line. Go's fuzzing
// coordinator reports only how many inputs ran, not whether a proof was made
// or the input was skipped; scripts/fuzz.sh sets it and sums the outcomes.
const EnvTallyDir = "ZKACCEL_FUZZ_TALLY_DIR"

var tally struct {
	once sync.Once
	mu   sync.Mutex
	f    *os.File
}

// Tally records one run of a fuzz target's function with the outcome named
// (one line of text, e.g. "proved"), where EnvTallyDir is set; otherwise it
// does nothing. Every run counts, those of the seed corpus and of Go's
// minimizing included, which the coordinator's count of executions leaves
// out.
func Tally(outcome string) {
	tally.once.Do(func() {
		dir := os.Getenv(EnvTallyDir)
		if dir == "" {
			return
		}
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("tally-%d.txt", os.Getpid())), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "zkaccel devtest: %s: %v\n", EnvTallyDir, err)
			return
		}
		tally.f = f // open until the process exits
	})
	if tally.f == nil {
		return
	}
	line := strings.ReplaceAll(outcome, "\n", " ") + "\n"
	tally.mu.Lock()
	defer tally.mu.Unlock()
	if _, err := tally.f.WriteString(line); err != nil {
		fmt.Fprintf(os.Stderr, "zkaccel devtest: %s: %v\n", EnvTallyDir, err)
	}
}
