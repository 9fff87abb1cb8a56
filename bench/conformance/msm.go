package conformance

import (
	"fmt"
	"slices"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/msm"
	msm377 "github.com/zkaccel/zkaccel/msm/bls12-377"
	msm381 "github.com/zkaccel/zkaccel/msm/bls12-381"
	msmbn "github.com/zkaccel/zkaccel/msm/bn254"
)

// The MSM cases, for each curve and group:
//
//   - random/n=N: random points and scalars, for N = 0, 1, 2, 3 and 2^k−1,
//     2^k, 2^k+1 (the -short set goes up to 2^8+1 for G1, plus 2^10+1, and
//     2^6+1 for G2; the long set to 2^14+1 for G1 and 2^12+1 for G2); the
//     points are independent up to 64, then the steps of a random walk (see
//     internal/inputs), which cost an addition each instead of a scalar
//     multiplication;
//   - edge cases (all in the -short set): equal points, equal points with
//     equal scalars, scalars 0, 1 and r−1 mixed with random ones, all zero,
//     all one, all r−1, a point at infinity among the bases, all points at
//     infinity, P and −P with equal scalars, duplicate points with different
//     scalars, WithNbTasks(1) and (1024), and a nil result pointer.
//
// Each call's result is compared in affine form with (*Jac).MultiExp run
// directly on copies of the inputs; where the answer is known (the identity)
// the reference is checked too. The result pointer is preset to a random
// point so that a device that never writes its result is caught.

// Sizes of the random cases: the -short set's largest 2^k±1 per group, an
// extra -short size for G1, and the long set's largest 2^k±1.
const (
	msmShortLogG1, msmShortLogG2 = 8, 6
	msmShortExtraG1              = 1<<10 + 1
	msmLongLogG1, msmLongLogG2   = 14, 12
)

func init() {
	registerMSM(bind.BN254G1, msmbn.MultiExpG1)
	registerMSM(bind.BN254G2, msmbn.MultiExpG2)
	registerMSM(bind.BLS12381G1, msm381.MultiExpG1)
	registerMSM(bind.BLS12381G2, msm381.MultiExpG2)
	registerMSM(bind.BLS12377G1, msm377.MultiExpG1)
	registerMSM(bind.BLS12377G2, msm377.MultiExpG2)
}

// msmFront is the signature of a front end, e.g. msm/bn254.MultiExpG1.
type msmFront[J, A, S any] func(p *J, points []A, scalars []S, opts ...msm.Option) (*J, error)

// msmSuite builds the checks of one curve group.
type msmSuite[J, A, S any, PJ bind.Jac[J, A, S], PA bind.Affine[A, J], PS bind.Element[S]] struct {
	b     bind.MSM[J, A, S]
	front msmFront[J, A, S]
}

// msmLengths returns 0, 1, 2, 3 and 2^k−1, 2^k, 2^k+1 for 2 ≤ k ≤ maxLog.
func msmLengths(maxLog int) []int {
	out := []int{0, 1, 2, 3}
	for k := 2; k <= maxLog; k++ {
		for _, n := range []int{1<<k - 1, 1 << k, 1<<k + 1} {
			if n > out[len(out)-1] {
				out = append(out, n)
			}
		}
	}
	return out
}

func registerMSM[J, A, S any, PJ bind.Jac[J, A, S], PA bind.Affine[A, J], PS bind.Element[S]](b bind.MSM[J, A, S], front msmFront[J, A, S]) {
	s := &msmSuite[J, A, S, PJ, PA, PS]{b: b, front: front}
	shortLog, longLog, extra := msmShortLogG1, msmLongLogG1, msmShortExtraG1
	if b.Group == zkaccel.G2 {
		shortLog, longLog, extra = msmShortLogG2, msmLongLogG2, -1
	}
	add := func(name string, short bool, check func(*trial) error) {
		register(Case{Op: "msm", Name: b.Name() + "/" + name, Short: short, check: check})
	}
	for _, n := range msmLengths(longLog) {
		add(fmt.Sprintf("random/n=%d", n), n <= 1<<shortLog+1 || n == extra, func(t *trial) error {
			return s.compare(t, "random", b.Walk(t.rng, n), inputs.Elements[S, PS](t.rng, n), msmOpts{})
		})
	}
	for _, c := range []struct {
		name  string
		check func(*trial) error
	}{
		{"equal-points", s.equalPoints},
		{"scalars-edge", s.scalarsEdge},
		{"scalars-constant", s.scalarsConstant},
		{"infinity", s.infinity},
		{"cancel", s.cancel},
		{"duplicates", s.duplicates},
		{"nbtasks", s.nbTasks},
	} {
		add(c.name, true, c.check)
	}
}

// msmOpts are the variations of one call.
type msmOpts struct {
	nbTasks      int  // WithNbTasks(nbTasks) when not 0
	nilP         bool // pass a nil result pointer
	wantIdentity bool // the answer is known to be the identity
}

// compare runs the front end on t.dev and gnark-crypto directly on the same
// points and scalars, and returns an error describing the first difference:
// in the result (normalised to affine), in the caller's inputs, or in the
// returned pointer.
func (s *msmSuite[J, A, S, PJ, PA, PS]) compare(t *trial, variant string, points []A, scalars []S, o msmOpts) error {
	n := len(points)
	label := fmt.Sprintf("msm %s n=%d (%s", s.b.Name(), n, variant)
	if o.nbTasks != 0 {
		label += fmt.Sprintf(", WithNbTasks(%d)", o.nbTasks)
	}
	if o.nilP {
		label += ", nil p"
	}
	label += ")"

	var ref J
	if _, err := PJ(&ref).MultiExp(slices.Clone(points), slices.Clone(scalars), ecc.MultiExpConfig{}); err != nil {
		return fmt.Errorf("%s: gnark-crypto's MultiExp failed: %v", label, err)
	}
	var want A
	PA(&want).FromJacobian(&ref)
	if o.wantIdentity && !PA(&want).IsInfinity() {
		return fmt.Errorf("%s: gnark-crypto returned %s, but the answer is the identity: the reference or the inputs are broken", label, PA(&want))
	}

	argPoints, argScalars := slices.Clone(points), slices.Clone(scalars)
	var p *J
	if !o.nilP {
		// Preset the result to a random point: a device that never writes
		// its result cannot pass for one that wrote the right one.
		p = new(J)
		PJ(p).FromAffine(&s.b.Random(t.rng, 1)[0])
	}
	rep := t.report()
	opts := []msm.Option{msm.WithDevice(t.dev), msm.WithReport(rep)}
	if o.nbTasks != 0 {
		opts = append(opts, msm.WithNbTasks(o.nbTasks))
	}
	got, err := s.front(p, argPoints, argScalars, opts...)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	if err := unmodified("points", argPoints, points); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	if err := unmodified("scalars", argScalars, scalars); err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	switch {
	case rep.N != n:
		return fmt.Errorf("%s: Report.N = %d", label, rep.N)
	case got == nil:
		return fmt.Errorf("%s: returned a nil point and no error", label)
	case p != nil && got != p:
		return fmt.Errorf("%s: returned a pointer other than the p it was given", label)
	}
	var have A
	PA(&have).FromJacobian(got)
	if !PA(&have).Equal(&want) {
		return fmt.Errorf("%s: result differs: got %s, want %s", label, PA(&have), PA(&want))
	}
	return nil
}

// scalar returns the scalar 0, 1 or r−1 for code 0, 1, 2.
func scalar[S any, PS bind.Element[S]](code int) S {
	var x S
	switch code {
	case 1:
		PS(&x).SetOne()
	case 2:
		PS(&x).SetOne()
		PS(&x).Neg(&x)
	}
	return x
}

func constant[T any](n int, v T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// equalPoints: every point equal, with random scalars, then with equal
// scalars too (every bucket addition is a doubling).
func (s *msmSuite[J, A, S, PJ, PA, PS]) equalPoints(t *trial) error {
	const n = 33
	pts := constant(n, s.b.Random(t.rng, 1)[0])
	if err := s.compare(t, "equal points", pts, inputs.Elements[S, PS](t.rng, n), msmOpts{}); err != nil {
		return err
	}
	return s.compare(t, "equal points, equal scalars", pts[:16], constant(16, inputs.Elements[S, PS](t.rng, 1)[0]), msmOpts{})
}

// scalarsEdge: scalars 0, 1 and r−1 at every third index, random elsewhere,
// and the three alone.
func (s *msmSuite[J, A, S, PJ, PA, PS]) scalarsEdge(t *trial) error {
	const n = 64
	sc := inputs.Elements[S, PS](t.rng, n)
	for i := 0; i < n; i += 3 {
		sc[i] = scalar[S, PS](i / 3 % 3)
	}
	if err := s.compare(t, "scalars 0, 1, r−1 mixed with random", s.b.Random(t.rng, n), sc, msmOpts{}); err != nil {
		return err
	}
	three := []S{scalar[S, PS](0), scalar[S, PS](1), scalar[S, PS](2)}
	return s.compare(t, "scalars 0, 1, r−1", s.b.Random(t.rng, 3), three, msmOpts{})
}

// scalarsConstant: every scalar 0 (the identity), every scalar 1, every
// scalar r−1, for one point and for many.
func (s *msmSuite[J, A, S, PJ, PA, PS]) scalarsConstant(t *trial) error {
	for _, n := range []int{1, 17} {
		for code, name := range []string{"every scalar 0", "every scalar 1", "every scalar r−1"} {
			o := msmOpts{wantIdentity: code == 0}
			if err := s.compare(t, name, s.b.Random(t.rng, n), constant(n, scalar[S, PS](code)), o); err != nil {
				return err
			}
		}
	}
	return nil
}

// infinity: one point at infinity, (0, 0), among random ones (first, last
// and in the middle), and every point at infinity.
func (s *msmSuite[J, A, S, PJ, PA, PS]) infinity(t *trial) error {
	const n = 33
	for _, at := range []int{0, 1 + t.rng.Intn(n-2), n - 1} {
		pts := s.b.Random(t.rng, n)
		pts[at] = *new(A)
		if err := s.compare(t, fmt.Sprintf("point %d at infinity", at), pts, inputs.Elements[S, PS](t.rng, n), msmOpts{}); err != nil {
			return err
		}
	}
	for _, n := range []int{1, 16} {
		if err := s.compare(t, "every point at infinity", make([]A, n), inputs.Elements[S, PS](t.rng, n), msmOpts{wantIdentity: true}); err != nil {
			return err
		}
	}
	return nil
}

// cancel: points P and −P with equal scalars, adjacent and half the input
// apart, so that the sum is the identity.
func (s *msmSuite[J, A, S, PJ, PA, PS]) cancel(t *trial) error {
	const half = 16
	ps, ss := s.b.Random(t.rng, half), inputs.Elements[S, PS](t.rng, half)
	adjP, adjS := make([]A, 0, 2*half), make([]S, 0, 2*half)
	for i := range ps {
		var neg A
		PA(&neg).Neg(&ps[i])
		adjP, adjS = append(adjP, ps[i], neg), append(adjS, ss[i], ss[i])
	}
	if err := s.compare(t, "P, −P adjacent with equal scalars", adjP, adjS, msmOpts{wantIdentity: true}); err != nil {
		return err
	}
	apartP := make([]A, 2*half)
	for i := range ps {
		apartP[i], apartP[half+i] = adjP[2*i], adjP[2*i+1]
	}
	return s.compare(t, "P, −P apart with equal scalars", apartP, append(slices.Clone(ss), ss...), msmOpts{wantIdentity: true})
}

// duplicates: five points repeated cyclically with different scalars.
func (s *msmSuite[J, A, S, PJ, PA, PS]) duplicates(t *trial) error {
	const n = 64
	few := s.b.Random(t.rng, 5)
	pts := make([]A, n)
	for i := range pts {
		pts[i] = few[i%len(few)]
	}
	return s.compare(t, "5 points repeated, different scalars", pts, inputs.Elements[S, PS](t.rng, n), msmOpts{})
}

// nbTasks: WithNbTasks(1) and WithNbTasks(1024) give gnark-crypto's answer
// (computed with its default), and a nil p is allocated.
func (s *msmSuite[J, A, S, PJ, PA, PS]) nbTasks(t *trial) error {
	const n = 300
	pts, sc := s.b.Random(t.rng, n), inputs.Elements[S, PS](t.rng, n)
	for _, o := range []msmOpts{{nbTasks: 1}, {nbTasks: 1024}, {nilP: true}} {
		if err := s.compare(t, "random", pts, sc, o); err != nil {
			return err
		}
	}
	return nil
}
