package bn254_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/optest"
)

// TestConformance runs the conformance suite's bn254 MSM cases on every
// device present and on the loopback fake device.
func TestConformance(t *testing.T) { optest.Conformance(t, "msm", "bn254/") }
