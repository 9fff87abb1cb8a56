package babybear_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/babybear"
)

func TestBadInput(t *testing.T) {
	optest.NTTBadInput(t, bind.BabyBear, babybear.FFT, babybear.FFTInverse)
}
