package bls12381_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/bls12-381"
)

func BenchmarkFFT(b *testing.B) { optest.BenchFFT(b, bind.BLS12381, bls12381.FFT) }
