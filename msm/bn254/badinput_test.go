package bn254_test

import (
	"testing"

	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/msm/bn254"
)

func TestBadInputG1(t *testing.T) { optest.MSMBadInput(t, bind.BN254G1, bn254.MultiExpG1) }

func TestBadInputG2(t *testing.T) { optest.MSMBadInput(t, bind.BN254G2, bn254.MultiExpG2) }
