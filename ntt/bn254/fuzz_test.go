package bn254_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/bn254"
)

func FuzzFFT(f *testing.F) { optest.FuzzNTT(f, bind.BN254, bn254.FFT, bn254.FFTInverse) }
