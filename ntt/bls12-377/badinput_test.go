package bls12377_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	bls12377 "github.com/zkaccel/zkaccel/ntt/bls12-377"
)

func TestBadInput(t *testing.T) {
	optest.NTTBadInput(t, bind.BLS12377, bls12377.FFT, bls12377.FFTInverse)
}
