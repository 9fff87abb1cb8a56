package koalabear_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/koalabear"
)

func TestBadInput(t *testing.T) {
	optest.NTTBadInput(t, bind.KoalaBear, koalabear.FFT, koalabear.FFTInverse)
}
