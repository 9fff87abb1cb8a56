package bn254_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/bn254"
)

func TestBadInput(t *testing.T) { optest.NTTBadInput(t, bind.BN254, bn254.FFT, bn254.FFTInverse) }
