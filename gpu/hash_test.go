package gpu_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	p2bn "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	p2bb "github.com/consensys/gnark-crypto/field/babybear/poseidon2"
	fgl "github.com/consensys/gnark-crypto/field/goldilocks"
	p2gl "github.com/consensys/gnark-crypto/field/goldilocks/poseidon2"
	p2kb "github.com/consensys/gnark-crypto/field/koalabear/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/keccak"
	"github.com/zkaccel/zkaccel/poseidon"
	"github.com/zkaccel/zkaccel/poseidon/babybear"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
	"github.com/zkaccel/zkaccel/poseidon/goldilocks"
	"github.com/zkaccel/zkaccel/poseidon/koalabear"
)

// hashBench runs fn as a sub-benchmark named by the device's spec
// (BenchmarkKeccak256/opencl:0/…) on every GPU-runtime device present.
func hashBench(b *testing.B, fn func(b *testing.B, d *gpu.Device)) {
	found := false
	for _, dev := range zkaccel.Devices() {
		if d, ok := dev.(*gpu.Device); ok {
			found = true
			b.Run(d.String(), func(b *testing.B) { fn(b, d) })
		}
	}
	if !found {
		b.Skip("no GPU-runtime device")
	}
}

// ranOn fails t when a front-end call reported by rep fell back to the CPU
// instead of running on d.
func ranOn(t *testing.T, d *gpu.Device, rep *zkaccel.Report) {
	t.Helper()
	if rep.Fallback || rep.Ran != zkaccel.Device(d) {
		t.Errorf("%s: did not run on %v: %s", rep.Op, d, rep.String())
	}
}

// TestHashFrontEnds calls every hash front end with the device chosen
// explicitly — the requests exactly as the front ends fill them — and
// checks that the device ran each (no fallback) and that the results equal
// the CPU's.
func TestHashFrontEnds(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		var rep zkaccel.Report
		kopts := func() []keccak.Option { return []keccak.Option{keccak.WithDevice(d), keccak.WithReport(&rep)} }
		popts := func() []poseidon.Option { return []poseidon.Option{poseidon.WithDevice(d), poseidon.WithReport(&rep)} }
		kcpu := keccak.WithDevice(zkaccel.HostCPU())

		t.Run("keccak", func(t *testing.T) {
			msgs := [][]byte{{}, randBytes(rng, 135), randBytes(rng, 136), randBytes(rng, 137), randBytes(rng, 1000)}
			got, err := keccak.Sum256Batch(msgs, kopts()...)
			if err != nil {
				t.Fatal(err)
			}
			ranOn(t, d, &rep)
			want, _ := keccak.Sum256Batch(msgs, kcpu)
			if !bytes.Equal(rawbytes.Of(got), rawbytes.Of(want)) {
				t.Error("Sum256Batch differs from the CPU's")
			}
			states := make([][25]uint64, 5)
			for i := range states {
				for j := range states[i] {
					states[i][j] = rng.Uint64()
				}
			}
			cpu := append([][25]uint64(nil), states...)
			if err := keccak.PermuteBatch(states, kopts()...); err != nil {
				t.Fatal(err)
			}
			ranOn(t, d, &rep)
			_ = keccak.PermuteBatch(cpu, kcpu)
			if !bytes.Equal(rawbytes.Of(states), rawbytes.Of(cpu)) {
				t.Error("PermuteBatch differs from the CPU's")
			}
			leaves := make([][32]byte, 13) // padded to 16 by the front end
			for i := range leaves {
				rng.Read(leaves[i][:])
			}
			tree, err := keccak.MerkleTree(leaves, kopts()...)
			if err != nil {
				t.Fatal(err)
			}
			ranOn(t, d, &rep)
			wantTree, _ := keccak.MerkleTree(leaves, kcpu)
			if !bytes.Equal(merkleLayers(tree), merkleLayers(wantTree)) {
				t.Error("MerkleTree differs from the CPU's")
			}
		})

		t.Run("circom", func(t *testing.T) {
			in := make([][]fr.Element, 7)
			for i := range in {
				in[i] = inputs.Elements[fr.Element](rng, 5)
			}
			got, err := bn254.PoseidonBatch(in, popts()...)
			if err != nil {
				t.Fatal(err)
			}
			ranOn(t, d, &rep)
			want, _ := bn254.PoseidonBatch(in, cpuOnly)
			if !bytes.Equal(rawbytes.Of(got), rawbytes.Of(want)) {
				t.Error("PoseidonBatch differs from the CPU's")
			}
			leaves := inputs.Elements[fr.Element](rng, 9)
			root, err := bn254.MerkleRootCircom(leaves, popts()...)
			if err != nil {
				t.Fatal(err)
			}
			ranOn(t, d, &rep)
			wantRoot, _ := bn254.MerkleRootCircom(leaves, cpuOnly)
			if root != wantRoot {
				t.Error("MerkleRootCircom differs from the CPU's")
			}
		})

		t.Run("hermez", func(t *testing.T) {
			states := make([][12]fgl.Element, 6)
			copy(rawbytes.Of(states), rawbytes.Of(inputs.Elements[fgl.Element](rng, 72)))
			got, err := goldilocks.HashHermezBatch(states, popts()...)
			if err != nil {
				t.Fatal(err)
			}
			ranOn(t, d, &rep)
			want, _ := goldilocks.HashHermezBatch(states, cpuOnly)
			if !bytes.Equal(rawbytes.Of(got), rawbytes.Of(want)) {
				t.Error("HashHermezBatch differs from the CPU's")
			}
		})

		t.Run("poseidon2", func(t *testing.T) {
			frontP2(t, d, &rep, rng, 16, p2bn.NewParameters(16, 8, 57), bn254.Permute2)
			frontP2(t, d, &rep, rng, 3, p2bn.NewParameters(3, 8, 56), bn254.Permute2)
			frontP2(t, d, &rep, rng, 12, p2gl.NewParameters(12, 8, 22), goldilocks.Permute2)
			frontP2(t, d, &rep, rng, 24, p2bb.NewParameters(24, 8, 21), babybear.Permute2)
			frontP2(t, d, &rep, rng, 16, p2kb.NewParameters(16, 6, 21), koalabear.Permute2)
			params := p2bn.NewParameters(2, 6, 50)
			leaves := inputs.Elements[fr.Element](rng, 5)
			root, err := bn254.MerkleRootPoseidon2(params, leaves, popts()...)
			if err != nil {
				t.Fatal(err)
			}
			ranOn(t, d, &rep)
			wantRoot, _ := bn254.MerkleRootPoseidon2(params, leaves, cpuOnly)
			if root != wantRoot {
				t.Error("MerkleRootPoseidon2 differs from the CPU's")
			}
		})
	})
}

// frontP2 permutes 9 random states of width t through a field's Permute2
// on d and on the CPU, and compares them.
func frontP2[E any, PE interface {
	*E
	SetBytes(b []byte) *E
}, P any](t *testing.T, d *gpu.Device, rep *zkaccel.Report, rng interface{ Int63() int64 }, w int, params P,
	permute func(P, []E, ...poseidon.Option) error) {
	t.Helper()
	states := inputs.Elements[E, PE](inputs.NewRand(rng.Int63()), 9*w)
	cpu := append([]E(nil), states...)
	if err := permute(params, states, poseidon.WithDevice(d), poseidon.WithReport(rep)); err != nil {
		t.Fatal(err)
	}
	ranOn(t, d, rep)
	if err := permute(params, cpu, cpuOnly); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rawbytes.Of(states), rawbytes.Of(cpu)) {
		t.Errorf("%s: Permute2 differs from the CPU's", rep.Op)
	}
}

// TestHashMemory runs the hash batches on a device that reports 64 KiB of
// memory (32 KiB for one call of a batch), against the same batches on the
// device itself or the CPU: Keccak-256 of messages of random lengths,
// Keccak-f[1600], Poseidon2, circom and Hermez Poseidon, each split into
// calls that fit and right; a message, state or tree too large for the
// budget is declined (ErrUnsupported), its output unwritten.
func TestHashMemory(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		small := devtest.WithMemory(d, 64<<10)
		defer small.ReleaseCache()
		declined := func(what string, err error, out []byte) {
			t.Helper()
			if !errors.Is(err, zkaccel.ErrUnsupported) || !bytes.Equal(out, bytes.Repeat([]byte{0xFF}, len(out))) {
				t.Errorf("%s: err = %v, want ErrUnsupported and nothing written", what, err)
			}
		}

		msgs := make([][]byte, 400) // about 80 KB of messages
		for i := range msgs {
			msgs[i] = make([]byte, rng.Intn(401))
			rng.Read(msgs[i])
		}
		checkKeccak256(t, small, msgs)
		big := keccakBatch([][]byte{make([]byte, 40<<10)})
		declined("a message of 40 KiB", small.Keccak256(big), big.Out)

		states := make([]byte, 200*500) // 100 KB
		rng.Read(states)
		want := &zkaccel.KeccakPermuteRequest{N: 500, States: append([]byte(nil), states...)}
		got := &zkaccel.KeccakPermuteRequest{N: 500, States: states}
		if err := d.KeccakF1600(want); err != nil {
			t.Fatal(err)
		}
		if err := small.KeccakF1600(got); err != nil || !bytes.Equal(got.States, want.States) {
			t.Errorf("Keccak-f[1600] in calls: %v, equal %v", err, bytes.Equal(got.States, want.States))
		}

		req, wantP2 := p2BN254(3, 8, 56).req(rng, 700) // 67 KB of states
		if err := small.Poseidon2(req); err != nil || !bytes.Equal(req.States, wantP2) {
			t.Errorf("Poseidon2 in calls: %v, equal %v", err, bytes.Equal(req.States, wantP2))
		}
		tiny := devtest.WithMemory(d, 64) // 32 bytes a call: not one state of 96
		defer tiny.ReleaseCache()
		req, _ = p2BN254(3, 8, 56).req(rng, 2)
		before := append([]byte(nil), req.States...)
		if err := tiny.Poseidon2(req); !errors.Is(err, zkaccel.ErrUnsupported) || !bytes.Equal(req.States, before) {
			t.Errorf("Poseidon2 without room for one state: err = %v, states changed %v", err, !bytes.Equal(req.States, before))
		}

		checkCircomBatch(t, small, circomInputs(600, 2, inputs.Elements[fr.Element](rng, 1200))) // 58 KB
		hermez := make([][12]fgl.Element, 500)                                                   // 64 KB
		for i := range hermez {
			for j := range hermez[i] {
				hermez[i][j].SetUint64(rng.Uint64())
			}
		}
		checkHermezBatch(t, small, hermez)

		leaves := make([]byte, 32*2048) // a tree of 128 KB
		rng.Read(leaves)
		tree := merkleRequest(zkaccel.MerkleKeccak256, leaves, 2048)
		declined("a Merkle tree of 128 KB", small.Merkle(tree), tree.Out)
	})
}
