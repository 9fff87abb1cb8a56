package plonk

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gnark/internal/prover"
)

// TestHostFixed checks the host quotient with the circuit's fixed
// polynomials kept on the cosets (EnvHostFixed) against the one that
// transforms them at every proof, element for element: with one commitment
// and with none, when the values are made (the first proof) and when they
// are read (a later proof, with other wires), and that a malformed setting
// is an error.
func TestHostFixed(t *testing.T) {
	rnd := func(m int) []fr.Element {
		v := make([]fr.Element, m)
		for i := range v {
			v[i].SetRandom()
		}
		return v
	}
	cfg := &prover.Config{Device: zkaccel.HostCPU()}
	for _, commits := range []int{0, 1} {
		const n = 64
		tr := &traceBN254{domain0: fft.NewDomain(n), domain1: fft.NewDomain(4*n, fft.WithoutPrecompute()), omega0: make([]fr.Element, n)}
		fft.BuildExpTable(tr.domain0.Generator, tr.omega0)
		tr.ql, tr.qr, tr.qm, tr.qo, tr.s1, tr.s2, tr.s3 = rnd(n), rnd(n), rnd(n), rnd(n), rnd(n), rnd(n), rnd(n)
		for range commits {
			tr.qcp = append(tr.qcp, rnd(n))
		}
		p := &proverBN254{}
		for proof := range 2 {
			in := quotientInputsBN254{l: rnd(n), r: rnd(n), o: rnd(n), z: rnd(n), qk: rnd(n), bl: rnd(2), br: rnd(2), bo: rnd(2), bz: rnd(3)}
			for range commits {
				in.pi = append(in.pi, rnd(n))
			}
			in.alpha.SetRandom()
			in.beta.SetRandom()
			in.gamma.SetRandom()
			polys := [][]fr.Element{tr.ql, tr.qr, tr.qm, tr.qo, in.qk, tr.s1, tr.s2, tr.s3, in.l, in.r, in.o, in.z}
			for i := range tr.qcp {
				polys = append(polys, tr.qcp[i], in.pi[i])
			}
			var res [2][]fr.Element
			for k, setting := range []string{"0", "1"} {
				t.Setenv(EnvHostFixed, setting)
				res[k] = make([]fr.Element, 4*n)
				if err := p.quotientHost(tr, polys, in, res[k], cfg); err != nil {
					t.Fatal(err)
				}
			}
			if tr.hostCosets == nil {
				t.Fatalf("%d commitments, proof %d: nothing kept with %s=1", commits, proof, EnvHostFixed)
			}
			for i := range res[0] {
				if !res[0][i].Equal(&res[1][i]) {
					t.Fatalf("%d commitments, proof %d: H's coefficient %d differs with the fixed polynomials kept", commits, proof, i)
				}
			}
		}
		t.Setenv(EnvHostFixed, "yes")
		if err := p.quotientHost(tr, make([][]fr.Element, 12), quotientInputsBN254{}, make([]fr.Element, 4*n), cfg); err == nil {
			t.Errorf("%s=yes: no error", EnvHostFixed)
		}
	}
}
