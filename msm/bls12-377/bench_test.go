package bls12377_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/msm/bls12-377"
)

func BenchmarkMultiExpG1(b *testing.B) { optest.BenchMultiExp(b, bind.BLS12377G1, bls12377.MultiExpG1) }

func BenchmarkMultiExpG2(b *testing.B) { optest.BenchMultiExp(b, bind.BLS12377G2, bls12377.MultiExpG2) }
