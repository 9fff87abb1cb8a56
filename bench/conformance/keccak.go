package conformance

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"

	"golang.org/x/crypto/sha3"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/keccak"
)

// The Keccak cases (Op "keccak"):
//
//   - sum256/kat: published Keccak-256 known answers (below), one batch;
//   - sum256/lengths-0..300: one batch of 301 random messages, one of each
//     length 0 … 300 (the first of length 0 is nil), so every position of
//     the padding in the last block and the 135/136/137-byte rate boundary
//     are covered;
//   - sum256/batch/n=N: N messages of random lengths (mostly up to 300
//     bytes, with 0, 135, 136, 137 and 272 mixed in, and a few of up to
//     5000), N = 1, 2, 3, 64, 1000 (also with WithNbTasks(1) and (1024)) and
//     4097 in the -short set, 2^16 in the long set;
//   - f1600/n=N: PermuteBatch of N states, N = 1, 2, 7, 64 and 1000 (also
//     with WithNbTasks(1)) in the -short set, 2^16 in the long set: the
//     all-zero state and its permutation (XKCP's known answers, below), then
//     alternately random states and one-block padded messages, whose first
//     four lanes after the permutation are x/crypto's Keccak-256 of the
//     message; every state is also compared with PermuteBatch on the CPU;
//   - merkle/n=N: MerkleTree and MerkleRoot of N random leaves (a zero leaf
//     and a repeated leaf mixed in), N = 1, 2, 3, 5, 8, 33 and 1000 (also
//     with WithNbTasks(1)) in the -short set, 2^14+1 and 2^16 in the long
//     set, against a tree built with x/crypto one compression at a time,
//     padded with zero leaves to a power of two.
//
// Digests are compared with golang.org/x/crypto/sha3.NewLegacyKeccak256 run
// directly; the caller's messages, states (apart from the permutation in
// place) and leaves must be left unmodified. An empty batch asks no device
// for anything; the front end's own tests cover it.

// keccakKATs are Keccak-256 known answers: message, digest (hex).
var keccakKATs = []struct{ name, msg, digest string }{
	// Ethereum: the empty-code hash (go-ethereum core/types EmptyCodeHash),
	// and keccak256("abc") as golang.org/x/crypto v0.54.0 sha3/sha3_test.go
	// (TestKeccak) has it.
	{`""`, "", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
	{`"abc"`, "616263", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
	// The Keccak team's ShortMsgKAT_256.txt (SHA-3 round 3 package), Len = 8
	// and 16.
	{"KAT Len=8", "cc", "eead6dbfc7340a56caedc044696a168870549a6a7f6f56961e84a54bd9970b8a"},
	{"KAT Len=16", "41fb", "a8eaceda4d47b3281a795ad9e1ea2122b407baf9aabcb9e18b5717b7873537d2"},
	// ERC-20: the transfer selector's preimage and the Transfer event topic.
	{`"transfer(address,uint256)"`, hex.EncodeToString([]byte("transfer(address,uint256)")), "a9059cbb2ab09eb219583f4a59a5d0623ade346d962bcd4e46b11da047c9049b"},
	{`"Transfer(address,address,uint256)"`, hex.EncodeToString([]byte("Transfer(address,address,uint256)")), "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
}

// keccakF0 and keccakFF0 are Keccak-f[1600] of the all-zero state and of
// that result, lane (x, y) at index x+5y: XKCP,
// tests/TestVectors/KeccakF-1600-IntermediateValues.txt (also in this
// repository's testdata/keccak/keccakf1600.txt).
var (
	keccakF0 = [25]uint64{
		0xF1258F7940E1DDE7, 0x84D5CCF933C0478A, 0xD598261EA65AA9EE, 0xBD1547306F80494D, 0x8B284E056253D057,
		0xFF97A42D7F8E6FD4, 0x90FEE5A0A44647C4, 0x8C5BDA0CD6192E76, 0xAD30A6F71B19059C, 0x30935AB7D08FFC64,
		0xEB5AA93F2317D635, 0xA9A6E6260D712103, 0x81A57C16DBCF555F, 0x43B831CD0347C826, 0x01F22F1A11A5569F,
		0x05E5635A21D9AE61, 0x64BEFEF28CC970F2, 0x613670957BC46611, 0xB87C5A554FD00ECB, 0x8C3EE88A1CCF32C8,
		0x940C7922AE3A2614, 0x1841F924A2C509E4, 0x16F53526E70465C2, 0x75F644E97F30A13B, 0xEAF1FF7B5CECA249,
	}
	keccakFF0 = [25]uint64{
		0x2D5C954DF96ECB3C, 0x6A332CD07057B56D, 0x093D8D1270D76B6C, 0x8A20D9B25569D094, 0x4F9C4F99E5E7F156,
		0xF957B9A2DA65FB38, 0x85773DAE1275AF0D, 0xFAF4F247C3D810F7, 0x1F1B9EE6F79A8759, 0xE4FECC0FEE98B425,
		0x68CE61B6B9CE68A1, 0xDEEA66C4BA8F974F, 0x33C43D836EAFB1F5, 0xE00654042719DBD9, 0x7CF8A9F009831265,
		0xFD5449A6BF174743, 0x97DDAD33D8994B40, 0x48EAD5FC5D0BE774, 0xE3B8C8EE55B7B03C, 0x91A0226E649E42E9,
		0x900E3129E7BADD7B, 0x202A9EC5FAA3CCE8, 0x5B3402464E1C3DB6, 0x609F4E62A44C1059, 0x20D06CD26A8FBF5C,
	}
)

func init() {
	add := func(name string, short bool, check func(*trial) error) {
		register(Case{Op: "keccak", Name: name, Short: short, check: check})
	}
	add("sum256/kat", true, keccakKAT)
	add("sum256/lengths-0..300", true, func(t *trial) error {
		msgs := make([][]byte, 301)
		for i := 1; i < len(msgs); i++ {
			msgs[i] = make([]byte, i)
			t.rng.Read(msgs[i])
		}
		return keccakSum(t, "lengths 0..300", msgs, 0)
	})
	for _, n := range []int{1, 2, 3, 64, 1000, 4097, 1 << 16} {
		add(fmt.Sprintf("sum256/batch/n=%d", n), n <= 4097, func(t *trial) error { return keccakBatch(t, n) })
	}
	for _, n := range []int{1, 2, 7, 64, 1000, 1 << 16} {
		add(fmt.Sprintf("f1600/n=%d", n), n <= 1000, func(t *trial) error { return keccakF1600(t, n) })
	}
	for _, n := range []int{1, 2, 3, 5, 8, 33, 1000, 1<<14 + 1, 1 << 16} {
		add(fmt.Sprintf("merkle/n=%d", n), n <= 1000, func(t *trial) error { return keccakMerkle(t, n) })
	}
}

// legacyKeccak256 is the reference: x/crypto's Keccak-256 of msg.
func legacyKeccak256(msg []byte) (out [32]byte) {
	h := sha3.NewLegacyKeccak256()
	h.Write(msg)
	h.Sum(out[:0])
	return out
}

func keccakKAT(t *trial) error {
	msgs := make([][]byte, len(keccakKATs))
	for i, v := range keccakKATs {
		m, err := hex.DecodeString(v.msg)
		if err != nil {
			return fmt.Errorf("known answer %s: %w", v.name, err)
		}
		msgs[i] = m
		if got := legacyKeccak256(m); hex.EncodeToString(got[:]) != v.digest {
			return fmt.Errorf("known answer %s: x/crypto gives %x, want %s: the reference is broken", v.name, got, v.digest)
		}
	}
	return keccakSum(t, "known answers", msgs, 0)
}

// keccakBatch checks n messages of random lengths.
func keccakBatch(t *trial, n int) error {
	edges := []int{0, 135, 136, 137, 272}
	msgs := make([][]byte, n)
	for i := range msgs {
		size := t.rng.Intn(301)
		switch {
		case i%7 == 3:
			size = edges[(i/7)%len(edges)]
		case i%97 == 50:
			size = t.rng.Intn(5001)
		}
		msgs[i] = make([]byte, size)
		t.rng.Read(msgs[i])
	}
	if err := keccakSum(t, "random lengths", msgs, 0); err != nil {
		return err
	}
	if n == 1000 {
		for _, nt := range []int{1, 1024} {
			if err := keccakSum(t, "random lengths", msgs, nt); err != nil {
				return err
			}
		}
	}
	return nil
}

// keccakSum runs Sum256Batch on t.dev and compares each digest with
// x/crypto's, and the messages with a copy taken before the call.
func keccakSum(t *trial, variant string, msgs [][]byte, nbTasks int) error {
	n := len(msgs)
	label := fmt.Sprintf("keccak256 n=%d (%s", n, variant)
	opts := []keccak.Option{keccak.WithDevice(t.dev)}
	if nbTasks != 0 {
		label += fmt.Sprintf(", WithNbTasks(%d)", nbTasks)
		opts = append(opts, keccak.WithNbTasks(nbTasks))
	}
	label += ")"
	want := make([][32]byte, n)
	orig := make([][]byte, n)
	for i, m := range msgs {
		want[i] = legacyKeccak256(m)
		orig[i] = slices.Clone(m)
	}
	rep := t.report()
	got, err := keccak.Sum256Batch(msgs, append(opts, keccak.WithReport(rep))...)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	for i := range msgs {
		if !bytes.Equal(msgs[i], orig[i]) || (msgs[i] == nil) != (orig[i] == nil) {
			return fmt.Errorf("%s: the caller's messages were modified, first at index %d", label, i)
		}
	}
	switch {
	case rep.N != n:
		return fmt.Errorf("%s: Report.N = %d", label, rep.N)
	case len(got) != n:
		return fmt.Errorf("%s: %d digests", label, len(got))
	}
	if i := firstDiff(got, want, func(a, b *[32]byte) bool { return *a == *b }); i >= 0 {
		return fmt.Errorf("%s: digest %d (message of %d bytes) differs: got %x, want %x", label, i, len(msgs[i]), got[i], want[i])
	}
	return nil
}

// keccakF1600 checks PermuteBatch of n states.
func keccakF1600(t *trial, n int) error {
	states := make([][25]uint64, n)
	// known[i] is the expected state i, where it is known independently of
	// this package: all 25 lanes, or (digest) the first four.
	type answer struct {
		lanes  [25]uint64
		digest []byte
	}
	known := map[int]answer{0: {lanes: keccakF0}}
	if n > 1 {
		states[1] = keccakF0
		known[1] = answer{lanes: keccakFF0}
	}
	for i := 2; i < n; i++ {
		if i%2 == 0 {
			for j := range states[i] {
				states[i][j] = t.rng.Uint64()
			}
			continue
		}
		// A one-block message of up to 135 bytes, padded as Keccak-256 pads
		// it, in lanes 0 … 16 (rate 136 bytes), the capacity zero.
		var block [136]byte
		size := t.rng.Intn(136)
		t.rng.Read(block[:size])
		msg := slices.Clone(block[:size])
		block[size] ^= 0x01
		block[135] ^= 0x80
		for j := 0; j < 17; j++ {
			states[i][j] = binary.LittleEndian.Uint64(block[8*j:])
		}
		d := legacyKeccak256(msg)
		known[i] = answer{digest: d[:]}
	}
	// The CPU's answer for every state.
	want := slices.Clone(states)
	if err := keccak.PermuteBatch(want, keccak.WithDevice(zkaccel.HostCPU()), keccak.WithNbTasks(1)); err != nil {
		return fmt.Errorf("keccak-f1600 n=%d on the CPU: %w", n, err)
	}
	for i, a := range known {
		var lanes [32]byte
		for j := 0; j < 4; j++ {
			binary.LittleEndian.PutUint64(lanes[8*j:], want[i][j])
		}
		if (a.digest == nil && want[i] != a.lanes) || (a.digest != nil && !bytes.Equal(lanes[:], a.digest)) {
			return fmt.Errorf("keccak-f1600 n=%d: the CPU's state %d differs from its known answer: the reference is broken", n, i)
		}
	}
	nbTasks := []int{0}
	if n == 1000 {
		nbTasks = append(nbTasks, 1)
	}
	for _, nt := range nbTasks {
		label := fmt.Sprintf("keccak-f1600 n=%d", n)
		opts := []keccak.Option{keccak.WithDevice(t.dev)}
		if nt != 0 {
			label += fmt.Sprintf(" (WithNbTasks(%d))", nt)
			opts = append(opts, keccak.WithNbTasks(nt))
		}
		got := slices.Clone(states)
		rep := t.report()
		if err := keccak.PermuteBatch(got, append(opts, keccak.WithReport(rep))...); err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		if rep.N != n {
			return fmt.Errorf("%s: Report.N = %d", label, rep.N)
		}
		if i := firstDiff(got, want, func(a, b *[25]uint64) bool { return *a == *b }); i >= 0 {
			return fmt.Errorf("%s: state %d differs: got %016x, want %016x", label, i, got[i], want[i])
		}
	}
	return nil
}

// keccakMerkle checks MerkleTree and MerkleRoot of n leaves.
func keccakMerkle(t *trial, n int) error {
	leaves := make([][32]byte, n)
	for i := range leaves {
		t.rng.Read(leaves[i][:])
	}
	if n > 2 {
		leaves[1] = [32]byte{} // a zero leaf, like the padding
		leaves[n-1] = leaves[0]
	}
	// The reference tree, one compression at a time.
	size := 1
	for size < n {
		size *= 2
	}
	level := make([][32]byte, size)
	copy(level, leaves)
	want := [][][32]byte{level}
	for len(level) > 1 {
		next := make([][32]byte, len(level)/2)
		for i := range next {
			next[i] = legacyKeccak256(append(level[2*i][:], level[2*i+1][:]...))
		}
		want = append(want, next)
		level = next
	}
	root := level[0]

	nbTasks := []int{0}
	if n == 1000 {
		nbTasks = append(nbTasks, 1)
	}
	for _, nt := range nbTasks {
		label := fmt.Sprintf("merkle keccak256 n=%d", n)
		opts := []keccak.Option{keccak.WithDevice(t.dev)}
		if nt != 0 {
			label += fmt.Sprintf(" (WithNbTasks(%d))", nt)
			opts = append(opts, keccak.WithNbTasks(nt))
		}
		orig := slices.Clone(leaves)
		rep := t.report()
		layers, err := keccak.MerkleTree(leaves, append(opts, keccak.WithReport(rep))...)
		if err != nil {
			return fmt.Errorf("%s: MerkleTree: %w", label, err)
		}
		if err := unmodified("leaves", leaves, orig); err != nil {
			return fmt.Errorf("%s: MerkleTree: %w", label, err)
		}
		if rep.N != n {
			return fmt.Errorf("%s: MerkleTree: Report.N = %d", label, rep.N)
		}
		if len(layers) != len(want) {
			return fmt.Errorf("%s: MerkleTree: %d layers, want %d", label, len(layers), len(want))
		}
		for k := range want {
			if len(layers[k]) != len(want[k]) {
				return fmt.Errorf("%s: MerkleTree: layer %d has %d nodes, want %d", label, k, len(layers[k]), len(want[k]))
			}
			if i := firstDiff(layers[k], want[k], func(a, b *[32]byte) bool { return *a == *b }); i >= 0 {
				return fmt.Errorf("%s: MerkleTree: layer %d node %d differs: got %x, want %x", label, k, i, layers[k][i], want[k][i])
			}
		}
		rep = t.report()
		got, err := keccak.MerkleRoot(leaves, append(opts, keccak.WithReport(rep))...)
		if err != nil {
			return fmt.Errorf("%s: MerkleRoot: %w", label, err)
		}
		if err := unmodified("leaves", leaves, orig); err != nil {
			return fmt.Errorf("%s: MerkleRoot: %w", label, err)
		}
		if rep.N != n {
			return fmt.Errorf("%s: MerkleRoot: Report.N = %d", label, rep.N)
		}
		if got != root {
			return fmt.Errorf("%s: MerkleRoot: root differs: got %x, want %x", label, got, root)
		}
	}
	return nil
}
