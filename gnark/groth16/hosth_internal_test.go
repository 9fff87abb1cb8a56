package groth16

import (
	"slices"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	gnarkgroth16 "github.com/consensys/gnark/backend/groth16"
	g16 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// power is y = x^(2^10), ten constraints.
type power struct {
	X frontend.Variable
	Y frontend.Variable `gnark:",public"`
}

func (c *power) Define(api frontend.API) error {
	v := c.X
	for range 10 {
		v = api.Mul(v, v)
	}
	api.AssertIsEqual(v, c.Y)
	return nil
}

// TestHostH: computeH sets hostH exactly where it computes H on the host
// (a device that does not compute Groth16's quotient: the CPU, the FPGA),
// which overwrites a, b and c; on a device that computes it (CUDA, OpenCL)
// it leaves a, b and c as they were, which a retry after a device reset
// relies on when it keeps the solved witness. H is the same either way.
func TestHostH(t *testing.T) {
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, &power{})
	if err != nil {
		t.Fatal(err)
	}
	pk, _, err := gnarkgroth16.Setup(ccs)
	if err != nil {
		t.Fatal(err)
	}
	key := pk.(*g16.ProvingKey)
	n := int(key.Domain.Cardinality)
	random := func() []fr.Element {
		v := make([]fr.Element, n)
		for i := range v {
			if _, err := v[i].SetRandom(); err != nil {
				t.Fatal(err)
			}
		}
		return v
	}
	a0, b0, c0 := random(), random(), random()
	// want: H on the host, from copies.
	ref, err := newProverBN254(key, zkaccel.HostCPU())
	if err != nil {
		t.Fatal(err)
	}
	defer ref.close()
	var refHost bool
	want, err := ref.computeH(nil, slices.Clone(a0), slices.Clone(b0), slices.Clone(c0), &refHost, &config{Device: zkaccel.HostCPU()})
	if err != nil || !refHost {
		t.Fatalf("H on the CPU: %v (on the host: %v)", err, refHost)
	}
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		p, err := newProverBN254(key, dev)
		if err != nil {
			t.Fatal(err)
		}
		defer p.close()
		a, b, c := slices.Clone(a0), slices.Clone(b0), slices.Clone(c0)
		var hostH bool
		h, err := p.computeH(nil, a, b, c, &hostH, &config{Device: dev})
		if err != nil {
			t.Fatal(err)
		}
		_, onDevice := dev.(zkaccel.Groth16Device)
		untouched := slices.Equal(a, a0) && slices.Equal(b, b0) && slices.Equal(c, c0)
		switch {
		case hostH == onDevice:
			t.Errorf("hostH %v on a device that computes the quotient: %v", hostH, onDevice)
		case !hostH && !untouched:
			t.Error("H on the device, and yet a, b or c changed")
		case hostH && untouched:
			t.Error("H on the host, and a, b and c unchanged: not the host's path")
		case !slices.Equal(h, want):
			t.Error("H differs from the CPU's")
		}
	})
}
