package fakedev

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

// circomRequest returns a well-formed request of n hashes of 2 inputs
// (1, 2), (3, 4), … and the answers.
func circomRequest(t *testing.T, n int) (*zkaccel.PoseidonRequest, []fr.Element) {
	in := make([]fr.Element, 2*n)
	want := make([]fr.Element, n)
	for i := range in {
		in[i].SetUint64(uint64(i + 1))
	}
	for i := range want {
		var err error
		if want[i], err = bn254.Poseidon(in[2*i], in[2*i+1]); err != nil {
			t.Fatal(err)
		}
	}
	return &zkaccel.PoseidonRequest{Variant: zkaccel.PoseidonCircom, Field: zkaccel.FieldBN254, Width: 3, N: n,
		In: rawbytes.Of(in), InLen: 2, Out: make([]byte, n*fr.Bytes), OutLen: 1}, want
}

// notReduced is an element whose limbs encode r itself.
func notReduced() fr.Element {
	var e fr.Element
	for i, w := range fr.Modulus().Bits() {
		e[i] = uint64(w)
	}
	return e
}

func TestLoopbackPoseidonCircom(t *testing.T) {
	req, want := circomRequest(t, 3)
	if err := Loopback.(zkaccel.PoseidonDevice).Poseidon(req); err != nil {
		t.Fatal(err)
	}
	if got, err := decode[fr.Element]("out", req.Out, 3); err != nil || got[0] != want[0] || got[2] != want[2] {
		t.Fatalf("got %v (%v), want %v", got, err, want)
	}
	// circomlib's known answer Poseidon(1, 2).
	if s := want[0].String(); s != "7853200120776062878684798364095072458815029376092732009249414926327459813530" {
		t.Fatalf("Poseidon(1, 2) = %s", s)
	}

	bad := notReduced()
	for name, c := range map[string]struct {
		mutate      func(r *zkaccel.PoseidonRequest)
		unsupported bool
		word        string
	}{
		"unknown variant": {func(r *zkaccel.PoseidonRequest) { r.Variant = "filecoin" }, true, "unknown variant"},
		"wrong field":     {func(r *zkaccel.PoseidonRequest) { r.Field = zkaccel.FieldBLS12381 }, true, "not the circom BN254 variant"},
		"width 18":        {func(r *zkaccel.PoseidonRequest) { r.Width, r.InLen = 18, 17 }, true, "width 18"},
		"width 1":         {func(r *zkaccel.PoseidonRequest) { r.Width, r.InLen = 1, 0 }, true, "width 1"},
		"InLen":           {func(r *zkaccel.PoseidonRequest) { r.InLen = 3 }, false, "InLen = 3"},
		"OutLen":          {func(r *zkaccel.PoseidonRequest) { r.OutLen = 2 }, false, "OutLen = 2"},
		"zero hashes":     {func(r *zkaccel.PoseidonRequest) { r.N = 0 }, false, "N = 0"},
		"short In":        {func(r *zkaccel.PoseidonRequest) { r.In = r.In[:len(r.In)-1] }, false, "In"},
		"N too large":     {func(r *zkaccel.PoseidonRequest) { r.N++ }, false, "In"},
		"short Out":       {func(r *zkaccel.PoseidonRequest) { r.Out = r.Out[:32] }, false, "Out"},
		"nbtasks":         {func(r *zkaccel.PoseidonRequest) { r.NbTasks = 2000 }, false, "NbTasks"},
		"not reduced":     {func(r *zkaccel.PoseidonRequest) { copy(r.In[64:], rawbytes.Of([]fr.Element{bad})) }, false, "element 2 is ≥ r"},
	} {
		req, _ := circomRequest(t, 3)
		c.mutate(req)
		err := LoopbackPoseidon(req)
		if err == nil || errors.Is(err, zkaccel.ErrUnsupported) != c.unsupported || !strings.Contains(err.Error(), c.word) {
			t.Errorf("%s: error %v (want ErrUnsupported: %v, mentioning %q)", name, err, c.unsupported, c.word)
		}
	}
	req, _ = circomRequest(t, 1)
	for _, d := range []zkaccel.Device{Unsupported, Failing(errors.New("x")), New("custom", nil, nil)} {
		if err := d.(zkaccel.PoseidonDevice).Poseidon(req); !errors.Is(err, zkaccel.ErrUnsupported) {
			t.Errorf("%v: Poseidon error %v, want ErrUnsupported", d, err)
		}
	}
	if err := Loopback.(zkaccel.PoseidonDevice).Poseidon(nil); err == nil {
		t.Error("Poseidon(nil) succeeded")
	}
}

// merkleRequest returns a well-formed request over the leaves 1 … n.
func merkleRequest(n int) *zkaccel.MerkleRequest {
	leaves := make([]fr.Element, n)
	for i := range leaves {
		leaves[i].SetUint64(uint64(i + 1))
	}
	return &zkaccel.MerkleRequest{Hash: zkaccel.MerklePoseidonCircomBN254, NodeSize: fr.Bytes, N: n,
		Leaves: rawbytes.Of(leaves), Out: make([]byte, (n-1)*fr.Bytes)}
}

func TestLoopbackMerkleCircom(t *testing.T) {
	req := merkleRequest(4)
	if err := Loopback.(zkaccel.MerkleDevice).Merkle(req); err != nil {
		t.Fatal(err)
	}
	nodes, err := decode[fr.Element]("out", req.Out, 3)
	if err != nil {
		t.Fatal(err)
	}
	var one, two, three, four fr.Element
	one.SetUint64(1)
	two.SetUint64(2)
	three.SetUint64(3)
	four.SetUint64(4)
	l, _ := bn254.Poseidon(one, two)
	r, _ := bn254.Poseidon(three, four)
	root, _ := bn254.Poseidon(l, r)
	if nodes[0] != l || nodes[1] != r || nodes[2] != root {
		t.Fatalf("layers %v, want %v %v %v", nodes, l, r, root)
	}
	if s := r.BigInt(new(big.Int)).String(); s != "14763215145315200506921711489642608356394854266165572616578112107564877678998" {
		t.Fatalf("Poseidon(3, 4) = %s", s)
	}
	if err := LoopbackMerkle(merkleRequest(1)); err != nil {
		t.Fatalf("one leaf: %v", err)
	}

	bad := notReduced()
	for name, c := range map[string]struct {
		mutate      func(r *zkaccel.MerkleRequest)
		unsupported bool
		word        string
	}{
		"node size":          {func(r *zkaccel.MerkleRequest) { r.NodeSize = 31 }, false, "NodeSize = 31"},
		"not a power of two": {func(r *zkaccel.MerkleRequest) { r.N = 3 }, false, "power of two"},
		"zero leaves":        {func(r *zkaccel.MerkleRequest) { r.N = 0 }, false, "power of two"},
		"params":             {func(r *zkaccel.MerkleRequest) { r.Params = make([]byte, 32) }, false, "Params"},
		"short leaves":       {func(r *zkaccel.MerkleRequest) { r.Leaves = r.Leaves[:32] }, false, "Leaves"},
		"short out":          {func(r *zkaccel.MerkleRequest) { r.Out = r.Out[:64] }, false, "Out"},
		"nbtasks":            {func(r *zkaccel.MerkleRequest) { r.NbTasks = -1 }, false, "NbTasks"},
		"not reduced":        {func(r *zkaccel.MerkleRequest) { copy(r.Leaves[96:], rawbytes.Of([]fr.Element{bad})) }, false, "element 3 is ≥ r"},
	} {
		req := merkleRequest(4)
		c.mutate(req)
		err := LoopbackMerkleCircom(req)
		if err == nil || errors.Is(err, zkaccel.ErrUnsupported) != c.unsupported || !strings.Contains(err.Error(), c.word) {
			t.Errorf("%s: error %v (want ErrUnsupported: %v, mentioning %q)", name, err, c.unsupported, c.word)
		}
	}
	req = merkleRequest(2)
	req.Hash = "sha256"
	if err := LoopbackMerkleCircom(req); !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("sha256 tree: error %v, want ErrUnsupported", err)
	}
}

func TestNewCircom(t *testing.T) {
	sentinel := errors.New("sentinel")
	f := FailingCircom(sentinel)
	req, _ := circomRequest(t, 1)
	if err := f.(zkaccel.PoseidonDevice).Poseidon(req); !errors.Is(err, sentinel) || errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("FailingCircom: Poseidon error %v", err)
	}
	if err := f.(zkaccel.MerkleDevice).Merkle(merkleRequest(2)); !errors.Is(err, sentinel) {
		t.Errorf("FailingCircom: Merkle error %v", err)
	}
	if err := f.(zkaccel.PoseidonDevice).Poseidon2(&zkaccel.Poseidon2Request{}); !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("FailingCircom: Poseidon2 error %v, want ErrUnsupported", err)
	}
	empty := NewCircom("nothing", CircomFuncs{})
	if err := empty.(zkaccel.PoseidonDevice).Poseidon(req); !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("NewCircom without functions: Poseidon error %v", err)
	}
	if err := empty.(zkaccel.MerkleDevice).Merkle(merkleRequest(2)); !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("NewCircom without functions: Merkle error %v", err)
	}
	if empty.Kind() != Kind || empty.Ordinal() < 3 || empty == f {
		t.Errorf("NewCircom: kind %s ordinal %d", empty.Kind(), empty.Ordinal())
	}
	loop := NewCircom("loop", LoopbackCircom())
	req, want := circomRequest(t, 2)
	if err := loop.(zkaccel.PoseidonDevice).Poseidon(req); err != nil {
		t.Fatal(err)
	}
	if got, _ := decode[fr.Element]("out", req.Out, 2); got[1] != want[1] {
		t.Error("LoopbackCircom's Poseidon gives a wrong answer")
	}
}
