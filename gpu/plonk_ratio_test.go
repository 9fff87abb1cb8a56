package gpu_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
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

// ratioInstance is a random PLONK ratio request with its values as
// integers.
type ratioInstance struct {
	*plonkInstance // the field's helpers
	wires, sigma   [3][]*big.Int
	beta, gamma, u *big.Int
	w              *big.Int // the domain's generator
	req            *zkaccel.PlonkRatioRequest
}

func newRatioInstance(f zkaccel.Field, domain func(uint64) (*big.Int, *big.Int), n int, rng *rand.Rand) *ratioInstance {
	pi := newPlonkInstance(f, domain, plonkCase{1, 1, 0, [4]int{}}, rng)
	in := &ratioInstance{plonkInstance: pi}
	rnd := func() *big.Int {
		b := make([]byte, pi.es+8)
		rng.Read(b)
		return new(big.Int).Mod(new(big.Int).SetBytes(b), pi.p)
	}
	in.w, _ = domain(uint64(n))
	in.beta, in.gamma, in.u = rnd(), rnd(), rnd()
	req := &zkaccel.PlonkRatioRequest{Field: f, ElemSize: pi.es, N: n,
		Beta: pi.mont(in.beta), Gamma: pi.mont(in.gamma), PermShift: pi.mont(in.u), Generator: pi.mont(in.w),
		Result: make([]byte, n*pi.es)}
	for j := range 3 {
		in.wires[j], in.sigma[j] = make([]*big.Int, n), make([]*big.Int, n)
		for i := range n {
			in.wires[j][i], in.sigma[j][i] = rnd(), rnd()
			req.Wires[j] = append(req.Wires[j], pi.mont(in.wires[j][i])...)
			req.Sigma[j] = append(req.Sigma[j], pi.mont(in.sigma[j][i])...)
		}
	}
	in.req = req
	return in
}

// want computes Z from the request's definition with integers.
func (in *ratioInstance) want() []*big.Int {
	n := in.req.N
	z := []*big.Int{big.NewInt(1)}
	uj := []*big.Int{big.NewInt(1), in.u, in.mul(in.u, in.u)}
	for i := 0; i+1 < n; i++ {
		wi := in.pow(in.w, i)
		num, den := big.NewInt(1), big.NewInt(1)
		for j := range 3 {
			num = in.mul(num, in.add(in.wires[j][i], in.mul(in.beta, uj[j], wi), in.gamma))
			den = in.mul(den, in.add(in.wires[j][i], in.mul(in.beta, in.sigma[j][i]), in.gamma))
		}
		z = append(z, in.mul(z[i], num, in.modInv(den)))
	}
	return z
}

// check runs in's request on d and compares Z with want.
func (in *ratioInstance) check(t *testing.T, d *gpu.Device) {
	t.Helper()
	for i := range in.req.Result {
		in.req.Result[i] = 0xA5
	}
	if err := d.PlonkRatio(in.req); err != nil {
		t.Fatal(err)
	}
	in.checkValues(t, "z", in.req.Result, in.want())
}

// TestPlonkRatio compares the device's PLONK ratio with its definition
// computed with integers, on random wires, σ and challenges: the three
// fields, domains from 1 to 2^10; chunks of one index, of several, and
// more chunks than the scan's work-group has work items (each taking
// several); a zero denominator, anywhere, is declined (ErrUnsupported)
// with nothing written, as is every request with ZKACCEL_PLONK_RATIO=0 (2:
// ErrBadRequest).
func TestPlonkRatio(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkRatio)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		for _, f := range plonkFields {
			for _, n := range []int{1, 2, 4, 16} {
				t.Run(fmt.Sprintf("%s/n=%d", f.field, n), func(t *testing.T) {
					newRatioInstance(f.field, f.domain, n, rng).check(t, d)
				})
			}
		}
		bn := plonkFields[0]
		for _, tc := range []struct{ n, chunks int }{{1024, 1 << 16}, {1024, 100}, {1024, 300}, {256, 1}, {64, 7}} {
			t.Run(fmt.Sprintf("bn254/n=%d/chunks=%d", tc.n, tc.chunks), func(t *testing.T) {
				defer gpu.SetPlonkRatioChunks(tc.chunks)()
				newRatioInstance(bn.field, bn.domain, tc.n, rng).check(t, d)
			})
		}
		for _, tc := range []struct {
			v     string
			unsup bool
		}{{"0", true}, {"2", false}} {
			t.Run("env-"+tc.v, func(t *testing.T) {
				t.Setenv(gpu.EnvPlonkRatio, tc.v)
				in := newRatioInstance(bn.field, bn.domain, 8, rng)
				if err := d.PlonkRatio(in.req); errors.Is(err, zkaccel.ErrUnsupported) != tc.unsup || errors.Is(err, zkaccel.ErrBadRequest) == tc.unsup {
					t.Fatalf("%s=%s: %v", gpu.EnvPlonkRatio, tc.v, err)
				}
			})
		}
		for _, at := range []int{0, 5, 14} {
			t.Run(fmt.Sprintf("bn254/zero-denominator-at-%d", at), func(t *testing.T) {
				in := newRatioInstance(bn.field, bn.domain, 16, rng)
				// σ1 = −(L + γ)/β makes denominator at a zero.
				s := in.mul(in.sub(big.NewInt(0), in.add(in.wires[0][at], in.gamma)), in.modInv(in.beta))
				copy(in.req.Sigma[0][at*in.es:], in.mont(s))
				for i := range in.req.Result {
					in.req.Result[i] = 7
				}
				err := d.PlonkRatio(in.req)
				if !errors.Is(err, zkaccel.ErrUnsupported) {
					t.Fatalf("got %v, want ErrUnsupported", err)
				}
				if !bytes.Equal(in.req.Result, bytes.Repeat([]byte{7}, len(in.req.Result))) {
					t.Fatal("the result was written")
				}
			})
		}
	})
}

// TestPlonkRatioBadRequests checks that malformed requests are
// ErrBadRequest and fields without the ratio ErrUnsupported, leaving
// Result as it was.
func TestPlonkRatioBadRequests(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkRatio)
	type req = zkaccel.PlonkRatioRequest
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		f := plonkFields[0]
		checkBadRequests(t, func() (*req, []byte) {
			in := newRatioInstance(f.field, f.domain, 8, rng)
			return in.req, in.req.Result
		}, d.PlonkRatio, []badRequest[req]{
			{"nil", nil, false},
			{"short-result", func(r *req) { r.Result = r.Result[:32] }, false},
			{"n-not-pow2", func(r *req) { r.N = 6 }, false},
			{"short-wire", func(r *req) { r.Wires[2] = r.Wires[2][:64] }, false},
			{"short-sigma", func(r *req) { r.Sigma[1] = nil }, false},
			{"short-beta", func(r *req) { r.Beta = r.Beta[:8] }, false},
			{"no-generator", func(r *req) { r.Generator = nil }, false},
			{"elemsize", func(r *req) { r.ElemSize = 8 }, false},
			{"goldilocks", func(r *req) { r.Field = zkaccel.FieldGoldilocks }, true},
		})
	})
}

// ratioFusedCase is a PlonkRatioMSM call: in's request, an MSM over Z's
// values (over the resident key's points), and one from host points.
type ratioFusedCase struct {
	in     *ratioInstance
	msms   []*zkaccel.MSMRequest
	from   []int
	checks []func() error
}

// newRatioFusedCase draws a BN254 ratio of n values, and an MSM over zn
// of Z's values from zFrom, at index zAt of the batch beside one from host
// points (−1: none).
func newRatioFusedCase(t *testing.T, rng *rand.Rand, n, zFrom, zn, zAt int, key []bn254.G1Affine, res zkaccel.ResidentPoints) *ratioFusedCase {
	t.Helper()
	bn := plonkFields[0]
	in := newRatioInstance(bn.field, bn.domain, n, rng)
	fc := &ratioFusedCase{in: in}
	var zs []frbn.Element
	for _, v := range in.want() {
		var e frbn.Element
		e.SetBigInt(v)
		zs = append(zs, e)
	}
	var wantZ bn254.G1Jac
	if _, err := wantZ.MultiExp(key[:zn], zs[zFrom:zFrom+zn], ecc.MultiExpConfig{}); err != nil {
		t.Fatal(err)
	}
	gotZ := make([]bn254.G1Jac, 1)
	zReq := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: zn, Resident: res, Result: rawbytes.Of(gotZ)}
	rawbytes.Poison(zReq.Result)
	fc.msms, fc.from = []*zkaccel.MSMRequest{zReq}, []int{zFrom}
	fc.checks = append(fc.checks, func() error {
		if !gotZ[0].Equal(&wantZ) {
			return fmt.Errorf("the MSM over Z's %d values from %d differs from gnark-crypto's", zn, zFrom)
		}
		return nil
	})
	if zAt >= 0 {
		host, check := hostMSM(t, rng, 50)
		if zAt == 0 {
			fc.msms, fc.from = append(fc.msms, host), append(fc.from, -1)
		} else {
			fc.msms, fc.from = []*zkaccel.MSMRequest{host, zReq}, []int{-1, zFrom}
		}
		fc.checks = append(fc.checks, check)
	}
	return fc
}

// TestPlonkRatioMSM checks PlonkRatioMSM: Z as its definition gives it,
// and the MSMs over Z's values read on the device (all of them, a range
// ending at Z's last value, one value), first or second in the batch
// beside one from host points, in one pass and in several, staged early or
// late; a zero denominator declines the whole call, nothing written; so do
// ZKACCEL_PLONK_FUSE=0 and ZKACCEL_PLONK_RATIO=0, and malformed calls are
// refused (ErrBadRequest) before any work.
func TestPlonkRatioMSM(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkFuse, gpu.EnvPlonkRatio)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		key, res := residentKey(t, d, rng, 70)
		for _, tc := range []struct {
			n, zFrom, zn, zAt int
			passes            string
			late              bool
		}{
			{64, 0, 64, 0, "1", false},
			{64, 0, 64, 1, "3", false},
			{32, 10, 22, 1, "3", true},
			{16, 15, 1, -1, "1", false},
		} {
			t.Run(fmt.Sprintf("n=%d,z=%d+%d@%d,passes=%s,late=%v", tc.n, tc.zFrom, tc.zn, tc.zAt, tc.passes, tc.late), func(t *testing.T) {
				t.Setenv(gpu.EnvMSMPasses, tc.passes)
				defer gpu.SetMSMForceLate(tc.late)()
				fc := newRatioFusedCase(t, rng, tc.n, tc.zFrom, tc.zn, tc.zAt, key, res)
				rawbytes.Poison(fc.in.req.Result)
				if err := d.PlonkRatioMSM(fc.in.req, fc.msms, fc.from); err != nil {
					t.Fatal(err)
				}
				for i, w := range fc.in.want() {
					if got := fc.in.fromMont(fc.in.req.Result[i*fc.in.es : (i+1)*fc.in.es]); got.Cmp(w) != 0 {
						t.Fatalf("z[%d] = %v, want %v", i, got, w)
					}
				}
				for _, c := range fc.checks {
					if err := c(); err != nil {
						t.Error(err)
					}
				}
			})
		}
		for _, tc := range []struct {
			name  string
			edit  func(fc *ratioFusedCase)
			unsup bool
		}{
			{"zero-denominator", func(fc *ratioFusedCase) {
				in := fc.in
				s := in.mul(in.sub(big.NewInt(0), in.add(in.wires[1][3], in.gamma)), in.modInv(in.beta))
				copy(in.req.Sigma[1][3*in.es:], in.mont(s))
			}, true},
			{"fuse-off", func(*ratioFusedCase) {}, true},
			{"ratio-off", func(*ratioFusedCase) {}, true},
			{"fuse-bad", func(*ratioFusedCase) {}, false},
			{"nil-ratio", func(fc *ratioFusedCase) { fc.in.req = nil }, false},
			{"no-msm", func(fc *ratioFusedCase) { fc.msms, fc.from = nil, nil }, false},
			{"short-from", func(fc *ratioFusedCase) { fc.from = fc.from[:1] }, false},
			{"from-past-z", func(fc *ratioFusedCase) { fc.from[0] = 16 }, false},
			{"z-too-long", func(fc *ratioFusedCase) { fc.msms[0].N = 17 }, false},
			{"z-with-scalars", func(fc *ratioFusedCase) { fc.msms[0].Scalars = make([]byte, 16*32) }, false},
			{"short-sigma", func(fc *ratioFusedCase) { fc.in.req.Sigma[0] = fc.in.req.Sigma[0][:32] }, false},
			{"unknown-group", func(fc *ratioFusedCase) { fc.msms[1].Group = 7 }, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fc := newRatioFusedCase(t, rng, 16, 0, 16, 0, key, res)
				tc.edit(fc)
				switch tc.name {
				case "fuse-off":
					t.Setenv(gpu.EnvPlonkFuse, "0")
				case "ratio-off":
					t.Setenv(gpu.EnvPlonkRatio, "0")
				case "fuse-bad":
					t.Setenv(gpu.EnvPlonkFuse, "2")
				}
				var bufs [][]byte
				if fc.in.req != nil {
					bufs = [][]byte{fc.in.req.Result}
				}
				checkRefused(t, fc.msms, bufs, tc.unsup, func() error { return d.PlonkRatioMSM(fc.in.req, fc.msms, fc.from) })
			})
		}
	})
}
