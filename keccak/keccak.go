package keccak

import (
	"fmt"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
	"github.com/zkaccel/zkaccel/internal/parallel"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// The operation names, as in errors and reports.
const (
	opSum256  = "keccak256"
	opPermute = "keccak-f1600"
	opMerkle  = "merkle keccak256"
)

// minWork is the fewest permutations one goroutine of a CPU batch runs:
// about 10 µs, well above the cost of starting it.
const minWork = 32

// Sum256Batch returns the Keccak-256 digest of every message, in order:
// out[i] is Ethereum's keccak256(msgs[i]), what golang.org/x/crypto/sha3's
// NewLegacyKeccak256 returns (the original Keccak padding, not SHA3-256's),
// for every length including 0 and the rate boundary, 136 bytes. A nil
// message is the empty message; a nil or empty batch gives an empty result.
// The messages are not modified.
//
// It runs on the device of WithDevice, else on zkaccel.Default(), and falls
// back to the CPU where that device lacks the operation. On the CPU the
// messages are hashed where they lie, on up to WithNbTasks goroutines; a
// device receives them concatenated into one buffer. Not constant-time.
func Sum256Batch(msgs [][]byte, opts ...Option) ([][32]byte, error) {
	out := make([][32]byte, len(msgs))
	if err := Sum256BatchInto(out, msgs, opts...); err != nil {
		return nil, err
	}
	return out, nil
}

// Sum256BatchInto is [Sum256Batch] writing the digests into out, which must
// have len(msgs) entries, instead of allocating them: a prover that hashes
// batch after batch can reuse one output buffer and spare the garbage
// collector (on a two-core machine its background work otherwise takes a
// visible share of the second core). On error out's contents are
// unspecified.
func Sum256BatchInto(out [][32]byte, msgs [][]byte, opts ...Option) error {
	cfg := dispatch.Apply(opts)
	n, nbTasks := len(msgs), cfg.NbTasks
	if len(out) != n {
		return fmt.Errorf("zkaccel: %s: %d messages but room for %d digests", opSum256, n, len(out))
	}
	cpu := func() error {
		sumBatch(msgs, out, nbTasks)
		return nil
	}
	accel := func(dev zkaccel.Device) error {
		kd, ok := dev.(zkaccel.KeccakDevice)
		if !ok {
			return dispatch.Unsupported(dev, opSum256)
		}
		if n == 0 {
			return nil // nothing for a device to do
		}
		data, offsets := concat(msgs)
		res := rawbytes.Of(out)
		rawbytes.Poison(res)
		req := zkaccel.KeccakRequest{N: n, Data: data, Offsets: offsets, Out: res, NbTasks: nbTasks}
		return kd.Keccak256(&req)
	}
	return dispatch.Run(&cfg, opSum256, n, accel, cpu)
}

// sumBatch sets out[i] = sum256(msgs[i]) on up to nbTasks goroutines.
func sumBatch(msgs [][]byte, out [][32]byte, nbTasks int) {
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	// Permutations per message, on average, to size the chunks.
	perMsg := 1
	if len(msgs) > 0 {
		perMsg += total / len(msgs) / rate
	}
	parallel.Execute(len(msgs), nbTasks, minWork/perMsg, func(start, end int) {
		for i := start; i < end; i++ {
			out[i] = sum256(msgs[i])
		}
	})
}

// concat returns the messages concatenated and the n+1 offsets that
// delimit them, as zkaccel.KeccakRequest has them.
func concat(msgs [][]byte) ([]byte, []int) {
	offsets := make([]int, len(msgs)+1)
	total := 0
	for i, m := range msgs {
		offsets[i] = total
		total += len(m)
	}
	offsets[len(msgs)] = total
	data := make([]byte, 0, total)
	for _, m := range msgs {
		data = append(data, m...)
	}
	return data, offsets
}

// PermuteBatch applies Keccak-f[1600] (FIPS 202's Keccak-p[1600, 24], the
// permutation of Keccak-256 and SHA-3) to every state, in place. Lane (x, y)
// of a state is states[i][x+5y]; viewed as bytes, lane j holds bytes
// 8j … 8j+7 of the state, least significant first, as FIPS 202 and XKCP
// number them. A nil or empty batch does nothing.
//
// It runs on the device of WithDevice, else on zkaccel.Default(), and falls
// back to the CPU where that device lacks the operation; on the CPU it uses
// up to WithNbTasks goroutines. A device permutes the caller's states where
// they lie: if it fails (an error that is not an ErrUnsupported fallback),
// the states may have been partly permuted. Not constant-time.
func PermuteBatch(states [][25]uint64, opts ...Option) error {
	cfg := dispatch.Apply(opts)
	n, nbTasks := len(states), cfg.NbTasks
	cpu := func() error {
		parallel.Execute(n, nbTasks, minWork, func(start, end int) {
			for i := start; i < end; i++ {
				permute(&states[i])
			}
		})
		return nil
	}
	accel := func(dev zkaccel.Device) error {
		kd, ok := dev.(zkaccel.KeccakDevice)
		if !ok {
			return dispatch.Unsupported(dev, opPermute)
		}
		if n == 0 {
			return nil
		}
		// The view is little-endian lanes on the little-endian hosts that
		// device backends run on, as zkaccel.KeccakPermuteRequest requires.
		req := zkaccel.KeccakPermuteRequest{N: n, States: rawbytes.Of(states), NbTasks: nbTasks}
		return kd.KeccakF1600(&req)
	}
	return dispatch.Run(&cfg, opPermute, n, accel, cpu)
}
