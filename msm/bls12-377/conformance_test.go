package bls12377_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/optest"
)

// TestConformance runs the conformance suite's bls12-377 MSM cases on every
// device present and on the loopback fake device.
func TestConformance(t *testing.T) { optest.Conformance(t, "msm", "bls12-377/") }
