package plonk

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gnark/internal/prover"
)

// randomBN254 returns m random elements.
func randomBN254(m int) []fr.Element {
	v := make([]fr.Element, m)
	for i := range v {
		v[i].SetRandom()
	}
	return v
}

// quotientTrace returns a trace of n rows (the quotient on 4 cosets) with
// random fixed polynomials and commits commitments.
func quotientTrace(n, commits int) *traceBN254 {
	rnd := randomBN254
	tr := &traceBN254{domain0: fft.NewDomain(uint64(n)), domain1: fft.NewDomain(uint64(4*n), fft.WithoutPrecompute()), omega0: make([]fr.Element, n)}
	fft.BuildExpTable(tr.domain0.Generator, tr.omega0)
	tr.ql, tr.qr, tr.qm, tr.qo, tr.s1, tr.s2, tr.s3 = rnd(n), rnd(n), rnd(n), rnd(n), rnd(n), rnd(n), rnd(n)
	for range commits {
		tr.qcp = append(tr.qcp, rnd(n))
	}
	return tr
}

// quotientProof returns one proof's random inputs to tr's quotient and the
// quotient's polynomials, in zkaccel.PlonkQuotientRequest's order.
func quotientProof(tr *traceBN254) (quotientInputsBN254, [][]fr.Element) {
	rnd := randomBN254
	n := len(tr.omega0)
	in := quotientInputsBN254{l: rnd(n), r: rnd(n), o: rnd(n), z: rnd(n), qk: rnd(n), bl: rnd(2), br: rnd(2), bo: rnd(2), bz: rnd(3)}
	for range tr.qcp {
		in.pi = append(in.pi, rnd(n))
	}
	in.alpha.SetRandom()
	in.beta.SetRandom()
	in.gamma.SetRandom()
	polys := [][]fr.Element{tr.ql, tr.qr, tr.qm, tr.qo, in.qk, tr.s1, tr.s2, tr.s3, in.l, in.r, in.o, in.z}
	for i := range tr.qcp {
		polys = append(polys, tr.qcp[i], in.pi[i])
	}
	return in, polys
}

// TestHostFixed checks the host quotient with the circuit's fixed
// polynomials kept on the cosets (EnvHostFixed) against the one that
// transforms them at every proof, element for element: with one commitment
// and with none, when the values are made (the first proof) and when they
// are read (a later proof, with other wires), and that a malformed setting
// is an error.
func TestHostFixed(t *testing.T) {
	cfg := &prover.Config{Device: zkaccel.HostCPU()}
	for _, commits := range []int{0, 1} {
		const n = 64
		tr := quotientTrace(n, commits)
		p := &proverBN254{}
		for proof := range 3 {
			in, polys := quotientProof(tr)
			var res [2][]fr.Element
			for k, setting := range []string{"0", "1"} {
				t.Setenv(EnvHostFixed, setting)
				res[k] = make([]fr.Element, 4*n)
				if err := p.quotientHost(tr, polys, in, res[k], cfg); err != nil {
					t.Fatal(err)
				}
			}
			// Kept from the second proof on: a one-shot Prove keeps none.
			if kept := tr.hostCosets != nil; kept != (proof > 0) {
				t.Fatalf("%d commitments, proof %d: kept %v with %s=1", commits, proof, kept, EnvHostFixed)
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

// TestQuotientHostDefinition checks the host quotient against its
// definition (zkaccel.PlonkQuotientRequest), independently of its
// transforms and vectors: at every point x of the large coset, H(x), from
// the coefficients it returns, must equal N(x)/(xⁿ − 1), with each
// polynomial evaluated at x (and Z at ωx) by Horner's rule. Blocks of the
// pointwise step of the whole domain, of a quarter and of 7 points (a
// partial last block); with one commitment and without.
func TestQuotientHostDefinition(t *testing.T) {
	defer func(b int) { pointBlock = b }(pointBlock)
	horner := func(f []fr.Element, x fr.Element) fr.Element {
		var r fr.Element
		for i := len(f) - 1; i >= 0; i-- {
			r.Mul(&r, &x).Add(&r, &f[i])
		}
		return r
	}
	t.Setenv(EnvHostFixed, "1")
	cfg := &prover.Config{Device: zkaccel.HostCPU()}
	const n = 64
	for _, block := range []int{n, n / 4, 7} {
		for _, commits := range []int{0, 1} {
			pointBlock = block
			tr := quotientTrace(n, commits)
			in, polys := quotientProof(tr)
			// The first call transforms the fixed polynomials, the second
			// reads them kept; both must give H.
			var results [2][]fr.Element
			for c := range results {
				results[c] = make([]fr.Element, 4*n)
				if err := (&proverBN254{}).quotientHost(tr, polys, in, results[c], cfg); err != nil {
					t.Fatal(err)
				}
			}
			if tr.hostCosets == nil {
				t.Fatal("the fixed polynomials were not kept")
			}
			for call, res := range results {
				d0, d1 := tr.domain0, tr.domain1
				u := d0.FrMultiplicativeGen
				var uu, one, nn fr.Element
				uu.Square(&u)
				one.SetOne()
				nn.SetUint64(n)
				x := d1.FrMultiplicativeGen
				for k := 0; k < 4*n; k++ {
					var xn, wx fr.Element
					xn.Exp(x, big.NewInt(n)).Sub(&xn, &one) // xⁿ − 1
					wx.Mul(&x, &d0.Generator)
					ev := func(f []fr.Element) fr.Element { return horner(f, x) }
					bl := func(f, b []fr.Element, at fr.Element) fr.Element {
						v, w := horner(f, at), horner(b, at)
						w.Mul(&w, &xn)
						return *v.Add(&v, &w)
					}
					l, r, o, z, zw := bl(in.l, in.bl, x), bl(in.r, in.br, x), bl(in.o, in.bo, x), bl(in.z, in.bz, x), bl(in.z, in.bz, wx)
					var gate, t0 fr.Element
					ql, qr, qm, qo, qk := ev(tr.ql), ev(tr.qr), ev(tr.qm), ev(tr.qo), ev(in.qk)
					gate.Mul(&ql, &l)
					gate.Add(&gate, t0.Mul(&qr, &r))
					gate.Add(&gate, t0.Mul(&qm, &l).Mul(&t0, &r))
					gate.Add(&gate, t0.Mul(&qo, &o)).Add(&gate, &qk)
					for i := range tr.qcp {
						a, b := ev(tr.qcp[i]), ev(in.pi[i])
						gate.Add(&gate, t0.Mul(&a, &b))
					}
					term := func(w, s, g fr.Element) fr.Element { // w + β·s + γ
						var v fr.Element
						v.Mul(&in.beta, &s).Add(&v, &w).Add(&v, &g)
						return v
					}
					var lhs, rhs, ux, uux fr.Element
					ux.Mul(&u, &x)
					uux.Mul(&uu, &x)
					a, b, c := term(l, ev(tr.s1), in.gamma), term(r, ev(tr.s2), in.gamma), term(o, ev(tr.s3), in.gamma)
					lhs.Mul(&a, &b).Mul(&lhs, &c).Mul(&lhs, &zw)
					a, b, c = term(l, x, in.gamma), term(r, ux, in.gamma), term(o, uux, in.gamma)
					rhs.Mul(&a, &b).Mul(&rhs, &c).Mul(&rhs, &z)
					lhs.Sub(&lhs, &rhs) // the ordering
					var l1, local, num fr.Element
					l1.Sub(&x, &one).Mul(&l1, &nn).Inverse(&l1).Mul(&l1, &xn)
					local.Sub(&z, &one).Mul(&local, &l1)
					num.Mul(&local, &in.alpha).Add(&num, &lhs).Mul(&num, &in.alpha).Add(&num, &gate)
					var want fr.Element
					want.Inverse(&xn).Mul(&want, &num)
					if got := horner(res, x); !got.Equal(&want) {
						t.Fatalf("blocks of %d, %d commitments, call %d: H differs from N/(Xⁿ − 1) at the large coset's point %d", block, commits, call, k)
					}
					x.Mul(&x, &d1.Generator)
				}
			}
		}
	}
}
