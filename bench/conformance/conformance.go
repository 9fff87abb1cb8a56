// Package conformance is zkaccel's conformance suite as a library: every
// check that a device must pass to be trusted, runnable from `go test`
// (through internal/devtest.ForEachDevice) and from `zkaccel conformance`
// outside of it. Each check compares a front end running on the device
// against gnark-crypto called directly on the same seeded inputs, after
// normalising points to affine.
package conformance

import (
	"github.com/zkaccel/zkaccel"
)

// Case is one conformance check.
type Case struct {
	Op    string // the operation family: "msm", "ntt"
	Name  string // unique within Op, "/"-separated: "bn254/g1/random/n=1025"
	Short bool   // part of the -short set (every case runs in the long set)
	// Run performs the check on dev with inputs drawn from seed and returns
	// nil or an error that says what differed.
	Run func(dev zkaccel.Device, seed int64) error
}

// FullName is Op + "/" + Name.
func (c Case) FullName() string { return c.Op + "/" + c.Name }

var registry []Case

// register adds cases to the suite; the per-op files call it from init.
func register(cs ...Case) { registry = append(registry, cs...) }

// Ops lists the operation families the suite covers.
func Ops() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range registry {
		if !seen[c.Op] {
			seen[c.Op] = true
			out = append(out, c.Op)
		}
	}
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
	return out
}
