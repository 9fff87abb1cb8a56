package goldilocks_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/p2test"
	"github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

// The tests of every Poseidon2 front end (internal/p2test) on Goldilocks; see
// p2test.Goldilocks for the instances and sizes they run.

func TestPermute2(t *testing.T)         { p2test.Permute2(t, p2test.Goldilocks, goldilocks.Permute2) }
func TestPermute2NbTasks(t *testing.T)  { p2test.NbTasks(t, p2test.Goldilocks, goldilocks.Permute2) }
func TestPermute2Fallback(t *testing.T) { p2test.Fallback(t, p2test.Goldilocks, goldilocks.Permute2) }
func TestPermute2KnownAnswers(t *testing.T) {
	p2test.KnownAnswers(t, p2test.Goldilocks, goldilocks.Permute2, nil)
}
func TestPermute2BadInput(t *testing.T) { p2test.BadInput(t, p2test.Goldilocks, goldilocks.Permute2) }
func TestPermute2DeviceFaults(t *testing.T) {
	p2test.DeviceFaults(t, p2test.Goldilocks, goldilocks.Permute2)
}
func TestPoseidon2DiagM1(t *testing.T) {
	p2test.DiagM1(t, p2test.Goldilocks, goldilocks.Poseidon2DiagM1)
}

// TestPoseidon2Batch checks the one-state permutation and the batch driver
// (poseidon2_kernel_export_test.go).
func TestPoseidon2Batch(t *testing.T) {
	p2test.Kernels(t, p2test.Goldilocks, goldilocks.P2Kernels, goldilocks.P2Switches)
}
