package gpu_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"math/rand"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	frbn "github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
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
	in.checkValues(t, "h", in.g16.Result, in.want())
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

// fusedCase is a Groth16QuotientMSM call over a random quotient instance:
// a BN254 G1 MSM from host points, the MSM over H from resident points (at
// position hAt), and a BN254 G2 MSM, each result poisoned, with a check of
// each against gnark-crypto (the MSM over H against H as Groth16Quotient
// computes it apart, which TestGroth16Quotient checks).
type fusedCase struct {
	q      *zkaccel.Groth16QuotientRequest
	msms   []*zkaccel.MSMRequest
	wantH  []byte
	checks []func() error
}

// residentKey loads n random BN254 G1 points on d, freed when the test
// ends, and returns them and their handle.
func residentKey(t *testing.T, d *gpu.Device, rng *rand.Rand, n int) ([]bn254.G1Affine, zkaccel.ResidentPoints) {
	t.Helper()
	key := inputs.BN254G1(rng, n)
	res, err := d.LoadPoints(zkaccel.BN254, zkaccel.G1, rawbytes.Of(key), len(key))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(res.Free)
	return key, res
}

// run makes fc's call on d and checks every MSM, and H where it came back.
func (fc *fusedCase) run(t *testing.T, d *gpu.Device) {
	t.Helper()
	if err := d.Groth16QuotientMSM(fc.q, fc.msms); err != nil {
		t.Fatal(err)
	}
	for _, c := range fc.checks {
		if err := c(); err != nil {
			t.Error(err)
		}
	}
	if fc.q.Result != nil && !bytes.Equal(fc.q.Result, fc.wantH) {
		t.Error("H differs from Groth16Quotient's")
	}
}

func newFusedCase(t *testing.T, d *gpu.Device, rng *rand.Rand, n, hn, hAt int, res zkaccel.ResidentPoints, key []bn254.G1Affine, keepH bool) *fusedCase {
	t.Helper()
	bn := plonkFields[0]
	in := newGroth16Instance(bn.field, bn.domain, n, rng)
	if err := d.Groth16Quotient(in.g16); err != nil {
		t.Fatal(err)
	}
	fc := &fusedCase{q: in.g16, wantH: bytes.Clone(in.g16.Result)}
	if keepH {
		rawbytes.Poison(fc.q.Result)
	} else {
		fc.q.Result = nil
	}
	h := make([]frbn.Element, hn)
	copy(rawbytes.Of(h), fc.wantH)
	var hWant bn254.G1Jac
	if _, err := hWant.MultiExp(key[:hn], h, ecc.MultiExpConfig{}); err != nil {
		t.Fatal(err)
	}
	var hGot [1]bn254.G1Jac
	hReq := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: hn, Resident: res, Result: rawbytes.Of(hGot[:])}
	rawbytes.Poison(hReq.Result)
	hCheck := func() error {
		if !hGot[0].Equal(&hWant) {
			return fmt.Errorf("the MSM over H's %d coefficients differs from gnark-crypto's", hn)
		}
		return nil
	}

	req1, check1 := hostMSM(t, rng, 90)
	pts2, sc2 := inputs.BN254G2(rng, 30), inputs.Elements[frbn.Element](rng, 30)
	var want2 bn254.G2Jac
	if _, err := want2.MultiExp(pts2, sc2, ecc.MultiExpConfig{}); err != nil {
		t.Fatal(err)
	}
	var got2 [1]bn254.G2Jac
	req2 := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G2, N: 30, Points: rawbytes.Of(pts2), Scalars: rawbytes.Of(sc2), Result: rawbytes.Of(got2[:])}
	rawbytes.Poison(req2.Result)

	fc.msms = []*zkaccel.MSMRequest{req1, req2}
	fc.msms = append(fc.msms[:hAt], append([]*zkaccel.MSMRequest{hReq}, fc.msms[hAt:]...)...)
	fc.checks = []func() error{hCheck, check1, func() error {
		if !got2[0].Equal(&want2) {
			return errors.New("the G2 MSM differs from gnark-crypto's")
		}
		return nil
	}}
	return fc
}

// TestGroth16QuotientMSM checks Groth16QuotientMSM: H as Groth16Quotient
// computes it, when asked back; the MSM over H's first coefficients read
// on the device (all of them, all but the last, one), in first, middle and
// last position of the batch, in one pass and in several (each pass
// reading its own range of H), its next pass staged early or late; the
// other MSMs as gnark-crypto computes them.
func TestGroth16QuotientMSM(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvGroth16Fuse)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		const n = 256
		key, res := residentKey(t, d, rng, n)
		for _, tc := range []struct {
			hn, hAt int
			passes  string
			late    bool
			keepH   bool
		}{
			{n - 1, 0, "1", false, false},
			{n - 1, 1, "3", false, true},
			{n, 2, "3", true, false},
			{1, 1, "1", false, true},
			{n - 1, 2, "4", false, false},
		} {
			t.Run(fmt.Sprintf("h=%d@%d,passes=%s,late=%v,keep=%v", tc.hn, tc.hAt, tc.passes, tc.late, tc.keepH), func(t *testing.T) {
				t.Setenv(gpu.EnvMSMPasses, tc.passes)
				defer gpu.SetMSMForceLate(tc.late)()
				newFusedCase(t, d, rng, n, tc.hn, tc.hAt, res, key, tc.keepH).run(t, d)
			})
		}
		// No MSM over H: the quotient comes back, the MSMs run.
		t.Run("no-h", func(t *testing.T) {
			fc := newFusedCase(t, d, rng, 16, 16, 0, res, key, true)
			fc.msms, fc.checks = fc.msms[1:], fc.checks[1:]
			fc.run(t, d)
		})
	})
}

// TestGroth16QuotientMSMBadRequests checks that a malformed call is
// ErrBadRequest, and one with an MSM the device does not run
// ErrUnsupported, before any work: no result is written.
func TestGroth16QuotientMSMBadRequests(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvGroth16Fuse)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		const n = 16
		key, res := residentKey(t, d, rng, n)
		for _, tc := range []struct {
			name  string
			edit  func(fc *fusedCase)
			unsup bool
		}{
			{"nil-quotient", func(fc *fusedCase) { fc.q = nil }, false},
			{"no-msm", func(fc *fusedCase) { fc.msms = nil }, false},
			{"nil-msm", func(fc *fusedCase) { fc.msms[1] = nil }, false},
			{"two-h", func(fc *fusedCase) { fc.msms[1].Scalars = nil }, false},
			{"h-too-long", func(fc *fusedCase) { fc.msms[0].N = n + 1 }, false},
			{"h-zero", func(fc *fusedCase) { fc.msms[0].N = 0 }, false},
			{"h-other-field", func(fc *fusedCase) { fc.msms[0].Curve = zkaccel.BLS12381 }, false},
			{"no-result-no-h", func(fc *fusedCase) { fc.msms[0].Scalars = make([]byte, fc.msms[0].N*32) }, false},
			{"short-a", func(fc *fusedCase) { fc.q.A = fc.q.A[:32] }, false},
			{"short-scalars", func(fc *fusedCase) { fc.msms[1].Scalars = fc.msms[1].Scalars[:32] }, false},
			{"unknown-group", func(fc *fusedCase) { fc.msms[2].Group = 7 }, true},
			{"quotient-field", func(fc *fusedCase) { fc.q.Field, fc.msms[0].Curve = zkaccel.FieldBabyBear, "babybear" }, true},
			{"fuse-off", func(*fusedCase) {}, true},  // gpu.EnvGroth16Fuse=0
			{"fuse-bad", func(*fusedCase) {}, false}, // gpu.EnvGroth16Fuse=2
		} {
			t.Run(tc.name, func(t *testing.T) {
				fc := newFusedCase(t, d, rng, n, n-1, 0, res, key, false)
				tc.edit(fc)
				switch tc.name {
				case "fuse-off":
					t.Setenv(gpu.EnvGroth16Fuse, "0")
				case "fuse-bad":
					t.Setenv(gpu.EnvGroth16Fuse, "2")
				}
				var results [][]byte
				if fc.q != nil {
					results = append(results, fc.q.Result)
				}
				checkRefused(t, fc.msms, results, tc.unsup, func() error { return d.Groth16QuotientMSM(fc.q, fc.msms) })
			})
		}
	})
}

// checkRefused makes a one-call request (call) that must fail before any
// work: with an error wrapping ErrUnsupported (unsup) or else
// ErrBadRequest, leaving the results of msms (nil entries aside) and the
// other buffers in bufs as they were.
func checkRefused(t *testing.T, msms []*zkaccel.MSMRequest, bufs [][]byte, unsup bool, call func() error) {
	t.Helper()
	var results [][]byte
	for _, m := range msms {
		if m != nil {
			results = append(results, m.Result)
		}
	}
	results = append(results, bufs...)
	before := make([][]byte, len(results))
	for i, r := range results {
		before[i] = bytes.Clone(r)
	}
	err := call()
	switch {
	case err == nil:
		t.Fatal("no error")
	case unsup != errors.Is(err, zkaccel.ErrUnsupported) || (!unsup && !errors.Is(err, zkaccel.ErrBadRequest)):
		t.Fatalf("%v: want ErrUnsupported %v", err, unsup)
	}
	for i, r := range results {
		if !bytes.Equal(r, before[i]) {
			t.Fatalf("result or buffer %d was written", i)
		}
	}
	t.Log(err)
}

// hostMSM returns a BN254 G1 MSM request of n random points and scalars
// from the host, its result poisoned, and a check of its result against
// gnark-crypto's.
func hostMSM(t *testing.T, rng *rand.Rand, n int) (*zkaccel.MSMRequest, func() error) {
	t.Helper()
	pts, sc := inputs.BN254G1(rng, n), inputs.Elements[frbn.Element](rng, n)
	var want bn254.G1Jac
	if _, err := want.MultiExp(pts, sc, ecc.MultiExpConfig{}); err != nil {
		t.Fatal(err)
	}
	got := make([]bn254.G1Jac, 1)
	req := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: n, Points: rawbytes.Of(pts), Scalars: rawbytes.Of(sc), Result: rawbytes.Of(got)}
	rawbytes.Poison(req.Result)
	return req, func() error {
		if !got[0].Equal(&want) {
			return fmt.Errorf("the MSM of %d host points and scalars differs from gnark-crypto's", n)
		}
		return nil
	}
}
