package bn254_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/msm/bn254"
)

func FuzzMultiExpG1(f *testing.F) { optest.FuzzMSM(f, bind.BN254G1, bn254.MultiExpG1) }

func FuzzMultiExpG2(f *testing.F) { optest.FuzzMSM(f, bind.BN254G2, bn254.MultiExpG2) }
