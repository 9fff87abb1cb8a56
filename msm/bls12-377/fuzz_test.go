package bls12377_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	bls12377 "github.com/zkaccel/zkaccel/msm/bls12-377"
)

func FuzzMultiExpG1(f *testing.F) { optest.FuzzMSM(f, bind.BLS12377G1, bls12377.MultiExpG1) }

func FuzzMultiExpG2(f *testing.F) { optest.FuzzMSM(f, bind.BLS12377G2, bls12377.MultiExpG2) }
