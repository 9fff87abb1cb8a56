package goldilocks_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/goldilocks"
)

func TestBadInput(t *testing.T) {
	optest.NTTBadInput(t, bind.Goldilocks, goldilocks.FFT, goldilocks.FFTInverse)
}
