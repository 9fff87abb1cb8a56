package fpga_test

import (
	"bytes"
	"flag"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
)

var update = flag.Bool("update", false, "rewrite fpga/sim/testdata/bn254_g1.txt from gnark-crypto")

// TestBN254Vectors checks that fpga/sim/testdata/bn254_g1.txt, the known
// answers of the BN254 RTL testbench (sim/tb_bn254.cpp), is what
// gnark-crypto computes (go test ./fpga -run TestBN254Vectors -update
// rewrites it).
func TestBN254Vectors(t *testing.T) {
	got := bn254Vectors()
	path := filepath.Join("sim", "testdata", "bn254_g1.txt")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not what gnark-crypto computes; rerun with -update", path)
	}
}

// hexRaw writes e's raw Montgomery-form words, the most significant first.
func hexRaw(e *fp.Element) string {
	return fmt.Sprintf("%016x%016x%016x%016x", e[3], e[2], e[1], e[0])
}

// bn254Vectors computes the vectors, from a fixed seed:
//
//	mul  a b r                    r = a·b (fp.Element.Mul: a·b·2^−256 on the raw words)
//	madd X1 Y1 Z1 x2 y2 x3 y3     (X1 : Y1 : Z1) + (x2, y2) = (x3, y3), affine
//	madd X1 Y1 Z1 x2 y2 inf       … = ∞
//	dbl  X1 Y1 Z1 x3 y3 | inf     2·(X1 : Y1 : Z1)
//	acc  x2 y2 x3 y3 | inf        the running sum, from ∞, after adding (x2, y2)
//
// every element as its raw Montgomery-form words in hex. The cases cover
// random points with random Z, ∞ as the accumulator, P1 = P2 (a doubling)
// and P1 = −P2 (∞), and the operands 0, 1 and p − 1 for mul; the running
// sum adds the sum itself (a doubling) and its negation (back to ∞) on
// the way.
func bn254Vectors() []byte {
	rng := rand.New(rand.NewPCG(2026, 12))
	var b bytes.Buffer
	b.WriteString("# BN254 known answers for fpga/sim/tb_bn254.cpp, from gnark-crypto (fpga/vectors_test.go).\n")
	elem := func() fp.Element {
		var words [4]uint64
		for i := range words {
			words[i] = rng.Uint64()
		}
		var v big.Int
		for i := 3; i >= 0; i-- {
			v.Lsh(&v, 64)
			v.Or(&v, new(big.Int).SetUint64(words[i]))
		}
		var e fp.Element
		e.SetBigInt(&v)
		return e
	}
	point := func() bn254.G1Affine {
		k := new(big.Int).SetUint64(rng.Uint64())
		k.Lsh(k, 64).Or(k, new(big.Int).SetUint64(rng.Uint64()))
		var p bn254.G1Affine
		p.ScalarMultiplicationBase(k)
		return p
	}
	// jac returns p with the Jacobian coordinate z: (x·z², y·z³, z).
	jac := func(p *bn254.G1Affine, z fp.Element) bn254.G1Jac {
		var j bn254.G1Jac
		var z2, z3 fp.Element
		z2.Square(&z)
		z3.Mul(&z2, &z)
		j.X.Mul(&p.X, &z2)
		j.Y.Mul(&p.Y, &z3)
		j.Z = z
		return j
	}
	affine := func(j *bn254.G1Jac) string {
		if j.Z.IsZero() {
			return "inf"
		}
		var a bn254.G1Affine
		a.FromJacobian(j)
		return hexRaw(&a.X) + " " + hexRaw(&a.Y)
	}
	coords := func(j *bn254.G1Jac) string {
		return hexRaw(&j.X) + " " + hexRaw(&j.Y) + " " + hexRaw(&j.Z)
	}

	var zero, one, minusOne fp.Element
	one.SetOne()
	minusOne.Neg(&one)
	special := []fp.Element{zero, one, minusOne}
	for i := range 40 {
		var x, y fp.Element
		switch {
		case i < 9:
			x, y = special[i/3], special[i%3]
		default:
			x, y = elem(), elem()
		}
		var r fp.Element
		r.Mul(&x, &y)
		fmt.Fprintf(&b, "mul %s %s %s\n", hexRaw(&x), hexRaw(&y), hexRaw(&r))
	}
	madd := func(p1 bn254.G1Jac, p2 bn254.G1Affine) {
		var p2j, sum bn254.G1Jac
		p2j.FromAffine(&p2)
		sum.Set(&p1).AddAssign(&p2j)
		fmt.Fprintf(&b, "madd %s %s %s %s\n", coords(&p1), hexRaw(&p2.X), hexRaw(&p2.Y), affine(&sum))
	}
	for range 16 {
		p1, p2 := point(), point()
		madd(jac(&p1, elem()), p2)
	}
	inf := bn254.G1Jac{X: one, Y: one}
	p := point()
	madd(inf, p)             // ∞ + P
	madd(jac(&p, elem()), p) // P + P
	madd(jac(&p, one), p)    // P + P, Z = 1
	var neg bn254.G1Affine
	neg.Neg(&p)
	madd(jac(&neg, elem()), p) // −P + P
	for range 8 {
		p1 := point()
		j := jac(&p1, elem())
		var d bn254.G1Jac
		d.Double(&j)
		fmt.Fprintf(&b, "dbl %s %s\n", coords(&j), affine(&d))
	}
	var d bn254.G1Jac
	d.Double(&inf)
	fmt.Fprintf(&b, "dbl %s %s\n", coords(&inf), affine(&d))
	acc := inf
	for i := range 14 {
		var q bn254.G1Affine
		switch i {
		case 5: // the sum itself
			q.FromJacobian(&acc)
		case 9: // its negation
			q.FromJacobian(&acc)
			q.Neg(&q)
		default:
			q = point()
		}
		var qj bn254.G1Jac
		qj.FromAffine(&q)
		acc.AddAssign(&qj)
		fmt.Fprintf(&b, "acc %s %s %s\n", hexRaw(&q.X), hexRaw(&q.Y), affine(&acc))
	}
	return b.Bytes()
}
