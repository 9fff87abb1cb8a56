package babybear_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/p2test"
	"github.com/zkaccel/zkaccel/poseidon/babybear"
)

// FuzzPermute2 compares Permute2 on the CPU and on fakedev.Loopback with
// gnark-crypto's Permutation (see p2test.Fuzz). Its seeds run as a unit
// test.
func FuzzPermute2(f *testing.F) { p2test.Fuzz(f, p2test.BabyBear, babybear.Permute2) }
