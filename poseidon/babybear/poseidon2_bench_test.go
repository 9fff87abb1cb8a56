package babybear_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/p2test"
	"github.com/zkaccel/zkaccel/poseidon/babybear"
)

// BenchmarkPermute2 times Permute2 on 2^16 states of each default instance
// (BenchmarkPermute2/babybear/t=<t>/<arm>/2^16; see p2test.Bench).
func BenchmarkPermute2(b *testing.B) { p2test.Bench(b, p2test.BabyBear, babybear.Permute2) }
