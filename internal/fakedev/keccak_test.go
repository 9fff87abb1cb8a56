package fakedev

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/sha3"

	"github.com/zkaccel/zkaccel"
)

func keccakRef(msg []byte) []byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(msg)
	return h.Sum(nil)
}

// keccakRequest returns a well-formed request for "ab", "", "cde".
func keccakRequest() *zkaccel.KeccakRequest {
	return &zkaccel.KeccakRequest{N: 3, Data: []byte("abcde"), Offsets: []int{0, 2, 2, 5}, Out: make([]byte, 96)}
}

func TestLoopbackKeccak256(t *testing.T) {
	req := keccakRequest()
	if err := Loopback.(zkaccel.KeccakDevice).Keccak256(req); err != nil {
		t.Fatal(err)
	}
	for i, m := range []string{"ab", "", "cde"} {
		if got, want := req.Out[32*i:32*i+32], keccakRef([]byte(m)); string(got) != string(want) {
			t.Errorf("digest %d: %x, want %x", i, got, want)
		}
	}
	for name, c := range map[string]struct {
		mutate func(r *zkaccel.KeccakRequest)
		word   string
	}{
		"zero messages":      {func(r *zkaccel.KeccakRequest) { r.N = 0 }, "N = 0"},
		"too few offsets":    {func(r *zkaccel.KeccakRequest) { r.Offsets = r.Offsets[:3] }, "3 offsets"},
		"first offset":       {func(r *zkaccel.KeccakRequest) { r.Offsets[0] = 1 }, "Offsets[0] = 1"},
		"last offset":        {func(r *zkaccel.KeccakRequest) { r.Data = r.Data[:4] }, "Offsets[N] = 5"},
		"decreasing offsets": {func(r *zkaccel.KeccakRequest) { r.Offsets[2] = 1 }, "Offsets[2] = 1 < Offsets[1] = 2"},
		"short out":          {func(r *zkaccel.KeccakRequest) { r.Out = r.Out[:95] }, "out: 95 bytes"},
		"nbtasks":            {func(r *zkaccel.KeccakRequest) { r.NbTasks = 2000 }, "NbTasks"},
	} {
		req := keccakRequest()
		c.mutate(req)
		err := LoopbackKeccak256(req)
		if err == nil || errors.Is(err, zkaccel.ErrUnsupported) || !strings.Contains(err.Error(), c.word) || !strings.HasPrefix(err.Error(), "zkaccel/fake: keccak256: ") {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.word)
		}
	}
}

func TestLoopbackKeccakF1600(t *testing.T) {
	// One-block message "abc", padded, permuted: its first four lanes are
	// Keccak-256("abc").
	states := make([]byte, 2*200)
	copy(states[200:], "abc")
	states[203] ^= 0x01
	states[200+135] ^= 0x80
	req := &zkaccel.KeccakPermuteRequest{N: 2, States: states}
	if err := Loopback.(zkaccel.KeccakDevice).KeccakF1600(req); err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint64(states[0:]) != 0xF1258F7940E1DDE7 {
		t.Errorf("F(0) lane 0 = %#x, want XKCP's 0xF1258F7940E1DDE7", binary.LittleEndian.Uint64(states[0:]))
	}
	if got, want := states[200:232], keccakRef([]byte("abc")); string(got) != string(want) {
		t.Errorf("padded \"abc\" permuted: %x, want %x", got, want)
	}
	for name, r := range map[string]*zkaccel.KeccakPermuteRequest{
		"N = 0":     {N: 0},
		"399 bytes": {N: 2, States: make([]byte, 399)},
		"NbTasks":   {N: 1, States: make([]byte, 200), NbTasks: -1},
	} {
		if err := LoopbackKeccakF1600(r); err == nil || errors.Is(err, zkaccel.ErrUnsupported) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

func keccakMerkleRequest() *zkaccel.MerkleRequest {
	leaves := make([]byte, 4*32)
	for i := range leaves {
		leaves[i] = byte(i)
	}
	return &zkaccel.MerkleRequest{Hash: zkaccel.MerkleKeccak256, NodeSize: 32, N: 4, Leaves: leaves, Out: make([]byte, 3*32)}
}

func TestLoopbackMerkleKeccak256(t *testing.T) {
	req := keccakMerkleRequest()
	if err := Loopback.(zkaccel.MerkleDevice).Merkle(req); err != nil {
		t.Fatal(err)
	}
	l := req.Leaves
	p0, p1 := keccakRef(l[:64]), keccakRef(l[64:])
	root := keccakRef(append(append([]byte(nil), p0...), p1...))
	if string(req.Out) != string(p0)+string(p1)+string(root) {
		t.Errorf("out %x, want the two parents then the root", req.Out)
	}
	one := &zkaccel.MerkleRequest{Hash: zkaccel.MerkleKeccak256, NodeSize: 32, N: 1, Leaves: make([]byte, 32)}
	if err := LoopbackMerkle(one); err != nil {
		t.Errorf("one leaf: %v", err)
	}
	for name, c := range map[string]struct {
		mutate func(r *zkaccel.MerkleRequest)
		word   string
	}{
		"node size":    {func(r *zkaccel.MerkleRequest) { r.NodeSize = 64 }, "NodeSize = 64"},
		"not pow2":     {func(r *zkaccel.MerkleRequest) { r.N, r.Leaves, r.Out = 3, r.Leaves[:96], r.Out[:64] }, "power of two"},
		"zero leaves":  {func(r *zkaccel.MerkleRequest) { r.N = 0 }, "N = 0"},
		"short leaves": {func(r *zkaccel.MerkleRequest) { r.Leaves = r.Leaves[:100] }, "leaves: 100 bytes"},
		"long out":     {func(r *zkaccel.MerkleRequest) { r.Out = make([]byte, 128) }, "out: 128 bytes"},
		"params":       {func(r *zkaccel.MerkleRequest) { r.Params = []byte{1} }, "parameters"},
		"nbtasks":      {func(r *zkaccel.MerkleRequest) { r.NbTasks = 1025 }, "NbTasks"},
	} {
		req := keccakMerkleRequest()
		c.mutate(req)
		err := LoopbackMerkle(req)
		if err == nil || errors.Is(err, zkaccel.ErrUnsupported) || !strings.Contains(err.Error(), c.word) || !strings.HasPrefix(err.Error(), "zkaccel/fake: merkle keccak256: ") {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.word)
		}
	}
	req = keccakMerkleRequest()
	req.Hash = "sha256"
	if err := LoopbackMerkle(req); !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("unknown hash: error %v, want ErrUnsupported", err)
	}
	if err := LoopbackMerkleKeccak256(&zkaccel.MerkleRequest{Hash: zkaccel.MerklePoseidon2BN254}); !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("LoopbackMerkleKeccak256 of another hash: error %v, want ErrUnsupported", err)
	}
}

// TestKeccakDevices: the devices other than the loopback report
// ErrUnsupported for every Keccak operation, without writing; NewKeccak's
// devices run their functions, or report ErrUnsupported for nil ones; nil
// requests are errors.
func TestKeccakDevices(t *testing.T) {
	sentinel := errors.New("sentinel")
	for _, d := range []zkaccel.Device{Unsupported, Failing(sentinel), New("custom", nil, nil), NewKeccak("none", KeccakFuncs{})} {
		req := keccakRequest()
		if err := d.(zkaccel.KeccakDevice).Keccak256(req); !errors.Is(err, zkaccel.ErrUnsupported) || string(req.Out) != string(make([]byte, 96)) {
			t.Errorf("%v: Keccak256 error %v (or it wrote its output)", d, err)
		}
		if err := d.(zkaccel.KeccakDevice).KeccakF1600(&zkaccel.KeccakPermuteRequest{N: 1, States: make([]byte, 200)}); !errors.Is(err, zkaccel.ErrUnsupported) {
			t.Errorf("%v: KeccakF1600 error %v", d, err)
		}
		if err := d.(zkaccel.MerkleDevice).Merkle(keccakMerkleRequest()); !errors.Is(err, zkaccel.ErrUnsupported) {
			t.Errorf("%v: Merkle error %v", d, err)
		}
	}
	if _, ok := Bare.(zkaccel.KeccakDevice); ok {
		t.Error("Bare implements KeccakDevice")
	}
	failing := FailingKeccak(sentinel)
	if err := failing.(zkaccel.KeccakDevice).Keccak256(keccakRequest()); !errors.Is(err, sentinel) || errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("FailingKeccak: Keccak256 error %v", err)
	}
	if err := failing.(zkaccel.MerkleDevice).Merkle(keccakMerkleRequest()); !errors.Is(err, sentinel) {
		t.Errorf("FailingKeccak: Merkle error %v", err)
	}
	loop := NewKeccak("loop", LoopbackKeccak())
	if loop.Kind() != Kind || loop.String() == Loopback.String() {
		t.Errorf("NewKeccak device %v: kind %s", loop, loop.Kind())
	}
	if err := loop.(zkaccel.KeccakDevice).Keccak256(keccakRequest()); err != nil {
		t.Errorf("NewKeccak(LoopbackKeccak()): %v", err)
	}
	for _, d := range []zkaccel.Device{Loopback, loop} {
		if d.(zkaccel.KeccakDevice).Keccak256(nil) == nil || d.(zkaccel.KeccakDevice).KeccakF1600(nil) == nil || d.(zkaccel.MerkleDevice).Merkle(nil) == nil {
			t.Errorf("%v: a nil request succeeded", d)
		}
	}
}
