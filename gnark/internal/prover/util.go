package prover

import (
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"time"

	"github.com/consensys/gnark-crypto/ecc"

	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/constraint/solver"

	"github.com/zkaccel/zkaccel"
)

// CheckDevice refuses a device that stands for an invalid ZKACCEL_DEVICE
// up front, before the solver runs.
func CheckDevice(dev zkaccel.Device) error {
	if dev == nil {
		_, err := zkaccel.LookupDefault()
		return err
	}
	return zkaccel.DeviceErr(dev)
}

// Skip returns wires without those whose flag in infinity is set: the
// wires whose basis point is the point at infinity, which the key leaves
// out of its A and B bases. Large inputs are filtered on every core.
// Where no flag is set the result is wires itself, not a copy.
func Skip[E any](wires []E, infinity []bool) []E {
	return SkipIn(nil, 0, wires, infinity)
}

// SkipIn is Skip with its result in slot k of w (nil: a new vector), or
// wires itself where nothing is skipped.
func SkipIn[E any](w *Workspace[E], k int, wires []E, infinity []bool) []E {
	return filter(wires, 0, func(i int) bool { return i < len(infinity) && infinity[i] }, w, k)
}

// PrivateWires returns the wires from nbPublic on, without the private
// wires of the commitments and the commitment wires themselves: the
// scalars of the key's K bases. Without commitments that is
// wires[nbPublic:] itself, not a copy, as gnark's prover takes it.
func PrivateWires[E any](wires []E, nbPublic int, info constraint.Groth16Commitments) []E {
	return PrivateWiresIn(nil, 0, wires, nbPublic, info)
}

// PrivateWiresIn is PrivateWires with its result in slot k of w (nil: a
// new vector), or a part of wires itself where nothing is left out.
func PrivateWiresIn[E any](w *Workspace[E], k int, wires []E, nbPublic int, info constraint.Groth16Commitments) []E {
	from := min(max(nbPublic, 0), len(wires))
	if len(info) == 0 {
		return wires[from:] // nothing to leave out: no vector to allocate, fill and fault in
	}
	drop := make([]bool, len(wires))
	for _, c := range info {
		for _, i := range c.PrivateCommitted {
			if i >= 0 && i < len(drop) {
				drop[i] = true
			}
		}
		if c.CommitmentIndex >= 0 && c.CommitmentIndex < len(drop) {
			drop[c.CommitmentIndex] = true
		}
	}
	return filter(wires, from, func(i int) bool { return drop[i] }, w, k)
}

// filterMin is the fewest wires per range that filter gives a core.
const filterMin = 1 << 14

// filter returns wires[from:] without those for which drop is true, in
// order, in ranges on every core: each range counts what it keeps, the
// counts give each range its place in the result, and each range copies
// its wires there. The result is slot k of w, or a new vector (w nil), or
// wires[from:] itself where drop is true for none: at 2^20 wires a copy is
// 32 MiB allocated and written for nothing (the page faults of fresh
// memory cost this VM about 1 ms a MiB; see Workspace).
func filter[E any](wires []E, from int, drop func(i int) bool, w *Workspace[E], k int) []E {
	n := len(wires) - from
	parts := min(runtime.GOMAXPROCS(0), max(n/filterMin, 1))
	step := (n + parts - 1) / max(parts, 1)
	counts := make([]int, parts+1) // counts[k+1]: range k's kept wires
	each := func(fn func(k, lo, hi int)) {
		Each(parts, func(k int) { fn(k, from+k*step, from+min((k+1)*step, n)) })
	}
	each(func(k, lo, hi int) {
		for i := lo; i < hi; i++ {
			if !drop(i) {
				counts[k+1]++
			}
		}
	})
	for k := range parts {
		counts[k+1] += counts[k]
	}
	if counts[parts] == n {
		return wires[from:]
	}
	var out []E
	if w != nil {
		out = w.Slice(k, counts[parts])
	} else {
		out = make([]E, counts[parts])
	}
	each(func(k, lo, hi int) {
		j := counts[k]
		for i := lo; i < hi; i++ {
			if !drop(i) {
				out[j] = wires[i]
				j++
			}
		}
	})
	return out
}

// Each calls fn(k) for every k < n, each on a goroutine of its own, and
// returns when all have returned.
func Each(n int, fn func(k int)) {
	if n == 1 {
		fn(0)
		return
	}
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(k)
		}()
	}
	wg.Wait()
}

// Clone returns a copy of v, copied on every core.
func Clone[E any](v []E) []E {
	out := make([]E, len(v))
	ParallelRange(len(v), func(lo, hi int) { copy(out[lo:hi], v[lo:hi]) })
	return out
}

// ParallelRange calls fn on [0, n) cut into one range per CPU.
func ParallelRange(n int, fn func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), max(n/1024, 1))
	if parts <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	step := (n + parts - 1) / parts
	for lo := 0; lo < n; lo += step {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, min(lo+step, n))
		}()
	}
	wg.Wait()
}

// Solvable is what a prover needs of a constraint system.
type Solvable interface {
	Solve(witness.Witness, ...solver.Option) (any, error)
}

// Solve runs gnark's solver, turning a panic in it into an error.
func Solve(cs Solvable, w witness.Witness, opts []solver.Option) (sol any, err error) {
	defer func() {
		if v := recover(); v != nil {
			sol, err = nil, fmt.Errorf("solve: panic: %v", v)
		}
	}()
	sol, err = cs.Solve(w, opts...)
	if err != nil {
		return nil, fmt.Errorf("solve: %w", err)
	}
	return sol, nil
}

// DescribeCS names a constraint system's kind and curve, for errors.
func DescribeCS(ccs constraint.ConstraintSystem) string {
	kind := "a constraint system"
	// gnark's per-curve systems are one type for R1CS and SparseR1CS,
	// told apart by the Type field of the embedded constraint.System.
	if v := reflect.ValueOf(ccs); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		if f := v.Elem().FieldByName("Type"); f.IsValid() && f.CanUint() {
			switch constraint.SystemType(f.Uint()) {
			case constraint.SystemR1CS:
				kind = "an R1CS"
			case constraint.SystemSparseR1CS:
				kind = "a PLONK (SparseR1CS) system"
			}
		}
	}
	field := "an unknown field"
	for _, id := range []ecc.ID{ecc.BN254, ecc.BLS12_381, ecc.BLS12_377, ecc.BW6_761, ecc.BLS24_315, ecc.BLS24_317, ecc.BW6_633} {
		if id.ScalarField().Cmp(ccs.Field()) == 0 {
			field = id.String()
			break
		}
	}
	return fmt.Sprintf("%s over %s", kind, field)
}

// Run is the body of a prover's Prove: it applies the prover's options and
// the call's, resets the report, checks the inputs and the device, runs
// prove, again after a device reset as WithResetRetries allows, turns a
// panic into an error, and prefixes every error with
// "zkaccel/gnark/<pkg>: " (and "prove <curve>: " for prove's).
func Run[P any](pkg string, curve ecc.ID, base, call []Option, ccs constraint.ConstraintSystem, w witness.Witness,
	prove func(cfg *Config) (P, error)) (proof P, err error) {
	var zero P
	cfg := Apply(base, call)
	if !cfg.keepReport {
		cfg.Report.Reset()
	}
	if ccs == nil || w == nil {
		return zero, fmt.Errorf("zkaccel/gnark/%s: nil constraint system or witness", pkg)
	}
	if err := CheckDevice(cfg.Device); err != nil {
		return zero, fmt.Errorf("zkaccel/gnark/%s: %w", pkg, err)
	}
	if cfg.Device == nil {
		cfg.Device = resolveDefault(curve, ccs.GetNbConstraints())
	}
	defer func() {
		if v := recover(); v != nil {
			proof, err = zero, fmt.Errorf("zkaccel/gnark/%s: prove %s: panic: %v", pkg, curve, v)
		}
	}()
	if cfg.ResetRetries < 0 {
		return zero, fmt.Errorf("zkaccel/gnark/%s: WithResetRetries(%d): the retries must be 0 or more", pkg, cfg.ResetRetries)
	}
	// prove itself tries again, keeping the solved witness, where it can;
	// a reset that reaches here needs a new solve.
	first := time.Now()
	if proof, err = Retrying(cfg, func() (P, error) { return prove(cfg) }, nil, nil); err != nil {
		return zero, fmt.Errorf("zkaccel/gnark/%s: prove %s: %w", pkg, curve, err)
	}
	if cfg.Retried() > 0 {
		cfg.Report.Finish(curve, time.Since(first)) // the lost attempts too
	}
	return proof, nil
}

// Workspace holds one proof's large vectors, for the later proofs of the
// same prover: a fresh allocation of hundreds of MiB pays its page faults
// and zeroing at every proof (on the 2-thread VM, 128 MiB allocated and
// touched took 157 ms against 2.6 ms reused; BENCHMARKS.md).
type Workspace[E any] struct{ bufs [][]E }

// Slice returns slot k of the workspace with n elements; its contents are
// undefined, so the caller writes every element.
func (w *Workspace[E]) Slice(k, n int) []E {
	for len(w.bufs) <= k {
		w.bufs = append(w.bufs, nil)
	}
	if cap(w.bufs[k]) < n {
		w.bufs[k] = make([]E, n)
	}
	return w.bufs[k][:n]
}

// Workspaces is a prover's free list of workspaces: Get takes one (or a
// new one), Put gives it back for the next proof, keeping at most
// MaxWorkspaces; Drop lets them all go.
type Workspaces[E any] struct {
	mu   sync.Mutex
	free []*Workspace[E]
}

// MaxWorkspaces is the most workspaces a prover keeps between proofs.
const MaxWorkspaces = 2

// Get returns a free workspace, or a new one.
func (p *Workspaces[E]) Get() *Workspace[E] {
	p.mu.Lock()
	defer p.mu.Unlock()
	if k := len(p.free); k > 0 {
		w := p.free[k-1]
		p.free = p.free[:k-1]
		return w
	}
	return &Workspace[E]{}
}

// Put returns w for a later proof. Only a proof that ended well puts its
// workspace back: after an error a device may not be done with it.
func (p *Workspaces[E]) Put(w *Workspace[E]) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) < MaxWorkspaces {
		p.free = append(p.free, w)
	}
}

// Drop lets every free workspace go.
func (p *Workspaces[E]) Drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = nil
}

// PointSet is a set of a key's points loaded for MSMs (msm's PointsG1,
// PointsG2).
type PointSet interface {
	Resident() zkaccel.Device
	Size() int64
}

// Residency sums the sizes of sets: of those kept in a device's memory,
// and of all.
func Residency(sets ...PointSet) (onDevice, all int64) {
	for _, s := range sets {
		all += s.Size()
		if s.Resident() != nil {
			onDevice += s.Size()
		}
	}
	return onDevice, all
}

// FreeKept frees what a device kept for a proof (k may be nil): the
// callers free it where the call that kept it, or a step after it, failed.
func FreeKept(k zkaccel.ResidentPolys) {
	if k != nil {
		k.Free()
	}
}
