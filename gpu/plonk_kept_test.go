package gpu_test

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// linkedInstance is one proof's ratio and quotient, linked as in a PLONK
// proof: the ratio's wires are the quotient's L, R and O on the small
// domain, and the quotient's Z is the ratio's result. The quotient gives
// the proof's polynomials by their values (Lagrange).
type linkedInstance struct {
	q *plonkInstance
	r *ratioInstance
}

func newLinkedInstance(f zkaccel.Field, domain func(uint64) (*big.Int, *big.Int), c plonkCase, rng *rand.Rand) *linkedInstance {
	q := newPlonkInstance(f, domain, c, rng)
	r := newRatioInstance(f, domain, c.n, rng)
	horner := func(p []*big.Int, x *big.Int) *big.Int {
		v := new(big.Int)
		for k := len(p) - 1; k >= 0; k-- {
			v.Mod(v.Add(v.Mul(v, x), p[k]), q.p)
		}
		return v
	}
	w := q.pow(q.w1, q.rho) // the small domain's generator
	r.w, r.req.Generator = w, q.mont(w)
	for j := range 3 {
		r.req.Wires[j] = nil
		for i := range c.n {
			r.wires[j][i] = horner(q.polys[zkaccel.PlonkL+j], q.pow(w, i))
			r.req.Wires[j] = append(r.req.Wires[j], q.mont(r.wires[j][i])...)
		}
	}
	// Z's coefficients from the ratio's values: zₜ = (1/n)·Σₖ Z(ωᵏ)·ω^(−tk).
	zv := r.want()
	wInv, nInv := q.modInv(w), q.modInv(big.NewInt(int64(c.n)))
	for t := range c.n {
		s := new(big.Int)
		for k, v := range zv {
			s.Add(s, q.mul(v, q.pow(wInv, t*k)))
		}
		q.polys[zkaccel.PlonkZ][t] = q.mul(s, nInv)
	}
	for i, x := range q.polys[zkaccel.PlonkZ] {
		copy(q.req.Polys[zkaccel.PlonkZ][i*q.es:], q.mont(x))
	}
	q.lagrange()
	return &linkedInstance{q: q, r: r}
}

// poisonKept overwrites the quotient's entries of L, R, O and Z, which a
// device reading them from kept values must not read.
func (li *linkedInstance) poisonKept() {
	for i := zkaccel.PlonkL; i <= zkaccel.PlonkZ; i++ {
		rawbytes.Poison(li.q.req.Polys[i])
	}
}

// keepRatio runs li's ratio on d with Keep and checks Z and what was kept.
func (li *linkedInstance) keepRatio(t *testing.T, d *gpu.Device) zkaccel.ResidentPolys {
	t.Helper()
	before := d.ResidentBytes()
	li.r.req.Keep = true
	rawbytes.Poison(li.r.req.Result)
	if err := d.PlonkRatio(li.r.req); err != nil {
		t.Fatal(err)
	}
	li.r.checkValues(t, "z", li.r.req.Result, li.r.want())
	if !slices.Equal(li.r.req.Result, li.q.req.Polys[zkaccel.PlonkZ]) {
		t.Fatal("the instance's Z differs from the ratio's")
	}
	kept := li.r.req.Kept
	if kept == nil || kept.Len() != 4 || kept.Device() != zkaccel.Device(d) {
		t.Fatalf("kept %v after a ratio with Keep", kept)
	}
	if got, want := d.ResidentBytes()-before, uint64(4*li.q.n*li.q.es); got != want {
		t.Errorf("kept values hold %d bytes, want %d", got, want)
	}
	return kept
}

// TestPlonkKeptValues checks a ratio that keeps the wires and Z on the
// device (Keep) and quotients that read them there (Values), against the
// definitions: on two fields, with 0 to 2 commitments, the quotient's own
// entries of L, R, O and Z poisoned (not read) and overwritten with the
// coefficients, twice on one keep (read, not consumed), through the fused
// calls too; that Free returns the memory; and that refused requests are
// refused before any work.
func TestPlonkKeptValues(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkFuse, gpu.EnvPlonkRatio)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		before := d.ResidentBytes()
		for _, f := range plonkFields[:2] {
			for _, c := range []plonkCase{{16, 4, 1, [4]int{2, 2, 2, 3}}, {8, 2, 0, [4]int{2, 2, 2, 3}}, {32, 4, 2, [4]int{0, 1, 2, 8}}} {
				t.Run(fmt.Sprintf("%s/n=%d,rho=%d,pairs=%d", f.field, c.n, c.rho, c.pairs), func(t *testing.T) {
					li := newLinkedInstance(f.field, f.domain, c, rng)
					kept := li.keepRatio(t, d)
					defer kept.Free()
					req := li.q.req
					for range 2 {
						li.q.req = &zkaccel.PlonkQuotientRequest{}
						*li.q.req = *req
						li.q.req.Polys = clonePolys(req.Polys) // written over
						li.q.req.Values = kept
						li.poisonKept()
						checkPlonk(t, d, li.q)
					}
				})
			}
		}
		t.Run("fused", func(t *testing.T) {
			key, res := residentKey(t, d, rng, 20)
			bn := plonkFields[0]
			li := newLinkedInstance(bn.field, bn.domain, plonkCase{16, 4, 1, [4]int{2, 2, 2, 3}}, rng)
			fc := newRatioFusedCase(t, rng, 16, 0, 16, 0, key, res)
			li.r.req.Keep = true
			if err := d.PlonkRatioMSM(li.r.req, fc.msms[1:], fc.from[1:]); err != nil { // the MSM from host points
				t.Fatal(err)
			}
			if err := fc.checks[1](); err != nil {
				t.Error(err)
			}
			li.r.checkValues(t, "z", li.r.req.Result, li.r.want())
			kept := li.r.req.Kept
			if kept == nil {
				t.Fatal("the fused ratio kept nothing")
			}
			defer kept.Free()
			li.q.req.Values = kept
			li.poisonKept()
			host, check := hostMSM(t, rng, 30)
			if err := d.PlonkQuotientMSM(li.q.req, []*zkaccel.MSMRequest{host}, []int{-1}); err != nil {
				t.Fatal(err)
			}
			if err := check(); err != nil {
				t.Error(err)
			}
			li.q.checkValues(t, "h", li.q.req.Result, li.q.want())
			for i := zkaccel.PlonkL; i <= zkaccel.PlonkZ; i++ {
				li.q.checkValues(t, fmt.Sprintf("polynomial %d", i), li.q.req.Polys[i], li.q.polys[i])
			}
		})
		t.Run("refused", func(t *testing.T) {
			bn := plonkFields[0]
			li := newLinkedInstance(bn.field, bn.domain, plonkCase{8, 4, 1, [4]int{2, 2, 2, 3}}, rng)
			kept := li.keepRatio(t, d)
			other := newLinkedInstance(bn.field, bn.domain, plonkCase{16, 4, 1, [4]int{2, 2, 2, 3}}, rng)
			fx, _ := fixedOf(t, d, other.q)
			defer fx.Free()
			for name, edit := range map[string]func(r *zkaccel.PlonkQuotientRequest){
				"another size":     func(r *zkaccel.PlonkQuotientRequest) { *r = *other.q.req; r.Values = kept },
				"without lagrange": func(r *zkaccel.PlonkQuotientRequest) { r.Lagrange = false },
				"fixed ones":       func(r *zkaccel.PlonkQuotientRequest) { r.Values = fx },
			} {
				r := *li.q.req
				r.Values = kept
				edit(&r)
				r.Result = slices.Clone(r.Result)
				rawbytes.Poison(r.Result)
				if err := d.PlonkQuotient(&r); !errors.Is(err, zkaccel.ErrBadRequest) {
					t.Errorf("%s: %v, want ErrBadRequest", name, err)
				}
			}
			kept.Free()
			kept.Free()
			r := *li.q.req
			r.Values = kept
			if err := d.PlonkQuotient(&r); err == nil || !strings.Contains(err.Error(), "freed") {
				t.Errorf("freed values: %v", err)
			}
			// Nothing is kept where the ratio declines (a zero
			// denominator) or where n = 1.
			held := d.ResidentBytes()
			in := newRatioInstance(bn.field, bn.domain, 16, rng)
			s := in.mul(in.sub(big.NewInt(0), in.add(in.wires[2][4], in.gamma)), in.modInv(in.beta))
			copy(in.req.Sigma[2][4*in.es:], in.mont(s))
			in.req.Keep = true
			if err := d.PlonkRatio(in.req); !errors.Is(err, zkaccel.ErrUnsupported) || in.req.Kept != nil {
				t.Errorf("zero denominator: %v, kept %v", err, in.req.Kept)
			}
			one := newRatioInstance(bn.field, bn.domain, 1, rng)
			one.req.Keep = true
			if err := d.PlonkRatio(one.req); err != nil || one.req.Kept != nil {
				t.Errorf("n = 1: %v, kept %v", err, one.req.Kept)
			}
			if got := d.ResidentBytes(); got != held {
				t.Errorf("%d resident bytes after declined keeps, %d before", got, held)
			}
		})
		if got := d.ResidentBytes(); got != before {
			t.Errorf("%d resident bytes after every Free, %d before", got, before)
		}
	})
}

// sigmaFixed loads li's fixed polynomials on d with the ratio's σ, and
// returns them and the ratio request naming them, its σ emptied.
func sigmaFixed(t *testing.T, d *gpu.Device, li *linkedInstance) (zkaccel.ResidentPolys, *zkaccel.PlonkRatioRequest) {
	t.Helper()
	lr, _ := splitFixed(li.q.req)
	lr.Sigma = li.r.req.Sigma
	fx, err := d.LoadPlonkFixed(lr)
	if err != nil {
		t.Fatal(err)
	}
	req := *li.r.req
	req.Sigma = [3][]byte{}
	req.Fixed = fx
	return fx, &req
}

// TestPlonkRatioSigma checks the ratio with σ's values resident, loaded
// with the fixed polynomials (PlonkFixedRequest.Sigma): Z against its
// definition on two fields, through the fused call too and with Keep; the
// quotient on the same load; malformed loads and requests refused; Free
// returns the memory.
func TestPlonkRatioSigma(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkFuse, gpu.EnvPlonkRatio)
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		before := d.ResidentBytes()
		for _, f := range plonkFields[:2] {
			t.Run(string(f.field), func(t *testing.T) {
				li := newLinkedInstance(f.field, f.domain, plonkCase{16, 4, 1, [4]int{2, 2, 2, 3}}, rng)
				fx, req := sigmaFixed(t, d, li)
				defer fx.Free()
				want := li.r.want()
				for proof := range 2 {
					rawbytes.Poison(req.Result)
					if err := d.PlonkRatio(req); err != nil {
						t.Fatal(err)
					}
					li.r.checkValues(t, fmt.Sprintf("proof %d: z", proof), req.Result, want)
				}
				// With Keep, and the quotient reading both loads.
				req.Keep = true
				if err := d.PlonkRatio(req); err != nil {
					t.Fatal(err)
				}
				defer req.Kept.Free()
				_, q := splitFixed(li.q.req)
				q.Fixed, q.Values = fx, req.Kept
				li.q.req = q
				li.poisonKept()
				checkPlonk(t, d, li.q)
			})
		}
		t.Run("fused", func(t *testing.T) {
			key, res := residentKey(t, d, rng, 20)
			bn := plonkFields[0]
			li := newLinkedInstance(bn.field, bn.domain, plonkCase{16, 4, 0, [4]int{2, 2, 2, 3}}, rng)
			fc := newRatioFusedCase(t, rng, 16, 0, 16, 0, key, res)
			fx, req := sigmaFixed(t, d, li)
			defer fx.Free()
			rawbytes.Poison(req.Result)
			if err := d.PlonkRatioMSM(req, fc.msms[1:], fc.from[1:]); err != nil {
				t.Fatal(err)
			}
			li.r.checkValues(t, "z", req.Result, li.r.want())
			if err := fc.checks[1](); err != nil {
				t.Error(err)
			}
		})
		t.Run("refused", func(t *testing.T) {
			bn := plonkFields[0]
			li := newLinkedInstance(bn.field, bn.domain, plonkCase{8, 4, 1, [4]int{2, 2, 2, 3}}, rng)
			fx, req := sigmaFixed(t, d, li)
			noSigma, _ := fixedOf(t, d, li.q)
			defer noSigma.Free()
			other := newLinkedInstance(bn.field, bn.domain, plonkCase{16, 4, 1, [4]int{2, 2, 2, 3}}, rng)
			for name, edit := range map[string]func(r *zkaccel.PlonkRatioRequest){
				"without sigma": func(r *zkaccel.PlonkRatioRequest) { r.Fixed = noSigma },
				"another size":  func(r *zkaccel.PlonkRatioRequest) { *r = *other.r.req; r.Sigma = [3][]byte{}; r.Fixed = fx },
				"sigma given":   func(r *zkaccel.PlonkRatioRequest) { r.Sigma = li.r.req.Sigma },
			} {
				r := *req
				edit(&r)
				r.Result = slices.Clone(r.Result)
				rawbytes.Poison(r.Result)
				if err := d.PlonkRatio(&r); !errors.Is(err, zkaccel.ErrBadRequest) {
					t.Errorf("%s: %v, want ErrBadRequest", name, err)
				}
			}
			for name, edit := range map[string]func(r *zkaccel.PlonkFixedRequest){
				"two sigmas":  func(r *zkaccel.PlonkFixedRequest) { r.Sigma[2] = nil },
				"short sigma": func(r *zkaccel.PlonkFixedRequest) { r.Sigma[0] = r.Sigma[0][:li.q.es] },
			} {
				lr, _ := splitFixed(li.q.req)
				lr.Sigma = li.r.req.Sigma
				edit(lr)
				if fx2, err := d.LoadPlonkFixed(lr); !errors.Is(err, zkaccel.ErrBadRequest) {
					if fx2 != nil {
						fx2.Free()
					}
					t.Errorf("load, %s: %v, want ErrBadRequest", name, err)
				}
			}
			fx.Free()
			if err := d.PlonkRatio(req); err == nil || !strings.Contains(err.Error(), "freed") {
				t.Errorf("freed σ: %v", err)
			}
		})
		if got := d.ResidentBytes(); got != before {
			t.Errorf("%d resident bytes after every Free, %d before", got, before)
		}
	})
}

// TestPlonkKeptUploads counts the bytes a proof's ratio and quotient
// write to the device: σ resident spares 3·N elements, the kept wires and
// Z 4·N, with the same results.
func TestPlonkKeptUploads(t *testing.T) {
	skipSwitchedOff(t, gpu.EnvPlonkRatio)
	forEachGPU(t, func(t *testing.T, dev *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		fr := devtest.NewFaultyAsGPU(dev) // counts the bytes written
		d := fr.Device
		defer d.ReleaseCache()
		bn := plonkFields[0]
		li := newLinkedInstance(bn.field, bn.domain, plonkCase{64, 4, 1, [4]int{2, 2, 2, 3}}, rng)
		fx, sreq := sigmaFixed(t, d, li)
		defer fx.Free()
		elems := func(k int) int64 { return int64(k * li.q.n * li.q.es) }
		// written returns the bytes run writes, measured on its second run
		// (the first compiles and makes the cached tables).
		written := func(run func() error) int64 {
			t.Helper()
			var w int64
			for range 2 {
				fr.ResetWritten()
				if err := run(); err != nil {
					t.Fatal(err)
				}
				w = fr.Written()
			}
			return w
		}
		ratio := func(r *zkaccel.PlonkRatioRequest) func() error {
			return func() error {
				if r.Kept != nil {
					r.Kept.Free()
				}
				return d.PlonkRatio(r)
			}
		}
		plain := *li.r.req
		plain.Keep = false
		if got, want := written(ratio(&plain))-written(ratio(sreq)), elems(3); got != want {
			t.Errorf("σ resident: %d bytes fewer written, want %d", got, want)
		}
		sreq.Keep = true
		if err := d.PlonkRatio(sreq); err != nil {
			t.Fatal(err)
		}
		defer sreq.Kept.Free()
		// The reference H, from the plain quotient (on a copy: it writes
		// the coefficients over the values).
		ref := *li.q.req
		ref.Polys = clonePolys(li.q.req.Polys)
		if err := d.PlonkQuotient(&ref); err != nil {
			t.Fatal(err)
		}
		wantH := ref.Result
		quot := func(values zkaccel.ResidentPolys) func() error {
			return func() error {
				q := *li.q.req
				q.Polys = clonePolys(q.Polys)
				q.Result = make([]byte, len(q.Result))
				q.Values = values
				if err := d.PlonkQuotient(&q); err != nil {
					return err
				}
				if !slices.Equal(q.Result, wantH) {
					return fmt.Errorf("H differs with values kept: %v", values != nil)
				}
				return nil
			}
		}
		if got, want := written(quot(nil))-written(quot(sreq.Kept)), elems(4); got != want {
			t.Errorf("values kept: %d bytes fewer written, want %d", got, want)
		}
	})
}

// clonePolys copies a quotient request's polynomials, which a quotient by
// values writes over.
func clonePolys(polys [][]byte) [][]byte {
	out := make([][]byte, len(polys))
	for i, c := range polys {
		out[i] = slices.Clone(c)
	}
	return out
}
