package bls12381_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	bls12381 "github.com/zkaccel/zkaccel/ntt/bls12-381"
)

func FuzzFFT(f *testing.F) { optest.FuzzNTT(f, bind.BLS12381, bls12381.FFT, bls12381.FFTInverse) }
