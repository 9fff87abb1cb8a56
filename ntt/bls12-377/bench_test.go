package bls12377_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/bls12-377"
)

func BenchmarkFFT(b *testing.B) { optest.BenchFFT(b, bind.BLS12377, bls12377.FFT) }
