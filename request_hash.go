package zkaccel

// Hash requests. Like MSMRequest and NTTRequest, every buffer is a byte view
// of the caller's values with no conversion (field elements in gnark-crypto's
// Montgomery form), and a device that does not run a request returns an error
// wrapping ErrUnsupported *before* writing any output, so that the front end
// can fall back to the CPU on untouched inputs.

// PoseidonVariant names a Poseidon instance whose constants are fixed by a
// published specification; a device embeds (or derives) them.
type PoseidonVariant string

// The fixed-constant Poseidon instances zkaccel runs.
const (
	// PoseidonCircom is circomlib's Poseidon over BN254's Fr: width
	// t = nInputs+1 (2…17), 8 full rounds, x^5, state[0] out.
	PoseidonCircom PoseidonVariant = "circom"
	// PoseidonHermez is Polygon Hermez's Poseidon over Goldilocks: width 12
	// (8 inputs, 4 capacity), 8 full and 22 partial rounds, x^7, 4 outputs.
	PoseidonHermez PoseidonVariant = "hermez"
)

// PoseidonRequest is a batch of N fixed-constant Poseidon hashes.
type PoseidonRequest struct {
	Variant PoseidonVariant
	Field   Field
	Width   int    // the permutation's width t
	N       int    // number of hashes, ≥ 1
	In      []byte // N × InLen elements, hash after hash
	InLen   int    // elements per hash (circom: t−1; hermez: 12)
	Out     []byte // N × OutLen elements, written by the device
	OutLen  int    // elements out per hash (circom: 1; hermez: 4)
	NbTasks int
}

// Poseidon2Request is a batch of N Poseidon2 permutations with parameters
// given by value (gnark-crypto's poseidon2.Parameters), in place.
type Poseidon2Request struct {
	Field                         Field
	Width                         int
	NbFullRounds, NbPartialRounds int
	// RoundKeys holds every round's keys in round order, concatenated:
	// Width keys for each full round, one for each partial round.
	RoundKeys []byte
	// DiagM1 is the internal matrix's diagonal minus one (Width elements), or
	// nil where the width uses the fixed small matrices of gnark-crypto
	// (BN254 t = 2, 3; see its poseidon2 package).
	DiagM1 []byte
	N      int    // number of states
	States []byte // N × Width elements, permuted in place
	// A backend that caches parameters keys its cache on their values.
	NbTasks int
}

// PoseidonDevice is implemented by devices that run Poseidon-family batches.
type PoseidonDevice interface {
	Device
	Poseidon(req *PoseidonRequest) error
	Poseidon2(req *Poseidon2Request) error
}

// KeccakRequest is a batch of N Keccak-256 (Ethereum, 0x01 padding) digests
// of variable-length messages.
type KeccakRequest struct {
	N       int
	Data    []byte // the messages, concatenated
	Offsets []int  // N+1 offsets: message i is Data[Offsets[i]:Offsets[i+1]]
	Out     []byte // N × 32 bytes, written by the device
	NbTasks int
}

// KeccakPermuteRequest is a batch of N Keccak-f[1600] permutations in place.
type KeccakPermuteRequest struct {
	N       int
	States  []byte // N × 25 little-endian uint64 lanes (200 bytes per state)
	NbTasks int
}

// PartialDevice is implemented by devices that run only some of the
// operations (an FPGA's bitstream holds a few cores): Supports reports
// whether the device runs op, one of "msm", "ntt", "poseidon",
// "poseidon2", "keccak", entirely, or, for op "<op>/<family>" (such as
// "poseidon2/goldilocks"), that operation for one curve or field. The
// conformance suite then requires only those to run on the device when
// ZKACCEL_REQUIRE names it.
type PartialDevice interface {
	Device
	Supports(op string) bool
}

// KeccakDevice is implemented by devices that run Keccak batches.
type KeccakDevice interface {
	Device
	Keccak256(req *KeccakRequest) error
	KeccakF1600(req *KeccakPermuteRequest) error
}

// MerkleHash names the 2-to-1 compression of a Merkle tree.
type MerkleHash string

// The Merkle trees zkaccel builds.
const (
	MerkleKeccak256           MerkleHash = "keccak256"       // 32-byte nodes, parent = Keccak-256(left ‖ right)
	MerklePoseidon2BN254      MerkleHash = "poseidon2-bn254" // Fr nodes, gnark-crypto's Poseidon2 compression (t = 2)
	MerklePoseidonCircomBN254 MerkleHash = "circom-bn254"    // Fr nodes, parent = circom Poseidon(left, right)
)

// MerkleRequest builds a binary Merkle tree over N leaves.
type MerkleRequest struct {
	Hash     MerkleHash
	NodeSize int    // bytes per node
	N        int    // number of leaves
	Leaves   []byte // N × NodeSize
	// Params carries the compression's parameters where it has any (the
	// Poseidon2 round keys, laid out as in Poseidon2Request.RoundKeys).
	Params []byte
	// NbFullRounds and NbPartialRounds are the Poseidon2 round counts
	// (MerklePoseidon2BN254 only: the compression has width 2, and Params
	// alone cannot tell 2·NbFullRounds + NbPartialRounds keys apart).
	NbFullRounds, NbPartialRounds int
	// Out receives every layer above the leaves, bottom-up, concatenated
	// (N/2 nodes, then N/4, …, then the root), as the front end documents.
	Out     []byte
	NbTasks int
}

// MerkleDevice is implemented by devices that build Merkle trees.
type MerkleDevice interface {
	Device
	Merkle(req *MerkleRequest) error
}
