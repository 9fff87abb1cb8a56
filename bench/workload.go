package bench

import (
	"fmt"
	"hash/fnv"
	"math/rand"
	"slices"

	"github.com/zkaccel/zkaccel"
)

// The operations [Run] measures. For the hash operations the size 2^k is
// the batch: 2^k hashes, permutations, or Merkle leaves.
const (
	OpMSM = "msm" // multi-scalar multiplication: msm/<curve>.MultiExpG1 or MultiExpG2
	OpNTT = "ntt" // forward FFT, DIF: ntt/<field>.FFT on fft.NewDomain(2^k)
	// OpPoseidon is fixed-constant Poseidon: circomlib's 2-input hash over
	// BN254 (poseidon/bn254.PoseidonBatch, target bn254, variant circom-2)
	// and Polygon Hermez's 12-element hash over Goldilocks
	// (poseidon/goldilocks.HashHermezBatch, target goldilocks, variant
	// hermez).
	OpPoseidon = "poseidon"
	// OpPoseidon2 is the Poseidon2 permutation, Permute2 of
	// poseidon/<field> on 2^k states in place with gnark-crypto's
	// parameters (targets bn254, goldilocks, babybear, koalabear; variant
	// t=<width>), and on BN254 also the Merkle root of 2^k leaves with
	// gnark-crypto's default width-2 compression (variant merkle,
	// poseidon/bn254.MerkleRootPoseidon2).
	OpPoseidon2 = "poseidon2"
	// OpKeccak is Keccak-256 (target keccak256): keccak.Sum256Batch of
	// 64-byte messages (variant sum256-64B), keccak.PermuteBatch
	// (Keccak-f[1600], variant f1600) and keccak.MerkleRoot (variant
	// merkle).
	OpKeccak = "keccak"
)

// Ops lists the operations [Run] measures.
func Ops() []string {
	return []string{OpMSM, OpNTT, OpPoseidon, OpPoseidon2, OpKeccak, OpGroth16, OpPlonk}
}

// DefaultOps lists the operations [Run] measures when a [Config] names none:
// msm and ntt. The hash operations are measured when asked for.
func DefaultOps() []string { return []string{OpMSM, OpNTT} }

// HashOps lists the hash operations: poseidon, poseidon2, keccak.
func HashOps() []string { return []string{OpPoseidon, OpPoseidon2, OpKeccak} }

// Targets lists the targets of a hash operation, in the order [Run]
// measures them: for poseidon and poseidon2 the fields (which
// [Config].Fields selects from), for keccak its one target, keccak256. It
// returns nil for another operation (an MSM's targets are [Curves], an
// NTT's [Fields]).
func Targets(op string) []string {
	var out []string
	for _, w := range hashWorkloads() {
		if w.op == op && !slices.Contains(out, w.target) {
			out = append(out, w.target)
		}
	}
	return out
}

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

// preparer is an instance with untimed work to do on a device before its
// warm-up: a prover's key loaded there (its bases, and on a GPU their
// window multiples). measure runs it first, so that the warm-up, which
// caps the timed runs at --max-time, is one call like the others.
type preparer interface {
	// prepare reports whether it had anything to do on dev, and then the
	// size of what it loaded there (a key's points) that dev keeps in its
	// memory, and of all it loaded, in bytes.
	prepare(dev zkaccel.Device) (loaded bool, onDevice, all int64, err error)
	// release frees what prepare holds on every device, once the
	// instance is measured.
	release()
}

// workload is one operation on one curve group or field.
type workload struct {
	op      string
	target  string // curve or field
	variant string // "g1", "g2", "fft-dif", "t=3", "merkle", …
	// field is the field that [Config].Fields selects the workload by, for
	// the Poseidon workloads; "" for a workload no field list filters.
	field zkaccel.Field
	// items, when not nil, is the number of hashes (or permutations, or
	// Merkle compressions) one call computes at size 2^logN, for
	// Result.ItemsPerSecond.
	items func(logN int) int
	// check reports whether the workload exists at size 2^logN (an NTT
	// needs a root of unity of that order).
	check func(logN int) error
	// prepare draws the inputs of size 2^logN from rng.
	prepare func(rng *rand.Rand, logN int) instance
	// preparing says what prepare does, for the progress output; ""
	// means "drawing inputs".
	preparing string
}

// perItem is the items func of a workload that computes one hash (or
// permutation) per element of its batch.
func perItem(logN int) int { return 1 << logN }

// perNode is the items func of a Merkle workload: 2^k leaves take 2^k − 1
// compressions.
func perNode(logN int) int { return 1<<logN - 1 }

// anySize is the check of a workload that exists at every size.
func anySize(int) error { return nil }

// proof reports whether w is a proof operation (ProofOps).
func (w *workload) proof() bool { return slices.Contains(ProofOps(), w.op) }

// name is e.g. "msm bn254 g1".
func (w *workload) name() string { return w.op + " " + w.target + " " + w.variant }

// seed derives the seed of w's inputs at size logN from the run's seed, so
// that a workload's inputs do not depend on which others run with it.
func (w *workload) seed(seed int64, logN int) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", w.name(), logN)
	return seed ^ int64(h.Sum64())
}

// hashWorkloads returns every workload of the hash operations, in the
// order [Run] measures them.
func hashWorkloads() []*workload {
	var out []*workload
	out = append(out, poseidonWorkloads()...)
	out = append(out, poseidon2Workloads()...)
	return append(out, keccakWorkloads()...)
}
