//go:build ignore

// gen_f1600 writes f1600.go, the unrolled Keccak-f[1600] permutation, from
// the description of FIPS 202 §3.2 (θ, ρ, π, χ, ι) and its round-constant
// LFSR (Algorithm 5). Run it with `go generate` in this directory.
//
// Layout of the permutation it writes:
//
//   - Two rounds per loop iteration: one from the caller's state s into a
//     second state t on the stack, and one from t back into s, so that no
//     lane is overwritten while a later step of the same round still needs
//     it. Within a round it works one output plane (row y) at a time: θ's
//     column effect, ρ's rotation and π's move give the five lanes of the
//     plane, and χ and ι finish it.
//   - Lane complementing (Bertoni, Daemen, Peeters, Van Assche, "Keccak
//     implementation overview"): the lanes of a fixed mask P are kept
//     complemented between rounds, which lets χ's ¬a∧b be computed with AND
//     and OR on most lanes instead of a NOT and an AND. The generator
//     searches all 2^25 masks (about 30 s) for one that minimises the NOTs
//     left in a round, and complements P's lanes on entry and on exit.
//
// Measured alternatives (Go 1.26, amd64, GOAMD64=v1, hashing 64-byte
// messages): the lanes in 50 local variables instead of two arrays, about
// 20% slower (they spill); without lane complementing, about 10% slower;
// with the column parities of the next round accumulated during χ, no
// faster.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"math/bits"
	"os"
	"strings"
)

// rho returns ρ's rotation offset of every lane, indexed x+5y (FIPS 202,
// Algorithm 2): lane (1, 0) first, then along the walk (x, y) → (y, 2x+3y),
// the t-th lane rotated by (t+1)(t+2)/2.
func rho() [25]int {
	var r [25]int
	x, y := 1, 0
	for t := 0; t < 24; t++ {
		r[x+5*y] = ((t + 1) * (t + 2) / 2) % 64
		x, y = y, (2*x+3*y)%5
	}
	return r
}

// piSource returns the lane that π moves to lane (x, y): (x+3y mod 5, x)
// (FIPS 202, Algorithm 3).
func piSource(x, y int) (int, int) { return (x + 3*y) % 5, x }

// rcBit is FIPS 202 Algorithm 5, rc(t): the output bit of an 8-bit LFSR
// with feedback polynomial x^8 + x^6 + x^5 + x^4 + 1.
func rcBit(t int) uint64 {
	if t%255 == 0 {
		return 1
	}
	r := uint64(1)
	for i := 1; i <= t%255; i++ {
		r <<= 1
		if r&0x100 != 0 {
			r ^= 0x171
		}
	}
	return r & 1
}

// roundConstants returns ι's constants (FIPS 202, Algorithm 6): bit 2^j − 1
// of round i's constant is rc(j + 7i), j = 0 … 6.
func roundConstants() [24]uint64 {
	var rc [24]uint64
	for i := range rc {
		for j := 0; j <= 6; j++ {
			rc[i] |= rcBit(j+7*i) << (1<<j - 1)
		}
	}
	return rc
}

// chiInputs returns, for a complement mask p (bit x+5y set when lane
// (x, y) is stored complemented), the mask q of χ's inputs: which of the
// lanes b[x+5y] that θ, ρ and π compute from the stored lanes come out
// complemented. θ adds to each lane the parities of its two neighbouring
// columns, so a lane's flag is flipped by an odd number of complemented
// lanes in either neighbour column; ρ keeps a lane's flag; π moves it.
func chiInputs(p uint32) uint32 {
	var par [5]uint32
	for x := 0; x < 5; x++ {
		for y := 0; y < 5; y++ {
			par[x] ^= p >> (x + 5*y) & 1
		}
	}
	var q uint32
	for y := 0; y < 5; y++ {
		for x := 0; x < 5; x++ {
			sx, sy := piSource(x, y)
			f := p>>(sx+5*sy)&1 ^ par[(sx+4)%5] ^ par[(sx+1)%5]
			q |= f << (x + 5*y)
		}
	}
	return q
}

// chiLane says how χ computes output lane (x, y) of a round that reads
// lanes complemented by mask q and writes lanes complemented by mask p. With
// b0, b1, b2 the stored lanes (x, y), (x+1, y), (x+2, y) after θ, ρ and π,
// the output is b0 ⊕ g, complemented when flip, where g is written in
// b1 and b2 as expr ("b1", "b2" standing for them) and is ¬B1∧B2 of the true
// lanes B1, B2, or its complement when inv.
type chiLane struct {
	expr string
	inv  bool
	flip bool
}

// nots is the number of NOTs the lane costs: one for an expression with a
// complemented operand, one for a complemented output.
func (l chiLane) nots() int {
	if l.flip || strings.Contains(l.expr, "^") { // "&^" or "| ^"
		return 1
	}
	return 0
}

func chiFor(p, q uint32, x, y int) chiLane {
	at := func(m uint32, x int) uint32 { return m >> ((x % 5) + 5*y) & 1 }
	q0, q1, q2 := at(q, x), at(q, x+1), at(q, x+2)
	var l chiLane
	switch {
	case q1 == 1 && q2 == 0: // b1 = ¬B1, b2 = B2: ¬B1∧B2 = b1∧b2
		l.expr = "b1 & b2"
	case q1 == 0 && q2 == 1: // b1 = B1, b2 = ¬B2: ¬B1∧B2 = ¬(b1∨b2)
		l.expr, l.inv = "b1 | b2", true
	case q1 == 0 && q2 == 0: // ¬B1∧B2 = b2∧¬b1
		l.expr = "b2 &^ b1"
	default: // b1 = ¬B1, b2 = ¬B2: ¬B1∧B2 = b1∧¬b2
		l.expr = "b1 &^ b2"
	}
	// The output stored must be the true B0 ⊕ ¬B1∧B2, complemented when p
	// says so: b0 carries q0, g carries inv.
	l.flip = (q0 ^ at(p, x)) == 1 != l.inv
	if l.flip && q1 == q2 {
		// Fold the output's complement into g: ¬(v∧¬u) = u∨¬v.
		if q1 == 0 {
			l.expr = "b1 | ^b2"
		} else {
			l.expr = "b2 | ^b1"
		}
		l.inv, l.flip = !l.inv, false
	}
	return l
}

// cost returns the NOTs a round costs with mask p.
func cost(p uint32) int {
	q := chiInputs(p)
	n := 0
	for y := 0; y < 5; y++ {
		for x := 0; x < 5; x++ {
			n += chiFor(p, q, x, y).nots()
		}
	}
	return n
}

// bestMask returns the mask of fewest NOTs per round, and among those of
// fewest complemented lanes (each costs a NOT on entry and on exit), the
// smallest.
func bestMask() uint32 {
	best, bestCost := uint32(0), cost(0)
	for p := uint32(1); p < 1<<25; p++ {
		c := cost(p)
		if c < bestCost || c == bestCost && bits.OnesCount32(p) < bits.OnesCount32(best) {
			best, bestCost = p, c
		}
	}
	return best
}

func main() {
	mask := bestMask()
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("// Code generated by gen_f1600.go; DO NOT EDIT.")
	p("")
	p("package keccak")
	p("")
	p(`import "math/bits"`)
	p("")
	p("// roundConstants are ι's 24 round constants, from the LFSR of FIPS 202,")
	p("// Algorithm 5.")
	p("var roundConstants = [24]uint64{")
	for _, c := range roundConstants() {
		p("\t%#016x,", c)
	}
	p("}")
	p("")
	var lanes []int
	for i := 0; i < 25; i++ {
		if mask>>i&1 == 1 {
			lanes = append(lanes, i)
		}
	}
	p("// permute applies Keccak-f[1600] (FIPS 202, Keccak-p[1600, 24]) to a, whose")
	p("// lane (x, y) is a[x+5y]. Lanes %v are kept complemented inside; see", lanes)
	p("// gen_f1600.go for how it is laid out. It costs %d NOTs per round.", cost(mask))
	p("func permute(a *[25]uint64) {")
	p("\ts := a")
	p("\tvar t [25]uint64")
	for _, i := range lanes {
		p("\ts[%d] = ^s[%d]", i, i)
	}
	p("\tfor r := 0; r < 24; r += 2 {")
	r := rho()
	q := chiInputs(mask)
	round := func(src, dst string, rcIndex string) {
		for x := 0; x < 5; x++ {
			p("\t\tc%d := %s[%d] ^ %s[%d] ^ %s[%d] ^ %s[%d] ^ %s[%d]", x, src, x, src, x+5, src, x+10, src, x+15, src, x+20)
		}
		for x := 0; x < 5; x++ {
			p("\t\td%d := c%d ^ bits.RotateLeft64(c%d, 1)", x, (x+4)%5, (x+1)%5)
		}
		for y := 0; y < 5; y++ {
			p("\t\t{")
			for x := 0; x < 5; x++ {
				sx, sy := piSource(x, y)
				s := sx + 5*sy
				if r[s] == 0 {
					p("\t\tb%d := %s[%d] ^ d%d", x, src, s, sx)
				} else {
					p("\t\tb%d := bits.RotateLeft64(%s[%d]^d%d, %d)", x, src, s, sx, r[s])
				}
			}
			for x := 0; x < 5; x++ {
				l := chiFor(mask, q, x, y)
				g := strings.NewReplacer("b1", fmt.Sprintf("b%d", (x+1)%5), "b2", fmt.Sprintf("b%d", (x+2)%5)).Replace(l.expr)
				line := fmt.Sprintf("\t\t%s[%d] = b%d ^ (%s)", dst, x+5*y, x, g)
				if l.flip {
					line = fmt.Sprintf("\t\t%s[%d] = b%d ^ ^(%s)", dst, x+5*y, x, g)
				}
				if x == 0 && y == 0 {
					line += " ^ roundConstants[" + rcIndex + "]"
				}
				p("%s", line)
			}
			p("\t\t}")
		}
	}
	p("\t\t{")
	round("s", "t", "r")
	p("\t\t}")
	p("\t\t{")
	round("t", "s", "r+1")
	p("\t\t}")
	p("\t}")
	for _, i := range lanes {
		p("\ts[%d] = ^s[%d]", i, i)
	}
	p("}")
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatalf("gofmt: %v\n%s", err, b.Bytes())
	}
	if err := os.WriteFile("f1600.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}
