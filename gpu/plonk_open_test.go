package gpu_test

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand"
	"slices"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	bls377 "github.com/consensys/gnark-crypto/ecc/bls12-377"
	bls377fr "github.com/consensys/gnark-crypto/ecc/bls12-377/fr"
	bls381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	bls381fr "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// openInstance is a quotient whose coefficients the device kept (Keep),
// beside the circuit's fixed polynomials loaded with their coefficients
// and a Qk of the circuit's own: every polynomial the openings may name,
// with its coefficients as integers.
type openInstance struct {
	in       *plonkInstance
	fx, kept zkaccel.ResidentPolys
	qk, h    []*big.Int // the fixed set's Qk; H, as the quotient returned it
	keptSize uint64     // the bytes the quotient kept
}

func newOpenInstance(t *testing.T, d *gpu.Device, f zkaccel.Field, domain func(uint64) (*big.Int, *big.Int), c plonkCase, rng *rand.Rand) *openInstance {
	t.Helper()
	in := newPlonkInstance(f, domain, c, rng)
	in.lagrange()
	lr, req := splitFixed(in.req)
	lr.Coefficients = true
	oi := &openInstance{in: in}
	for range c.n {
		x := new(big.Int).Rand(rng, in.p)
		oi.qk = append(oi.qk, x)
		lr.Qk = append(lr.Qk, in.mont(x)...)
	}
	fx, err := d.LoadPlonkFixed(lr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fx.Free)
	before := d.ResidentBytes()
	req.Fixed, req.Keep = fx, true
	rawbytes.Poison(req.Result)
	if err := d.PlonkQuotient(req); err != nil {
		t.Fatal(err)
	}
	if req.Kept == nil {
		t.Fatal("a quotient with Keep kept nothing")
	}
	t.Cleanup(req.Kept.Free)
	oi.fx, oi.kept, oi.keptSize = fx, req.Kept, d.ResidentBytes()-before
	lagrange := 0
	for i := range in.polys {
		if zkaccel.PlonkIsLagrange(i) {
			lagrange++
		}
	}
	if want := uint64((c.n*c.rho + lagrange*c.n) * in.es); oi.keptSize != want || req.Kept.Len() != lagrange+1 {
		t.Errorf("kept %d bytes in %d polynomials, want %d in %d (H and the %d given by values)", oi.keptSize, req.Kept.Len(), want, lagrange+1, lagrange)
	}
	// Keep still writes the coefficients over the values, and H.
	for i, p := range in.polys {
		if zkaccel.PlonkIsLagrange(i) {
			in.checkValues(t, fmt.Sprintf("polynomial %d", i), req.Polys[i], p)
		}
	}
	for j := range c.n * c.rho {
		oi.h = append(oi.h, in.fromMont(req.Result[j*in.es:(j+1)*in.es]))
	}
	return oi
}

// coeffs returns the coefficients of the polynomial p names, all of them.
func (oi *openInstance) coeffs(p zkaccel.PlonkPoly) []*big.Int {
	switch {
	case p.Set == oi.kept && p.Index == zkaccel.PlonkH:
		return oi.h
	case p.Set == oi.fx && p.Index == zkaccel.PlonkQk:
		return oi.qk
	}
	return oi.in.polys[p.Index] // the same polynomial in whichever set holds it
}

// part returns p's coefficients From … From+Len−1, zero past the end of
// the polynomial's (a quotient's polynomial has N).
func (oi *openInstance) part(p zkaccel.PlonkPoly) []*big.Int {
	c := oi.coeffs(p)
	out := make([]*big.Int, p.Len)
	for i := range out {
		if p.From+i < len(c) {
			out[i] = c[p.From+i]
		} else {
			out[i] = new(big.Int)
		}
	}
	return out
}

// polys returns named polynomials of every kind for oi's shape: whole and
// in part, from both sets, H's shards and H whole.
func (oi *openInstance) polys() []zkaccel.PlonkPoly {
	n, m := oi.in.n, oi.in.n*oi.in.rho
	ps := []zkaccel.PlonkPoly{
		{Set: oi.kept, Index: zkaccel.PlonkL, Len: n},
		{Set: oi.kept, Index: zkaccel.PlonkZ, From: 3, Len: n - 5},
		{Set: oi.kept, Index: zkaccel.PlonkQk, Len: n},
		{Set: oi.kept, Index: zkaccel.PlonkH, Len: m},
		{Set: oi.kept, Index: zkaccel.PlonkH, From: m - 1, Len: 1},
		{Set: oi.fx, Index: zkaccel.PlonkQl, Len: n},
		{Set: oi.fx, Index: zkaccel.PlonkS3, Len: 1},
		{Set: oi.fx, Index: zkaccel.PlonkS1, From: 1, Len: n - 1},
		{Set: oi.fx, Index: zkaccel.PlonkQk, Len: n},
	}
	if 3*(n+2) <= m {
		for k := range 3 {
			ps = append(ps, zkaccel.PlonkPoly{Set: oi.kept, Index: zkaccel.PlonkH, From: k * (n + 2), Len: n + 2})
		}
	}
	if len(oi.in.polys) > zkaccel.PlonkNbPolys {
		ps = append(ps, zkaccel.PlonkPoly{Set: oi.fx, Index: zkaccel.PlonkNbPolys, Len: n},
			zkaccel.PlonkPoly{Set: oi.kept, Index: zkaccel.PlonkNbPolys + 1, Len: n})
	}
	return ps
}

// openCurve is a field's curve for the openings' MSMs: a resident key
// of n random points, and the check of an MSM's result over it.
type openCurve struct {
	field zkaccel.Field
	curve zkaccel.Curve
	key   func(t *testing.T, d *gpu.Device, rng *rand.Rand, n int) (zkaccel.ResidentPoints, func(result []byte, q []*big.Int) error, int)
}

// loadKey loads points on d and returns them with the check of an MSM
// over their first points: the result, Jacobian coordinates as the
// request's bytes, must be gnark-crypto's Σ qᵢ·keyᵢ.
func loadKey[A, J, E any, PJ interface {
	*J
	MultiExp([]A, []E, ecc.MultiExpConfig) (*J, error)
	Equal(*J) bool
}, PE interface {
	*E
	SetBigInt(*big.Int) *E
}](t *testing.T, d *gpu.Device, curve zkaccel.Curve, key []A) (zkaccel.ResidentPoints, func([]byte, []*big.Int) error, int) {
	t.Helper()
	res, err := d.LoadPoints(curve, zkaccel.G1, rawbytes.Of(key), len(key))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(res.Free)
	var zero J
	size := len(rawbytes.Of([]J{zero}))
	return res, func(result []byte, q []*big.Int) error {
		sc := make([]E, len(q))
		for i, x := range q {
			PE(&sc[i]).SetBigInt(x)
		}
		var want J
		if _, err := PJ(&want).MultiExp(key[:len(q)], sc, ecc.MultiExpConfig{}); err != nil {
			return err
		}
		got := make([]J, 1)
		copy(rawbytes.Of(got), result)
		if !PJ(&got[0]).Equal(&want) {
			return errors.New("the opening's commitment differs from gnark-crypto's MSM of the quotient")
		}
		return nil
	}, size
}

var openCurves = []openCurve{
	{zkaccel.FieldBN254, zkaccel.BN254, func(t *testing.T, d *gpu.Device, rng *rand.Rand, n int) (zkaccel.ResidentPoints, func([]byte, []*big.Int) error, int) {
		return loadKey[bn254.G1Affine, bn254.G1Jac, frbn.Element](t, d, zkaccel.BN254, inputs.BN254G1(rng, n))
	}},
	{zkaccel.FieldBLS12381, zkaccel.BLS12381, func(t *testing.T, d *gpu.Device, rng *rand.Rand, n int) (zkaccel.ResidentPoints, func([]byte, []*big.Int) error, int) {
		return loadKey[bls381.G1Affine, bls381.G1Jac, bls381fr.Element](t, d, zkaccel.BLS12381, inputs.BLS12381G1(rng, n))
	}},
	{zkaccel.FieldBLS12377, zkaccel.BLS12377, func(t *testing.T, d *gpu.Device, rng *rand.Rand, n int) (zkaccel.ResidentPoints, func([]byte, []*big.Int) error, int) {
		return loadKey[bls377.G1Affine, bls377.G1Jac, bls377fr.Element](t, d, zkaccel.BLS12377, inputs.BLS12377G1(rng, n))
	}},
}

// horner returns c's value at x modulo p.
func hornerMod(c []*big.Int, x, p *big.Int) *big.Int {
	v := new(big.Int)
	for k := len(c) - 1; k >= 0; k-- {
		v.Mod(v.Add(v.Mul(v, x), c[k]), p)
	}
	return v
}

// TestPlonkEvaluate checks the values of kept and fixed polynomials,
// whole and in part (H's shards, one coefficient, an offset), against
// Horner's rule with integers, at random points, 0 and 1: on the three
// fields, with and without a commitment, and on a domain whose H needs
// three levels of chunks.
func TestPlonkEvaluate(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkOpen)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		before := d.ResidentBytes()
		for fi, f := range plonkFields {
			cases := []plonkCase{{16, 4, 1, [4]int{2, 2, 2, 3}}, {8, 2, 0, [4]int{2, 2, 2, 3}}}
			if fi == 0 {
				cases = append(cases, plonkCase{512, 4, 1, [4]int{2, 2, 2, 3}}) // H: 2048 → 64 → 2 → 1
			}
			for _, c := range cases {
				t.Run(fmt.Sprintf("%s/n=%d,rho=%d,pairs=%d", f.field, c.n, c.rho, c.pairs), func(t *testing.T) {
					oi := newOpenInstance(t, d, f.field, f.domain, c, rng)
					in := oi.in
					ps := oi.polys()
					req := &zkaccel.PlonkEvalRequest{Field: f.field, ElemSize: in.es, Polys: ps, Values: make([]byte, len(ps)*in.es)}
					var want []*big.Int
					for i, p := range ps {
						x := new(big.Int).Rand(rng, in.p)
						switch i {
						case 0:
							x.SetInt64(0)
						case 1:
							x.SetInt64(1)
						}
						req.Points = append(req.Points, in.mont(x))
						want = append(want, hornerMod(oi.part(p), x, in.p))
					}
					rawbytes.Poison(req.Values)
					if err := d.PlonkEvaluate(req); err != nil {
						t.Fatal(err)
					}
					in.checkValues(t, "value", req.Values, want)
				})
			}
		}
		if got := d.ResidentBytes(); got != before {
			t.Errorf("%d bytes resident after every set was freed, want %d", got, before)
		}
	})
}

// openCase is one opening of TestPlonkOpen, as the instance names it.
type openCase struct {
	name  string
	terms func(oi *openInstance) []zkaccel.PlonkPoly
	segs  func(n int) []int // segments' positions, two elements each
	len   func(n, m int) int
}

// TestPlonkOpen checks opening proofs of combinations of kept and fixed
// polynomials, with segments added (blindings at 0 and at n), against the
// definition computed with integers: f = Σ cᵢ·termᵢ + segments, q = (f −
// f(a))/(X − a) by synthetic division, and gnark-crypto's MSM of q over
// the key: on the three fields' curves, several openings in one call, a
// combination as short as two coefficients, one over H whole (three
// levels of chunks), in one MSM pass and in several.
func TestPlonkOpen(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkOpen)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		for ci, oc := range openCurves {
			f := plonkFields[ci]
			cases := []plonkCase{{16, 4, 1, [4]int{2, 2, 2, 3}}}
			if ci == 0 {
				cases = append(cases, plonkCase{512, 4, 0, [4]int{2, 2, 2, 3}})
			}
			for _, c := range cases {
				for _, passes := range []string{"1", "3"} {
					t.Run(fmt.Sprintf("%s/n=%d,rho=%d,passes=%s", f.field, c.n, c.rho, passes), func(t *testing.T) {
						t.Setenv(gpu.EnvMSMPasses, passes)
						oi := newOpenInstance(t, d, f.field, f.domain, c, rng)
						testOpen(t, d, rng, oc, oi)
					})
				}
			}
		}
	})
}

func testOpen(t *testing.T, d *gpu.Device, rng *rand.Rand, oc openCurve, oi *openInstance) {
	t.Helper()
	in := oi.in
	n, m := in.n, in.n*in.rho
	key, check, rsize := oc.key(t, d, rng, m)
	shapes := []openCase{
		{"batch", func(oi *openInstance) []zkaccel.PlonkPoly {
			return []zkaccel.PlonkPoly{{Set: oi.kept, Index: zkaccel.PlonkL, Len: n}, {Set: oi.fx, Index: zkaccel.PlonkS1, Len: n},
				{Set: oi.kept, Index: zkaccel.PlonkH, From: n + 2, Len: n + 2}, {Set: oi.fx, Index: zkaccel.PlonkQk, Len: n},
				{Set: oi.kept, Index: zkaccel.PlonkZ, Len: n}}
		}, func(n int) []int { return []int{0, n} }, func(n, m int) int { return n + 3 }},
		{"z", func(oi *openInstance) []zkaccel.PlonkPoly {
			return []zkaccel.PlonkPoly{{Set: oi.kept, Index: zkaccel.PlonkZ, Len: n}}
		}, func(n int) []int { return []int{0, n + 1} }, func(n, m int) int { return n + 3 }},
		{"short", func(oi *openInstance) []zkaccel.PlonkPoly {
			return []zkaccel.PlonkPoly{{Set: oi.fx, Index: zkaccel.PlonkQm, From: 5, Len: 2}}
		}, nil, func(n, m int) int { return 2 }},
		{"h", func(oi *openInstance) []zkaccel.PlonkPoly {
			return []zkaccel.PlonkPoly{{Set: oi.kept, Index: zkaccel.PlonkH, Len: m}, {Set: oi.kept, Index: zkaccel.PlonkR, Len: n}}
		}, nil, func(n, m int) int { return m }},
	}
	req := &zkaccel.PlonkOpenRequest{Field: oc.field, ElemSize: in.es}
	var wantQ [][]*big.Int
	for _, sh := range shapes {
		o := zkaccel.PlonkOpening{Terms: sh.terms(oi), Len: sh.len(n, m)}
		fv := make([]*big.Int, o.Len)
		for i := range fv {
			fv[i] = new(big.Int)
		}
		for _, tm := range o.Terms {
			c := new(big.Int).Rand(rng, in.p)
			o.Coefs = append(o.Coefs, in.mont(c))
			for i, x := range oi.part(tm) {
				fv[i].Mod(fv[i].Add(fv[i], new(big.Int).Mul(c, x)), in.p)
			}
		}
		if sh.segs != nil {
			for _, at := range sh.segs(n) {
				seg := zkaccel.PlonkSegment{At: at}
				for i := range 2 {
					x := new(big.Int).Rand(rng, in.p)
					seg.Values = append(seg.Values, in.mont(x)...)
					fv[at+i].Mod(fv[at+i].Add(fv[at+i], x), in.p)
				}
				o.Add = append(o.Add, seg)
			}
		}
		a := new(big.Int).Rand(rng, in.p)
		o.Point = in.mont(a)
		// q by synthetic division: q_{L−2} = f_{L−1}, q_{i−1} = fᵢ + a·qᵢ.
		q := make([]*big.Int, o.Len-1)
		acc := new(big.Int)
		for i := o.Len - 1; i >= 1; i-- {
			acc = new(big.Int).Mod(new(big.Int).Add(fv[i], new(big.Int).Mul(a, acc)), in.p)
			q[i-1] = acc
		}
		wantQ = append(wantQ, q)
		o.MSM = &zkaccel.MSMRequest{Curve: oc.curve, Group: zkaccel.G1, N: o.Len - 1, Resident: key, Result: make([]byte, rsize)}
		rawbytes.Poison(o.MSM.Result)
		req.Openings = append(req.Openings, o)
	}
	if err := d.PlonkOpen(req); err != nil {
		t.Fatal(err)
	}
	for i, o := range req.Openings {
		if err := check(o.MSM.Result, wantQ[i]); err != nil {
			t.Errorf("opening %s: %v", shapes[i].name, err)
		}
	}
}

// TestPlonkOpenBadRequests checks that malformed evaluations and openings
// are ErrBadRequest and switched-off ones ErrUnsupported, before any work
// (no value or result written): polynomials of a freed set, another
// field's, one the set does not hold, fixed ones loaded without their
// coefficients, coefficients past the end, an MSM with scalars or of the
// wrong size, a segment past Len.
func TestPlonkOpenBadRequests(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkOpen)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		f := plonkFields[0]
		c := plonkCase{8, 4, 0, [4]int{2, 2, 2, 3}}
		oi := newOpenInstance(t, d, f.field, f.domain, c, rng)
		other := newOpenInstance(t, d, plonkFields[1].field, plonkFields[1].domain, c, rng)
		in := newPlonkInstance(f.field, f.domain, c, rng)
		lr, _ := splitFixed(in.req)
		plain, err := d.LoadPlonkFixed(lr) // without coefficients
		if err != nil {
			t.Fatal(err)
		}
		defer plain.Free()
		freed := newOpenInstance(t, d, f.field, f.domain, c, rng)
		freed.kept.Free()
		key, _, rsize := openCurves[0].key(t, d, rng, 64)
		es, n := oi.in.es, c.n
		good := zkaccel.PlonkPoly{Set: oi.kept, Index: zkaccel.PlonkL, Len: n}
		for _, tc := range []struct {
			name string
			p    zkaccel.PlonkPoly
			want error
		}{
			{"freed", zkaccel.PlonkPoly{Set: freed.kept, Index: zkaccel.PlonkL, Len: n}, nil},
			{"other field", zkaccel.PlonkPoly{Set: other.kept, Index: zkaccel.PlonkL, Len: n}, zkaccel.ErrBadRequest},
			{"not held", zkaccel.PlonkPoly{Set: oi.fx, Index: zkaccel.PlonkL, Len: n}, zkaccel.ErrBadRequest},
			{"no coefficients", zkaccel.PlonkPoly{Set: plain, Index: zkaccel.PlonkQl, Len: n}, zkaccel.ErrBadRequest},
			{"past the end", zkaccel.PlonkPoly{Set: oi.kept, Index: zkaccel.PlonkL, From: 1, Len: n}, zkaccel.ErrBadRequest},
			{"H past the end", zkaccel.PlonkPoly{Set: oi.kept, Index: zkaccel.PlonkH, Len: 4*n + 1}, zkaccel.ErrBadRequest},
			{"no set", zkaccel.PlonkPoly{Index: zkaccel.PlonkL, Len: n}, zkaccel.ErrBadRequest},
			{"no coefficient", zkaccel.PlonkPoly{Set: oi.kept, Index: zkaccel.PlonkL}, zkaccel.ErrBadRequest},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ev := &zkaccel.PlonkEvalRequest{Field: f.field, ElemSize: es, Polys: []zkaccel.PlonkPoly{good, tc.p},
					Points: [][]byte{oi.in.mont(big.NewInt(3)), oi.in.mont(big.NewInt(5))}, Values: make([]byte, 2*es)}
				rawbytes.Poison(ev.Values)
				checkOpenRefused(t, d.PlonkEvaluate(ev), tc.want, ev.Values)
				op := openOf(f.field, es, key, rsize, n+3, oi.in.mont(big.NewInt(7)), good, tc.p)
				checkOpenRefused(t, d.PlonkOpen(op), tc.want, op.Openings[0].MSM.Result)
			})
		}
		for _, tc := range []struct {
			name string
			edit func(*zkaccel.PlonkOpenRequest)
		}{
			{"scalars", func(r *zkaccel.PlonkOpenRequest) { r.Openings[0].MSM.Scalars = make([]byte, (n+2)*es) }},
			{"msm size", func(r *zkaccel.PlonkOpenRequest) { r.Openings[0].MSM.N = n + 3 }},
			{"segment", func(r *zkaccel.PlonkOpenRequest) {
				r.Openings[0].Add = []zkaccel.PlonkSegment{{At: n + 2, Values: make([]byte, 2*es)}}
			}},
			{"coefficients", func(r *zkaccel.PlonkOpenRequest) { r.Openings[0].Coefs = r.Openings[0].Coefs[:1] }},
			{"curve", func(r *zkaccel.PlonkOpenRequest) { r.Openings[0].MSM.Curve = zkaccel.BLS12381 }},
			{"len", func(r *zkaccel.PlonkOpenRequest) { r.Openings[0].Len, r.Openings[0].MSM.N = n-1, n-2 }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				op := openOf(f.field, es, key, rsize, n+3, oi.in.mont(big.NewInt(7)), good, good)
				tc.edit(op)
				checkOpenRefused(t, d.PlonkOpen(op), zkaccel.ErrBadRequest, op.Openings[0].MSM.Result)
			})
		}
		t.Run("switched off", func(t *testing.T) {
			t.Setenv(gpu.EnvPlonkOpen, "0")
			ev := &zkaccel.PlonkEvalRequest{Field: f.field, ElemSize: es, Polys: []zkaccel.PlonkPoly{good},
				Points: [][]byte{oi.in.mont(big.NewInt(3))}, Values: make([]byte, es)}
			rawbytes.Poison(ev.Values)
			checkOpenRefused(t, d.PlonkEvaluate(ev), zkaccel.ErrUnsupported, ev.Values)
			op := openOf(f.field, es, key, rsize, n+3, oi.in.mont(big.NewInt(7)), good)
			checkOpenRefused(t, d.PlonkOpen(op), zkaccel.ErrUnsupported, op.Openings[0].MSM.Result)
		})
	})
}

// openOf returns a request of one opening of Len l over terms, each by
// the coefficient 2, at point.
func openOf(field zkaccel.Field, es int, key zkaccel.ResidentPoints, rsize, l int, point []byte, terms ...zkaccel.PlonkPoly) *zkaccel.PlonkOpenRequest {
	o := zkaccel.PlonkOpening{Terms: terms, Len: l, Point: point,
		MSM: &zkaccel.MSMRequest{Curve: zkaccel.Curve(field), Group: zkaccel.G1, N: l - 1, Resident: key, Result: make([]byte, rsize)}}
	for range terms {
		two := make([]byte, es)
		two[0] = 2 // any element will do
		o.Coefs = append(o.Coefs, two)
	}
	rawbytes.Poison(o.MSM.Result)
	return &zkaccel.PlonkOpenRequest{Field: field, ElemSize: es, Openings: []zkaccel.PlonkOpening{o}}
}

// checkOpenRefused checks that err wraps want (any error where want is nil)
// and that out was not written (still poisoned).
func checkOpenRefused(t *testing.T, err, want error, out []byte) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatal("accepted")
	case want != nil && !errors.Is(err, want):
		t.Errorf("error %v, want %v", err, want)
	}
	for _, b := range out {
		if b != 0xFF {
			t.Fatalf("output written before the error %v", err)
		}
	}
}

// TestPlonkNoRead checks a quotient that keeps H and the coefficients on
// the device only (NoRead), as the plain call and in one call with H's
// MSMs: Result and the values are left as they were, and PlonkRead gives
// back, whole and in part, what a quotient that reads them writes; reads
// out of range or of the wrong size are refused.
func TestPlonkNoRead(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkFuse)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		key, res := residentKey(t, d, rng, 64)
		c := plonkCase{16, 4, 1, [4]int{2, 2, 2, 3}}
		for _, fused := range []bool{false, true} {
			t.Run(fmt.Sprintf("fused=%v", fused), func(t *testing.T) {
				f := plonkFields[0]
				in := newPlonkInstance(f.field, f.domain, c, rng)
				in.lagrange()
				lr, req := splitFixed(in.req)
				fx, err := d.LoadPlonkFixed(lr)
				if err != nil {
					t.Fatal(err)
				}
				defer fx.Free()
				req.Fixed = fx
				ref := *req
				ref.Polys = clonePolys(req.Polys)
				ref.Result = make([]byte, len(req.Result))
				if err := d.PlonkQuotient(&ref); err != nil {
					t.Fatal(err)
				}
				req.Keep, req.NoRead = true, true
				rawbytes.Poison(req.Result)
				values := clonePolys(req.Polys)
				if fused {
					np2 := c.n + 2
					got := make([]bn254.G1Jac, 1)
					m := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: np2, Resident: res, Result: rawbytes.Of(got)}
					err = d.PlonkQuotientMSM(req, []*zkaccel.MSMRequest{m}, []int{np2})
					h := make([]frbn.Element, np2)
					copy(rawbytes.Of(h), ref.Result[np2*in.es:])
					var want bn254.G1Jac
					if _, err := want.MultiExp(key[:np2], h, ecc.MultiExpConfig{}); err != nil {
						t.Fatal(err)
					}
					if !got[0].Equal(&want) {
						t.Error("the MSM over H's second shard differs from gnark-crypto's")
					}
				} else {
					err = d.PlonkQuotient(req)
				}
				if err != nil {
					t.Fatal(err)
				}
				if req.Kept == nil {
					t.Fatal("nothing kept")
				}
				defer req.Kept.Free()
				for _, b := range req.Result {
					if b != 0xFF {
						t.Fatal("Result written with NoRead")
					}
				}
				for i := range values {
					if !slices.Equal(values[i], req.Polys[i]) {
						t.Fatalf("polynomial %d written with NoRead", i)
					}
				}
				m := c.n * c.rho
				for _, p := range []zkaccel.PlonkPoly{
					{Set: req.Kept, Index: zkaccel.PlonkH, Len: m},
					{Set: req.Kept, Index: zkaccel.PlonkH, From: 3, Len: 5},
					{Set: req.Kept, Index: zkaccel.PlonkL, Len: c.n},
					{Set: req.Kept, Index: zkaccel.PlonkNbPolys + 1, Len: c.n},
				} {
					dst := make([]byte, p.Len*in.es)
					if err := d.PlonkRead(f.field, in.es, p, dst); err != nil {
						t.Fatal(err)
					}
					want := ref.Result
					if p.Index != zkaccel.PlonkH {
						want = ref.Polys[p.Index]
					}
					if !slices.Equal(dst, want[p.From*in.es:(p.From+p.Len)*in.es]) {
						t.Errorf("read back polynomial %d, %d … %d: differs", p.Index, p.From, p.From+p.Len-1)
					}
				}
				for _, bad := range []struct {
					p zkaccel.PlonkPoly
					n int
				}{
					{zkaccel.PlonkPoly{Set: req.Kept, Index: zkaccel.PlonkH, From: 1, Len: m}, m},
					{zkaccel.PlonkPoly{Set: req.Kept, Index: zkaccel.PlonkL, Len: c.n}, c.n - 1},
					{zkaccel.PlonkPoly{Set: req.Kept, Index: zkaccel.PlonkS1, Len: c.n}, c.n},
				} {
					if err := d.PlonkRead(f.field, in.es, bad.p, make([]byte, bad.n*in.es)); !errors.Is(err, zkaccel.ErrBadRequest) {
						t.Errorf("read of %+v into %d elements: %v", bad.p, bad.n, err)
					}
				}
			})
		}
		bad := &zkaccel.PlonkQuotientRequest{}
		*bad = *newPlonkInstance(plonkFields[0].field, plonkFields[0].domain, c, rng).req
		bad.NoRead = true
		if err := d.PlonkQuotient(bad); !errors.Is(err, zkaccel.ErrBadRequest) {
			t.Errorf("NoRead without Keep: %v", err)
		}
	})
}
