package koalabear_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/koalabear"
)

func BenchmarkFFT(b *testing.B) { optest.BenchFFT(b, bind.KoalaBear, koalabear.FFT) }
