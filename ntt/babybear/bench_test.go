package babybear_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/babybear"
)

func BenchmarkFFT(b *testing.B) { optest.BenchFFT(b, bind.BabyBear, babybear.FFT) }
