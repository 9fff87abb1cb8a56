package gpu_test

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand"
	"slices"
	"strings"
	"testing"

	bls377fft "github.com/consensys/gnark-crypto/ecc/bls12-377/fr/fft"
	bls381fft "github.com/consensys/gnark-crypto/ecc/bls12-381/fr/fft"
	bn254fft "github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
)

// plonkFields are the fields of the PLONK quotient, each with its large
// domain's generator ω₁ and coset shift g for a domain of m elements (from
// gnark-crypto's fft.NewDomain, as gnark's prover takes them).
var plonkFields = []struct {
	field  zkaccel.Field
	domain func(m uint64) (w1, g *big.Int)
}{
	{zkaccel.FieldBN254, func(m uint64) (*big.Int, *big.Int) {
		d := bn254fft.NewDomain(m)
		return d.Generator.BigInt(new(big.Int)), d.FrMultiplicativeGen.BigInt(new(big.Int))
	}},
	{zkaccel.FieldBLS12381, func(m uint64) (*big.Int, *big.Int) {
		d := bls381fft.NewDomain(m)
		return d.Generator.BigInt(new(big.Int)), d.FrMultiplicativeGen.BigInt(new(big.Int))
	}},
	{zkaccel.FieldBLS12377, func(m uint64) (*big.Int, *big.Int) {
		d := bls377fft.NewDomain(m)
		return d.Generator.BigInt(new(big.Int)), d.FrMultiplicativeGen.BigInt(new(big.Int))
	}},
}

// plonkCase is one shape of quotient: domain, commitments (Qcp/Pi pairs)
// and the blinding polynomials' lengths.
type plonkCase struct {
	n, rho, pairs int
	blind         [4]int
}

// plonkInstance is a random quotient request with its values as integers.
type plonkInstance struct {
	p                     *big.Int
	n, rho, es            int
	polys                 [][]*big.Int
	blind                 [4][]*big.Int
	alpha, beta, gamma, u *big.Int
	w1, g                 *big.Int // the large domain's generator and coset shift
	req                   *zkaccel.PlonkQuotientRequest
	g16                   *zkaccel.Groth16QuotientRequest // groth16Instance's

	mont     func(*big.Int) []byte // to the request's layout
	fromMont func([]byte) *big.Int
	modInv   func(*big.Int) *big.Int
	pow      func(*big.Int, int) *big.Int
	mul, add func(a ...*big.Int) *big.Int
	sub      func(a, b *big.Int) *big.Int
}

// newPlonkInstance draws random polynomials, blinding and challenges for
// c on field f.
func newPlonkInstance(f zkaccel.Field, domain func(uint64) (*big.Int, *big.Int), c plonkCase, rng *rand.Rand) *plonkInstance {
	info, _ := gpu.ScalarField(f)
	p := info.Modulus
	es := info.ElemSize()
	r := new(big.Int).Lsh(big.NewInt(1), uint(8*es))
	rInv := new(big.Int).ModInverse(r, p)
	in := &plonkInstance{p: p, n: c.n, rho: c.rho, es: es}
	in.mont = func(x *big.Int) []byte { return leBytes(new(big.Int).Mod(new(big.Int).Mul(x, r), p), es) }
	in.fromMont = func(b []byte) *big.Int { return new(big.Int).Mod(new(big.Int).Mul(fromLE(b), rInv), p) }
	in.modInv = func(x *big.Int) *big.Int { return new(big.Int).ModInverse(x, p) }
	in.pow = func(x *big.Int, e int) *big.Int { return new(big.Int).Exp(x, big.NewInt(int64(e)), p) }
	in.mul = func(a ...*big.Int) *big.Int {
		v := big.NewInt(1)
		for _, x := range a {
			v.Mod(v.Mul(v, x), p)
		}
		return v
	}
	in.add = func(a ...*big.Int) *big.Int {
		v := new(big.Int)
		for _, x := range a {
			v.Add(v, x)
		}
		return v.Mod(v, p)
	}
	in.sub = func(a, b *big.Int) *big.Int { v := new(big.Int).Sub(a, b); return v.Mod(v, p) }
	rnd := func() *big.Int {
		b := make([]byte, es+8)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return new(big.Int).Mod(new(big.Int).SetBytes(b), p)
	}
	m := c.n * c.rho
	in.w1, in.g = domain(uint64(m))
	in.polys = make([][]*big.Int, zkaccel.PlonkNbPolys+2*c.pairs)
	for i := range in.polys {
		in.polys[i] = make([]*big.Int, c.n)
		for j := range in.polys[i] {
			in.polys[i][j] = rnd()
		}
	}
	for i := range in.blind {
		in.blind[i] = make([]*big.Int, c.blind[i])
		for j := range in.blind[i] {
			in.blind[i][j] = rnd()
		}
	}
	in.alpha, in.beta, in.gamma, in.u = rnd(), rnd(), rnd(), rnd()

	one := big.NewInt(1)
	req := &zkaccel.PlonkQuotientRequest{Field: f, ElemSize: es, N: c.n, Rho: c.rho,
		Alpha: in.mont(in.alpha), Beta: in.mont(in.beta), Gamma: in.mont(in.gamma), PermShift: in.mont(in.u),
		Generator:           in.mont(in.pow(in.w1, c.rho)),
		CardinalityInv:      in.mont(in.modInv(big.NewInt(int64(c.n)))),
		LargeGeneratorInv:   in.mont(in.modInv(in.w1)),
		LargeCardinalityInv: in.mont(in.modInv(big.NewInt(int64(m)))),
		LargeShiftInv:       in.mont(in.modInv(in.g)),
		Result:              make([]byte, m*es),
	}
	for _, poly := range in.polys {
		var b []byte
		for _, x := range poly {
			b = append(b, in.mont(x)...)
		}
		req.Polys = append(req.Polys, b)
	}
	for i, bl := range in.blind {
		for _, x := range bl {
			req.Blinding[i] = append(req.Blinding[i], in.mont(x)...)
		}
	}
	for i := range c.rho {
		ci := in.mul(in.g, in.pow(in.w1, i))
		v := in.sub(in.pow(ci, c.n), one)
		req.CosetShifts = append(req.CosetShifts, in.mont(ci))
		req.Vanishing = append(req.Vanishing, in.mont(v))
		req.VanishingInv = append(req.VanishingInv, in.mont(in.modInv(v)))
	}
	in.req = req
	return in
}

// want computes H from the request's definition, point by point with
// integers: every polynomial evaluated by Horner's rule at each point
// y = g·ω₁ᵏ of the large coset, N(y)/(yⁿ − 1), then H's coefficients by a
// direct inverse transform, hₜ = (1/m)·g⁻ᵗ·Σₖ H(yₖ)·ω₁^(−tk).
func (in *plonkInstance) want() []*big.Int {
	n, m := in.n, in.n*in.rho
	one := big.NewInt(1)
	horner := func(c []*big.Int, x *big.Int) *big.Int {
		v := new(big.Int)
		for i := len(c) - 1; i >= 0; i-- {
			v.Mod(v.Add(v.Mul(v, x), c[i]), in.p)
		}
		return v
	}
	w := in.pow(in.w1, in.rho)
	vals := make([]*big.Int, m)
	for k := range m {
		y := in.mul(in.g, in.pow(in.w1, k))
		zh := in.sub(in.pow(y, n), one)
		ev := func(i int) *big.Int { return horner(in.polys[i], y) }
		blinded := func(i, b int, x *big.Int) *big.Int {
			return in.add(horner(in.polys[i], x), in.mul(horner(in.blind[b], x), in.sub(in.pow(x, n), one)))
		}
		l, r, o, z := blinded(zkaccel.PlonkL, 0, y), blinded(zkaccel.PlonkR, 1, y), blinded(zkaccel.PlonkO, 2, y), blinded(zkaccel.PlonkZ, 3, y)
		zs := blinded(zkaccel.PlonkZ, 3, in.mul(w, y))
		gate := in.add(in.mul(ev(zkaccel.PlonkQl), l), in.mul(ev(zkaccel.PlonkQr), r), in.mul(ev(zkaccel.PlonkQm), l, r),
			in.mul(ev(zkaccel.PlonkQo), o), ev(zkaccel.PlonkQk))
		for i := zkaccel.PlonkNbPolys; i < len(in.polys); i += 2 {
			gate = in.add(gate, in.mul(ev(i), ev(i+1)))
		}
		by := in.mul(in.beta, y)
		ord := in.sub(
			in.mul(in.add(l, in.mul(in.beta, ev(zkaccel.PlonkS1)), in.gamma), in.add(r, in.mul(in.beta, ev(zkaccel.PlonkS2)), in.gamma),
				in.add(o, in.mul(in.beta, ev(zkaccel.PlonkS3)), in.gamma), zs),
			in.mul(in.add(l, by, in.gamma), in.add(r, in.mul(by, in.u), in.gamma), in.add(o, in.mul(by, in.u, in.u), in.gamma), z))
		l1 := in.mul(zh, in.modInv(in.mul(big.NewInt(int64(n)), in.sub(y, one))))
		nv := in.add(gate, in.mul(in.alpha, in.add(ord, in.mul(in.alpha, in.sub(z, one), l1))))
		vals[k] = in.mul(nv, in.modInv(zh))
	}
	w1Inv, gInv, mInv := in.modInv(in.w1), in.modInv(in.g), in.modInv(big.NewInt(int64(m)))
	h := make([]*big.Int, m)
	for t := range m {
		s := new(big.Int)
		wt := in.pow(w1Inv, t)
		x := big.NewInt(1)
		for k := range m {
			s.Add(s, in.mul(vals[k], x))
			x = in.mul(x, wt)
		}
		h[t] = in.mul(s, in.pow(gInv, t), mInv)
	}
	return h
}

// lagrange turns in's request into one that gives the proof's
// polynomials (zkaccel.PlonkIsLagrange) by their values on the small
// domain, in natural order, computed by Horner's rule with integers.
func (in *plonkInstance) lagrange() {
	w := in.pow(in.w1, in.rho)
	req := *in.req
	req.Polys = slices.Clone(in.req.Polys)
	for i, c := range in.polys {
		if !zkaccel.PlonkIsLagrange(i) {
			continue
		}
		var b []byte
		for j := range in.n {
			x, v := in.pow(w, j), new(big.Int)
			for k := len(c) - 1; k >= 0; k-- {
				v.Mod(v.Add(v.Mul(v, x), c[k]), in.p)
			}
			b = append(b, in.mont(v)...)
		}
		req.Polys[i] = b
	}
	req.Lagrange, req.GeneratorInv = true, in.mont(in.modInv(w))
	in.req = &req
}

// checkPlonk runs in's request on d and compares H with want and, for a
// request by values (Lagrange), the coefficients written over them with
// the polynomials'.
func checkPlonk(t *testing.T, d *gpu.Device, in *plonkInstance) {
	t.Helper()
	for i := range in.req.Result {
		in.req.Result[i] = 0xA5 // poison
	}
	if err := d.PlonkQuotient(in.req); err != nil {
		t.Fatal(err)
	}
	if in.req.Lagrange {
		for i, c := range in.polys {
			if !zkaccel.PlonkIsLagrange(i) {
				continue
			}
			for j, w := range c {
				if got := in.fromMont(in.req.Polys[i][j*in.es : (j+1)*in.es]); got.Cmp(w) != 0 {
					t.Fatalf("polynomial %d, coefficient %d: %v, want %v", i, j, got, w)
				}
			}
		}
	}
	in.checkValues(t, "h", in.req.Result, in.want())
}

// checkValues compares the elements of out (the request's layout) with
// want, naming the first three that differ (name[i]) and counting them.
func (in *plonkInstance) checkValues(t *testing.T, name string, out []byte, want []*big.Int) {
	t.Helper()
	bad := 0
	for i, w := range want {
		if got := in.fromMont(out[i*in.es : (i+1)*in.es]); got.Cmp(w) != 0 {
			if bad < 3 {
				t.Errorf("%s[%d] = %v, want %v", name, i, got, w)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d values differ", bad, len(want))
	}
}

// TestPlonkQuotient compares the device's PLONK quotient with its
// definition computed with integers, on random polynomials and
// challenges: domains from 1 to 2^8 (2^4 for BLS12's fields), 1, 2 and 4
// cosets, 0 to 2 commitments, blinding polynomials of 0 to 8
// coefficients; on the NTT's default plan and on small local-memory
// blocks (many passes).
func TestPlonkQuotient(t *testing.T) {
	cases := []plonkCase{
		{1, 1, 0, [4]int{0, 0, 0, 0}},
		{1, 4, 1, [4]int{2, 2, 2, 3}},
		{2, 4, 0, [4]int{2, 2, 2, 3}},
		{16, 4, 1, [4]int{0, 1, 2, 8}},
		{8, 2, 2, [4]int{2, 2, 2, 3}},
	}
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		seed := devtest.Seed(t)
		rng := inputs.NewRand(seed)
		for _, f := range plonkFields {
			t.Run(string(f.field), func(t *testing.T) {
				for _, c := range cases {
					t.Run(fmt.Sprintf("n=%d,rho=%d,pairs=%d", c.n, c.rho, c.pairs), func(t *testing.T) {
						checkPlonk(t, d, newPlonkInstance(f.field, f.domain, c, rng))
					})
				}
			})
		}
		bn := plonkFields[0]
		t.Run("bn254/n=256", func(t *testing.T) {
			checkPlonk(t, d, newPlonkInstance(bn.field, bn.domain, plonkCase{256, 4, 1, [4]int{2, 2, 2, 3}}, rng))
		})
		t.Run("bn254/n=64/local-log-3", func(t *testing.T) {
			gpu.SetNTTLocalLog(d, 3)
			defer gpu.SetNTTLocalLog(d, -1)
			checkPlonk(t, d, newPlonkInstance(bn.field, bn.domain, plonkCase{64, 4, 2, [4]int{2, 2, 2, 3}}, rng))
		})
	})
}

// TestPlonkQuotientLagrange checks the quotient of requests that give the
// proof's polynomials by their values (Lagrange): H against the
// definition and the coefficients written back against the polynomials',
// on the three fields, with 0 to 2 commitments, on small local-memory
// blocks, and with the fixed polynomials resident.
func TestPlonkQuotientLagrange(t *testing.T) {
	cases := []plonkCase{
		{1, 4, 1, [4]int{2, 2, 2, 3}},
		{2, 4, 0, [4]int{2, 2, 2, 3}},
		{16, 4, 1, [4]int{0, 1, 2, 8}},
		{8, 2, 2, [4]int{2, 2, 2, 3}},
	}
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		for _, f := range plonkFields {
			for _, c := range cases {
				t.Run(fmt.Sprintf("%s/n=%d,rho=%d,pairs=%d", f.field, c.n, c.rho, c.pairs), func(t *testing.T) {
					in := newPlonkInstance(f.field, f.domain, c, rng)
					in.lagrange()
					checkPlonk(t, d, in)
				})
			}
		}
		bn := plonkFields[0]
		t.Run("bn254/n=64/local-log-3", func(t *testing.T) {
			gpu.SetNTTLocalLog(d, 3)
			defer gpu.SetNTTLocalLog(d, -1)
			in := newPlonkInstance(bn.field, bn.domain, plonkCase{64, 4, 2, [4]int{2, 2, 2, 3}}, rng)
			in.lagrange()
			checkPlonk(t, d, in)
		})
		t.Run("bn254/n=32/fixed", func(t *testing.T) {
			in := newPlonkInstance(bn.field, bn.domain, plonkCase{32, 4, 1, [4]int{2, 2, 2, 3}}, rng)
			in.lagrange()
			fx, req := fixedOf(t, d, in)
			defer fx.Free()
			in.req = req
			checkPlonk(t, d, in)
		})
	})
}

// badRequest is one malformed request of type R: edit breaks a fresh one
// (nil: the request itself is nil); unsup says the error must wrap
// ErrUnsupported rather than ErrBadRequest.
type badRequest[R any] struct {
	name  string
	edit  func(r *R)
	unsup bool
}

// checkBadRequests runs each case on a fresh request (fresh returns it and
// its result buffer) through run, and checks the error's kind and that the
// result was left as it was.
func checkBadRequests[R any](t *testing.T, fresh func() (*R, []byte), run func(*R) error, cases []badRequest[R]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, result := fresh()
			if tc.edit == nil {
				req = nil
			} else {
				tc.edit(req)
			}
			for i := range result {
				result[i] = 7
			}
			err := run(req)
			switch {
			case err == nil:
				t.Fatal("no error")
			case tc.unsup && !errors.Is(err, zkaccel.ErrUnsupported):
				t.Fatalf("%v: want ErrUnsupported", err)
			case !tc.unsup && !errors.Is(err, zkaccel.ErrBadRequest):
				t.Fatalf("%v: want ErrBadRequest", err)
			}
			for _, b := range result {
				if b != 7 {
					t.Fatal("the result was written")
				}
			}
			t.Log(err)
		})
	}
}

// TestPlonkQuotientBadRequests checks that malformed requests are
// ErrBadRequest and fields without a quotient ErrUnsupported, leaving
// Result as it was.
func TestPlonkQuotientBadRequests(t *testing.T) {
	type req = zkaccel.PlonkQuotientRequest
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		f := plonkFields[0]
		checkBadRequests(t, func() (*req, []byte) {
			in := newPlonkInstance(f.field, f.domain, plonkCase{4, 4, 1, [4]int{2, 2, 2, 3}}, rng)
			return in.req, in.req.Result
		}, d.PlonkQuotient, []badRequest[req]{
			{"nil", nil, false},
			{"nil-result", func(r *req) { r.Result = r.Result[:0] }, false},
			{"n-not-pow2", func(r *req) { r.N = 3 }, false},
			{"rho-0", func(r *req) { r.Rho = 0 }, false},
			{"odd-polys", func(r *req) { r.Polys = r.Polys[:zkaccel.PlonkNbPolys+1] }, false},
			{"short-poly", func(r *req) { r.Polys[3] = r.Polys[3][:8] }, false},
			{"long-blinding", func(r *req) { r.Blinding[1] = make([]byte, (zkaccel.PlonkMaxBlinding+1)*r.ElemSize) }, false},
			{"short-alpha", func(r *req) { r.Alpha = r.Alpha[:1] }, false},
			{"missing-coset", func(r *req) { r.VanishingInv = r.VanishingInv[:1] }, false},
			{"elemsize", func(r *req) { r.ElemSize = 8 }, false},
			{"lagrange-no-inverse", func(r *req) { r.Lagrange = true }, false},
			{"goldilocks", func(r *req) { r.Field = zkaccel.FieldGoldilocks }, true},
			{"unknown", func(r *req) { r.Field = "zz" }, true},
		})
	})
}

// splitFixed splits a quotient request: the load of its fixed
// polynomials (zkaccel.PlonkFixed's, then the Qcpᵢ), and a copy of it with
// their entries emptied.
func splitFixed(req *zkaccel.PlonkQuotientRequest) (*zkaccel.PlonkFixedRequest, *zkaccel.PlonkQuotientRequest) {
	q := *req
	q.Polys = slices.Clone(req.Polys)
	lr := &zkaccel.PlonkFixedRequest{Field: q.Field, ElemSize: q.ElemSize, N: q.N, Rho: q.Rho,
		Generator: q.Generator, CosetShifts: q.CosetShifts}
	for _, i := range zkaccel.PlonkFixed {
		lr.Polys = append(lr.Polys, q.Polys[i])
		q.Polys[i] = nil
	}
	for i := zkaccel.PlonkNbPolys; i < len(q.Polys); i += 2 {
		lr.Polys = append(lr.Polys, q.Polys[i])
		q.Polys[i] = nil
	}
	return lr, &q
}

// fixedOf splits in's request: the fixed polynomials loaded on d, and the
// request naming them with their entries emptied.
func fixedOf(t *testing.T, d *gpu.Device, in *plonkInstance) (zkaccel.ResidentPolys, *zkaccel.PlonkQuotientRequest) {
	t.Helper()
	lr, req := splitFixed(in.req)
	fx, err := d.LoadPlonkFixed(lr)
	if err != nil {
		t.Fatal(err)
	}
	req.Fixed = fx
	return fx, req
}

// TestPlonkQuotientFixed checks the quotient with the circuit's fixed
// polynomials resident (LoadPlonkFixed) against the definition, for 0 to 2
// commitments and several proofs' worth of other polynomials on one load;
// and that a mismatched or freed load is refused and Free returns the
// memory.
func TestPlonkQuotientFixed(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		before := d.ResidentBytes()
		for _, f := range plonkFields[:2] {
			for _, c := range []plonkCase{{16, 4, 0, [4]int{2, 2, 2, 3}}, {8, 4, 2, [4]int{2, 2, 2, 3}}, {64, 4, 1, [4]int{2, 2, 2, 3}}} {
				t.Run(fmt.Sprintf("%s/n=%d,pairs=%d", f.field, c.n, c.pairs), func(t *testing.T) {
					in := newPlonkInstance(f.field, f.domain, c, rng)
					fx, req := fixedOf(t, d, in)
					defer fx.Free()
					for proof := range 2 {
						if proof > 0 { // another proof: new wires, challenges, blinding
							other := newPlonkInstance(f.field, f.domain, c, rng)
							for _, i := range []int{zkaccel.PlonkQk, zkaccel.PlonkL, zkaccel.PlonkR, zkaccel.PlonkO, zkaccel.PlonkZ} {
								in.polys[i], req.Polys[i] = other.polys[i], other.req.Polys[i]
							}
							for i := zkaccel.PlonkNbPolys + 1; i < len(req.Polys); i += 2 {
								in.polys[i], req.Polys[i] = other.polys[i], other.req.Polys[i]
							}
							in.blind, req.Blinding = other.blind, other.req.Blinding
							in.alpha, in.beta, in.gamma, in.u = other.alpha, other.beta, other.gamma, other.u
							req.Alpha, req.Beta, req.Gamma, req.PermShift = other.req.Alpha, other.req.Beta, other.req.Gamma, other.req.PermShift
						}
						in.req = req
						checkPlonk(t, d, in)
					}
				})
			}
		}
		t.Run("refused", func(t *testing.T) {
			bn := plonkFields[0]
			in := newPlonkInstance(bn.field, bn.domain, plonkCase{8, 4, 1, [4]int{2, 2, 2, 3}}, rng)
			fx, req := fixedOf(t, d, in)
			other := newPlonkInstance(bn.field, bn.domain, plonkCase{16, 4, 1, [4]int{2, 2, 2, 3}}, rng)
			_, oreq := fixedOf(t, d, other)
			defer oreq.Fixed.Free()
			for name, r := range map[string]*zkaccel.PlonkQuotientRequest{
				"another size": func() *zkaccel.PlonkQuotientRequest { r := *oreq; r.Fixed = fx; return &r }(),
				"fixed entries given": func() *zkaccel.PlonkQuotientRequest {
					r := *req
					r.Polys = slices.Clone(req.Polys)
					r.Polys[zkaccel.PlonkQl] = in.req.Polys[zkaccel.PlonkQm]
					return &r
				}(),
			} {
				if err := d.PlonkQuotient(r); !errors.Is(err, zkaccel.ErrBadRequest) {
					t.Errorf("%s: %v, want ErrBadRequest", name, err)
				}
			}
			fx.Free()
			fx.Free()
			if err := d.PlonkQuotient(req); err == nil || !strings.Contains(err.Error(), "freed") {
				t.Errorf("freed polynomials: %v", err)
			}
		})
		if got := d.ResidentBytes(); got != before {
			t.Errorf("%d resident bytes after every Free, %d before", got, before)
		}
	})
}
