package gpu_test

import (
	"fmt"
	"math/big"
	"math/bits"
	"math/rand"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
)

// groth16Instance is a random Groth16 quotient request with its values as
// integers.
type groth16Instance struct {
	*plonkInstance // the field's helpers (its PLONK fields are unused)
	abc            [3][]*big.Int
	w              *big.Int // the domain's generator
}

// newGroth16Instance draws A's, B's and C's values on a domain of n
// elements of field f.
func newGroth16Instance(f zkaccel.Field, domain func(uint64) (*big.Int, *big.Int), n int, rng *rand.Rand) *groth16Instance {
	base := newPlonkInstance(f, domain, plonkCase{1, 1, 0, [4]int{}}, rng)
	in := &groth16Instance{plonkInstance: base}
	in.n = n
	in.w, in.g = domain(uint64(n))
	for i := range in.abc {
		in.abc[i] = make([]*big.Int, n)
		for j := range in.abc[i] {
			in.abc[i][j] = new(big.Int).Rand(rng, in.p)
		}
	}
	// Edge values: zeros and p − 1.
	in.abc[0][0] = new(big.Int)
	in.abc[2][n-1] = new(big.Int).Sub(in.p, big.NewInt(1))
	one := big.NewInt(1)
	vec := func(v []*big.Int) []byte {
		var b []byte
		for _, x := range v {
			b = append(b, in.mont(x)...)
		}
		return b
	}
	in.g16 = &zkaccel.Groth16QuotientRequest{Field: f, ElemSize: in.es, N: n,
		A: vec(in.abc[0]), B: vec(in.abc[1]), C: vec(in.abc[2]),
		Generator: in.mont(in.w), GeneratorInv: in.mont(in.modInv(in.w)),
		CardinalityInv: in.mont(in.modInv(big.NewInt(int64(n)))),
		CosetShift:     in.mont(in.g), CosetShiftInv: in.mont(in.modInv(in.g)),
		VanishingInv: in.mont(in.modInv(in.sub(in.pow(in.g, n), one))),
		Result:       make([]byte, n*in.es),
	}
	return in
}

// want computes H from the request's definition with integers: A, B, C's
// coefficients by a direct inverse transform, their values at y = g·ωʲ by
// Horner's rule, (A·B − C)/(yⁿ − 1) there, then H's coefficients by a
// direct inverse transform on the coset, placed in bit-reversed order.
func (in *groth16Instance) want() []*big.Int {
	n := in.n
	one := big.NewInt(1)
	wInv, nInv := in.modInv(in.w), in.modInv(big.NewInt(int64(n)))
	interp := func(vals []*big.Int, shiftInv *big.Int) []*big.Int {
		out := make([]*big.Int, n)
		for t := range n {
			s := new(big.Int)
			wt := in.pow(wInv, t)
			x := big.NewInt(1)
			for k := range n {
				s.Add(s, in.mul(vals[k], x))
				x = in.mul(x, wt)
			}
			out[t] = in.mul(s, nInv, in.pow(shiftInv, t))
		}
		return out
	}
	horner := func(c []*big.Int, x *big.Int) *big.Int {
		v := new(big.Int)
		for i := len(c) - 1; i >= 0; i-- {
			v.Mod(v.Add(v.Mul(v, x), c[i]), in.p)
		}
		return v
	}
	var coef [3][]*big.Int
	for i := range coef {
		coef[i] = interp(in.abc[i], one)
	}
	q := make([]*big.Int, n)
	for j := range n {
		y := in.mul(in.g, in.pow(in.w, j))
		v := in.sub(in.mul(horner(coef[0], y), horner(coef[1], y)), horner(coef[2], y))
		q[j] = in.mul(v, in.modInv(in.sub(in.pow(y, n), one)))
	}
	h := interp(q, in.modInv(in.g))
	out := make([]*big.Int, n)
	logn := bits.TrailingZeros(uint(n))
	for t, v := range h {
		r := 0
		if logn > 0 {
			r = int(bits.Reverse32(uint32(t)) >> (32 - logn))
		}
		out[r] = v
	}
	return out
}

// checkGroth16 runs in's request on d and compares H with want.
func checkGroth16(t *testing.T, d *gpu.Device, in *groth16Instance) {
	t.Helper()
	for i := range in.g16.Result {
		in.g16.Result[i] = 0xA5 // poison
	}
	if err := d.Groth16Quotient(in.g16); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, w := range in.want() {
		if got := in.fromMont(in.g16.Result[i*in.es : (i+1)*in.es]); got.Cmp(w) != 0 {
			if bad < 3 {
				t.Errorf("h[%d] = %v, want %v", i, got, w)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d coefficients differ", bad, in.n)
	}
}

// TestGroth16Quotient compares the device's Groth16 quotient with its
// definition computed with integers, on random values with edge cases, on
// domains from 1 to 2^8 element(s) of the three fields, on the NTT's
// default plan and on small local-memory blocks.
func TestGroth16Quotient(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		for _, f := range plonkFields {
			for _, n := range []int{1, 2, 16, 64} {
				t.Run(fmt.Sprintf("%s/n=%d", f.field, n), func(t *testing.T) {
					checkGroth16(t, d, newGroth16Instance(f.field, f.domain, n, rng))
				})
			}
		}
		bn := plonkFields[0]
		t.Run("bn254/n=256", func(t *testing.T) {
			checkGroth16(t, d, newGroth16Instance(bn.field, bn.domain, 256, rng))
		})
		t.Run("bn254/n=128/local-log-2", func(t *testing.T) {
			gpu.SetNTTLocalLog(d, 2)
			defer gpu.SetNTTLocalLog(d, -1)
			checkGroth16(t, d, newGroth16Instance(bn.field, bn.domain, 128, rng))
		})
	})
}

// TestGroth16QuotientBadRequests checks that malformed requests are
// ErrBadRequest and fields without a quotient ErrUnsupported, leaving
// Result as it was.
func TestGroth16QuotientBadRequests(t *testing.T) {
	type req = zkaccel.Groth16QuotientRequest
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		f := plonkFields[0]
		checkBadRequests(t, func() (*req, []byte) {
			in := newGroth16Instance(f.field, f.domain, 4, rng)
			return in.g16, in.g16.Result
		}, d.Groth16Quotient, []badRequest[req]{
			{"nil", nil, false},
			{"short-result", func(r *req) { r.Result = r.Result[:r.ElemSize] }, false},
			{"n-not-pow2", func(r *req) { r.N = 3 }, false},
			{"short-b", func(r *req) { r.B = r.B[:8] }, false},
			{"short-den", func(r *req) { r.VanishingInv = nil }, false},
			{"elemsize", func(r *req) { r.ElemSize = 8 }, false},
			{"babybear", func(r *req) { r.Field = zkaccel.FieldBabyBear }, true},
		})
	})
}
