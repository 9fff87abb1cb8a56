package poseidon2x

import (
	"fmt"
	"slices"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon"
)

// Front is one field's Poseidon2 batch front end, as errors, reports and
// devices see it.
type Front struct {
	Op    string        // the operation's name in errors and reports: "poseidon2 babybear"
	Field zkaccel.Field // the field of its device requests
	// SharedDiag says that the instances' Diag is a table shared by every
	// call: a device, which might write its inputs, gets a copy.
	SharedDiag bool
}

// Fail returns err, the error of an invalid call, prefixed with the
// operation.
func (f *Front) Fail(err error) error { return fmt.Errorf("zkaccel: %s: %w", f.Op, err) }

// Instance is a field's checked Poseidon2 instance, as [Permute] runs it:
// the field packages implement it with their (generated) p2Instance.
type Instance[E any] interface {
	// Shape returns the width, the numbers of full and partial rounds, the
	// round keys flattened (see [Flatten]) and the internal matrix's
	// diagonal minus one (empty where the matrix is fixed).
	Shape() (t, rf, rp int, keys, diag []E)
	// PermuteBatch permutes every t-element chunk of states in place on the
	// CPU, on up to nbTasks goroutines (0: one per CPU).
	PermuteBatch(states []E, nbTasks int)
}

// Permute is the body of every field's Permute2: it applies in's
// permutation to every consecutive t elements of states, in place, on the
// device that opts choose (else zkaccel.Default()), falling back to
// in.PermuteBatch on the CPU where that device lacks the operation. A
// length that is not a multiple of the width, and invalid options, are
// errors that leave states unmodified; an empty states asks no device for
// anything.
func Permute[E any](f *Front, in Instance[E], states []E, opts []poseidon.Option) error {
	cfg := dispatch.Apply(opts)
	t, rf, rp, keys, diag := in.Shape()
	if len(states)%t != 0 {
		return f.Fail(fmt.Errorf("len(states) = %d is not a multiple of the width %d", len(states), t))
	}
	n, nbTasks := len(states)/t, cfg.NbTasks
	cpu := func() error {
		in.PermuteBatch(states, nbTasks)
		return nil
	}
	accel := func(dev zkaccel.Device) error {
		pd, ok := dev.(zkaccel.PoseidonDevice)
		if !ok {
			return dispatch.Unsupported(dev, f.Op)
		}
		if n == 0 {
			return nil // nothing for a device to do
		}
		if f.SharedDiag {
			diag = slices.Clone(diag)
		}
		req := zkaccel.Poseidon2Request{
			Field: f.Field, Width: t,
			NbFullRounds: rf, NbPartialRounds: rp,
			RoundKeys: rawbytes.Of(keys), DiagM1: rawbytes.Of(diag),
			N: n, States: rawbytes.Of(states), NbTasks: nbTasks,
		}
		return pd.Poseidon2(&req)
	}
	return dispatch.Run(&cfg, f.Op, n, accel, cpu)
}
