package bench

import (
	"crypto/sha256"
	"math/rand"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/keccak"
)

// keccakTarget is the one target of the Keccak workloads.
const keccakTarget = "keccak256"

// keccakMsgLen is the length of each message of the sum256 workload: two
// 32-byte words, as a Merkle parent or an Ethereum mapping slot hashes.
const keccakMsgLen = 64

// keccakWorkloads returns the Keccak workloads, on uniform random bytes:
//
//   - sum256-64B: keccak.Sum256Batch of 2^k messages of 64 bytes;
//   - f1600: keccak.PermuteBatch of 2^k states, in place;
//   - merkle: keccak.MerkleRoot of 2^k leaves of 32 bytes.
func keccakWorkloads() []*workload {
	return []*workload{
		{op: OpKeccak, target: keccakTarget, variant: "sum256-64B", items: perItem, check: anySize,
			prepare: func(rng *rand.Rand, logN int) instance {
				n := 1 << logN
				data := make([]byte, n*keccakMsgLen)
				inputs.Bytes(rng, data)
				msgs := make([][]byte, n)
				for i := range msgs {
					msgs[i] = data[i*keccakMsgLen : (i+1)*keccakMsgLen : (i+1)*keccakMsgLen]
				}
				return &keccakSumInstance{msgs: msgs}
			}},
		{op: OpKeccak, target: keccakTarget, variant: "f1600", items: perItem, check: anySize,
			prepare: func(rng *rand.Rand, logN int) instance {
				in := make([][25]uint64, 1<<logN)
				inputs.Bytes(rng, rawbytes.Of(in))
				return &keccakPermInstance{input: in, work: make([][25]uint64, len(in))}
			}},
		{op: OpKeccak, target: keccakTarget, variant: "merkle", items: perNode, check: anySize,
			prepare: func(rng *rand.Rand, logN int) instance {
				leaves := make([][32]byte, 1<<logN)
				inputs.Bytes(rng, rawbytes.Of(leaves))
				return &keccakMerkleInstance{leaves: leaves}
			}},
	}
}

// keccakSumInstance is one Keccak-256 batch: its messages and digests.
type keccakSumInstance struct {
	msgs [][]byte
	out  [][32]byte
}

func (k *keccakSumInstance) reset() { k.out = nil }

func (k *keccakSumInstance) run(dev zkaccel.Device, rep *zkaccel.Report) (err error) {
	k.out, err = keccak.Sum256Batch(k.msgs, keccak.WithDevice(dev), keccak.WithReport(rep))
	return err
}

func (k *keccakSumInstance) digest() []byte {
	sum := sha256.Sum256(rawbytes.Of(k.out))
	return sum[:]
}

// keccakPermInstance is one Keccak-f[1600] batch: the states drawn, and the
// buffer each run permutes in place.
type keccakPermInstance struct {
	input, work [][25]uint64
}

func (k *keccakPermInstance) reset() { copy(k.work, k.input) }

func (k *keccakPermInstance) run(dev zkaccel.Device, rep *zkaccel.Report) error {
	return keccak.PermuteBatch(k.work, keccak.WithDevice(dev), keccak.WithReport(rep))
}

func (k *keccakPermInstance) digest() []byte {
	sum := sha256.Sum256(rawbytes.Of(k.work))
	return sum[:]
}

// keccakMerkleInstance is one Keccak-256 Merkle tree: its leaves and root.
type keccakMerkleInstance struct {
	leaves [][32]byte
	root   [32]byte
}

func (k *keccakMerkleInstance) reset() { k.root = [32]byte{} }

func (k *keccakMerkleInstance) run(dev zkaccel.Device, rep *zkaccel.Report) (err error) {
	k.root, err = keccak.MerkleRoot(k.leaves, keccak.WithDevice(dev), keccak.WithReport(rep))
	return err
}

func (k *keccakMerkleInstance) digest() []byte { return append([]byte(nil), k.root[:]...) }
