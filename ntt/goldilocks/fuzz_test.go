package goldilocks_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/goldilocks"
)

func FuzzFFT(f *testing.F) { optest.FuzzNTT(f, bind.Goldilocks, goldilocks.FFT, goldilocks.FFTInverse) }
