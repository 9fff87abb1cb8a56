package babybear_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/babybear"
)

func FuzzFFT(f *testing.F) { optest.FuzzNTT(f, bind.BabyBear, babybear.FFT, babybear.FFTInverse) }
