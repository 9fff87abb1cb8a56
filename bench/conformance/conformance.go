// Package conformance is zkaccel's conformance suite as a library: every
// check that a device must pass to be trusted, runnable from `go test`
// (through internal/devtest.ForEachDevice) and from `zkaccel conformance`
// outside of it. Each check compares a front end running on the device
// against gnark-crypto called directly on the same seeded inputs, after
// normalising points to affine, checks that the caller's inputs were left
// unmodified, and checks the call's zkaccel.Report. The prover checks
// (prove.go) prove with zkaccel's gnark provers on the device and have
// gnark's verifier judge the proofs.
package conformance

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand"
	"slices"
	"strings"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
)

// Case is one conformance check.
type Case struct {
	Op    string // the operation family: "msm", "ntt"
	Name  string // unique within Op, "/"-separated: "bn254/g1/random/n=1025"
	Short bool   // part of the -short set (every case runs in the long set)
	// Run performs the check on dev with inputs drawn from seed and returns
	// nil or an error that says what differed.
	Run func(dev zkaccel.Device, seed int64) error

	check func(t *trial) error // the check behind Run and RunReports
}

// FullName is Op + "/" + Name.
func (c Case) FullName() string { return c.Op + "/" + c.Name }

// RunReports is Run that also returns the zkaccel.Report of every front-end
// call the check made, in order, so that a caller can tell which calls ran
// on dev and which fell back to the CPU. A Case built without the suite's
// machinery returns no reports.
func (c Case) RunReports(dev zkaccel.Device, seed int64) ([]zkaccel.Report, error) {
	if c.check == nil {
		return nil, c.Run(dev, seed)
	}
	t := &trial{dev: dev, rng: inputs.NewRand(caseSeed(seed, c.FullName()))}
	err := t.guard(c.check)
	reps := make([]zkaccel.Report, len(t.reports))
	for i, r := range t.reports {
		reps[i] = *r
	}
	return reps, err
}

// caseSeed derives a case's own seed, so that cases draw different inputs
// from one suite seed.
func caseSeed(seed int64, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return seed ^ int64(h.Sum64())
}

var registry []Case

// register adds checks to the suite; the per-op files call it from init.
func register(cs ...Case) {
	for _, c := range cs {
		if c.Run == nil && c.check != nil {
			c.Run = func(dev zkaccel.Device, seed int64) error {
				_, err := c.RunReports(dev, seed)
				return err
			}
		}
		registry = append(registry, c)
	}
}

// opOrder is the order in which Ops and Cases list the operation families;
// any other op follows, alphabetically.
var opOrder = []string{"msm", "ntt", "poseidon", "poseidon2", "keccak", "groth16", "plonk"}

func opRank(op string) int {
	if i := slices.Index(opOrder, op); i >= 0 {
		return i
	}
	return len(opOrder)
}

// Ops lists the operation families the suite covers: msm, ntt, poseidon,
// poseidon2, keccak, and the provers groth16 and plonk.
func Ops() []string {
	var out []string
	for _, c := range registry {
		if !slices.Contains(out, c.Op) {
			out = append(out, c.Op)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int {
		if ra, rb := opRank(a), opRank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return out
}

// Cases returns the suite's cases for the given ops (all ops when none),
// only the Short ones when short is set, in a stable order.
func Cases(short bool, ops ...string) []Case {
	want := map[string]bool{}
	for _, o := range ops {
		want[o] = true
	}
	var out []Case
	for _, c := range registry {
		if (len(ops) == 0 || want[c.Op]) && (!short || c.Short) {
			out = append(out, c)
		}
	}
	// Group by op in Ops order; within an op, registration order.
	slices.SortStableFunc(out, func(a, b Case) int { return opRank(a.Op) - opRank(b.Op) })
	return out
}

// trial is one run of a check: the device under test, the case's random
// source, and the reports of the front-end calls made so far.
type trial struct {
	dev     zkaccel.Device
	rng     *rand.Rand
	reports []*zkaccel.Report
}

// report returns a fresh Report for one front-end call (for WithReport)
// and records it.
func (t *trial) report() *zkaccel.Report {
	r := new(zkaccel.Report)
	t.reports = append(t.reports, r)
	return r
}

// guard runs check, turning a panic (of a front end or a device backend)
// into an error, and then checks every report the check collected.
func (t *trial) guard(check func(*trial) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	if err := check(t); err != nil {
		return err
	}
	for i, r := range t.reports {
		if err := checkReport(r, t.dev); err != nil {
			return fmt.Errorf("call %d (%s n=%d): report: %w", i, r.Op, r.N, err)
		}
	}
	return nil
}

// checkReport checks that r, filled in by a successful call on dev, is
// consistent: dev was requested, and either dev ran the call or it fell back
// to the CPU for a reason wrapping zkaccel.ErrUnsupported.
func checkReport(r *zkaccel.Report, dev zkaccel.Device) error {
	switch {
	case r.Op == "":
		return errors.New("not filled in")
	case r.Requested != dev:
		return fmt.Errorf("Requested = %v, want %v", r.Requested, dev)
	case r.Ran == nil:
		return errors.New("Ran = nil")
	case r.Fallback && r.Ran != zkaccel.HostCPU():
		return fmt.Errorf("Fallback with Ran = %v, want the CPU", r.Ran)
	case r.Fallback && !errors.Is(r.Reason, zkaccel.ErrUnsupported):
		return fmt.Errorf("Fallback for a reason that is not ErrUnsupported: %v", r.Reason)
	case !r.Fallback && r.Ran != dev:
		return fmt.Errorf("Ran = %v without Fallback, want %v", r.Ran, dev)
	case !r.Fallback && r.Reason != nil:
		return fmt.Errorf("Reason = %v without Fallback", r.Reason)
	}
	return nil
}
