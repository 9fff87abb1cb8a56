package koalabear_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/koalabear"
)

func FuzzFFT(f *testing.F) { optest.FuzzNTT(f, bind.KoalaBear, koalabear.FFT, koalabear.FFTInverse) }
