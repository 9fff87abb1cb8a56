package bn254

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
	"github.com/zkaccel/zkaccel/internal/parallel"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon"
)

// opCircom names circomlib's Poseidon in errors and reports.
const opCircom = "poseidon circom bn254"

// circomMinChunk is the fewest hashes a goroutine of a batch's CPU path
// computes: a hash takes microseconds, far more than starting a goroutine.
const circomMinChunk = 16

// Poseidon returns circomlib's Poseidon hash of 1 to 16 field elements: the
// Poseidon permutation of width t = len(inputs)+1 over BN254's Fr (x^5,
// 8 full rounds, circomlib's partial rounds for t, its constants) applied to
// the state [0, inputs...], whose first element is the hash. It equals
// circomlib's Poseidon(nInputs) template, circomlibjs's poseidon and
// go-iden3-crypto's poseidon.Hash. It computes on the calling goroutine,
// without allocating; batches go to a device with [PoseidonBatch].
//
// The first call for a given number of inputs derives that width's
// constants (well under a millisecond for 2 inputs, a few for 16).
// Not constant-time.
func Poseidon(inputs ...fr.Element) (fr.Element, error) {
	n := len(inputs)
	if n < 1 || n > circomMaxInputs {
		return fr.Element{}, fmt.Errorf("zkaccel: %s: %d inputs, want 1 to %d", opCircom, n, circomMaxInputs)
	}
	p, err := circomParamsFor(n + 1)
	if err != nil {
		return fr.Element{}, fmt.Errorf("zkaccel: %s: constants of width %d: %w", opCircom, n+1, err)
	}
	return p.hash(inputs), nil
}

// hash returns the Poseidon hash of in (len(in) = p.t − 1).
func (p *circomParams) hash(in []fr.Element) fr.Element {
	var s circomState
	copy(s[1:p.t], in)
	p.permute(&s)
	return s[0]
}

// PoseidonBatch returns the circomlib Poseidon hashes (see [Poseidon]) of
// every inputs[i], in order. Every inputs[i] must have the same length, 1 to
// 16; an empty (or nil) inputs gives an empty result and no error. The
// inputs are not modified.
//
// It runs on the device of poseidon.WithDevice, else on zkaccel.Default(),
// as one zkaccel.PoseidonRequest (variant zkaccel.PoseidonCircom), and falls
// back to the CPU where that device lacks it; on the CPU the batch is split
// over poseidon.WithNbTasks goroutines (by default one per CPU), each
// hashing 64 inputs at a time with AVX-512 IFMA where the CPU has it.
// Not constant-time.
func PoseidonBatch(inputs [][]fr.Element, opts ...poseidon.Option) ([]fr.Element, error) {
	cfg := dispatch.Apply(opts)
	n := len(inputs)
	inLen := 0
	if n > 0 {
		inLen = len(inputs[0])
		if inLen < 1 || inLen > circomMaxInputs {
			return nil, fmt.Errorf("zkaccel: %s: inputs[0] has %d elements, want 1 to %d", opCircom, inLen, circomMaxInputs)
		}
		for i, in := range inputs {
			if len(in) != inLen {
				return nil, fmt.Errorf("zkaccel: %s: inputs[%d] has %d elements, but inputs[0] has %d", opCircom, i, len(in), inLen)
			}
		}
	}
	if err := cfg.Err(opCircom); err != nil {
		return nil, err
	}
	var p *circomParams
	if n > 0 {
		var err error
		if p, err = circomParamsFor(inLen + 1); err != nil {
			return nil, fmt.Errorf("zkaccel: %s: constants of width %d: %w", opCircom, inLen+1, err)
		}
	}
	out := make([]fr.Element, n)
	nbTasks := cfg.NbTasks
	cpu := func() error {
		parallel.Execute(n, nbTasks, circomMinChunk, func(start, end int) {
			p.hashes(out[start:end], func(i int) []fr.Element { return inputs[start+i] })
		})
		return nil
	}
	accel := func(dev zkaccel.Device) error {
		if n == 0 {
			return nil // nothing for a device to do
		}
		pd, ok := dev.(zkaccel.PoseidonDevice)
		if !ok {
			return dispatch.Unsupported(dev, opCircom)
		}
		// A device takes the inputs as one buffer, hash after hash.
		in := make([]fr.Element, 0, n*inLen)
		for _, x := range inputs {
			in = append(in, x...)
		}
		outBytes := rawbytes.Of(out)
		rawbytes.Poison(outBytes)
		req := zkaccel.PoseidonRequest{
			Variant: zkaccel.PoseidonCircom, Field: zkaccel.FieldBN254,
			Width: inLen + 1, N: n, In: rawbytes.Of(in), InLen: inLen,
			Out: outBytes, OutLen: 1, NbTasks: nbTasks,
		}
		return pd.Poseidon(&req)
	}
	if err := dispatch.Run(&cfg, opCircom, n, accel, cpu); err != nil {
		return nil, err
	}
	return out, nil
}

// circomCompress sets out[i] to Poseidon(pairs[2i], pairs[2i+1]) for every
// i, split over nbTasks goroutines: one level of a Merkle tree on the CPU.
func circomCompress(p *circomParams, pairs, out []fr.Element, nbTasks int) {
	parallel.Execute(len(out), nbTasks, circomMinChunk, func(start, end int) {
		p.hashes(out[start:end], func(i int) []fr.Element { return pairs[2*(start+i) : 2*(start+i)+2] })
	})
}
