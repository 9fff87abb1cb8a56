package ptxsim

import (
	"fmt"
	"strings"
)

// Instruction kinds.
const (
	kNop = iota
	kParamDecl
	kMov
	kLd
	kSt
	kAdd
	kSub
	kMul
	kMad
	kSetp
	kSelp
	kAnd
	kOr
	kXor
	kNot
	kNeg
	kShl
	kShr
	kCvt
	kCvta
	kBfi
	kBfe
	kBrev
	kPopc
	kClz
	kBfind
	kMin
	kMax
	kDiv
	kRem
	kShf
	kPrmt
	kLop3
	kAtom
	kRed
	kBra
	kCall
	kRet
)

// kCollective is the first kind that involves other threads.
const kCollective = 100

const (
	kActivemask = kCollective + iota
	kBar
	kMatchAny
	kMatchAll
	kShfl
	kVote
	kWarpSync
)

// aux and aux2 values
const (
	mulLo = iota
	mulHi
	mulWide
)

const (
	setCarry = 1 << iota
	useCarry
)

const (
	cmpEq = iota
	cmpNe
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

const (
	shflIdx = iota
	shflUp
	shflDown
	shflBfly
)

const (
	cvtaGlobal = iota
	cvtaToLocal
	cvtaLocal
	cvtaToShared
	cvtaShared
)

const (
	atomAdd = iota
	atomExch
	atomCas
	atomMin
	atomMax
	atomAnd
	atomOr
	atomXor
	atomInc
	atomDec
)

// typeOf finds the last type suffix among parts: its width and signedness.
func typeOf(parts []string) (w int, signed, ok bool) {
	for i := len(parts) - 1; i >= 1; i-- {
		if bw, k := typeBits(parts[i]); k {
			if strings.HasPrefix(parts[i], "f") {
				return 0, false, false
			}
			return bw, strings.HasPrefix(parts[i], "s"), true
		}
	}
	return 0, false, false
}

func has(parts []string, s string) bool {
	for _, p := range parts[1:] {
		if p == s {
			return true
		}
	}
	return false
}

var simple = map[string]int{
	"mov": kMov, "selp": kSelp, "and": kAnd, "or": kOr, "xor": kXor, "not": kNot, "neg": kNeg,
	"shl": kShl, "shr": kShr, "brev": kBrev, "popc": kPopc, "clz": kClz, "min": kMin, "max": kMax,
	"div": kDiv, "rem": kRem, "bfi": kBfi, "bfe": kBfe, "prmt": kPrmt, "lop3": kLop3,
}

var spaces = map[string]bool{"global": true, "const": true, "shared": true, "local": true, "param": true}

// spaceOf finds the state space among an instruction's qualifiers, which
// may follow others (ld.volatile.shared, atom.relaxed.gpu.shared): "" for
// a generic address.
func spaceOf(parts []string) string {
	for _, q := range parts[1:] {
		if spaces[q] {
			return q
		}
	}
	return ""
}

// decode sets in's kind and the facts its execution needs, or says why it
// cannot run here.
func decode(in *inst, f *function) error {
	p := in.parts
	nargs := func(n ...int) error {
		for _, k := range n {
			if len(in.args) == k {
				return nil
			}
		}
		return fmt.Errorf("%d operands", len(in.args))
	}
	width := func() error {
		w, s, ok := typeOf(p)
		if !ok {
			return fmt.Errorf("unsupported type (floating point, or none)")
		}
		in.width, in.signed = w, s
		return nil
	}
	if in.op == ".param" {
		in.kind = kParamDecl
		return nil
	}
	if k, ok := simple[p[0]]; ok {
		in.kind = k
		if err := width(); err != nil {
			return err
		}
		switch k {
		case kPrmt:
			if len(p) != 2 {
				return fmt.Errorf("only prmt's default mode is supported")
			}
			return nargs(4)
		case kBfi:
			return nargs(5)
		case kBfe, kSelp:
			return nargs(4)
		case kLop3:
			return nargs(5)
		case kMov, kNot, kNeg, kBrev, kPopc, kClz:
			return nargs(2)
		}
		if has(p, "sat") || has(p, "cc") {
			return fmt.Errorf("unsupported modifier")
		}
		return nargs(3)
	}
	switch p[0] {
	case "ld", "st":
		in.kind = kLd
		if p[0] == "st" {
			in.kind = kSt
		}
		if err := width(); err != nil {
			return err
		}
		in.space = spaceOf(p)
		for _, q := range p[1:] {
			if q == "v2" || q == "v4" {
				in.aux = int(q[1] - '0')
			}
		}
		return nargs(2)
	case "add", "sub", "addc", "subc":
		in.kind = kAdd
		if strings.HasPrefix(p[0], "sub") {
			in.kind = kSub
		}
		if err := width(); err != nil {
			return err
		}
		if has(p, "cc") {
			in.aux2 |= setCarry
		}
		if strings.HasSuffix(p[0], "c") {
			in.aux2 |= useCarry
		}
		if has(p, "sat") {
			return fmt.Errorf("unsupported .sat")
		}
		return nargs(3)
	case "mul", "mad", "madc":
		in.kind = kMul
		if p[0] != "mul" {
			in.kind = kMad
		}
		if err := width(); err != nil {
			return err
		}
		switch {
		case has(p, "lo"):
			in.aux = mulLo
		case has(p, "hi"):
			in.aux = mulHi
		case has(p, "wide"):
			in.aux = mulWide
			if in.width == 64 {
				return fmt.Errorf("a 64-bit .wide")
			}
		default:
			return fmt.Errorf("mul without .lo, .hi or .wide")
		}
		if has(p, "cc") {
			in.aux2 |= setCarry
		}
		if p[0] == "madc" {
			in.aux2 |= useCarry
		}
		if in.kind == kMad {
			return nargs(4)
		}
		return nargs(3)
	case "setp":
		in.kind = kSetp
		if err := width(); err != nil {
			return err
		}
		cmps := map[string]int{"eq": cmpEq, "ne": cmpNe, "lt": cmpLt, "le": cmpLe, "gt": cmpGt, "ge": cmpGe,
			"lo": cmpLt, "ls": cmpLe, "hi": cmpGt, "hs": cmpGe}
		c, ok := cmps[p[1]]
		if !ok {
			return fmt.Errorf("unsupported comparison")
		}
		in.aux = c
		if p[1] == "lo" || p[1] == "ls" || p[1] == "hi" || p[1] == "hs" {
			in.signed = false
		}
		switch p[2] {
		case "and":
			in.aux2 = 1
		case "or":
			in.aux2 = 2
		case "xor":
			in.aux2 = 3
		}
		if in.aux2 != 0 {
			return nargs(4)
		}
		return nargs(3)
	case "cvt":
		in.kind = kCvt
		var ts []string
		for _, q := range p[1:] {
			if _, ok := typeBits(q); ok {
				ts = append(ts, q)
			} else {
				return fmt.Errorf("unsupported modifier .%s", q)
			}
		}
		if len(ts) != 2 || strings.HasPrefix(ts[0], "f") || strings.HasPrefix(ts[1], "f") {
			return fmt.Errorf("only integer conversions are supported")
		}
		in.width, _ = typeBits(ts[0])
		in.aux, _ = typeBits(ts[1])
		if strings.HasPrefix(ts[1], "s") {
			in.aux2 = 1
		}
		return nargs(2)
	case "cvta":
		in.kind = kCvta
		in.width = 64
		switch {
		case has(p, "to") && has(p, "local"):
			in.aux = cvtaToLocal
		case has(p, "local"):
			in.aux = cvtaLocal
		case has(p, "to") && has(p, "shared"):
			in.aux = cvtaToShared
		case has(p, "shared"):
			in.aux = cvtaShared
		case has(p, "global"):
			in.aux = cvtaGlobal
		default:
			return fmt.Errorf("unsupported space")
		}
		if has(p, "u32") {
			return fmt.Errorf("32-bit addresses are not supported")
		}
		return nargs(2)
	case "bfind":
		in.kind = kBfind
		if has(p, "shiftamt") {
			in.aux = 1
		}
		if err := width(); err != nil {
			return err
		}
		return nargs(2)
	case "shf":
		in.kind = kShf
		in.width = 32
		if has(p, "l") {
			in.aux = 1
		}
		if has(p, "wrap") {
			in.aux2 = 1
		}
		return nargs(4)
	case "atom", "red":
		in.kind = kAtom
		if p[0] == "red" {
			in.kind = kRed
		}
		if err := width(); err != nil {
			return err
		}
		in.space = spaceOf(p)
		if in.space != "" && in.space != "global" && in.space != "shared" {
			return fmt.Errorf("atomics in .%s", in.space)
		}
		ops := map[string]int{"add": atomAdd, "exch": atomExch, "cas": atomCas, "min": atomMin, "max": atomMax,
			"and": atomAnd, "or": atomOr, "xor": atomXor, "inc": atomInc, "dec": atomDec}
		found := false
		for _, q := range p[1:] {
			if o, ok := ops[q]; ok {
				in.aux, found = o, true
			}
		}
		if !found {
			return fmt.Errorf("unsupported atomic operation")
		}
		if in.kind == kRed {
			return nargs(2)
		}
		if in.aux == atomCas {
			return nargs(4)
		}
		return nargs(3)
	case "bra":
		in.kind = kBra
		if len(in.args) != 1 || in.args[0].kind != opLabel {
			return fmt.Errorf("a branch needs a label")
		}
		if _, ok := f.labels[in.args[0].name]; !ok {
			return fmt.Errorf("no label %q", in.args[0].name)
		}
		return nil
	case "call":
		in.kind = kCall
		return nil
	case "ret", "exit":
		in.kind = kRet
		return nil
	case "membar", "fence":
		in.kind = kNop
		return nil
	case "activemask":
		in.kind = kActivemask
		return nargs(1)
	case "bar", "barrier":
		if has(p, "warp") {
			in.kind, in.aux = kWarpSync, 0
			return nargs(1)
		}
		in.kind = kBar
		if len(in.args) != 1 || in.args[0].kind != opImm || in.args[0].imm != 0 {
			return fmt.Errorf("only bar.sync 0 over the whole block is supported")
		}
		return nil
	case "match":
		in.kind = kMatchAny
		if has(p, "all") {
			in.kind = kMatchAll
		}
		if err := width(); err != nil {
			return err
		}
		in.aux = 2
		return nargs(3)
	case "shfl":
		in.kind = kShfl
		in.width = 32
		if !has(p, "sync") {
			return fmt.Errorf("shfl without .sync")
		}
		modes := map[string]int{"idx": shflIdx, "up": shflUp, "down": shflDown, "bfly": shflBfly}
		in.aux2 = -1
		for _, q := range p[1:] {
			if m, ok := modes[q]; ok {
				in.aux2 = m
			}
		}
		if in.aux2 < 0 {
			return fmt.Errorf("shfl without a mode")
		}
		in.aux = 4
		return nargs(5)
	case "vote":
		in.kind = kVote
		if !has(p, "sync") || len(p) < 4 {
			return fmt.Errorf("vote without .sync")
		}
		in.width = 32
		in.aux = 2
		return nargs(3)
	}
	return fmt.Errorf("unsupported instruction %q", p[0])
}
