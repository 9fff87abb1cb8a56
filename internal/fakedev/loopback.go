package fakedev

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

type msmKey struct {
	curve zkaccel.Curve
	group zkaccel.Group
}

var msmLoops = map[msmKey]func(*zkaccel.MSMRequest) error{}

var nttLoops = map[zkaccel.Field]func(*zkaccel.NTTRequest) error{}

func init() {
	msmLoop(bind.BN254G1)
	msmLoop(bind.BN254G2)
	msmLoop(bind.BLS12381G1)
	msmLoop(bind.BLS12381G2)
	msmLoop(bind.BLS12377G1)
	msmLoop(bind.BLS12377G2)
	nttLoop(bind.BN254)
	nttLoop(bind.BLS12381)
	nttLoop(bind.BLS12377)
	nttLoop(bind.Goldilocks)
	nttLoop(bind.BabyBear)
	nttLoop(bind.KoalaBear)
}

// LoopbackMSM runs req as a device would, with gnark-crypto: it copies
// req.Points and req.Scalars into fresh gnark-crypto slices of the request's
// curve group, checks that every point lies on the curve (a wrong layout
// rarely gives points that do), computes the MSM with MultiExp and writes the
// Jacobian result into req.Result. A curve or group it does not know is
// reported as zkaccel.ErrUnsupported; a malformed request is an error.
func LoopbackMSM(req *zkaccel.MSMRequest) error {
	run := msmLoops[msmKey{req.Curve, req.Group}]
	if run == nil {
		return unsupported("msm %s %s: unknown curve or group", req.Curve, req.Group)
	}
	if req.N < 1 {
		return fmt.Errorf("zkaccel/fake: msm %s %s: N = %d, want ≥ 1", req.Curve, req.Group, req.N)
	}
	if err := run(req); err != nil {
		return fmt.Errorf("zkaccel/fake: msm %s %s: %w", req.Curve, req.Group, err)
	}
	return nil
}

// LoopbackNTT runs req as a device would, with gnark-crypto: it checks the
// request's sizes, rebuilds the fft.Domain of cardinality req.N with shift
// req.CosetShift and checks that its generator and inverse constants equal
// the request's, copies req.Data into a fresh slice of the field's elements,
// transforms it with the domain's FFT or FFTInverse (with the request's
// decimation and coset) and writes it back into req.Data. A field it does not
// know, or a size the field has no domain for, is reported as
// zkaccel.ErrUnsupported; any other mismatch is an error.
func LoopbackNTT(req *zkaccel.NTTRequest) error {
	run := nttLoops[req.Field]
	if run == nil {
		return unsupported("ntt %s: unknown field", req.Field)
	}
	if req.N < 1 || req.N&(req.N-1) != 0 {
		return fmt.Errorf("zkaccel/fake: %s: N = %d is not a power of two", nttOp(req), req.N)
	}
	if err := run(req); err != nil {
		return fmt.Errorf("zkaccel/fake: %s: %w", nttOp(req), err)
	}
	return nil
}

// decode copies raw into n fresh values of T, which must take exactly
// len(raw) bytes.
func decode[T any](what string, raw []byte, n int) ([]T, error) {
	out := make([]T, n)
	dst := rawbytes.Of(out)
	if len(raw) != len(dst) {
		var one [1]T
		return nil, fmt.Errorf("%s: %d bytes, want %d (%d × %d)", what, len(raw), len(dst), n, len(rawbytes.Of(one[:])))
	}
	copy(dst, raw)
	return out, nil
}

func msmLoop[J, A, S any, PJ bind.Jac[J, A, S], PA bind.Affine[A, J]](b bind.MSM[J, A, S]) {
	msmLoops[msmKey{b.Curve, b.Group}] = func(req *zkaccel.MSMRequest) error {
		points, err := decode[A]("points", req.Points, req.N)
		if err != nil {
			return err
		}
		scalars, err := decode[S]("scalars", req.Scalars, req.N)
		if err != nil {
			return err
		}
		for i := range points {
			if !PA(&points[i]).IsOnCurve() {
				return fmt.Errorf("point %d is not on the curve: the request's points are not in gnark-crypto's affine layout", i)
			}
		}
		var res [1]J
		out := rawbytes.Of(res[:])
		if len(req.Result) != len(out) {
			return fmt.Errorf("result: %d bytes, want %d (one Jacobian point)", len(req.Result), len(out))
		}
		if req.NbTasks < 0 || req.NbTasks > 1024 {
			return fmt.Errorf("NbTasks = %d, out of range [0, 1024]", req.NbTasks)
		}
		if _, err := PJ(&res[0]).MultiExp(points, scalars, ecc.MultiExpConfig{NbTasks: req.NbTasks}); err != nil {
			return err
		}
		copy(req.Result, out)
		return nil
	}
}

func nttLoop[Dom, E any, Dec ~uint8, O, DO any, PE bind.Element[E]](b bind.NTT[Dom, E, Dec, O, DO]) {
	nttLoops[b.Field] = func(req *zkaccel.NTTRequest) error {
		var zero [1]E
		if size := len(rawbytes.Of(zero[:])); req.ElemSize != size {
			return fmt.Errorf("ElemSize = %d, want %d", req.ElemSize, size)
		}
		var consts [5]E
		for i, c := range []struct {
			name string
			raw  []byte
		}{{"Generator", req.Generator}, {"GeneratorInv", req.GeneratorInv}, {"CardinalityInv", req.CardinalityInv},
			{"CosetShift", req.CosetShift}, {"CosetShiftInv", req.CosetShiftInv}} {
			e, err := decode[E](c.name, c.raw, 1)
			if err != nil {
				return err
			}
			consts[i] = e[0]
		}
		var dec Dec
		switch req.Decimation {
		case zkaccel.DIT:
			dec = b.DIT
		case zkaccel.DIF:
			dec = b.DIF
		default:
			return fmt.Errorf("unknown decimation %d", req.Decimation)
		}
		gen, err := b.Generator(uint64(req.N))
		if err != nil {
			return fmt.Errorf("no domain of size %d: %v: %w", req.N, err, zkaccel.ErrUnsupported)
		}
		if !PE(&gen).Equal(&consts[0]) {
			return fmt.Errorf("Generator = %s, but the domain of size %d has generator %s", PE(&consts[0]), req.N, PE(&gen))
		}
		dom := b.NewDomain(uint64(req.N), b.WithShift(consts[3]), b.WithCache())
		k := b.Consts(dom)
		for _, c := range []struct {
			name      string
			got, want *E
		}{{"GeneratorInv", &consts[1], &k.GeneratorInv}, {"CardinalityInv", &consts[2], &k.CardinalityInv},
			{"CosetShiftInv", &consts[4], &k.CosetShiftInv}} {
			if !PE(c.got).Equal(c.want) {
				return fmt.Errorf("%s = %s, want %s for the domain of size %d and shift %s", c.name, PE(c.got), PE(c.want), req.N, PE(&consts[3]))
			}
		}
		data, err := decode[E]("data", req.Data, req.N)
		if err != nil {
			return err
		}
		var opts []O
		if req.Coset {
			opts = append(opts, b.OnCoset())
		}
		if req.NbTasks > 0 {
			opts = append(opts, b.WithNbTasks(req.NbTasks))
		}
		if req.Inverse {
			b.FFTInverse(dom, data, dec, opts...)
		} else {
			b.FFT(dom, data, dec, opts...)
		}
		copy(req.Data, rawbytes.Of(data))
		return nil
	}
}
