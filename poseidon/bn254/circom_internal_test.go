package bn254

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/big"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
)

// circomIden3Constants are the circom Poseidon constants go-iden3-crypto v0.0.17
// embeds (poseidon/constants.go, copied from circomlibjs's
// poseidon_constants_opt.js), indexed by t − 2: C the optimized round
// constants, S the sparse matrices, M the MDS matrix and P the pre-sparse
// matrix, both applied as s'[i] = Σ_j X[j][i]·s[j].
type circomIden3Constants struct {
	C, S [][]string
	M, P [][][]string
}

// circomLoadIden3 parses go-iden3-crypto's constants.go in the module
// cache (the module is a test dependency, so it is there whenever this test
// builds). The constants are unexported, so they are read from the source.
func circomLoadIden3(t *testing.T) *circomIden3Constants {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/iden3/go-iden3-crypto").Output()
	if err != nil {
		t.Skipf("cannot locate go-iden3-crypto's sources (go list -m: %v)", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "poseidon", "constants.go")
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	var lit *ast.CompositeLit
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Names) == 1 && vs.Names[0].Name == "cs" {
			lit, _ = vs.Values[0].(*ast.CompositeLit)
		}
		return lit == nil
	})
	if lit == nil {
		t.Fatalf("%s: no composite literal cs", path)
	}
	var c circomIden3Constants
	for _, e := range lit.Elts {
		kv := e.(*ast.KeyValueExpr)
		switch kv.Key.(*ast.Ident).Name {
		case "C":
			c.C = circomStrings2(t, kv.Value)
		case "S":
			c.S = circomStrings2(t, kv.Value)
		case "M":
			c.M = circomStrings3(t, kv.Value)
		case "P":
			c.P = circomStrings3(t, kv.Value)
		}
	}
	if len(c.C) != circomMaxInputs || len(c.S) != circomMaxInputs || len(c.M) != circomMaxInputs || len(c.P) != circomMaxInputs {
		t.Fatalf("%s: %d, %d, %d, %d widths in C, S, M, P; want %d", path, len(c.C), len(c.S), len(c.M), len(c.P), circomMaxInputs)
	}
	return &c
}

// circomStrings1, circomStrings2 and circomStrings3 read composite literals
// of string literals, nested one to three deep.
func circomStrings1(t *testing.T, e ast.Expr) []string {
	var out []string
	for _, x := range e.(*ast.CompositeLit).Elts {
		s, err := strconv.Unquote(x.(*ast.BasicLit).Value)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func circomStrings2(t *testing.T, e ast.Expr) [][]string {
	var out [][]string
	for _, x := range e.(*ast.CompositeLit).Elts {
		out = append(out, circomStrings1(t, x))
	}
	return out
}

func circomStrings3(t *testing.T, e ast.Expr) [][][]string {
	var out [][][]string
	for _, x := range e.(*ast.CompositeLit).Elts {
		out = append(out, circomStrings2(t, x))
	}
	return out
}

// circomHex parses one of go-iden3-crypto's constants (hex, no prefix).
func circomHex(t *testing.T, s string) fr.Element {
	b, ok := new(big.Int).SetString(s, 16)
	if !ok || b.Cmp(fr.Modulus()) >= 0 {
		t.Fatalf("bad constant %q", s)
	}
	var e fr.Element
	e.SetBigInt(b)
	return e
}

// TestCircomConstantsMatchIden3 checks, for every width, the constants
// generated with the Grain LFSR (the MDS matrix) and derived from them (the
// optimized round constants, sparse and pre-sparse matrices) against
// go-iden3-crypto's, element by element.
func TestCircomConstantsMatchIden3(t *testing.T) {
	c := circomLoadIden3(t)
	for w := 2; w <= circomMaxInputs+1; w++ {
		p, err := circomParamsFor(w)
		if err != nil {
			t.Fatalf("t=%d: %v", w, err)
		}
		check := func(what string, got []fr.Element, want []string) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("t=%d: %s: %d constants, go-iden3-crypto has %d", w, what, len(got), len(want))
			}
			for i := range want {
				if e := circomHex(t, want[i]); !got[i].Equal(&e) {
					t.Fatalf("t=%d: %s[%d] = %s, go-iden3-crypto has %s", w, what, i, got[i].Text(16), want[i])
				}
			}
		}
		transposed := func(m [][]string) []string { // X[j][i] as row-major [i][j]
			var out []string
			for i := range m {
				for j := range m {
					out = append(out, m[j][i])
				}
			}
			return out
		}
		check("C", p.c, c.C[w-2])
		check("S", p.sparse, c.S[w-2])
		check("M", p.mds, transposed(c.M[w-2]))
		check("P", p.pre, transposed(c.P[w-2]))
	}
}

// TestCircomGrainFirstConstants checks the start of the Grain LFSR's output
// without go-iden3-crypto's sources: the first round constant for t = 2 and
// t = 3, as written in go-iden3-crypto v0.0.17 poseidon/constants.go (the
// first entries of C[0] and C[1]; the optimized form leaves the first t
// constants equal to the plain ones).
func TestCircomGrainFirstConstants(t *testing.T) {
	for _, c := range []struct {
		t    int
		want string
	}{
		{2, "9c46e9ec68e9bd4fe1faaba294cba38a71aa177534cdd1b6c7dc0dbd0abd7a7"},
		{3, "ee9a592ba9a9518d05986d656f40c2114c4993c11bb29938d21d47304cd8e6e"},
	} {
		rc, _, ok := grainConstants(c.t, circomFullRounds, circomPartialRounds[c.t-2])
		if !ok {
			t.Fatalf("t=%d: no matrix", c.t)
		}
		if got := rc[0].Text(16); got != c.want {
			t.Errorf("t=%d: first round constant %s, want %s", c.t, got, c.want)
		}
	}
}

// TestCircomOptimizedMatchesPlain checks the optimized permutation against the paper's plain one on random states, and on
// states of 0, 1 and r−1, for every width.
func TestCircomOptimizedMatchesPlain(t *testing.T) {
	rng := inputs.NewRand(devtest.Seed(t))
	var one, minusOne fr.Element
	one.SetOne()
	minusOne.Neg(&one)
	for w := 2; w <= circomMaxInputs+1; w++ {
		p, err := circomParamsFor(w)
		if err != nil {
			t.Fatal(err)
		}
		var states []circomState
		for _, v := range []fr.Element{{}, one, minusOne} {
			var s circomState
			for i := range w {
				s[i] = v
			}
			states = append(states, s)
		}
		for range 20 {
			var s circomState
			copy(s[:w], inputs.Elements[fr.Element](rng, w))
			states = append(states, s)
		}
		for k, s := range states {
			want, got := s, s
			p.permutePlain(&want)
			p.permute(&got)
			if got != want {
				t.Fatalf("t=%d, state %d: the optimized permutation differs from the plain one", w, k)
			}
		}
	}
}

// TestCircomPermutationKnownAnswers runs every known answer, including
// those with a non-zero initial state, through both permutations.
func TestCircomPermutationKnownAnswers(t *testing.T) {
	for _, v := range CircomKATs(t) {
		p, err := circomParamsFor(len(v.In) + 1)
		if err != nil {
			t.Fatal(err)
		}
		var s circomState
		s[0] = v.Init
		copy(s[1:], v.In)
		plain, opt := s, s
		p.permutePlain(&plain)
		p.permute(&opt)
		if !plain[0].Equal(&v.Out) || !opt[0].Equal(&v.Out) {
			t.Errorf("%s: plain %s, optimized %s, want %s", v.Name, plain[0].String(), opt[0].String(), v.Out.String())
		}
	}
}

// TestCircomParamsConcurrent checks that concurrent first uses of a width
// share one set of constants.
func TestCircomParamsConcurrent(t *testing.T) {
	const w = 11
	var wg sync.WaitGroup
	got := make([]*circomParams, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = circomParamsFor(w)
		}()
	}
	wg.Wait()
	for i := range got {
		if got[i] == nil || got[i] != got[0] {
			t.Fatalf("goroutine %d got constants %p, goroutine 0 %p", i, got[i], got[0])
		}
	}
}

// BenchmarkCircomConstants measures the one-off cost of a width's
// constants: the Grain LFSR and the derivation of the optimized form.
func BenchmarkCircomConstants(b *testing.B) {
	for _, w := range []int{3, 5, 17} {
		b.Run(fmt.Sprintf("t=%d", w), func(b *testing.B) {
			for range b.N {
				if _, err := newCircomParams(w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCircomLanes checks the batched kernel against the one-state
// permutation, for every width and numbers of hashes around the block and
// vector sizes, on inputs with 0, 1 and r−1 mixed in. The kernel is forced
// on (on a CPU without AVX-512 IFMA, gnark-crypto's vectors run generic
// code, which the kernel must drive as correctly).
func TestCircomLanes(t *testing.T) {
	defer func(v bool) { circomLanes = v }(circomLanes)
	circomLanes = true
	rng := inputs.NewRand(devtest.Seed(t))
	var one, minusOne fr.Element
	one.SetOne()
	minusOne.Neg(&one)
	sizes := []int{1, 7, 8, 9, 63, 64, 65, 72, 135}
	if testing.Short() {
		sizes = []int{7, 8, 9, 64, 73}
	}
	for w := 2; w <= circomMaxInputs+1; w++ {
		p, err := circomParamsFor(w)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range sizes {
			els := inputs.Elements[fr.Element](rng, n*(w-1))
			for i, v := range []fr.Element{{}, one, minusOne} {
				if i < len(els) {
					els[i] = v
				}
			}
			in := func(i int) []fr.Element { return els[i*(w-1) : (i+1)*(w-1)] }
			got := make([]fr.Element, n)
			p.hashes(got, in)
			for i := range got {
				if want := p.hash(in(i)); !got[i].Equal(&want) {
					t.Fatalf("t=%d n=%d: hash %d differs from the one-state permutation", w, n, i)
				}
			}
		}
	}
}
