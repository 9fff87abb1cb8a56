package conformance

import (
	"fmt"
	"slices"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/poseidon"
	posbn "github.com/zkaccel/zkaccel/poseidon/bn254"
)

// The circomlib Poseidon cases (Op "poseidon", names "circom-bn254/…"):
//
//   - circom-bn254/kat: published known answers, through PoseidonBatch on
//     the device (one batch per width) and MerkleRootCircom of two leaves;
//   - circom-bn254/batch/t=T/n=N: PoseidonBatch of N random inputs of T−1
//     elements (0, 1 and r−1 mixed in, one input all r−1) on the device,
//     against bn254.Poseidon on the CPU one input at a time; the caller's
//     inputs must be left unmodified. Every width 2…17 with N = 1, 2 and
//     65, and N = 1000 (also with WithNbTasks(1)) for t = 2, 3 and 5 are in
//     the -short set; N = 1000 for every width and 2^14+1 and 2^16 for
//     t = 3 in the long set;
//   - circom-bn254/merkle/n=N: MerkleTreeCircom and MerkleRootCircom of N
//     random leaves (0, 1 and r−1 mixed in) on the device, against a tree
//     built with bn254.Poseidon one compression at a time; the leaves must
//     be left unmodified. N = 2, 3, 5, 8, 33 and 1000 (also with
//     WithNbTasks(1)) in the -short set, 2^14+1 and 2^16 in the long set.
//
// An empty batch, or a tree of one leaf, asks no device for anything; the
// front end's own tests cover them.

// circomKATs are known answers: the inputs and the hash, in decimal.
var circomKATs = []struct {
	name string
	in   []uint64
	out  string
}{
	// iden3/circomlib test/poseidoncircuit.js (commit 35e54ea or later).
	{"circomlib t=3 (1,2)", []uint64{1, 2}, "7853200120776062878684798364095072458815029376092732009249414926327459813530"},
	{"circomlib t=3 (3,4)", []uint64{3, 4}, "14763215145315200506921711489642608356394854266165572616578112107564877678998"},
	{"circomlib t=6 (1,2,0,0,0)", []uint64{1, 2, 0, 0, 0}, "1018317224307729531995786483840663576608797660851238720571059489595066344487"},
	// github.com/iden3/go-iden3-crypto v0.0.17 poseidon/poseidon_test.go,
	// TestPoseidonHash.
	{"iden3 t=2 (1)", []uint64{1}, "18586133768512220936620570745912940619677854269274689475585506675881198879027"},
	{"iden3 t=7 (1..6)", []uint64{1, 2, 3, 4, 5, 6}, "20400040500897583745843009878988256314335038853985262692600694741116813247201"},
	{"iden3 t=15 (1..14)", []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, "8354478399926161176778659061636406690034081872658507739535256090879947077494"},
	{"iden3 t=17 (1..16)", []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, "9989051620750914585850546081941653841776809718687451684622678807385399211877"},
}

func init() {
	register(Case{Op: "poseidon", Name: "circom-bn254/kat", Short: true, check: circomKAT})
	for t := 2; t <= 17; t++ {
		for _, n := range []int{1, 2, 65, 1000, 1<<14 + 1, 1 << 16} {
			big := n > 1000 || (n == 1000 && t != 2 && t != 3 && t != 5)
			if n > 1000 && t != 3 {
				continue
			}
			register(Case{Op: "poseidon", Name: fmt.Sprintf("circom-bn254/batch/t=%d/n=%d", t, n), Short: !big,
				check: func(tr *trial) error { return circomBatch(tr, t, n) }})
		}
	}
	for _, n := range []int{2, 3, 5, 8, 33, 1000, 1<<14 + 1, 1 << 16} {
		register(Case{Op: "poseidon", Name: fmt.Sprintf("circom-bn254/merkle/n=%d", n), Short: n <= 1000,
			check: func(t *trial) error { return circomMerkle(t, n) }})
	}
}

// circomKAT checks the known answers on t.dev.
func circomKAT(t *trial) error {
	for _, v := range circomKATs {
		in := make([]fr.Element, len(v.in))
		for i, x := range v.in {
			in[i].SetUint64(x)
		}
		var want fr.Element
		if _, err := want.SetString(v.out); err != nil {
			return fmt.Errorf("known answer %s: %w", v.name, err)
		}
		got, err := posbn.PoseidonBatch([][]fr.Element{in}, poseidon.WithDevice(t.dev), poseidon.WithReport(t.report()))
		if err != nil {
			return fmt.Errorf("PoseidonBatch, known answer %s: %w", v.name, err)
		}
		if len(got) != 1 || !got[0].Equal(&want) {
			return fmt.Errorf("PoseidonBatch, known answer %s: got %s, want %s", v.name, circomString(got), v.out)
		}
		if len(in) == 2 {
			root, err := posbn.MerkleRootCircom(in, poseidon.WithDevice(t.dev), poseidon.WithReport(t.report()))
			if err != nil {
				return fmt.Errorf("MerkleRootCircom, known answer %s: %w", v.name, err)
			}
			if !root.Equal(&want) {
				return fmt.Errorf("MerkleRootCircom, known answer %s: got %s, want %s", v.name, root.String(), v.out)
			}
		}
	}
	return nil
}

// circomString formats hashes in decimal, or an element ≥ r (which no
// valid fr.Element is) by its raw limbs.
func circomString(h []fr.Element) string {
	s := "["
	for i := range h {
		if i > 0 {
			s += " "
		}
		if !circomReduced(&h[i]) {
			s += fmt.Sprintf("(limbs %#x ≥ r)", [4]uint64(h[i]))
		} else {
			s += h[i].String()
		}
	}
	return s + "]"
}

// circomReduced reports whether e's Montgomery limbs are < r, as every
// valid fr.Element's are.
func circomReduced(e *fr.Element) bool {
	q := fr.Modulus().Bits()
	for i := 3; i >= 0; i-- {
		if e[i] != uint64(q[i]) {
			return e[i] < uint64(q[i])
		}
	}
	return false
}

// circomEdges returns 0, 1 and r−1.
func circomEdges() []fr.Element {
	var one, minusOne fr.Element
	one.SetOne()
	minusOne.Neg(&one)
	return []fr.Element{{}, one, minusOne}
}

// circomBatch checks PoseidonBatch of n random inputs of t−1 elements on
// t.dev against bn254.Poseidon on the CPU.
func circomBatch(tr *trial, t, n int) error {
	k := t - 1
	els := inputs.Elements[fr.Element](tr.rng, k*n)
	in := make([][]fr.Element, n)
	for i := range in {
		in[i] = els[i*k : (i+1)*k : (i+1)*k]
	}
	edges := circomEdges()
	for e, v := range edges {
		for i := e; i < n; i += 5 {
			in[i][(i+e)%k] = v
		}
	}
	if n > 3 {
		for j := range in[3] {
			in[3][j] = edges[2]
		}
	}
	want := make([]fr.Element, n)
	for i := range in {
		h, err := posbn.Poseidon(in[i]...)
		if err != nil {
			return fmt.Errorf("reference Poseidon of input %d: %w", i, err)
		}
		want[i] = h
	}
	nbTasks := []int{0}
	if n == 1000 {
		nbTasks = append(nbTasks, 1)
	}
	for _, nt := range nbTasks {
		label := fmt.Sprintf("poseidon circom bn254 t=%d n=%d", t, n)
		opts := []poseidon.Option{poseidon.WithDevice(tr.dev)}
		if nt != 0 {
			label += fmt.Sprintf(" WithNbTasks(%d)", nt)
			opts = append(opts, poseidon.WithNbTasks(nt))
		}
		rep := tr.report()
		orig := slices.Clone(els)
		got, err := posbn.PoseidonBatch(in, append(opts, poseidon.WithReport(rep))...)
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		if err := unmodified("inputs", els, orig); err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		if rep.N != n {
			return fmt.Errorf("%s: Report.N = %d", label, rep.N)
		}
		if len(got) != n {
			return fmt.Errorf("%s: %d results", label, len(got))
		}
		if i := firstDiff(got, want, (*fr.Element).Equal); i >= 0 {
			return fmt.Errorf("%s: hash %d of %d differs: got %s, want %s", label, i, n, circomString(got[i:i+1]), want[i].String())
		}
	}
	return nil
}

// circomMerkle checks MerkleTreeCircom and MerkleRootCircom of n random
// leaves on t.dev against a tree built one compression at a time.
func circomMerkle(t *trial, n int) error {
	leaves := inputs.Elements[fr.Element](t.rng, n)
	for e, v := range circomEdges() {
		for i := e; i < n; i += 7 {
			leaves[i] = v
		}
	}
	want, err := circomReferenceTree(leaves)
	if err != nil {
		return err
	}
	nbTasks := []int{0}
	if n == 1000 {
		nbTasks = append(nbTasks, 1)
	}
	for _, nt := range nbTasks {
		label := fmt.Sprintf("poseidon circom bn254 merkle n=%d", n)
		opts := []poseidon.Option{poseidon.WithDevice(t.dev)}
		if nt != 0 {
			label += fmt.Sprintf(" WithNbTasks(%d)", nt)
			opts = append(opts, poseidon.WithNbTasks(nt))
		}
		orig := slices.Clone(leaves)
		rep := t.report()
		layers, err := posbn.MerkleTreeCircom(leaves, append(opts, poseidon.WithReport(rep))...)
		if err != nil {
			return fmt.Errorf("%s: MerkleTreeCircom: %w", label, err)
		}
		if err := unmodified("leaves", leaves, orig); err != nil {
			return fmt.Errorf("%s: MerkleTreeCircom: %w", label, err)
		}
		if rep.N != n {
			return fmt.Errorf("%s: Report.N = %d", label, rep.N)
		}
		if len(layers) != len(want) {
			return fmt.Errorf("%s: MerkleTreeCircom gave %d layers, want %d", label, len(layers), len(want))
		}
		for k := range want {
			if len(layers[k]) != len(want[k]) {
				return fmt.Errorf("%s: layer %d has %d nodes, want %d", label, k, len(layers[k]), len(want[k]))
			}
			if i := firstDiff(layers[k], want[k], (*fr.Element).Equal); i >= 0 {
				return fmt.Errorf("%s: layer %d node %d of %d differs: got %s, want %s", label, k, i, len(want[k]), circomString(layers[k][i:i+1]), want[k][i].String())
			}
		}
		root, err := posbn.MerkleRootCircom(leaves, append(opts, poseidon.WithReport(t.report()))...)
		if err != nil {
			return fmt.Errorf("%s: MerkleRootCircom: %w", label, err)
		}
		if err := unmodified("leaves", leaves, orig); err != nil {
			return fmt.Errorf("%s: MerkleRootCircom: %w", label, err)
		}
		if wr := want[len(want)-1][0]; !root.Equal(&wr) {
			return fmt.Errorf("%s: MerkleRootCircom differs: got %s, want %s", label, circomString([]fr.Element{root}), wr.String())
		}
	}
	return nil
}

// circomReferenceTree builds every layer of the tree over leaves (padded
// with 0 to a power of two) with bn254.Poseidon, one compression at a time.
func circomReferenceTree(leaves []fr.Element) ([][]fr.Element, error) {
	size := 1
	for size < len(leaves) {
		size *= 2
	}
	level := make([]fr.Element, size)
	copy(level, leaves)
	layers := [][]fr.Element{level}
	for len(level) > 1 {
		next := make([]fr.Element, len(level)/2)
		for i := range next {
			h, err := posbn.Poseidon(level[2*i], level[2*i+1])
			if err != nil {
				return nil, fmt.Errorf("reference compression: %w", err)
			}
			next[i] = h
		}
		layers = append(layers, next)
		level = next
	}
	return layers, nil
}
