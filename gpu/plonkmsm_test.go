package gpu_test

import (
	"bytes"
	"fmt"
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

// plonkFusedCase is one PlonkQuotientMSM call with what it must give: H
// and the coefficients as PlonkQuotient gives them, and each MSM as
// gnark-crypto computes it.
type plonkFusedCase struct {
	q         *zkaccel.PlonkQuotientRequest
	msms      []*zkaccel.MSMRequest
	from      []int
	wantH     []byte
	wantPolys [][]byte // the polynomials' contents after the call
	checks    []func() error
}

// plonkShard is one MSM over H of a plonkFusedCase: n coefficients from
// from, over the resident key's first points.
type plonkShard struct{ from, n int }

// newPlonkFusedCase draws a BN254 quotient of shape c (by values with
// lagrange; with the fixed polynomials resident with fixed, freed when the
// test ends), computes its H with PlonkQuotient, and makes MSMs over the
// shards of H, over key's points resident as res, with one MSM from host
// points at index hostAt of the batch (−1: none).
func newPlonkFusedCase(t *testing.T, d *gpu.Device, rng *rand.Rand, c plonkCase, lagrange, fixed bool, shards []plonkShard, key []bn254.G1Affine, res zkaccel.ResidentPoints, hostAt int) *plonkFusedCase {
	t.Helper()
	bn := plonkFields[0]
	in := newPlonkInstance(bn.field, bn.domain, c, rng)
	if lagrange {
		in.lagrange()
	}
	q := in.req
	if fixed {
		fx, req := fixedOf(t, d, in)
		t.Cleanup(fx.Free)
		q = req
	}
	ref := *q
	ref.Polys = make([][]byte, len(q.Polys))
	for i, p := range q.Polys {
		ref.Polys[i] = bytes.Clone(p)
	}
	ref.Result = make([]byte, len(q.Result))
	if err := d.PlonkQuotient(&ref); err != nil {
		t.Fatal(err)
	}
	fc := &plonkFusedCase{q: q, wantH: ref.Result, wantPolys: ref.Polys}
	rawbytes.Poison(q.Result)
	h := make([]frbn.Element, c.n*c.rho)
	copy(rawbytes.Of(h), ref.Result)
	for _, sh := range shards {
		var want bn254.G1Jac
		if _, err := want.MultiExp(key[:sh.n], h[sh.from:sh.from+sh.n], ecc.MultiExpConfig{}); err != nil {
			t.Fatal(err)
		}
		got := make([]bn254.G1Jac, 1)
		req := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: sh.n, Resident: res, Result: rawbytes.Of(got)}
		rawbytes.Poison(req.Result)
		fc.msms, fc.from = append(fc.msms, req), append(fc.from, sh.from)
		fc.checks = append(fc.checks, func() error {
			if !got[0].Equal(&want) {
				return fmt.Errorf("the MSM over H's %d coefficients from %d differs from gnark-crypto's", sh.n, sh.from)
			}
			return nil
		})
	}
	if hostAt >= 0 {
		req, check := hostMSM(t, rng, 70)
		fc.msms = append(fc.msms[:hostAt], append([]*zkaccel.MSMRequest{req}, fc.msms[hostAt:]...)...)
		fc.from = append(fc.from[:hostAt], append([]int{-1}, fc.from[hostAt:]...)...)
		fc.checks = append(fc.checks, check)
	}
	return fc
}

// run makes fc's call on d and checks H, the polynomials and every MSM.
func (fc *plonkFusedCase) run(t *testing.T, d *gpu.Device) {
	t.Helper()
	if err := d.PlonkQuotientMSM(fc.q, fc.msms, fc.from); err != nil {
		t.Fatal(err)
	}
	for _, c := range fc.checks {
		if err := c(); err != nil {
			t.Error(err)
		}
	}
	if !bytes.Equal(fc.q.Result, fc.wantH) {
		t.Error("H differs from PlonkQuotient's")
	}
	for i, p := range fc.q.Polys {
		if !bytes.Equal(p, fc.wantPolys[i]) {
			t.Errorf("polynomial %d differs from PlonkQuotient's", i)
		}
	}
}

// TestPlonkQuotientMSM checks PlonkQuotientMSM: H and (by values) the
// coefficients as PlonkQuotient computes them; MSMs over H's shards read
// on the device (gnark's three of n+2 coefficients, one ending at H's last
// coefficient, one of a single coefficient), beside one from host points
// in first, middle or last position, in one pass and in several (each
// pass reading its own range of H), the next pass staged early or late,
// with the fixed polynomials resident or not; each MSM as gnark-crypto
// computes it.
func TestPlonkQuotientMSM(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkFuse)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		key, res := residentKey(t, d, rng, 80)
		gnarkShards := func(n int) []plonkShard {
			return []plonkShard{{0, n + 2}, {n + 2, n + 2}, {2 * (n + 2), n + 2}}
		}
		for _, tc := range []struct {
			c               plonkCase
			lagrange, fixed bool
			shards          []plonkShard
			hostAt          int
			passes          string
			late            bool
		}{
			{plonkCase{16, 4, 0, [4]int{2, 2, 2, 3}}, false, false, gnarkShards(16), 3, "1", false},
			{plonkCase{16, 4, 1, [4]int{2, 2, 2, 3}}, true, false, gnarkShards(16), 0, "3", false},
			{plonkCase{16, 4, 1, [4]int{2, 2, 2, 3}}, true, true, gnarkShards(16), 1, "3", true},
			{plonkCase{8, 4, 2, [4]int{1, 1, 1, 2}}, true, false, []plonkShard{{32 - 5, 5}, {0, 1}, {3, 29}}, -1, "4", false},
			{plonkCase{16, 2, 1, [4]int{2, 2, 2, 3}}, true, true, []plonkShard{{31, 1}, {0, 32}}, 2, "1", false},
		} {
			name := fmt.Sprintf("n=%d,rho=%d,pairs=%d,lagrange=%v,fixed=%v,msms=%d,host@%d,passes=%s,late=%v",
				tc.c.n, tc.c.rho, tc.c.pairs, tc.lagrange, tc.fixed, len(tc.shards), tc.hostAt, tc.passes, tc.late)
			t.Run(name, func(t *testing.T) {
				t.Setenv(gpu.EnvMSMPasses, tc.passes)
				defer gpu.SetMSMForceLate(tc.late)()
				newPlonkFusedCase(t, d, rng, tc.c, tc.lagrange, tc.fixed, tc.shards, key, res, tc.hostAt).run(t, d)
			})
		}
		// No MSM over H: the quotient comes back, the MSM runs.
		t.Run("no-h", func(t *testing.T) {
			newPlonkFusedCase(t, d, rng, plonkCase{8, 4, 0, [4]int{2, 2, 2, 3}}, true, false, nil, key, res, 0).run(t, d)
		})
	})
}

// TestPlonkQuotientMSMBadRequests checks that a malformed call is
// ErrBadRequest, and one with a quotient or an MSM the device does not run
// ErrUnsupported, before any work: no result is written, and the
// polynomials given by values stay as they were.
func TestPlonkQuotientMSMBadRequests(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkFuse)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		key, res := residentKey(t, d, rng, 40)
		const n = 8 // H has 32 coefficients
		for _, tc := range []struct {
			name  string
			edit  func(fc *plonkFusedCase)
			unsup bool
		}{
			{"nil-quotient", func(fc *plonkFusedCase) { fc.q = nil }, false},
			{"no-msm", func(fc *plonkFusedCase) { fc.msms, fc.from = nil, nil }, false},
			{"nil-msm", func(fc *plonkFusedCase) { fc.msms[1] = nil }, false},
			{"short-from", func(fc *plonkFusedCase) { fc.from = fc.from[:1] }, false},
			{"from-negative", func(fc *plonkFusedCase) { fc.from[0] = -2 }, false},
			{"from-past-h", func(fc *plonkFusedCase) { fc.from[0] = 4 * n }, false},
			{"shard-past-h", func(fc *plonkFusedCase) { fc.from[2] = 4*n - 9 }, false},
			{"h-zero", func(fc *plonkFusedCase) { fc.msms[0].N = 0 }, false},
			{"h-with-scalars", func(fc *plonkFusedCase) { fc.msms[0].Scalars = make([]byte, fc.msms[0].N*32) }, false},
			{"h-other-field", func(fc *plonkFusedCase) { fc.msms[1].Curve = zkaccel.BLS12381 }, false},
			{"host-without-scalars", func(fc *plonkFusedCase) { fc.msms[3].Scalars = nil }, false},
			{"short-poly", func(fc *plonkFusedCase) { fc.q.Polys[zkaccel.PlonkL] = fc.q.Polys[zkaccel.PlonkL][:32] }, false},
			{"no-result", func(fc *plonkFusedCase) { fc.q.Result = nil }, false},
			{"unknown-group", func(fc *plonkFusedCase) { fc.msms[3].Group = 7 }, true},
			{"quotient-field", func(fc *plonkFusedCase) {
				fc.q.Field = zkaccel.FieldGoldilocks
				fc.msms = fc.msms[3:]
				fc.from = fc.from[3:]
			}, true},
			{"fuse-off", func(*plonkFusedCase) {}, true},  // gpu.EnvPlonkFuse=0
			{"fuse-bad", func(*plonkFusedCase) {}, false}, // gpu.EnvPlonkFuse=2
		} {
			t.Run(tc.name, func(t *testing.T) {
				fc := newPlonkFusedCase(t, d, rng, plonkCase{n, 4, 1, [4]int{2, 2, 2, 3}}, true, false,
					[]plonkShard{{0, n + 2}, {n + 2, n + 2}, {2 * (n + 2), n + 2}}, key, res, 3)
				tc.edit(fc)
				switch tc.name {
				case "fuse-off":
					t.Setenv(gpu.EnvPlonkFuse, "0")
				case "fuse-bad":
					t.Setenv(gpu.EnvPlonkFuse, "2")
				}
				var bufs [][]byte
				if fc.q != nil {
					bufs = append([][]byte{fc.q.Result}, fc.q.Polys...)
				}
				checkRefused(t, fc.msms, bufs, tc.unsup, func() error { return d.PlonkQuotientMSM(fc.q, fc.msms, fc.from) })
			})
		}
	})
}

// smallRuntime is a runtime that reports mem bytes of device memory.
type smallRuntime struct {
	gpu.Runtime
	mem uint64
}

func (r smallRuntime) Memory() uint64 { return r.mem }

// TestQuotientMSMMemory checks that a one-call quotient and MSMs that
// would not fit the device's memory beside each other is declined
// (ErrUnsupported) before any work, while the quotient alone still runs:
// the provers then send two calls. PLONK's and Groth16's, on a device that
// reports the quotient's memory and 64 KiB more (its constants and tables'
// slack), less than two passes of the MSM.
func TestQuotientMSMMemory(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		bn := plonkFields[0]
		pts := inputs.BN254G1(rng, 20)
		shard := func() *zkaccel.MSMRequest {
			return &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: len(pts), Points: rawbytes.Of(pts), Result: make([]byte, 3*32)}
		}

		in := newPlonkInstance(bn.field, bn.domain, plonkCase{8, 4, 1, [4]int{2, 2, 2, 3}}, rng)
		small := gpu.NewDevice(smallRuntime{d.Runtime(), gpu.QuotientBytes(in.req) + 64<<10})
		msms := []*zkaccel.MSMRequest{shard()}
		checkRefused(t, msms, [][]byte{in.req.Result}, true, func() error { return small.PlonkQuotientMSM(in.req, msms, []int{0}) })
		if err := small.PlonkQuotient(in.req); err != nil {
			t.Fatalf("the PLONK quotient alone: %v", err)
		}

		g := newGroth16Instance(bn.field, bn.domain, 32, rng)
		small = gpu.NewDevice(smallRuntime{d.Runtime(), gpu.QuotientBytes(g.g16) + 64<<10})
		msms = []*zkaccel.MSMRequest{shard()}
		checkRefused(t, msms, [][]byte{g.g16.Result}, true, func() error { return small.Groth16QuotientMSM(g.g16, msms) })
		if err := small.Groth16Quotient(g.g16); err != nil {
			t.Fatalf("the Groth16 quotient alone: %v", err)
		}
	})
}

// TestResidentRoom checks that a call plans for the device's memory less
// what resident data hold: on a device that reports a PLONK quotient's
// memory and 64 KiB more, the quotient runs; with more than that in resident
// points it declines (ErrUnsupported, nothing written), so that the
// caller falls back, rather than failing halfway; once they are freed it
// runs again.
func TestResidentRoom(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		bn := plonkFields[0]
		in := newPlonkInstance(bn.field, bn.domain, plonkCase{8, 4, 1, [4]int{2, 2, 2, 3}}, rng)
		mem := gpu.QuotientBytes(in.req) + 64<<10
		rt := &tightRuntime{Runtime: d.Runtime(), mem: mem}
		small := gpu.NewDevice(rt)
		defer small.ReleaseCache()
		checkPlonk(t, small, in)
		pts := inputs.BN254G1(rng, 1100) // more than 64 KiB
		// The points are loaded while the device reports room for them
		// (LoadPoints keeps resident data within half of its memory).
		rt.mem = 1 << 30
		res, err := small.LoadPoints(zkaccel.BN254, zkaccel.G1, rawbytes.Of(pts), len(pts))
		if err != nil {
			t.Fatal(err)
		}
		rt.mem = mem
		checkRefused(t, nil, [][]byte{in.req.Result}, true, func() error { return small.PlonkQuotient(in.req) })
		res.Free()
		checkPlonk(t, small, in)
	})
}
