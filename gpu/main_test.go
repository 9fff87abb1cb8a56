package gpu_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/devtest"
)

// TestMain fails the package's tests where a goroutine of zkaccel's
// outlives them (devtest.Main).
func TestMain(m *testing.M) { devtest.Main(m) }
