package bn254_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/optest"
)

// TestPoseidon2Conformance runs the conformance suite's Poseidon2 cases of
// this field on every device present and on fakedev.Loopback.
func TestPoseidon2Conformance(t *testing.T) { optest.Conformance(t, "poseidon2", "bn254/") }
