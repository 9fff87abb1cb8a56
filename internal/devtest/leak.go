package devtest

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// leakWait is how long Main waits for zkaccel's goroutines to end after
// the tests: work a failed call abandoned may still be finishing.
const leakWait = 5 * time.Second

// Main runs a package's tests (m.Run) and exits with After's code. Call
// it from TestMain:
//
//	func TestMain(m *testing.M) { devtest.Main(m) }
func Main(m *testing.M) { os.Exit(After(m.Run())) }

// After returns code, the tests' exit code, or, where they passed but a
// goroutine that zkaccel's code started, or that runs zkaccel's code, is
// left once they are done (after up to 5 s for it to end), 1, having
// printed the goroutines' stacks: a prover, device call or front end that
// returned while work of its own still ran, or that left a goroutine
// blocked for good.
func After(code int) int {
	if code != 0 {
		return code
	}
	if left := Leaked(leakWait); len(left) > 0 {
		fmt.Fprintf(os.Stderr, "devtest: %d goroutines running zkaccel's code outlived the tests:\n\n%s\n", len(left), strings.Join(left, "\n\n"))
		return 1
	}
	return 0
}

// Leaked returns the stacks of the goroutines, other than the caller's,
// that run zkaccel's code or that zkaccel's code started, once they have
// had up to wait to end.
func Leaked(wait time.Duration) []string {
	deadline := time.Now().Add(wait)
	for {
		left := zkaccelGoroutines()
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// zkaccelGoroutines returns the stacks of the goroutines other than the
// caller's whose frames, or whose creator, are in zkaccel's packages
// (devtest's own excepted).
func zkaccelGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	blocks := strings.Split(strings.TrimSpace(string(buf)), "\n\n")
	var out []string
	for _, b := range blocks[1:] { // the first is the caller's
		if ownGoroutine(b) {
			out = append(out, b)
		}
	}
	return out
}

// ownGoroutine reports whether a goroutine's stack (runtime.Stack's text)
// runs or was created by zkaccel's code, not counting devtest's.
func ownGoroutine(stack string) bool {
	const mod = "github.com/zkaccel/zkaccel/"
	for line := range strings.SplitSeq(stack, "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "created by ")
		if strings.HasPrefix(line, mod) && !strings.HasPrefix(line, mod+"internal/devtest.") {
			return true
		}
		if strings.HasPrefix(line, "github.com/zkaccel/zkaccel.") { // the root package
			return true
		}
	}
	return false
}
