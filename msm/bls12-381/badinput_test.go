package bls12381_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	bls12381 "github.com/zkaccel/zkaccel/msm/bls12-381"
)

func TestBadInputG1(t *testing.T) { optest.MSMBadInput(t, bind.BLS12381G1, bls12381.MultiExpG1) }

func TestBadInputG2(t *testing.T) { optest.MSMBadInput(t, bind.BLS12381G2, bls12381.MultiExpG2) }
