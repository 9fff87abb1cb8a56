package goldilocks_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/optest"
)

// TestConformance runs the conformance suite's goldilocks NTT cases on every
// device present and on the loopback fake device.
func TestConformance(t *testing.T) { optest.Conformance(t, "ntt", "goldilocks/") }
