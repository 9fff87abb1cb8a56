package gpu_test

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
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

// wireMSMs returns MSMs over a proof's wires as a PlonkWiresMSM call
// takes them (from: offsets into L‖R‖O), over res, with the check of each
// result against gnark-crypto's MSM of the host's wires over key.
func wireMSMs(t *testing.T, wires [3][]byte, n int, key []bn254.G1Affine, res zkaccel.ResidentPoints, from, sizes []int) ([]*zkaccel.MSMRequest, func()) {
	t.Helper()
	got := make([]bn254.G1Jac, len(from))
	want := make([]bn254.G1Jac, len(from))
	var msms []*zkaccel.MSMRequest
	for i, f := range from {
		sc := make([]frbn.Element, sizes[i])
		copy(rawbytes.Of(sc), wires[f/n][(f%n)*frbn.Bytes:])
		if _, err := want[i].MultiExp(key[:sizes[i]], sc, ecc.MultiExpConfig{}); err != nil {
			t.Fatal(err)
		}
		m := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: sizes[i], Resident: res, Result: rawbytes.Of(got[i : i+1])}
		rawbytes.Poison(m.Result)
		msms = append(msms, m)
	}
	return msms, func() {
		t.Helper()
		for i := range got {
			if !got[i].Equal(&want[i]) {
				t.Errorf("the MSM over the wires from %d (%d scalars) differs from gnark-crypto's", from[i], sizes[i])
			}
		}
	}
}

// TestPlonkWiresMSM checks a proof's wires kept from their commitments:
// the MSMs read their scalars from each wire, whole and in part, in one
// pass and in several, as gnark-crypto computes them; the ratio that reads
// the kept wires (Wired), with σ resident or not, gives Z as with the
// wires uploaded, and with Keep the quotient reads them through its kept
// values; freeing the wires first makes that quotient fail; every byte is
// returned once both are freed. Malformed calls are refused before any
// work, keeping nothing.
func TestPlonkWiresMSM(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkFuse, gpu.EnvPlonkRatio)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		key, res := residentKey(t, d, rng, 64)
		before := d.ResidentBytes()
		for _, passes := range []string{"1", "3"} {
			for _, sigma := range []bool{false, true} {
				t.Run(fmt.Sprintf("passes=%s,sigma=%v", passes, sigma), func(t *testing.T) {
					t.Setenv(gpu.EnvMSMPasses, passes)
					li := newLinkedInstance(plonkFields[0].field, plonkFields[0].domain, plonkCase{32, 4, 1, [4]int{2, 2, 2, 3}}, rng)
					n := li.q.n
					r := *li.r.req
					if sigma {
						fx, rr := sigmaFixed(t, d, li)
						defer fx.Free()
						r.Sigma, r.Fixed = rr.Sigma, rr.Fixed
					}
					base := d.ResidentBytes()
					wr := &zkaccel.PlonkWiresRequest{Field: zkaccel.FieldBN254, ElemSize: li.q.es, N: n, Wires: li.r.req.Wires}
					msms, check := wireMSMs(t, wr.Wires, n, key, res, []int{0, n + 2, 2*n + 1, 2*n + n - 1}, []int{n, n - 2, n - 1, 1})
					if err := d.PlonkWiresMSM(wr, msms, []int{0, n + 2, 2*n + 1, 2*n + n - 1}); err != nil {
						t.Fatal(err)
					}
					check()
					wired := wr.Kept
					if wired == nil || wired.Len() != 3 {
						t.Fatalf("kept wires %v", wired)
					}
					if got, want := d.ResidentBytes()-base, uint64(3*n*li.q.es); got != want {
						t.Errorf("the kept wires hold %d bytes, want %d", got, want)
					}
					r.Wires, r.Wired, r.Keep = [3][]byte{}, wired, true
					r.Result = make([]byte, len(li.r.req.Result))
					if err := d.PlonkRatio(&r); err != nil {
						t.Fatal(err)
					}
					li.r.checkValues(t, "z", r.Result, li.r.want())
					kept := r.Kept
					if kept == nil {
						t.Fatal("a ratio with Keep kept nothing")
					}
					if got, want := d.ResidentBytes()-base, uint64(4*n*li.q.es); got != want {
						t.Errorf("the kept wires and Z hold %d bytes, want %d (Z's alone more)", got, want)
					}
					req := *li.q.req
					req.Polys = clonePolys(req.Polys)
					req.Values = kept
					li.q.req = &req
					li.poisonKept()
					checkPlonk(t, d, li.q)
					wired.Free()
					req2 := *li.q.req
					req2.Polys = clonePolys(req.Polys)
					if err := d.PlonkQuotient(&req2); err == nil || !strings.Contains(err.Error(), "freed") {
						t.Errorf("a quotient reading wires freed: %v", err)
					}
					kept.Free()
					kept.Free() // twice does nothing
					if got := d.ResidentBytes(); got != base {
						t.Errorf("%d bytes resident once all is freed, want %d", got, base)
					}
				})
			}
		}
		// Rows read as zero: the MSMs see zeros there, the ratio the value.
		t.Run("zero rows", func(t *testing.T) {
			for _, passes := range []string{"1", "3"} {
				t.Setenv(gpu.EnvMSMPasses, passes)
				ri := newRatioInstance(plonkFields[0].field, plonkFields[0].domain, 32, rng)
				n := ri.req.N
				v := new(big.Int).Rand(rng, ri.p)
				zero := [3][]uint32{{0, 5, 17}, {3, 4, 31}, {}}
				for k, rows := range zero {
					for _, r := range rows {
						ri.wires[k][r] = v
						copy(ri.req.Wires[k][int(r)*ri.es:], ri.mont(v))
					}
				}
				masked := ri.req.Wires
				for k, rows := range zero {
					masked[k] = slices.Clone(ri.req.Wires[k])
					for _, r := range rows {
						clear(masked[k][int(r)*ri.es : int(r+1)*ri.es])
					}
				}
				from, sizes := []int{0, n + 2, 2 * n}, []int{n, n - 2, n}
				msms, check := wireMSMs(t, masked, n, key, res, from, sizes)
				wr := &zkaccel.PlonkWiresRequest{Field: zkaccel.FieldBN254, ElemSize: ri.es, N: n, Wires: ri.req.Wires,
					Zero: zero, Value: ri.mont(v)}
				if err := d.PlonkWiresMSM(wr, msms, from); err != nil {
					t.Fatal(err)
				}
				check()
				r := *ri.req
				r.Wires, r.Wired = [3][]byte{}, wr.Kept
				r.Result = make([]byte, n*ri.es)
				if err := d.PlonkRatio(&r); err != nil {
					t.Fatal(err)
				}
				ri.checkValues(t, "z", r.Result, ri.want())
				wr.Kept.Free()
			}
			wr := &zkaccel.PlonkWiresRequest{Field: zkaccel.FieldBN254, ElemSize: 32, N: 8,
				Wires: [3][]byte{make([]byte, 256), make([]byte, 256), make([]byte, 256)}, Zero: [3][]uint32{{8}}, Value: make([]byte, 32)}
			m := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: 8, Resident: res, Result: make([]byte, 96)}
			if err := d.PlonkWiresMSM(wr, []*zkaccel.MSMRequest{m}, []int{0}); !errors.Is(err, zkaccel.ErrBadRequest) {
				t.Errorf("a row read as zero past the wire: %v", err)
			}
			wr.Zero, wr.Value = [3][]uint32{{1}}, nil
			if err := d.PlonkWiresMSM(wr, []*zkaccel.MSMRequest{m}, []int{0}); !errors.Is(err, zkaccel.ErrBadRequest) {
				t.Errorf("rows read as zero without their value: %v", err)
			}
		})
		t.Run("bad", func(t *testing.T) {
			li := newLinkedInstance(plonkFields[0].field, plonkFields[0].domain, plonkCase{8, 4, 0, [4]int{2, 2, 2, 3}}, rng)
			n := li.q.n
			for _, tc := range []struct {
				name  string
				from  []int
				sizes []int
				edit  func(*zkaccel.PlonkWiresRequest)
			}{
				{"across wires", []int{n - 2}, []int{4}, nil},
				{"own scalars", []int{-1}, []int{4}, nil},
				{"past the wires", []int{3 * n}, []int{1}, nil},
				{"short wire", []int{0}, []int{4}, func(r *zkaccel.PlonkWiresRequest) { r.Wires[1] = r.Wires[1][:8] }},
				{"not a power of two", []int{0}, []int{4}, func(r *zkaccel.PlonkWiresRequest) { r.N = 6 }},
			} {
				t.Run(tc.name, func(t *testing.T) {
					wr := &zkaccel.PlonkWiresRequest{Field: zkaccel.FieldBN254, ElemSize: li.q.es, N: n, Wires: li.r.req.Wires}
					if tc.edit != nil {
						tc.edit(wr)
					}
					var msms []*zkaccel.MSMRequest
					for _, s := range tc.sizes {
						m := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: s, Resident: res, Result: make([]byte, 96)}
						rawbytes.Poison(m.Result)
						msms = append(msms, m)
					}
					err := d.PlonkWiresMSM(wr, msms, tc.from)
					if !errors.Is(err, zkaccel.ErrBadRequest) || wr.Kept != nil {
						t.Fatalf("error %v, kept %v; want ErrBadRequest and nothing kept", err, wr.Kept)
					}
					for _, b := range msms[0].Result {
						if b != 0xFF {
							t.Fatal("a result was written")
						}
					}
				})
			}
			// A ratio naming another field's wires, or freed ones.
			wr := &zkaccel.PlonkWiresRequest{Field: zkaccel.FieldBN254, ElemSize: li.q.es, N: n, Wires: li.r.req.Wires}
			m := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: n, Resident: res, Result: make([]byte, 96)}
			if err := d.PlonkWiresMSM(wr, []*zkaccel.MSMRequest{m}, []int{0}); err != nil {
				t.Fatal(err)
			}
			r := *li.r.req
			r.Wires, r.Wired, r.N = [3][]byte{}, wr.Kept, 2*n
			r.Result = make([]byte, 2*n*li.q.es)
			r.Sigma = [3][]byte{make([]byte, 2*n*li.q.es), make([]byte, 2*n*li.q.es), make([]byte, 2*n*li.q.es)}
			if err := d.PlonkRatio(&r); !errors.Is(err, zkaccel.ErrBadRequest) {
				t.Errorf("a ratio of another size on the kept wires: %v", err)
			}
			wr.Kept.Free()
			r = *li.r.req
			r.Wires, r.Wired = [3][]byte{}, wr.Kept
			if err := d.PlonkRatio(&r); err == nil || !strings.Contains(err.Error(), "freed") {
				t.Errorf("a ratio on freed wires: %v", err)
			}
		})
		if got := d.ResidentBytes(); got != before {
			t.Errorf("%d bytes resident at the end, want %d", got, before)
		}
	})
}

// TestPlonkCommittedKept checks a commitment's values kept from their
// commitment for the quotient (PlonkCommittedMSM, Committed): the MSM as
// gnark-crypto computes it; the quotient with one commitment's values
// read there (its entry in Polys poisoned) and the other's uploaded, H
// and the coefficients against the definition; a freed, mismatched or
// surplus entry and malformed calls refused; every byte returned.
func TestPlonkCommittedKept(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkFuse)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		key, res := residentKey(t, d, rng, 32)
		before := d.ResidentBytes()
		f := plonkFields[0]
		in := newPlonkInstance(f.field, f.domain, plonkCase{16, 4, 2, [4]int{2, 2, 2, 3}}, rng)
		in.lagrange()
		pi0 := zkaccel.PlonkNbPolys + 1
		values := slices.Clone(in.req.Polys[pi0])
		sc := make([]frbn.Element, 16)
		copy(rawbytes.Of(sc), values)
		var want bn254.G1Jac
		if _, err := want.MultiExp(key[:16], sc, ecc.MultiExpConfig{}); err != nil {
			t.Fatal(err)
		}
		got := make([]bn254.G1Jac, 1)
		m := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: 16, Resident: res, Result: rawbytes.Of(got)}
		kc, err := d.PlonkCommittedMSM(f.field, in.es, values, m)
		if err != nil {
			t.Fatal(err)
		}
		if !got[0].Equal(&want) {
			t.Error("the commitment differs from gnark-crypto's")
		}
		if got := d.ResidentBytes() - before; got != uint64(len(values)) {
			t.Errorf("kept %d bytes, want %d", got, len(values))
		}
		req := *in.req
		req.Polys = clonePolys(in.req.Polys)
		req.Committed = []zkaccel.ResidentPolys{kc}
		rawbytes.Poison(req.Polys[pi0])
		in.req = &req
		checkPlonk(t, d, in)
		other, err := d.PlonkCommittedMSM(f.field, in.es, values[:8*in.es],
			&zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: 8, Resident: res, Result: make([]byte, 96)})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			edit func(r *zkaccel.PlonkQuotientRequest)
		}{
			{"surplus", func(r *zkaccel.PlonkQuotientRequest) { r.Committed = []zkaccel.ResidentPolys{kc, nil, kc} }},
			{"not lagrange", func(r *zkaccel.PlonkQuotientRequest) { r.Lagrange = false }},
			{"other size", func(r *zkaccel.PlonkQuotientRequest) { r.Committed = []zkaccel.ResidentPolys{other} }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := req
				r.Polys = clonePolys(req.Polys)
				r.Result = make([]byte, len(req.Result))
				tc.edit(&r)
				if err := d.PlonkQuotient(&r); !errors.Is(err, zkaccel.ErrBadRequest) {
					t.Errorf("got %v, want ErrBadRequest", err)
				}
			})
		}
		for _, bad := range []*zkaccel.MSMRequest{
			nil,
			{Curve: zkaccel.BN254, Group: zkaccel.G1, N: 17, Resident: res, Result: make([]byte, 96)},
			{Curve: zkaccel.BLS12381, Group: zkaccel.G1, N: 16, Resident: res, Result: make([]byte, 144)},
			{Curve: zkaccel.BN254, Group: zkaccel.G1, N: 16, Resident: res, Scalars: values, Result: make([]byte, 96)},
		} {
			if kept, err := d.PlonkCommittedMSM(f.field, in.es, values, bad); !errors.Is(err, zkaccel.ErrBadRequest) || kept != nil {
				t.Errorf("MSM %+v: %v, kept %v; want ErrBadRequest and nothing kept", bad, err, kept)
			}
		}
		other.Free()
		kc.Free()
		r := req
		r.Polys = clonePolys(req.Polys)
		if err := d.PlonkQuotient(&r); err == nil || !strings.Contains(err.Error(), "freed") {
			t.Errorf("a quotient on freed values: %v", err)
		}
		if got := d.ResidentBytes(); got != before {
			t.Errorf("%d bytes resident once freed, want %d", got, before)
		}
	})
}
