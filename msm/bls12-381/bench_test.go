package bls12381_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/msm/bls12-381"
)

func BenchmarkMultiExpG1(b *testing.B) { optest.BenchMultiExp(b, bind.BLS12381G1, bls12381.MultiExpG1) }

func BenchmarkMultiExpG2(b *testing.B) { optest.BenchMultiExp(b, bind.BLS12381G2, bls12381.MultiExpG2) }
