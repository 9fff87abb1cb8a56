package cuda_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/zkaccel/zkaccel/cuda"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// TestMain checks, after every test, that every buffer the tests allocated
// was freed, and that no goroutine of zkaccel's outlived them
// (devtest.After).
func TestMain(m *testing.M) {
	code := m.Run()
	if rts, err := cuda.Runtimes(); err == nil {
		for _, rt := range rts {
			if live := rt.(*cuda.Runtime).LiveBuffers(); live != 0 && code == 0 {
				fmt.Fprintf(os.Stderr, "cuda: %d buffers of cuda:%d were not freed\n", live, rt.Ordinal())
				code = 1
			}
		}
	}
	os.Exit(devtest.After(code))
}
