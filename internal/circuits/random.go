package circuits

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"
	"strings"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/lookup/logderivlookup"
	"github.com/consensys/gnark/std/rangecheck"
)

// Random is a circuit decoded from bytes (a fuzzer's input, [DecodeRandom]):
// a straight-line program over secret inputs In and public inputs Pub,
// whose results' sum must equal the public Out[0] or, where Out is empty,
// the constant Want (then a circuit may have no public input at all, and
// as little as one constraint, or none). Its steps mix field
// arithmetic (add, sub, mul, div, inverse, negation, constants), IsZero,
// Select and equality, bit decompositions, range checks, BSB22
// commitments and lookups in tables of registers,
// so that the provers meet many shapes of constraint system: wires absent
// from A, B or C, public inputs in any number, zero and full-field values,
// one commitment or several.
type Random struct {
	In  [RandomInputs]frontend.Variable
	Pub []frontend.Variable `gnark:",public"`
	Out []frontend.Variable `gnark:",public"`
	// Steps is the program.
	Steps []Step `gnark:"-"`
	// Want is the sum, where Out is empty.
	Want *big.Int `gnark:"-"`
}

// RandomInputs is the number of a Random circuit's secret inputs. Each
// holds a 64-bit value, so that its bit decomposition and range check
// always hold.
const RandomInputs = 4

// Op is a Random circuit's step kind.
type Op uint8

// The steps of a Random circuit. Each reads registers A and B (indexes
// modulo the registers so far: the inputs In, then Pub, then each step's
// result) and appends its result; those marked "no result" append
// nothing.
const (
	OpAdd      Op = iota // A + B
	OpSub                // A − B
	OpMul                // A · B
	OpDiv                // A / B (unsatisfiable where B = 0)
	OpInverse            // 1 / A (unsatisfiable where A = 0)
	OpNeg                // −A
	OpAddConst           // A + B, B the index byte itself as a constant
	OpMulConst           // A · (B | 1), the index byte as a constant
	OpIsZero             // 1 if A = 0, else 0
	OpSelect             // B if A = 0, else A (Select on IsZero(A))
	OpEqual              // 1 if A = B, else 0 (IsZero(A − B))
	OpPopCount           // the number of ones in input In[A]'s 64 bits (ToBinary)
	OpRange              // range check of In[A] on 64 bits (a commitment); no result
	OpCommit             // a BSB22 commitment to A and B, asserted nonzero; no result
	OpLookup             // entry IsZero(A) + 2·IsZero(A+1) of registers B … B+3, appended to the circuit's lookup table
	nbOps
)

var opNames = [...]string{"add", "sub", "mul", "div", "inverse", "neg", "addc", "mulc", "iszero", "select", "equal", "popcount", "range", "commit", "lookup"}

func (o Op) String() string {
	if o < nbOps {
		return opNames[o]
	}
	return fmt.Sprintf("op%d", uint8(o))
}

// Step is one step of a Random circuit.
type Step struct {
	Op   Op
	A, B uint8
}

// RandomMaxConstraints is the most constraints of a Random circuit that
// the provers' fuzz targets prove; they skip larger ones. Go's fuzzing
// worker gives up on an execution after 10 s (it panics "deadlocked!"),
// and one execution sets up, proves with gnark and proves on every device
// present, under coverage instrumentation, on a 2-thread machine in CI.
const RandomMaxConstraints = 2048

// MaxRandomSteps and MaxRandomPublic bound what DecodeRandom makes.
const (
	MaxRandomSteps  = 24
	MaxRandomPublic = 3
)

// DecodeRandom decodes data into a Random circuit's shape (for
// frontend.Compile) and its assignment over the field of modulus field.
// The first byte gives the number of public inputs (modulo
// MaxRandomPublic+1) and, in its bit 2, whether the sum is a constant
// (Want) instead of the public input Out; then 8 bytes per secret and
// public input (little endian; missing bytes are 0); then 3 bytes per step
// (op, A, B), at most MaxRandomSteps. sat is false where the assignment cannot satisfy the
// circuit (a division by zero), as gnark's solver will find.
func DecodeRandom(data []byte, field *big.Int) (shape, assign *Random, sat bool) {
	next := func(n int) []byte {
		b := make([]byte, n)
		k := copy(b, data)
		data = data[k:]
		return b
	}
	head := next(1)[0]
	nPub, nOut := int(head)%(MaxRandomPublic+1), 1-int(head>>2)&1
	shape = &Random{Pub: make([]frontend.Variable, nPub), Out: make([]frontend.Variable, nOut)}
	assign = &Random{Pub: make([]frontend.Variable, nPub), Out: make([]frontend.Variable, nOut)}
	var regs []*big.Int
	for i := range RandomInputs {
		v := new(big.Int).SetUint64(binary.LittleEndian.Uint64(next(8)))
		assign.In[i] = v
		regs = append(regs, v)
	}
	for i := range nPub {
		v := new(big.Int).SetUint64(binary.LittleEndian.Uint64(next(8)))
		assign.Pub[i] = v
		regs = append(regs, v)
	}
	for len(data) > 0 && len(shape.Steps) < MaxRandomSteps {
		b := next(3)
		shape.Steps = append(shape.Steps, Step{Op: Op(b[0] % uint8(nbOps)), A: b[1], B: b[2]})
	}
	assign.Steps = shape.Steps

	sat = true
	mod := func(v *big.Int) *big.Int { return v.Mod(v, field) }
	sum := new(big.Int)
	for _, s := range shape.Steps {
		a, b := regs[int(s.A)%len(regs)], regs[int(s.B)%len(regs)]
		var r *big.Int
		switch s.Op {
		case OpAdd:
			r = mod(new(big.Int).Add(a, b))
		case OpSub:
			r = mod(new(big.Int).Sub(a, b))
		case OpMul:
			r = mod(new(big.Int).Mul(a, b))
		case OpDiv, OpInverse:
			num, den := a, b
			if s.Op == OpInverse {
				num, den = big.NewInt(1), a
			}
			inv := new(big.Int).ModInverse(den, field)
			if inv == nil {
				sat = false
				inv = new(big.Int)
			}
			r = mod(inv.Mul(inv, num))
		case OpNeg:
			r = mod(new(big.Int).Neg(a))
		case OpAddConst:
			r = mod(new(big.Int).Add(a, big.NewInt(int64(s.B))))
		case OpMulConst:
			r = mod(new(big.Int).Mul(a, big.NewInt(int64(s.B|1))))
		case OpIsZero:
			r = big.NewInt(0)
			if a.Sign() == 0 {
				r.SetInt64(1)
			}
		case OpSelect:
			r = a
			if a.Sign() == 0 {
				r = b
			}
			r = new(big.Int).Set(r)
		case OpEqual:
			r = big.NewInt(0)
			if a.Cmp(b) == 0 {
				r.SetInt64(1)
			}
		case OpPopCount:
			in := assign.In[int(s.A)%RandomInputs].(*big.Int)
			r = big.NewInt(int64(bits.OnesCount64(in.Uint64())))
		case OpLookup:
			i := 0
			for j, v := range []*big.Int{a, regs[(int(s.A)+1)%len(regs)]} {
				if v.Sign() == 0 {
					i += 1 << j
				}
			}
			r = new(big.Int).Set(regs[(int(s.B)+i)%len(regs)])
		}
		if r != nil {
			regs = append(regs, r)
			sum.Add(sum, r)
		}
	}
	if nOut == 1 {
		assign.Out[0] = mod(sum)
	} else {
		v := mod(sum)
		shape.Want, assign.Want = v, new(big.Int).Set(v)
	}
	return shape, assign, sat
}

// Define writes the program.
func (c *Random) Define(api frontend.API) error {
	regs := make([]frontend.Variable, 0, len(c.In)+len(c.Pub)+len(c.Steps))
	regs = append(regs, c.In[:]...)
	regs = append(regs, c.Pub...)
	sum := frontend.Variable(0)
	var table logderivlookup.Table
	for _, s := range c.Steps {
		a, b := regs[int(s.A)%len(regs)], regs[int(s.B)%len(regs)]
		var r frontend.Variable
		switch s.Op {
		case OpAdd:
			r = api.Add(a, b)
		case OpSub:
			r = api.Sub(a, b)
		case OpMul:
			r = api.Mul(a, b)
		case OpDiv:
			r = api.Div(a, b)
		case OpInverse:
			r = api.Inverse(a)
		case OpNeg:
			r = api.Neg(a)
		case OpAddConst:
			r = api.Add(a, int(s.B))
		case OpMulConst:
			r = api.Mul(a, int(s.B|1))
		case OpIsZero:
			r = api.IsZero(a)
		case OpSelect:
			r = api.Select(api.IsZero(a), b, a)
		case OpEqual:
			r = api.IsZero(api.Sub(a, b))
		case OpPopCount:
			bs := api.ToBinary(c.In[int(s.A)%RandomInputs], 64)
			r = frontend.Variable(0)
			for _, bit := range bs {
				r = api.Add(r, bit)
			}
		case OpRange:
			rangecheck.New(api).Check(c.In[int(s.A)%RandomInputs], 64)
		case OpCommit:
			committer, ok := api.(frontend.Committer)
			if !ok {
				return fmt.Errorf("the builder %T cannot commit", api)
			}
			cm, err := committer.Commit(a, b)
			if err != nil {
				return err
			}
			api.AssertIsDifferent(cm, 0)
		case OpLookup:
			// One table per circuit, as circuits use them (its
			// argument costs some 350 R1CS constraints, committed at
			// the end of Define): each lookup appends four registers
			// and looks up one of them.
			if table == nil {
				table = logderivlookup.New(api)
			}
			base := table.Insert(regs[int(s.B)%len(regs)])
			for j := 1; j < 4; j++ {
				table.Insert(regs[(int(s.B)+j)%len(regs)])
			}
			i := api.Add(base, api.IsZero(a), api.Mul(api.IsZero(regs[(int(s.A)+1)%len(regs)]), 2))
			r = table.Lookup(i)[0]
		default:
			return fmt.Errorf("step %v: no such op", s.Op)
		}
		if r != nil {
			regs = append(regs, r)
			sum = api.Add(sum, r)
		}
	}
	if len(c.Out) == 0 {
		api.AssertIsEqual(sum, c.Want)
		return nil
	}
	api.AssertIsEqual(sum, c.Out[0])
	return nil
}

// String writes the program, one step a line, for a failure's message.
func (c *Random) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d secret inputs, %d public, sum %s, then:", len(c.In), len(c.Pub), map[bool]string{true: "public", false: "constant"}[len(c.Out) == 1])
	for i, s := range c.Steps {
		fmt.Fprintf(&sb, " %d:%v(%d,%d)", i, s.Op, s.A, s.B)
	}
	return sb.String()
}

// RandomCorpus returns the seed programs of the provers' fuzz targets, as
// DecodeRandom reads them: no step at all (no public input besides Out);
// no public input at all, with no constraint, then with one (R1CS: a
// Groth16 domain of one element; gnark's PLONK refuses fewer than two);
// every op but the lookup once, with three public inputs; arithmetic on full-field
// values; two commitments beside a range check; three public inputs and
// nothing else (PLONK: rows of public inputs only, so R and O commit to no
// value); three lookups (in the circuit's one table) beside a range check
// and a commitment; and a division by an input that is 0 (unsatisfiable).
func RandomCorpus() [][]byte {
	// inputs writes the first byte, head, and the inputs' values.
	inputs := func(head byte, vals ...uint64) []byte {
		b := []byte{head}
		for i := range RandomInputs + int(head)%(MaxRandomPublic+1) {
			var v uint64
			if i < len(vals) {
				v = vals[i]
			}
			b = binary.LittleEndian.AppendUint64(b, v)
		}
		return b
	}
	steps := func(b []byte, s ...Step) []byte {
		for _, st := range s {
			b = append(b, byte(st.Op), st.A, st.B)
		}
		return b
	}
	var every []Step
	for op := range nbOps {
		if op == OpLookup {
			continue // its argument alone is some 350 R1CS constraints: a seed of its own
		}
		every = append(every, Step{op, uint8(3 * op), uint8(op + 5)})
	}
	return [][]byte{
		inputs(0, 1, 2, 3, 4),
		inputs(4, 1, 2, 3, 4),
		steps(inputs(4, 9, 2, 3, 4), Step{OpAddConst, 0, 5}),
		steps(inputs(3, 7, 11, 1<<63, ^uint64(0), 5, 7, 13), every...),
		steps(inputs(1, ^uint64(0), 3, 0xdeadbeef, 2, 9),
			Step{OpMul, 0, 0}, Step{OpMul, 5, 5}, Step{OpMul, 6, 6}, Step{OpMul, 7, 7}, Step{OpDiv, 8, 2}, Step{OpInverse, 9, 0}, Step{OpSub, 1, 10}, Step{OpEqual, 10, 11}),
		steps(inputs(2, 1000, 77777, 5, 9, 12, 13),
			Step{OpRange, 0, 0}, Step{OpCommit, 1, 2}, Step{OpMul, 4, 5}, Step{OpCommit, 6, 0}, Step{OpRange, 3, 0}, Step{OpPopCount, 1, 0}),
		{0xff}, // FuzzProve's finding of 2026-12-06: three public inputs, zero values, the sum constant
		steps(inputs(2, 1000, 0, 0, ^uint64(0), 12, 13),
			Step{OpMul, 3, 3}, Step{OpLookup, 1, 4}, Step{OpLookup, 2, 6}, Step{OpRange, 3, 0}, Step{OpLookup, 0, 7}, Step{OpCommit, 8, 6}),
		steps(inputs(1, 5, 0, 3, 4, 6), Step{OpDiv, 0, 1}),
	}
}

// FuzzInput is a provers' fuzz input decoded and compiled (see
// CompileFuzzInput).
type FuzzInput struct {
	Curve  ecc.ID
	Shape  *Random
	Assign *Random
	Sat    bool // DecodeRandom's: whether Assign can satisfy the circuit
	CCS    constraint.ConstraintSystem
}

// CompileFuzzInput decodes a provers' fuzz input: data[0] picks the curve
// among curves (the callers read its higher digits for their own choices),
// the rest is DecodeRandom's. builder compiles it (R1CS or PLONK's). ok is
// false where there is nothing to prove: empty data, a circuit gnark
// refuses to compile (a division by the constant 0), or one of more than
// RandomMaxConstraints constraints.
func CompileFuzzInput(data []byte, curves []ecc.ID, builder func(field *big.Int, c frontend.Circuit) (constraint.ConstraintSystem, error)) (in FuzzInput, ok bool) {
	if len(data) == 0 {
		return in, false
	}
	in.Curve = curves[int(data[0])%len(curves)]
	field := in.Curve.ScalarField()
	in.Shape, in.Assign, in.Sat = DecodeRandom(data[1:], field)
	ccs, err := builder(field, in.Shape)
	if err != nil || ccs.GetNbConstraints() > RandomMaxConstraints {
		return in, false
	}
	in.CCS = ccs
	return in, true
}
