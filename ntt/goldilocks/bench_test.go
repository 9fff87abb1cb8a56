package goldilocks_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt/goldilocks"
)

func BenchmarkFFT(b *testing.B) { optest.BenchFFT(b, bind.Goldilocks, goldilocks.FFT) }
