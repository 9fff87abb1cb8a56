package bench

import (
	"fmt"
	"hash/fnv"
	"math/rand"

	"github.com/zkaccel/zkaccel"
)

// The operations [Run] measures.
const (
	OpMSM = "msm" // multi-scalar multiplication: msm/<curve>.MultiExpG1 or MultiExpG2
	OpNTT = "ntt" // forward FFT, DIF: ntt/<field>.FFT on fft.NewDomain(2^k)
)

// Ops lists the operations [Run] measures.
func Ops() []string { return []string{OpMSM, OpNTT} }

// Curves lists the curves whose MSM [Run] measures.
func Curves() []zkaccel.Curve {
	return []zkaccel.Curve{zkaccel.BN254, zkaccel.BLS12381, zkaccel.BLS12377}
}

// Fields lists the fields whose NTT [Run] measures.
func Fields() []zkaccel.Field {
	return []zkaccel.Field{
		zkaccel.FieldBN254, zkaccel.FieldBLS12381, zkaccel.FieldBLS12377,
		zkaccel.FieldGoldilocks, zkaccel.FieldBabyBear, zkaccel.FieldKoalaBear,
	}
}

// instance is one workload's inputs at one size, ready to run on any device.
type instance interface {
	// reset restores the inputs that a run overwrites (an NTT works in
	// place); it is not timed.
	reset()
	// run makes the timed front-end call on dev, filling rep.
	run(dev zkaccel.Device, rep *zkaccel.Report) error
	// digest fingerprints the last run's output, so that devices can be
	// compared with the CPU.
	digest() []byte
}

// workload is one operation on one curve group or field.
type workload struct {
	op      string
	target  string // curve or field
	variant string // "g1", "g2", "fft-dif"
	// check reports whether the workload exists at size 2^logN (an NTT
	// needs a root of unity of that order).
	check func(logN int) error
	// prepare draws the inputs of size 2^logN from rng.
	prepare func(rng *rand.Rand, logN int) instance
}

// name is e.g. "msm bn254 g1".
func (w *workload) name() string { return w.op + " " + w.target + " " + w.variant }

// seed derives the seed of w's inputs at size logN from the run's seed, so
// that a workload's inputs do not depend on which others run with it.
func (w *workload) seed(seed int64, logN int) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", w.name(), logN)
	return seed ^ int64(h.Sum64())
}
