package fakedev

import (
	"errors"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	p2bn "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	fbb "github.com/consensys/gnark-crypto/field/babybear"
	p2bb "github.com/consensys/gnark-crypto/field/babybear/poseidon2"
	fgl "github.com/consensys/gnark-crypto/field/goldilocks"
	p2gl "github.com/consensys/gnark-crypto/field/goldilocks/poseidon2"
	fkb "github.com/consensys/gnark-crypto/field/koalabear"
	p2kb "github.com/consensys/gnark-crypto/field/koalabear/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/merkle"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/babybear"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
	"github.com/zkaccel/zkaccel/poseidon/goldilocks"
	"github.com/zkaccel/zkaccel/poseidon/koalabear"
)

// Poseidon2 implements zkaccel.PoseidonDevice: the Loopback runs req with
// [LoopbackPoseidon2]; every other fake device reports
// zkaccel.ErrUnsupported.
func (d *device) Poseidon2(req *zkaccel.Poseidon2Request) error {
	if req == nil {
		return errors.New("zkaccel/fake: poseidon2: nil request")
	}
	if zkaccel.Device(d) != Loopback {
		return unsupported("poseidon2 %s", req.Field)
	}
	return LoopbackPoseidon2(req)
}

// poseidon2Loops run a Poseidon2 request whose shape is checked, per field.
var poseidon2Loops = map[zkaccel.Field]func(req *zkaccel.Poseidon2Request, opts []poseidon.Option) error{
	zkaccel.FieldBN254:      poseidon2LoopBN254,
	zkaccel.FieldGoldilocks: poseidon2LoopGoldilocks,
	zkaccel.FieldBabyBear:   poseidon2LoopBabyBear,
	zkaccel.FieldKoalaBear:  poseidon2LoopKoalaBear,
}

// LoopbackPoseidon2 runs a Poseidon2 batch request as a device would, with
// zkaccel's CPU implementation: it checks the request's shape (width,
// round counts, buffer sizes, NbTasks), copies its round keys, DiagM1 and
// states into fresh gnark-crypto elements of the request's field, checks
// that every one is reduced (a wrong layout rarely gives only reduced
// words), rebuilds a poseidon2.Parameters from them (round keys split per
// round: Width for each full round, the first half before the partial
// rounds, one for each partial round), permutes the states with the
// field's Permute2 on the CPU and writes them back into req.States. For
// fields whose Parameters have no DiagM1, req.DiagM1 must be the diagonal
// the field's front end uses for that width. A field it does not know is
// reported as zkaccel.ErrUnsupported; a malformed request is an error.
func LoopbackPoseidon2(req *zkaccel.Poseidon2Request) error {
	run := poseidon2Loops[req.Field]
	if run == nil {
		return unsupported("poseidon2 %s: unknown field", req.Field)
	}
	opts, err := poseidon2Check(req)
	if err == nil {
		err = run(req, opts)
	}
	if err != nil {
		return fmt.Errorf("zkaccel/fake: poseidon2 %s: %w", req.Field, err)
	}
	return nil
}

// poseidon2Check checks the shape of req that does not depend on its field
// and returns the options of the CPU call.
func poseidon2Check(req *zkaccel.Poseidon2Request) ([]poseidon.Option, error) {
	switch {
	case req.Width < 2 || req.Width > 1<<10:
		return nil, fmt.Errorf("Width = %d, out of range [2, 1024]", req.Width)
	case req.NbFullRounds < 0 || req.NbPartialRounds < 0 || req.NbFullRounds+req.NbPartialRounds > 1<<12:
		return nil, fmt.Errorf("NbFullRounds = %d, NbPartialRounds = %d: out of range", req.NbFullRounds, req.NbPartialRounds)
	case req.N < 1:
		return nil, fmt.Errorf("N = %d, want ≥ 1", req.N)
	case req.NbTasks < 0 || req.NbTasks > 1024:
		return nil, fmt.Errorf("NbTasks = %d, out of range [0, 1024]", req.NbTasks)
	}
	opts := []poseidon.Option{poseidon.WithDevice(zkaccel.HostCPU())}
	if req.NbTasks > 0 {
		opts = append(opts, poseidon.WithNbTasks(req.NbTasks))
	}
	return opts, nil
}

// decodeReduced is decode for field elements that also checks that each is
// reduced: adding zero (which subtracts the modulus from a value ≥ it)
// leaves it unchanged.
func decodeReduced[E comparable, PE interface {
	*E
	Add(a, b *E) *E
}](what string, raw []byte, n int) ([]E, error) {
	out, err := decode[E](what, raw, n)
	if err != nil {
		return nil, err
	}
	var zero E
	for i := range out {
		var r E
		if PE(&r).Add(&out[i], &zero); r != out[i] {
			return nil, fmt.Errorf("%s: element %d is not reduced", what, i)
		}
	}
	return out, nil
}

// splitKeys cuts the flat round keys of a request into gnark-crypto's
// RoundKeys: t keys for each full round, the first half of them before
// the rp partial rounds, one key for each partial round.
func splitKeys[E any](keys []E, t, rf, rp int) [][]E {
	out := make([][]E, 0, rf+rp)
	for r := range rf + rp {
		n := t
		if r >= rf/2 && r < rf/2+rp {
			n = 1
		}
		out = append(out, keys[:n:n])
		keys = keys[n:]
	}
	return out
}

// poseidon2Inputs decodes the round keys, DiagM1 (diagLen elements) and
// states of req.
func poseidon2Inputs[E comparable, PE interface {
	*E
	Add(a, b *E) *E
}](req *zkaccel.Poseidon2Request, diagLen int) (keys [][]E, diag, states []E, err error) {
	t, rf, rp := req.Width, req.NbFullRounds, req.NbPartialRounds
	flat, err := decodeReduced[E, PE]("RoundKeys", req.RoundKeys, rf*t+rp)
	if err != nil {
		return nil, nil, nil, err
	}
	if diagLen == 0 && len(req.DiagM1) != 0 {
		return nil, nil, nil, fmt.Errorf("DiagM1: %d bytes, want none for width %d", len(req.DiagM1), t)
	}
	if diagLen > 0 {
		if diag, err = decodeReduced[E, PE]("DiagM1", req.DiagM1, diagLen); err != nil {
			return nil, nil, nil, err
		}
	}
	if states, err = decodeReduced[E, PE]("States", req.States, req.N*t); err != nil {
		return nil, nil, nil, err
	}
	return splitKeys(flat, t, rf, rp), diag, states, nil
}

func poseidon2LoopBN254(req *zkaccel.Poseidon2Request, opts []poseidon.Option) error {
	diagLen := req.Width
	if req.Width < 4 {
		diagLen = 0
	}
	keys, diag, states, err := poseidon2Inputs[fr.Element](req, diagLen)
	if err != nil {
		return err
	}
	params := &p2bn.Parameters{Width: req.Width, NbFullRounds: req.NbFullRounds, NbPartialRounds: req.NbPartialRounds, RoundKeys: keys, DiagM1: diag}
	if err := bn254.Permute2(params, states, opts...); err != nil {
		return err
	}
	copy(req.States, rawbytes.Of(states))
	return nil
}

// poseidon2FixedDiag decodes the keys and states of a request of a field
// whose diagonal is fixed per width (want, nil for a width the field does
// not define), and checks that req.DiagM1 is that diagonal.
func poseidon2FixedDiag[E comparable, PE interface {
	*E
	Add(a, b *E) *E
}](req *zkaccel.Poseidon2Request, want []E) (keys [][]E, states []E, err error) {
	if want == nil {
		return nil, nil, fmt.Errorf("Width = %d: the field's Poseidon2 has no such width", req.Width)
	}
	keys, diag, states, err := poseidon2Inputs[E, PE](req, req.Width)
	if err != nil {
		return nil, nil, err
	}
	for i := range diag {
		if diag[i] != want[i] {
			return nil, nil, fmt.Errorf("DiagM1: element %d is not the field's width-%d diagonal", i, req.Width)
		}
	}
	return keys, states, nil
}

func poseidon2LoopGoldilocks(req *zkaccel.Poseidon2Request, opts []poseidon.Option) error {
	keys, states, err := poseidon2FixedDiag[fgl.Element](req, goldilocks.Poseidon2DiagM1(req.Width))
	if err != nil {
		return err
	}
	params := &p2gl.Parameters{Width: req.Width, NbFullRounds: req.NbFullRounds, NbPartialRounds: req.NbPartialRounds, RoundKeys: keys}
	if err := goldilocks.Permute2(params, states, opts...); err != nil {
		return err
	}
	copy(req.States, rawbytes.Of(states))
	return nil
}

func poseidon2LoopBabyBear(req *zkaccel.Poseidon2Request, opts []poseidon.Option) error {
	keys, states, err := poseidon2FixedDiag[fbb.Element](req, babybear.Poseidon2DiagM1(req.Width))
	if err != nil {
		return err
	}
	params := &p2bb.Parameters{Width: req.Width, NbFullRounds: req.NbFullRounds, NbPartialRounds: req.NbPartialRounds, RoundKeys: keys}
	if err := babybear.Permute2(params, states, opts...); err != nil {
		return err
	}
	copy(req.States, rawbytes.Of(states))
	return nil
}

func poseidon2LoopKoalaBear(req *zkaccel.Poseidon2Request, opts []poseidon.Option) error {
	keys, states, err := poseidon2FixedDiag[fkb.Element](req, koalabear.Poseidon2DiagM1(req.Width))
	if err != nil {
		return err
	}
	params := &p2kb.Parameters{Width: req.Width, NbFullRounds: req.NbFullRounds, NbPartialRounds: req.NbPartialRounds, RoundKeys: keys}
	if err := koalabear.Permute2(params, states, opts...); err != nil {
		return err
	}
	copy(req.States, rawbytes.Of(states))
	return nil
}

// LoopbackMerklePoseidon2 runs a MerklePoseidon2BN254 request as a device
// would, with zkaccel's CPU implementation: it checks the request's shape
// (32-byte nodes, a power-of-two leaf count, width-2 round keys for the
// request's round counts, the size of Out), copies its leaves and round
// keys into fresh reduced fr.Elements, builds the tree with
// bn254.MerkleTreePoseidon2 on the CPU and writes every layer above the
// leaves into req.Out, bottom-up. Another hash is reported as
// zkaccel.ErrUnsupported; a malformed request is an error.
func LoopbackMerklePoseidon2(req *zkaccel.MerkleRequest) error {
	if req.Hash != zkaccel.MerklePoseidon2BN254 {
		return unsupported("merkle %s: not %s", req.Hash, zkaccel.MerklePoseidon2BN254)
	}
	if err := merklePoseidon2Loop(req); err != nil {
		return fmt.Errorf("zkaccel/fake: merkle %s: %w", req.Hash, err)
	}
	return nil
}

func merklePoseidon2Loop(req *zkaccel.MerkleRequest) error {
	rf, rp := req.NbFullRounds, req.NbPartialRounds
	switch {
	case req.NodeSize != fr.Bytes:
		return fmt.Errorf("NodeSize = %d, want %d", req.NodeSize, fr.Bytes)
	case req.N < 1 || req.N != merkle.Padded(req.N):
		return fmt.Errorf("N = %d, want a power of two", req.N)
	case rf < 0 || rp < 0 || rf+rp > 1<<12:
		return fmt.Errorf("NbFullRounds = %d, NbPartialRounds = %d: out of range", rf, rp)
	case req.NbTasks < 0 || req.NbTasks > 1024:
		return fmt.Errorf("NbTasks = %d, out of range [0, 1024]", req.NbTasks)
	}
	leaves, err := decodeReduced[fr.Element]("Leaves", req.Leaves, req.N)
	if err != nil {
		return err
	}
	flat, err := decodeReduced[fr.Element]("Params", req.Params, 2*rf+rp)
	if err != nil {
		return err
	}
	if len(req.Out) != (req.N-1)*fr.Bytes {
		return fmt.Errorf("Out: %d bytes, want %d (%d nodes)", len(req.Out), (req.N-1)*fr.Bytes, req.N-1)
	}
	params := &p2bn.Parameters{Width: 2, NbFullRounds: rf, NbPartialRounds: rp, RoundKeys: splitKeys(flat, 2, rf, rp)}
	opts := []poseidon.Option{poseidon.WithDevice(zkaccel.HostCPU())}
	if req.NbTasks > 0 {
		opts = append(opts, poseidon.WithNbTasks(req.NbTasks))
	}
	if req.N == 1 {
		return nil // the leaf is the root: no layer above it
	}
	layers, err := bn254.MerkleTreePoseidon2(params, leaves, opts...)
	if err != nil {
		return err
	}
	out := req.Out
	for _, l := range layers[1:] {
		out = out[copy(out, rawbytes.Of(l)):]
	}
	return nil
}
