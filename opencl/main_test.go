package opencl_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/opencl"
)

// TestMain checks, after every test, that every buffer the tests allocated
// was freed, and that no goroutine of zkaccel's outlived them
// (devtest.After).
func TestMain(m *testing.M) {
	code := m.Run()
	if rts, err := opencl.Runtimes(); err == nil {
		for _, rt := range rts {
			if live := opencl.GetStats(rt).Live; live != 0 && code == 0 {
				fmt.Fprintf(os.Stderr, "opencl: %d buffers of %s%d were not freed\n", live, "opencl:", rt.Ordinal())
				code = 1
			}
		}
	}
	os.Exit(devtest.After(code))
}
