// Package ptxsim interprets NVIDIA PTX, the virtual instruction set that
// NVRTC compiles zkaccel's CUDA kernels to, on the CPU, one thread at a
// time with the semantics of the PTX ISA: 32- and 64-bit integer
// registers, the carry flag of the .cc instruction chains, global,
// constant, shared, local and parameter memory, function calls, and the
// warp-level instructions (activemask, match.any.sync, shfl.sync,
// vote.sync) with Volta's independent thread scheduling.
//
// It exists so that CI, which has no GPU, can run the PTX that zkaccel
// embeds (cuda/ptx) for the code paths that only the CUDA form of the
// kernels has: inline PTX and warp-level primitives. It covers the
// integer subset of PTX that those kernels use, reports anything else as
// an error, and is slow (millions of instructions a second): it is a test
// instrument, not an emulator of a GPU's speed.
//
// Scheduling is adversarial on purpose. Each step runs one instruction for
// a group of threads of one warp that stand at the same instruction,
// chosen at random (seeded), and sometimes only a random part of such a
// group: a kernel that is right under any interleaving that the PTX
// memory and warp model allows passes, and one that assumes a warp runs
// in lockstep, or that __activemask() names every thread that will reach
// a warp instruction, can fail. Memory accesses outside any allocation,
// a warp instruction whose threads disagree on the mask or that reads a
// lane that is not taking part, and a block that can make no progress are
// errors; so, with Launch.Races, are two threads' unordered accesses to a
// word of global or shared memory where one writes (race.go).
package ptxsim

import (
	"fmt"
	"strconv"
	"strings"
)

// Module is a parsed PTX module: its data (constant and global) and its
// functions, entries and device functions alike.
type Module struct {
	data  []dataDecl
	funcs map[string]*function
}

// dataDecl is a module-level .const or .global variable.
type dataDecl struct {
	name  string
	space string // "const" or "global"
	align int
	init  []byte // its bytes (zero where not initialised)
}

// function is one .entry or .func.
type function struct {
	name    string
	entry   bool
	params  []paramDecl // in order
	retvals []paramDecl
	code    []*inst
	labels  map[string]int
	regs    map[string]int // register name → index
	shared  []dataDecl     // .shared declared in the body
	local   []dataDecl     // .local declared in the body
	callees map[string]bool
}

// paramDecl is a parameter of a function, or one declared at a call site.
type paramDecl struct {
	name string
	size int
}

// opKind is an operand's kind.
type opKind int

const (
	opReg     opKind = iota // a register
	opImm                   // an integer immediate
	opSpecial               // %tid.x and the like
	opSym                   // a variable's name: its address
	opMem                   // [base+off]
	opVec                   // {a, b, …}
	opLabel                 // a branch target or a called function
	opList                  // (a, b, …) of a call
	opSink                  // _, an ignored destination
)

// operand is one decoded operand.
type operand struct {
	kind opKind
	reg  int    // opReg; opMem with hasReg: the base register
	pred int    // a second destination after '|' (shfl.sync, setp), or −1
	imm  uint64 // opImm; opMem: the offset
	name string // opSpecial, opSym, opLabel; opMem with !hasReg: the symbol
	// opMem
	hasReg bool
	elems  []operand // opVec, opList
}

// inst is one decoded instruction.
type inst struct {
	guard    int // predicate register, or −1
	guardNeg bool
	op       string   // the whole opcode, e.g. "madc.hi.cc.u32"
	parts    []string // op split at its dots
	args     []operand
	text     string // as written, for errors
	kind     int    // decoded by decode (exec.go)
	width    int    // the operand width in bits, from the type suffix
	signed   bool
	// space is the state space of a memory access (ld, st, atom, red), ""
	// for a generic address.
	space string
	// extra decoded facts, by kind
	aux  int
	aux2 int
}

// Parse reads a PTX module.
func Parse(src string) (*Module, error) {
	m := &Module{funcs: map[string]*function{}}
	// NVRTC's PTX ends in a NUL, as a C string does.
	if i := strings.IndexByte(src, 0); i >= 0 {
		src = src[:i]
	}
	stmts, err := statements(src)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(stmts); i++ {
		s := stmts[i]
		switch {
		case strings.HasPrefix(s.text, ".version"), strings.HasPrefix(s.text, ".target"),
			strings.HasPrefix(s.text, ".address_size"):
		case strings.HasPrefix(s.text, ".const ") || strings.HasPrefix(s.text, ".global ") ||
			strings.HasPrefix(s.text, ".visible .const ") || strings.HasPrefix(s.text, ".visible .global "):
			d, err := parseData(s.text)
			if err != nil {
				return nil, fmt.Errorf("ptxsim: line %d: %w", s.line, err)
			}
			m.data = append(m.data, d)
		case isFuncHeader(s.text):
			f, err := parseHeader(s.text)
			if err != nil {
				return nil, fmt.Errorf("ptxsim: line %d: %w", s.line, err)
			}
			if s.body == nil { // a prototype
				if _, ok := m.funcs[f.name]; !ok {
					m.funcs[f.name] = f
				}
				continue
			}
			if err := f.parseBody(s.body, m); err != nil {
				return nil, fmt.Errorf("ptxsim: %s: %w", f.name, err)
			}
			m.funcs[f.name] = f
		default:
			return nil, fmt.Errorf("ptxsim: line %d: unexpected module statement %q", s.line, clip(s.text))
		}
	}
	for _, f := range m.funcs {
		for _, in := range f.code {
			if err := decode(in, f); err != nil {
				return nil, fmt.Errorf("ptxsim: %s: %q: %w", f.name, in.text, err)
			}
		}
	}
	return m, nil
}

// Entries lists the module's kernels.
func (m *Module) Entries() []string {
	var out []string
	for name, f := range m.funcs {
		if f.entry {
			out = append(out, name)
		}
	}
	return out
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func isFuncHeader(s string) bool {
	for _, p := range []string{".visible ", ".weak ", ".extern "} {
		s = strings.TrimPrefix(s, p)
	}
	return strings.HasPrefix(s, ".entry ") || strings.HasPrefix(s, ".func ") || strings.HasPrefix(s, ".func(") || strings.HasPrefix(s, ".entry(")
}

// stmt is a module-level statement: a directive, or a function's header
// with its body's statements.
type stmt struct {
	text string
	line int
	body []bodyStmt // nil for a statement without a body
}

// bodyStmt is one statement of a body: an instruction, a directive, or a
// label (text ending in ':'); scope braces are dropped.
type bodyStmt struct {
	text string
	line int
}

// statements splits src, with its comments removed, into module-level
// statements.
func statements(src string) ([]stmt, error) {
	var b strings.Builder
	// Remove comments, keeping line breaks for line numbers.
	for i := 0; i < len(src); i++ {
		switch {
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
			if i < len(src) {
				b.WriteByte('\n')
			}
		case strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return nil, fmt.Errorf("ptxsim: unterminated comment")
			}
			b.WriteString(strings.Repeat("\n", strings.Count(src[i:i+2+j+2], "\n")))
			i += 2 + j + 1
		default:
			b.WriteByte(src[i])
		}
	}
	text := b.String()
	var out []stmt
	line := 1
	var cur strings.Builder
	start := 1
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case '\n':
			line++
			// .version, .target and .address_size end at their line.
			if s := strings.TrimSpace(cur.String()); strings.HasPrefix(s, ".version") || strings.HasPrefix(s, ".target") || strings.HasPrefix(s, ".address_size") {
				out = append(out, stmt{text: norm(s), line: start})
				cur.Reset()
				start = line
				continue
			}
			cur.WriteByte(' ')
		case ';':
			s := strings.TrimSpace(cur.String())
			if s != "" {
				out = append(out, stmt{text: norm(s), line: start})
			}
			cur.Reset()
			start = line
		case '{':
			// Braces in a data initialiser belong to the statement.
			s := strings.TrimSpace(cur.String())
			if strings.HasSuffix(s, "=") {
				cur.WriteByte(c)
				continue
			}
			// A function body: find its matching brace.
			depth, j := 1, i+1
			for ; j < len(text) && depth > 0; j++ {
				switch text[j] {
				case '{':
					depth++
				case '}':
					depth--
				}
			}
			if depth != 0 {
				return nil, fmt.Errorf("ptxsim: line %d: unbalanced braces", line)
			}
			body := bodyStatements(text[i+1:j-1], line)
			out = append(out, stmt{text: norm(s), line: start, body: body})
			line += strings.Count(text[i:j], "\n")
			i = j - 1
			cur.Reset()
			start = line
		default:
			if cur.Len() == 0 && (c == ' ' || c == '\t' || c == '\r') {
				continue
			}
			if cur.Len() == 0 {
				start = line
			}
			cur.WriteByte(c)
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		return nil, fmt.Errorf("ptxsim: line %d: unterminated statement %q", start, clip(s))
	}
	return out, nil
}

// bodyStatements splits a function body into statements and labels.
func bodyStatements(text string, line int) []bodyStmt {
	var out []bodyStmt
	var cur strings.Builder
	start := line
	flush := func() {
		s := strings.TrimSpace(cur.String())
		if s != "" {
			out = append(out, bodyStmt{text: norm(s), line: start})
		}
		cur.Reset()
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\n':
			line++
			cur.WriteByte(' ')
		case c == ';':
			flush()
			start = line
		case c == '{' || c == '}':
			// Scope braces, or a vector operand's: a vector follows an
			// opcode or a comma, a scope starts a statement.
			if strings.TrimSpace(cur.String()) == "" {
				cur.Reset()
				start = line
				continue
			}
			cur.WriteByte(c)
		case c == ':' && isLabel(strings.TrimSpace(cur.String())):
			cur.WriteByte(c)
			flush()
			start = line
		default:
			if strings.TrimSpace(cur.String()) == "" {
				start = line
			}
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

func isLabel(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '$' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return s[0] != '.' && s[0] != '%'
}

// norm collapses runs of white space to one space.
func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseData reads ".const .align 8 .b8 name[32] = {…}" and the like.
func parseData(s string) (dataDecl, error) {
	s = strings.TrimPrefix(s, ".visible ")
	var d dataDecl
	init := ""
	if i := strings.Index(s, "="); i >= 0 {
		s, init = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	}
	f := strings.Fields(s)
	elem := 0
	var name string
	for i := 0; i < len(f); i++ {
		switch {
		case f[i] == ".const" || f[i] == ".global" || f[i] == ".shared" || f[i] == ".local":
			d.space = f[i][1:]
		case f[i] == ".align" && i+1 < len(f):
			a, err := strconv.Atoi(f[i+1])
			if err != nil {
				return d, fmt.Errorf("bad alignment in %q", s)
			}
			d.align = a
			i++
		case strings.HasPrefix(f[i], ".") && elem == 0:
			w, ok := typeBits(f[i][1:])
			if !ok {
				return d, fmt.Errorf("unsupported data type in %q", s)
			}
			elem = w / 8
		default:
			name = f[i]
		}
	}
	if elem == 0 || name == "" {
		return d, fmt.Errorf("cannot read the declaration %q", s)
	}
	count := 1
	if i := strings.IndexByte(name, '['); i >= 0 {
		j := strings.IndexByte(name, ']')
		if j < i {
			return d, fmt.Errorf("bad array in %q", s)
		}
		n, err := strconv.Atoi(name[i+1 : j])
		if err != nil {
			return d, fmt.Errorf("bad array length in %q", s)
		}
		count, name = n, name[:i]
	}
	d.name = name
	d.init = make([]byte, count*elem)
	if d.align == 0 {
		d.align = elem
	}
	if init != "" {
		init = strings.TrimSuffix(strings.TrimPrefix(init, "{"), "}")
		vals := strings.Split(init, ",")
		if len(vals) > count {
			return d, fmt.Errorf("%s: %d initial values for %d elements", name, len(vals), count)
		}
		for k, v := range vals {
			x, err := parseInt(strings.TrimSpace(v))
			if err != nil {
				return d, fmt.Errorf("%s: %w", name, err)
			}
			for b := 0; b < elem; b++ {
				d.init[k*elem+b] = byte(x >> (8 * b))
			}
		}
	}
	return d, nil
}

// typeBits returns the width of a PTX type name (u32, b64, pred, …).
func typeBits(t string) (int, bool) {
	switch t {
	case "pred":
		return 1, true
	case "b8", "u8", "s8":
		return 8, true
	case "b16", "u16", "s16":
		return 16, true
	case "b32", "u32", "s32", "f32":
		return 32, true
	case "b64", "u64", "s64", "f64":
		return 64, true
	}
	return 0, false
}

// parseInt reads a PTX integer literal: decimal, 0x hexadecimal, 0
// octal-free, with an optional U suffix and sign.
func parseInt(s string) (uint64, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	s = strings.TrimSuffix(s, "U")
	var v uint64
	var err error
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		v, err = strconv.ParseUint(s[2:], 16, 64)
	case strings.HasPrefix(s, "0f") || strings.HasPrefix(s, "0d") || strings.HasPrefix(s, "0F") || strings.HasPrefix(s, "0D"):
		return 0, fmt.Errorf("floating-point literal %q is not supported", s)
	default:
		v, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil {
		return 0, fmt.Errorf("bad integer %q", s)
	}
	if neg {
		v = -v
	}
	return v, nil
}

// parseHeader reads a function's header: ".visible .entry name(.param …)"
// or ".func (.param … retval) name(.param …)".
func parseHeader(s string) (*function, error) {
	f := &function{labels: map[string]int{}, regs: map[string]int{}, callees: map[string]bool{}}
	for _, p := range []string{".visible ", ".weak ", ".extern "} {
		s = strings.TrimPrefix(s, p)
	}
	switch {
	case strings.HasPrefix(s, ".entry"):
		f.entry = true
		s = strings.TrimSpace(s[len(".entry"):])
	case strings.HasPrefix(s, ".func"):
		s = strings.TrimSpace(s[len(".func"):])
		if strings.HasPrefix(s, "(") {
			j := strings.IndexByte(s, ')')
			if j < 0 {
				return nil, fmt.Errorf("bad return list in %q", clip(s))
			}
			rv, err := parseParams(s[1:j])
			if err != nil {
				return nil, err
			}
			f.retvals = rv
			s = strings.TrimSpace(s[j+1:])
		}
	}
	name := s
	if i := strings.IndexByte(s, '('); i >= 0 {
		name = strings.TrimSpace(s[:i])
		j := strings.LastIndexByte(s, ')')
		if j < i {
			return nil, fmt.Errorf("bad parameter list in %q", clip(s))
		}
		ps, err := parseParams(s[i+1 : j])
		if err != nil {
			return nil, err
		}
		f.params = ps
	}
	// Directives after the list (.maxntid and the like) are ignored.
	if k := strings.IndexByte(name, ' '); k >= 0 {
		name = name[:k]
	}
	f.name = name
	return f, nil
}

// parseParams reads ".param .u64 a, .param .align 8 .b8 b[16]".
func parseParams(s string) ([]paramDecl, error) {
	var out []paramDecl
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		d, err := parseParam(p)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func parseParam(p string) (paramDecl, error) {
	f := strings.Fields(p)
	if len(f) < 2 || f[0] != ".param" {
		return paramDecl{}, fmt.Errorf("bad parameter %q", p)
	}
	elem := 0
	name := f[len(f)-1]
	for _, t := range f[1 : len(f)-1] {
		if w, ok := typeBits(strings.TrimPrefix(t, ".")); ok {
			elem = w / 8
		}
	}
	if elem == 0 {
		return paramDecl{}, fmt.Errorf("bad parameter type in %q", p)
	}
	count := 1
	if i := strings.IndexByte(name, '['); i >= 0 {
		n, err := strconv.Atoi(strings.TrimSuffix(name[i+1:], "]"))
		if err != nil {
			return paramDecl{}, fmt.Errorf("bad parameter array in %q", p)
		}
		count, name = n, name[:i]
	}
	return paramDecl{name: name, size: elem * count}, nil
}

// parseBody decodes a body's statements.
func (f *function) parseBody(body []bodyStmt, m *Module) error {
	for _, s := range body {
		t := s.text
		switch {
		case strings.HasSuffix(t, ":"):
			f.labels[strings.TrimSuffix(t, ":")] = len(f.code)
		case strings.HasPrefix(t, ".reg "):
			// Registers are named on first use.
		case strings.HasPrefix(t, ".shared "), strings.HasPrefix(t, ".local "):
			d, err := parseData(t)
			if err != nil {
				return fmt.Errorf("line %d: %w", s.line, err)
			}
			if d.space == "shared" {
				f.shared = append(f.shared, d)
			} else {
				f.local = append(f.local, d)
			}
		case strings.HasPrefix(t, ".param "):
			// A call site's parameter: a placeholder instruction sets its
			// size in the thread's parameter space.
			d, err := parseParam(t)
			if err != nil {
				return fmt.Errorf("line %d: %w", s.line, err)
			}
			f.code = append(f.code, &inst{guard: -1, op: ".param", parts: []string{".param"}, text: t, aux: d.size,
				args: []operand{{kind: opSym, name: d.name}}})
		case strings.HasPrefix(t, ".pragma"), strings.HasPrefix(t, ".loc"), strings.HasPrefix(t, ".file"),
			strings.HasPrefix(t, ".maxntid"), strings.HasPrefix(t, ".reqntid"), strings.HasPrefix(t, ".minnctapersm"),
			strings.HasPrefix(t, ".maxnreg"):
		case strings.HasPrefix(t, "."):
			return fmt.Errorf("line %d: unsupported directive %q", s.line, clip(t))
		default:
			in, err := f.parseInst(t, m)
			if err != nil {
				return fmt.Errorf("line %d: %q: %w", s.line, clip(t), err)
			}
			f.code = append(f.code, in)
		}
	}
	return nil
}

// parseInst reads one instruction.
func (f *function) parseInst(t string, m *Module) (*inst, error) {
	in := &inst{guard: -1, text: t}
	if strings.HasPrefix(t, "@") {
		sp := strings.IndexByte(t, ' ')
		if sp < 0 {
			return nil, fmt.Errorf("a guard without an instruction")
		}
		g := t[1:sp]
		if strings.HasPrefix(g, "!") {
			in.guardNeg, g = true, g[1:]
		}
		in.guard = f.reg(g)
		t = strings.TrimSpace(t[sp+1:])
	}
	op, rest := t, ""
	if sp := strings.IndexAny(t, " \t"); sp >= 0 {
		op, rest = t[:sp], strings.TrimSpace(t[sp+1:])
	}
	in.op = op
	in.parts = strings.Split(op, ".")
	for _, a := range splitTop(rest) {
		o, err := f.operand(a, m)
		if err != nil {
			return nil, err
		}
		in.args = append(in.args, o)
	}
	if in.parts[0] == "call" {
		for _, a := range in.args {
			if a.kind == opLabel {
				f.callees[a.name] = true
			}
		}
	}
	return in, nil
}

// splitTop splits operands at commas outside brackets and braces.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '{', '(':
			depth++
		case ']', '}', ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

// reg returns the index of the register named name.
func (f *function) reg(name string) int {
	if i, ok := f.regs[name]; ok {
		return i
	}
	i := len(f.regs)
	f.regs[name] = i
	return i
}

var specials = map[string]bool{
	"%tid.x": true, "%tid.y": true, "%tid.z": true, "%ntid.x": true, "%ntid.y": true, "%ntid.z": true,
	"%ctaid.x": true, "%ctaid.y": true, "%ctaid.z": true, "%nctaid.x": true, "%nctaid.y": true, "%nctaid.z": true,
	"%laneid": true, "%warpid": true, "%nwarpid": true, "%lanemask_lt": true, "%lanemask_le": true,
	"%lanemask_eq": true, "%lanemask_gt": true, "%lanemask_ge": true, "WARP_SZ": true,
}

// operand decodes one operand.
func (f *function) operand(a string, m *Module) (operand, error) {
	switch {
	case a == "_":
		return operand{kind: opSink, pred: -1}, nil
	case specials[a]:
		return operand{kind: opSpecial, name: a, pred: -1}, nil
	case strings.HasPrefix(a, "[") && strings.HasSuffix(a, "]"):
		return f.memOperand(strings.TrimSpace(a[1:len(a)-1]), m)
	case strings.HasPrefix(a, "{") && strings.HasSuffix(a, "}"), strings.HasPrefix(a, "(") && strings.HasSuffix(a, ")"):
		o := operand{kind: opVec, pred: -1}
		if a[0] == '(' {
			o.kind = opList
		}
		for _, e := range splitTop(a[1 : len(a)-1]) {
			x, err := f.operand(e, m)
			if err != nil {
				return o, err
			}
			o.elems = append(o.elems, x)
		}
		return o, nil
	case a != "" && (a[0] >= '0' && a[0] <= '9' || a[0] == '-'):
		v, err := parseInt(a)
		if err != nil {
			return operand{}, err
		}
		return operand{kind: opImm, imm: v, pred: -1}, nil
	}
	if i := strings.IndexByte(a, '|'); i >= 0 {
		o, err := f.operand(a[:i], m)
		if err != nil {
			return o, err
		}
		o.pred = f.reg(a[i+1:])
		return o, nil
	}
	if f.isSymbol(a, m) {
		return operand{kind: opSym, name: a, pred: -1}, nil
	}
	if strings.HasPrefix(a, "$") || m.funcs[a] != nil {
		return operand{kind: opLabel, name: a, pred: -1}, nil
	}
	if !isLabel(strings.TrimPrefix(a, "%")) {
		return operand{}, fmt.Errorf("cannot read operand %q", a)
	}
	return operand{kind: opReg, reg: f.reg(a), pred: -1}, nil
}

// isSymbol reports whether a names a variable or a parameter.
func (f *function) isSymbol(a string, m *Module) bool {
	for _, ds := range [][]dataDecl{m.data, f.shared, f.local} {
		for _, d := range ds {
			if d.name == a {
				return true
			}
		}
	}
	for _, ps := range [][]paramDecl{f.params, f.retvals} {
		for _, p := range ps {
			if p.name == a {
				return true
			}
		}
	}
	return strings.HasPrefix(a, "param") || strings.HasPrefix(a, "retval")
}

// memOperand decodes the inside of [ ]: reg, reg+off, sym, sym+off, off.
func (f *function) memOperand(s string, m *Module) (operand, error) {
	o := operand{kind: opMem, pred: -1}
	base, off := s, ""
	if i := strings.LastIndexAny(s, "+-"); i > 0 {
		base, off = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i:])
		if strings.HasSuffix(base, "+") { // "+-4"
			base = strings.TrimSpace(strings.TrimSuffix(base, "+"))
		}
	}
	if off != "" {
		v, err := parseInt(strings.TrimPrefix(off, "+"))
		if err != nil {
			return o, err
		}
		o.imm = v
	}
	switch {
	case base == "":
		return o, fmt.Errorf("empty address")
	case base[0] >= '0' && base[0] <= '9':
		v, err := parseInt(base)
		if err != nil {
			return o, err
		}
		o.imm += v
	case f.isSymbol(base, m):
		o.name = base
	default:
		o.hasReg = true
		o.reg = f.reg(base)
	}
	return o, nil
}
