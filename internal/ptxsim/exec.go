package ptxsim

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"math/rand"
	"sort"
	"strings"
)

// Launch is one kernel launch: a one-dimensional grid of Grid blocks of
// Block threads.
type Launch struct {
	Kernel string
	Grid   int
	Block  int
	// Args are the kernel's parameters in order: integers, or addresses
	// from Memory.Alloc.
	Args []uint64
	Mem  *Memory
	// Seed seeds the scheduler's choices (each seed a different, repeatable
	// interleaving).
	Seed int64
	// Lockstep, when set, always runs the largest group of a warp's
	// threads that stand at its lowest instruction, whole, the way a warp
	// without independent scheduling would; else the scheduler is
	// adversarial (see the package's comment).
	Lockstep bool
	// Races, when set, makes a data race in global or shared memory an
	// error (see race.go).
	Races bool
	// Profile, when set, counts the instructions run by opcode
	// (Stats.Ops).
	Profile bool
	// MaxSteps bounds the instructions each thread runs (0: 1<<25), so that
	// a kernel that does not end is an error.
	MaxSteps int
}

// Stats counts what a launch ran.
type Stats struct {
	Instructions int64 // per thread, summed
	Splits       int64 // groups of threads run apart from the rest of their warp's group
	// Ops counts the instructions run by opcode, with Launch.Profile.
	Ops map[string]int64
}

const warpSize = 32

// thread states
const (
	running = iota
	waitSync
	waitBar
	exited
)

type frame struct {
	fn     *function
	pc     int
	regs   []uint64
	params map[string][]byte // its own parameters (and an entry's)
	out    map[string][]byte // the parameters it declared for its calls
	call   *inst             // the call that made it (nil for the entry)
	local  map[string]uint64 // its .local variables' addresses
	depth  int               // the local memory's size when it began
}

type thread struct {
	tid, lane int
	frames    []*frame
	cc        uint64 // the carry flag
	state     int
	steps     int    // instructions run, about
	mask      uint32 // the mask of the warp instruction it waits at
	local     space
}

func (t *thread) top() *frame { return t.frames[len(t.frames)-1] }

// block is one thread block in flight.
type block struct {
	l       *Launch
	m       *Module
	syms    map[string]uint64
	ctaid   int
	epoch   int     // barriers opened so far
	races   raceMap // shared memory's words, with Launch.Races
	gRaces  raceMap // global memory's words, with Launch.Races (the launch's)
	threads []*thread
	shared  space
	shsyms  map[string]uint64
	rng     *rand.Rand
	stats   *Stats
}

// Run runs a launch to its end and returns what it ran.
func (m *Module) Run(l Launch) (Stats, error) {
	st := Stats{}
	if l.Profile {
		st.Ops = map[string]int64{}
	}
	f := m.funcs[l.Kernel]
	if f == nil || !f.entry {
		return st, fmt.Errorf("ptxsim: no kernel %q", l.Kernel)
	}
	if f.code == nil && len(f.labels) == 0 {
		return st, fmt.Errorf("ptxsim: kernel %q has no body", l.Kernel)
	}
	if len(l.Args) != len(f.params) {
		return st, fmt.Errorf("ptxsim: %s takes %d parameters, got %d", l.Kernel, len(f.params), len(l.Args))
	}
	if l.Grid < 1 || l.Block < 1 || l.Block > 1024 {
		return st, fmt.Errorf("ptxsim: %s: grid %d of blocks of %d threads", l.Kernel, l.Grid, l.Block)
	}
	if l.Mem == nil {
		return st, fmt.Errorf("ptxsim: %s: no memory", l.Kernel)
	}
	params := map[string][]byte{}
	for i, p := range f.params {
		if p.size > 8 {
			return st, fmt.Errorf("ptxsim: %s: parameter %s of %d bytes: only integers and addresses are supported", l.Kernel, p.name, p.size)
		}
		b := make([]byte, 8)
		binary.LittleEndian.PutUint64(b, l.Args[i])
		params[p.name] = b[:p.size]
	}
	syms := l.Mem.load(m)
	rng := rand.New(rand.NewSource(l.Seed))
	var global raceMap
	if l.Races {
		global = raceMap{}
	}
	for c := 0; c < l.Grid; c++ {
		b := &block{l: &l, m: m, syms: syms, ctaid: c, rng: rng, stats: &st, shsyms: map[string]uint64{}, gRaces: global}
		if l.Races {
			b.races = raceMap{}
		}
		b.shared.name = "shared"
		for _, d := range f.shared {
			b.shsyms[d.name] = b.shared.place(len(d.init), d.align)
		}
		for i := 0; i < l.Block; i++ {
			t := &thread{tid: i, lane: i % warpSize}
			t.local.name = "local"
			t.frames = []*frame{t.newFrame(f, params, nil)}
			b.threads = append(b.threads, t)
		}
		if err := b.run(); err != nil {
			return st, fmt.Errorf("ptxsim: %s, block %d: %w", l.Kernel, c, err)
		}
	}
	return st, nil
}

func (t *thread) newFrame(f *function, params map[string][]byte, call *inst) *frame {
	fr := &frame{fn: f, regs: make([]uint64, len(f.regs)), params: params, out: map[string][]byte{}, call: call,
		local: map[string]uint64{}, depth: len(t.local.data)}
	for _, d := range f.local {
		fr.local[d.name] = t.local.place(len(d.init), d.align)
	}
	for _, r := range f.retvals {
		params[r.name] = make([]byte, r.size)
	}
	return fr
}

// run runs a block's threads until all have exited.
func (b *block) run() error {
	maxSteps := b.l.MaxSteps
	if maxSteps == 0 {
		maxSteps = 1 << 25
	}
	nwarps := (len(b.threads) + warpSize - 1) / warpSize
	for {
		// The warps with a thread that can run.
		var ready []int
		for w := 0; w < nwarps; w++ {
			for _, t := range b.warp(w) {
				if t.state == running {
					ready = append(ready, w)
					break
				}
			}
		}
		if len(ready) == 0 {
			done, err := b.release()
			if err != nil || done {
				return err
			}
			continue
		}
		w := ready[0]
		if !b.l.Lockstep {
			w = ready[b.rng.Intn(len(ready))]
		}
		group := b.pick(w)
		n, err := b.runGroup(group)
		if err != nil {
			return err
		}
		for _, t := range group {
			if t.steps += n; t.steps > maxSteps {
				return fmt.Errorf("thread %d ran more than %d instructions: the kernel does not end", t.tid, maxSteps)
			}
		}
	}
}

func (b *block) warp(w int) []*thread {
	hi := min((w+1)*warpSize, len(b.threads))
	return b.threads[w*warpSize : hi]
}

// pick chooses the threads of warp w that run next: threads that stand at
// one instruction of one function.
func (b *block) pick(w int) []*thread {
	type key struct {
		fn    *function
		depth int
		pc    int
	}
	groups := map[key][]*thread{}
	var keys []key
	for _, t := range b.warp(w) {
		if t.state != running {
			continue
		}
		f := t.top()
		k := key{f.fn, len(t.frames), f.pc}
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], t)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].depth != keys[j].depth {
			return keys[i].depth > keys[j].depth
		}
		return keys[i].pc < keys[j].pc
	})
	if b.l.Lockstep {
		return groups[keys[0]]
	}
	g := groups[keys[0]]
	if b.rng.Intn(2) == 0 {
		g = groups[keys[b.rng.Intn(len(keys))]]
	}
	if len(g) > 1 && b.rng.Intn(8) == 0 {
		// Run a random part of the group on its own.
		var part []*thread
		for len(part) == 0 || len(part) == len(g) {
			part = part[:0]
			for _, t := range g {
				if b.rng.Intn(2) == 0 {
					part = append(part, t)
				}
			}
		}
		b.stats.Splits++
		g = part
	}
	return g
}

// release resolves a block where no thread can run: a barrier that every
// thread left has reached opens; anything else is a deadlock.
func (b *block) release() (done bool, err error) {
	var atBar, live int
	for _, t := range b.threads {
		switch t.state {
		case exited:
		case waitBar:
			atBar++
			live++
		default:
			live++
		}
	}
	if live == 0 {
		return true, nil
	}
	if atBar == live {
		b.epoch++
		for _, t := range b.threads {
			if t.state == waitBar {
				t.state = running
				t.top().pc++
			}
		}
		return false, nil
	}
	var sb strings.Builder
	waiting := 0
	for _, t := range b.threads {
		if t.state == waitSync {
			if waiting < 3 {
				f := t.top()
				fmt.Fprintf(&sb, "; thread %d waits at %q with member mask %#x", t.tid, f.fn.code[f.pc].text, t.mask)
			}
			waiting++
		}
	}
	if waiting > 3 {
		fmt.Fprintf(&sb, "; and %d more", waiting-3)
	}
	return false, fmt.Errorf("deadlock: %d threads wait at a barrier, %d at warp instructions for threads that do not arrive%s", atBar, waiting, sb.String())
}

// runGroup runs instructions for a group of threads that stand at one
// instruction, while they stay together, up to a branch, a warp
// instruction or a few dozen instructions; it returns how many each ran.
func (b *block) runGroup(g []*thread) (int, error) {
	n := 0
	for k := 0; k < 64; k++ {
		f := g[0].top()
		if f.pc >= len(f.fn.code) {
			return n, fmt.Errorf("%s runs past its last instruction", f.fn.name)
		}
		in := f.fn.code[f.pc]
		if in.kind >= kCollective {
			return n + 1, b.collective(g, in)
		}
		for _, t := range g {
			if err := b.step(t, in); err != nil {
				return n, fmt.Errorf("thread %d: %s: %q: %w", t.tid, t.top().fn.name, in.text, err)
			}
		}
		n++
		b.count(in, len(g))
		if in.kind == kBra || in.kind == kCall || in.kind == kRet {
			return n, nil
		}
	}
	return n, nil
}

// count adds n runs of in to the launch's statistics.
func (b *block) count(in *inst, n int) {
	b.stats.Instructions += int64(n)
	if b.stats.Ops != nil {
		b.stats.Ops[in.op] += int64(n)
	}
}

// active reports whether the guard lets t run in.
func (t *thread) active(in *inst) bool {
	if in.guard < 0 {
		return true
	}
	p := t.top().regs[in.guard] != 0
	return p != in.guardNeg
}

// collective runs a warp instruction, or a barrier, for group g.
func (b *block) collective(g []*thread, in *inst) error {
	switch in.kind {
	case kActivemask:
		var mask uint64
		for _, t := range g {
			mask |= 1 << t.lane
		}
		for _, t := range g {
			if t.active(in) {
				b.set(t, in.args[0], mask, 32)
			}
			t.top().pc++
		}
		b.count(in, len(g))
		return nil
	case kBar:
		for _, t := range g {
			if !t.active(in) {
				t.top().pc++
				continue
			}
			t.state = waitBar
		}
		return nil
	}
	// A warp instruction with a member mask: each thread waits until every
	// thread its mask names has arrived.
	w := g[0].tid / warpSize
	for _, t := range g {
		if !t.active(in) {
			t.top().pc++
			continue
		}
		mask := uint32(b.val(t, in.args[in.aux], 32))
		if mask&(1<<t.lane) == 0 {
			return fmt.Errorf("thread %d: %q: its member mask %#x leaves it out", t.tid, in.text, mask)
		}
		t.state, t.mask = waitSync, mask
	}
	warp := b.warp(w)
	fn, pc := g[0].top().fn, g[0].top().pc // values: resolving moves g[0] on
	for _, t := range warp {
		if t.state != waitSync || t.top().fn != fn || t.top().pc != pc {
			continue
		}
		ready := true
		var members []*thread
		for _, u := range warp {
			if t.mask&(1<<u.lane) == 0 {
				continue
			}
			switch {
			case u.state == exited:
				// As the PTX ISA says, a warp instruction waits for the
				// members that have not exited (a shfl that reads an
				// exited lane is an error below).
			case u.state == waitSync && u.top().fn == fn && u.top().pc == pc:
				if u.mask != t.mask {
					return fmt.Errorf("thread %d: %q: member masks disagree (%#x and thread %d's %#x)", t.tid, in.text, t.mask, u.tid, u.mask)
				}
				members = append(members, u)
			default:
				ready = false
			}
		}
		if !ready {
			continue
		}
		if err := b.warpOp(members, in); err != nil {
			return fmt.Errorf("%q: %w", in.text, err)
		}
		for _, u := range members {
			u.state = running
			u.top().pc++
		}
		b.count(in, len(members))
	}
	return nil
}

// warpOp computes a warp instruction for the threads of its mask.
func (b *block) warpOp(ts []*thread, in *inst) error {
	byLane := map[int]*thread{}
	for _, t := range ts {
		byLane[t.lane] = t
	}
	switch in.kind {
	case kMatchAny:
		vals := map[int]uint64{}
		for _, t := range ts {
			vals[t.lane] = b.val(t, in.args[1], in.width)
		}
		for _, t := range ts {
			var m uint64
			for _, u := range ts {
				if vals[u.lane] == vals[t.lane] {
					m |= 1 << u.lane
				}
			}
			b.set(t, in.args[0], m, 32)
		}
	case kMatchAll:
		same := true
		for _, t := range ts {
			if b.val(t, in.args[1], in.width) != b.val(ts[0], in.args[1], in.width) {
				same = false
			}
		}
		for _, t := range ts {
			var m uint64
			if same {
				m = uint64(t.mask)
			}
			b.set(t, in.args[0], m, 32)
			if in.args[0].pred >= 0 {
				t.top().regs[in.args[0].pred] = b2u(same)
			}
		}
	case kShfl:
		src := map[int]uint64{}
		for _, t := range ts {
			src[t.lane] = b.val(t, in.args[1], 32)
		}
		for _, t := range ts {
			bv := int(b.val(t, in.args[2], 32) & 31)
			c := b.val(t, in.args[3], 32)
			cv, seg := int(c&31), int(c>>8&31)
			lane := t.lane
			maxLane := lane&seg | cv&^seg
			minLane := lane & seg
			var j int
			var ok bool
			switch in.aux2 {
			case shflUp:
				j = lane - bv
				ok = j >= maxLane
			case shflDown:
				j = lane + bv
				ok = j <= maxLane
			case shflBfly:
				j = lane ^ bv
				ok = j <= maxLane
			case shflIdx:
				j = minLane | bv&^seg
				ok = j <= maxLane
			}
			if !ok {
				j = lane
			}
			v, in2 := src[j]
			if !in2 {
				return fmt.Errorf("thread %d reads lane %d, which takes no part (its member mask is %#x, or the lane has exited)", t.tid, j, t.mask)
			}
			b.set(t, in.args[0], v, 32)
			if in.args[0].pred >= 0 {
				t.top().regs[in.args[0].pred] = b2u(ok)
			}
		}
	case kVote:
		var ballot uint64
		for _, t := range ts {
			if b.val(t, in.args[1], 1) != 0 {
				ballot |= 1 << t.lane
			}
		}
		for _, t := range ts {
			var v uint64
			switch in.parts[2] {
			case "ballot":
				v = ballot
			case "any":
				v = b2u(ballot != 0)
			case "all":
				v = b2u(ballot == uint64(t.mask))
			case "uni":
				v = b2u(ballot == 0 || ballot == uint64(t.mask))
			}
			b.set(t, in.args[0], v, 32)
		}
	case kWarpSync:
		// bar.warp.sync: the meeting is all it does.
	default:
		return fmt.Errorf("unsupported warp instruction")
	}
	return nil
}

func b2u(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}

func maskOf(w int) uint64 {
	if w >= 64 {
		return ^uint64(0)
	}
	return 1<<w - 1
}

func sext(v uint64, w int) int64 {
	if w >= 64 {
		return int64(v)
	}
	s := 64 - w
	return int64(v<<s) >> s
}

// val reads operand o of thread t, w bits wide.
func (b *block) val(t *thread, o operand, w int) uint64 {
	f := t.top()
	switch o.kind {
	case opReg:
		return f.regs[o.reg] & maskOf(w)
	case opImm:
		return o.imm & maskOf(w)
	case opSpecial:
		var v uint64
		switch o.name {
		case "%tid.x":
			v = uint64(t.tid)
		case "%ntid.x":
			v = uint64(b.l.Block)
		case "%ctaid.x":
			v = uint64(b.ctaid)
		case "%nctaid.x":
			v = uint64(b.l.Grid)
		case "%tid.y", "%tid.z", "%ctaid.y", "%ctaid.z":
			v = 0
		case "%ntid.y", "%ntid.z", "%nctaid.y", "%nctaid.z":
			v = 1
		case "%laneid":
			v = uint64(t.lane)
		case "%warpid":
			v = uint64(t.tid / warpSize)
		case "%lanemask_lt":
			v = 1<<t.lane - 1
		case "%lanemask_le":
			v = 1<<(t.lane+1) - 1
		case "%lanemask_eq":
			v = 1 << t.lane
		case "%lanemask_gt":
			v = ^uint64(1<<(t.lane+1)-1) & 0xffffffff
		case "%lanemask_ge":
			v = ^uint64(1<<t.lane-1) & 0xffffffff
		case "WARP_SZ":
			v = warpSize
		}
		return v & maskOf(w)
	case opSym:
		return b.symAddr(t, o.name)
	}
	return 0
}

// symAddr is a variable's address in its own space.
func (b *block) symAddr(t *thread, name string) uint64 {
	if a, ok := b.syms[name]; ok {
		return a
	}
	if a, ok := b.shsyms[name]; ok {
		return a
	}
	f := t.top()
	if a, ok := f.local[name]; ok {
		return a
	}
	// The address of a device function's parameter: as the PTX ISA
	// allows, the parameter moves to local memory, where ld.param and
	// st.param then find it too.
	if p, ok := f.params[name]; ok && f.call != nil {
		a := t.local.place(len(p), 8)
		copy(t.local.data[a:], p)
		f.local[name] = a
		return a
	}
	return 0
}

// set writes v, w bits wide, to destination o of thread t.
func (b *block) set(t *thread, o operand, v uint64, w int) {
	if o.kind == opReg {
		t.top().regs[o.reg] = v & maskOf(w)
	}
}

// Memory access kinds, for the race check.
const (
	accRead = iota
	accWrite
	accAtomic // not checked: atomics do not race with each other
)

// mem resolves a memory operand of thread t in space sp to its bytes, for
// an access of kind acc.
func (b *block) mem(t *thread, o operand, sp string, n int, acc int) ([]byte, error) {
	f := t.top()
	if sp == "param" {
		if o.hasReg {
			return nil, fmt.Errorf("parameter access through a register is not supported")
		}
		if a, ok := f.local[o.name]; ok { // a parameter whose address was taken
			return t.local.span(a+o.imm, n)
		}
		buf, ok := f.out[o.name]
		if !ok {
			buf, ok = f.params[o.name]
		}
		if !ok {
			return nil, fmt.Errorf("no parameter %q", o.name)
		}
		if o.imm > uint64(len(buf)) || uint64(n) > uint64(len(buf))-o.imm {
			return nil, fmt.Errorf("parameter %q access of %d bytes at +%d is outside its %d bytes", o.name, n, o.imm, len(buf))
		}
		return buf[o.imm : o.imm+uint64(n)], nil
	}
	var addr uint64
	if o.hasReg {
		addr = f.regs[o.reg]
	} else {
		addr = b.symAddr(t, o.name)
		if addr == 0 {
			return nil, fmt.Errorf("unknown variable %q", o.name)
		}
	}
	addr += o.imm
	if addr%uint64(min(n, 16)) != 0 {
		return nil, fmt.Errorf("misaligned access of %d bytes at %#x", n, addr)
	}
	if sp == "" { // generic: by window
		switch {
		case addr >= localWindow && addr < localWindow+windowSize:
			sp, addr = "local", addr-localWindow
		case addr >= sharedWindow && addr < sharedWindow+windowSize:
			sp, addr = "shared", addr-sharedWindow
		default:
			sp = "global"
		}
	}
	if b.races != nil && acc != accAtomic && (sp == "global" || sp == "shared") {
		rm := b.gRaces
		if sp == "shared" {
			rm = b.races
		}
		a := who{thread: b.ctaid*b.l.Block + t.tid, block: b.ctaid, epoch: b.epoch}
		if err := rm.access(sp, addr, n, acc == accWrite, a); err != nil {
			return nil, err
		}
	}
	switch sp {
	case "global", "const":
		return b.l.Mem.span(addr, n)
	case "shared":
		return b.shared.span(addr, n)
	case "local":
		return t.local.span(addr, n)
	}
	return nil, fmt.Errorf("unsupported state space %q", sp)
}

func getLE(p []byte) uint64 {
	var v uint64
	for i := len(p) - 1; i >= 0; i-- {
		v = v<<8 | uint64(p[i])
	}
	return v
}

func putLE(p []byte, v uint64) {
	for i := range p {
		p[i] = byte(v >> (8 * i))
	}
}

// step runs instruction in for thread t.
func (b *block) step(t *thread, in *inst) error {
	f := t.top()
	if !t.active(in) {
		f.pc++
		return nil
	}
	w := in.width
	a := func(i int) uint64 { return b.val(t, in.args[i], w) }
	switch in.kind {
	case kParamDecl:
		f.out[in.args[0].name] = make([]byte, in.aux)
	case kMov:
		d, s := in.args[0], in.args[1]
		switch {
		case s.kind == opVec: // pack
			ew := w / len(s.elems)
			var v uint64
			for i := len(s.elems) - 1; i >= 0; i-- {
				v = v<<ew | b.val(t, s.elems[i], ew)
			}
			b.set(t, d, v, w)
		case d.kind == opVec: // unpack
			ew := w / len(d.elems)
			v := a(1)
			for _, e := range d.elems {
				b.set(t, e, v, ew)
				v >>= ew
			}
		default:
			b.set(t, d, a(1), w)
		}
	case kLd, kSt:
		sp := in.space
		vec := max(in.aux, 1)
		ew := w / 8
		mo, ro := in.args[1], in.args[0]
		if in.kind == kSt {
			mo, ro = in.args[0], in.args[1]
		}
		acc := accRead
		if in.kind == kSt {
			acc = accWrite
		}
		p, err := b.mem(t, mo, sp, ew*vec, acc)
		if err != nil {
			return err
		}
		elems := []operand{ro}
		if ro.kind == opVec {
			elems = ro.elems
		}
		if len(elems) != vec {
			return fmt.Errorf("vector of %d for .v%d", len(elems), vec)
		}
		for i, e := range elems {
			q := p[i*ew : (i+1)*ew]
			if in.kind == kLd {
				v := getLE(q)
				if in.signed {
					v = uint64(sext(v, w))
				}
				b.set(t, e, v, 64)
			} else {
				putLE(q, b.val(t, e, w))
			}
		}
	case kAdd, kSub:
		x, y := a(1), a(2)
		cin := uint64(0)
		if in.aux2&useCarry != 0 {
			cin = t.cc
		}
		var r, c uint64
		if in.kind == kAdd {
			if w == 64 {
				r, c = bits.Add64(x, y, cin)
			} else {
				s := x + y + cin
				r, c = s&maskOf(w), s>>w&1
			}
		} else {
			if w == 64 {
				r, c = bits.Sub64(x, y, cin)
			} else {
				s := x - y - cin
				r, c = s&maskOf(w), s>>63&1
			}
		}
		if in.aux2&setCarry != 0 {
			t.cc = c
		}
		b.set(t, in.args[0], r, w)
	case kMul, kMad:
		x, y := a(1), a(2)
		var hi, lo uint64
		if in.signed {
			sx, sy := sext(x, w), sext(y, w)
			if w == 64 {
				h, l := bits.Mul64(uint64(sx), uint64(sy))
				// signed high part: correct the unsigned product
				if sx < 0 {
					h -= uint64(sy)
				}
				if sy < 0 {
					h -= uint64(sx)
				}
				hi, lo = h, l
			} else {
				p := uint64(sx * sy)
				hi, lo = p>>w&maskOf(w), p&maskOf(w)
				if in.aux == mulWide {
					lo = p
				}
			}
		} else if w == 64 {
			hi, lo = bits.Mul64(x, y)
		} else {
			p := x * y
			hi, lo = p>>w, p&maskOf(w)
			if in.aux == mulWide {
				lo = p
			}
		}
		var r uint64
		rw := w
		switch in.aux {
		case mulLo:
			r = lo
		case mulHi:
			r = hi
		case mulWide:
			r, rw = lo, 2*w
		}
		if in.kind == kMad {
			c := b.val(t, in.args[3], rw)
			cin := uint64(0)
			if in.aux2&useCarry != 0 {
				cin = t.cc
			}
			var s, co uint64
			if rw == 64 {
				s, co = bits.Add64(r, c, cin)
			} else {
				z := r + c + cin
				s, co = z&maskOf(rw), z>>rw&1
			}
			r = s
			if in.aux2&setCarry != 0 {
				t.cc = co
			}
		}
		b.set(t, in.args[0], r, rw)
	case kSetp:
		x, y := a(1), a(2)
		var r bool
		if in.signed {
			sx, sy := sext(x, w), sext(y, w)
			r = cmpInt(in.aux, sx < sy, sx == sy)
		} else {
			r = cmpInt(in.aux, x < y, x == y)
		}
		q := !r
		if in.aux2 != 0 {
			c := b.val(t, in.args[3], 1) != 0
			r, q = boolOp(in.aux2, r, c), boolOp(in.aux2, !r, c)
		}
		b.set(t, in.args[0], b2u(r), 1)
		if in.args[0].pred >= 0 {
			f.regs[in.args[0].pred] = b2u(q)
		}
	case kSelp:
		v := a(2)
		if b.val(t, in.args[3], 1) != 0 {
			v = a(1)
		}
		b.set(t, in.args[0], v, w)
	case kAnd:
		b.set(t, in.args[0], a(1)&a(2), w)
	case kOr:
		b.set(t, in.args[0], a(1)|a(2), w)
	case kXor:
		b.set(t, in.args[0], a(1)^a(2), w)
	case kNot:
		b.set(t, in.args[0], ^a(1), w)
	case kNeg:
		b.set(t, in.args[0], -a(1), w)
	case kShl, kShr:
		x, s := a(1), b.val(t, in.args[2], 32)
		var r uint64
		switch {
		case in.kind == kShl && s >= uint64(w):
			r = 0
		case in.kind == kShl:
			r = x << s
		case in.signed:
			r = uint64(sext(x, w) >> min(s, 63))
		case s >= uint64(w):
			r = 0
		default:
			r = x >> s
		}
		b.set(t, in.args[0], r, w)
	case kCvt:
		sw := in.aux
		v := b.val(t, in.args[1], sw)
		if in.aux2 == 1 { // a signed source
			v = uint64(sext(v, sw))
		}
		b.set(t, in.args[0], v, w)
	case kCvta:
		v := b.val(t, in.args[1], 64)
		switch in.aux {
		case cvtaToLocal:
			v -= localWindow
		case cvtaLocal:
			v += localWindow
		case cvtaToShared:
			v -= sharedWindow
		case cvtaShared:
			v += sharedWindow
		}
		b.set(t, in.args[0], v, w)
	case kBfi:
		x, y := a(1), a(2)
		pos, ln := int(b.val(t, in.args[3], 32)&0xff), int(b.val(t, in.args[4], 32)&0xff)
		r := y
		for i := 0; i < ln && pos+i < w; i++ {
			bit := x >> i & 1
			r = r&^(1<<(pos+i)) | bit<<(pos+i)
		}
		b.set(t, in.args[0], r, w)
	case kBfe:
		x := a(1)
		pos, ln := int(b.val(t, in.args[2], 32)&0xff), int(b.val(t, in.args[3], 32)&0xff)
		sbit := uint64(0)
		if in.signed {
			if ln == 0 {
				sbit = 0
			} else {
				sbit = x >> min(pos+ln-1, w-1) & 1
			}
		}
		var r uint64
		for i := 0; i < w; i++ {
			var bit uint64
			if i < ln && pos+i < w {
				bit = x >> (pos + i) & 1
			} else {
				bit = sbit
			}
			r |= bit << i
		}
		b.set(t, in.args[0], r, w)
	case kBrev:
		r := bits.Reverse64(a(1)) >> (64 - w)
		b.set(t, in.args[0], r, w)
	case kPopc:
		b.set(t, in.args[0], uint64(bits.OnesCount64(a(1))), 32)
	case kClz:
		b.set(t, in.args[0], uint64(bits.LeadingZeros64(a(1))-(64-w)), 32)
	case kBfind:
		x := a(1)
		if in.signed && sext(x, w) < 0 {
			x = ^x & maskOf(w)
		}
		r := uint64(0xffffffff)
		if x != 0 {
			r = uint64(63 - bits.LeadingZeros64(x))
			if in.aux == 1 { // .shiftamt
				r = uint64(w-1) - r
			}
		}
		b.set(t, in.args[0], r, 32)
	case kMin, kMax:
		x, y := a(1), a(2)
		less := x < y
		if in.signed {
			less = sext(x, w) < sext(y, w)
		}
		r := y
		if less == (in.kind == kMin) {
			r = x
		}
		b.set(t, in.args[0], r, w)
	case kDiv, kRem:
		x, y := a(1), a(2)
		if y == 0 {
			return fmt.Errorf("division by zero")
		}
		var r uint64
		if in.signed {
			sx, sy := sext(x, w), sext(y, w)
			if in.kind == kDiv {
				r = uint64(sx / sy)
			} else {
				r = uint64(sx % sy)
			}
		} else if in.kind == kDiv {
			r = x / y
		} else {
			r = x % y
		}
		b.set(t, in.args[0], r, w)
	case kShf:
		lo, hi := b.val(t, in.args[1], 32), b.val(t, in.args[2], 32)
		n := b.val(t, in.args[3], 32)
		if in.aux2 == 1 { // .wrap
			n &= 31
		} else {
			n = min(n, 32)
		}
		v := hi<<32 | lo
		var r uint64
		if in.aux == 1 { // .l
			r = v << n >> 32
		} else {
			r = v >> n
		}
		b.set(t, in.args[0], r, 32)
	case kPrmt:
		x, y := b.val(t, in.args[1], 32), b.val(t, in.args[2], 32)
		sel := b.val(t, in.args[3], 32)
		bytesv := y<<32 | x
		var r uint64
		for i := 0; i < 4; i++ {
			s := sel >> (4 * i) & 0xf
			by := bytesv >> (8 * (s & 7)) & 0xff
			if s&8 != 0 { // replicate the sign bit
				by = 0
				if by2 := bytesv >> (8*(s&7) + 7) & 1; by2 != 0 {
					by = 0xff
				}
			}
			r |= by << (8 * i)
		}
		b.set(t, in.args[0], r, 32)
	case kLop3:
		x, y, z := a(1), a(2), a(3)
		lut := b.val(t, in.args[4], 32)
		var r uint64
		for i := 0; i < w; i++ {
			idx := (x>>i&1)<<2 | (y>>i&1)<<1 | z>>i&1
			r |= (lut >> idx & 1) << i
		}
		b.set(t, in.args[0], r, w)
	case kAtom, kRed:
		mo := in.args[1]
		vi := 2
		if in.kind == kRed {
			mo, vi = in.args[0], 1
		}
		p, err := b.mem(t, mo, in.space, w/8, accAtomic)
		if err != nil {
			return err
		}
		old := getLE(p)
		v := b.val(t, in.args[vi], w)
		var nv uint64
		switch in.aux {
		case atomAdd:
			nv = old + v
		case atomExch:
			nv = v
		case atomCas:
			nv = old
			if old == v {
				nv = b.val(t, in.args[vi+1], w)
			}
		case atomMin, atomMax:
			less := old < v
			if in.signed {
				less = sext(old, w) < sext(v, w)
			}
			nv = v
			if less == (in.aux == atomMin) {
				nv = old
			}
		case atomAnd:
			nv = old & v
		case atomOr:
			nv = old | v
		case atomXor:
			nv = old ^ v
		case atomInc:
			nv = old + 1
			if old >= v {
				nv = 0
			}
		case atomDec:
			nv = old - 1
			if old == 0 || old > v {
				nv = v
			}
		}
		putLE(p, nv&maskOf(w))
		if in.kind == kAtom {
			b.set(t, in.args[0], old, w)
		}
	case kNop:
	case kBra:
		target, ok := f.fn.labels[in.args[0].name]
		if !ok {
			return fmt.Errorf("no label %q", in.args[0].name)
		}
		f.pc = target
		return nil
	case kCall:
		return b.call(t, in)
	case kRet:
		return b.ret(t)
	default:
		return fmt.Errorf("unsupported instruction")
	}
	f.pc++
	return nil
}

// call enters a device function: its parameters are copies of the
// call site's, in order.
func (b *block) call(t *thread, in *inst) error {
	var rets, args []operand
	var name string
	for i, a := range in.args {
		switch {
		case a.kind == opLabel:
			name = a.name
		case a.kind == opList && name == "" && i == 0:
			rets = a.elems
		case a.kind == opList:
			args = a.elems
		}
	}
	callee := b.m.funcs[name]
	if callee == nil || callee.code == nil {
		return fmt.Errorf("call of %q, which has no body here", name)
	}
	if len(args) != len(callee.params) || len(rets) != len(callee.retvals) {
		return fmt.Errorf("call of %s with %d parameters and %d results; it has %d and %d", name, len(args), len(rets), len(callee.params), len(callee.retvals))
	}
	f := t.top()
	params := map[string][]byte{}
	for i, p := range callee.params {
		src, ok := f.out[args[i].name]
		if !ok || len(src) < p.size {
			return fmt.Errorf("call of %s: parameter %q not declared", name, args[i].name)
		}
		params[p.name] = append([]byte(nil), src[:p.size]...)
	}
	if len(t.frames) > 64 {
		return fmt.Errorf("calls nested deeper than 64")
	}
	t.frames = append(t.frames, t.newFrame(callee, params, in))
	return nil
}

// ret leaves a device function, copying its results to the call site's
// declared parameters, or ends the thread.
func (b *block) ret(t *thread) error {
	f := t.top()
	if f.call == nil {
		t.state = exited
		return nil
	}
	caller := t.frames[len(t.frames)-2]
	if len(f.call.args) > 0 && f.call.args[0].kind == opList {
		for i, r := range f.call.args[0].elems {
			dst, ok := caller.out[r.name]
			if !ok {
				return fmt.Errorf("the result %q of a call is not declared", r.name)
			}
			name := f.fn.retvals[i].name
			src := f.params[name]
			if a, ok := f.local[name]; ok { // its address was taken
				src = t.local.data[a : a+uint64(len(src))]
			}
			copy(dst, src)
		}
	}
	t.frames = t.frames[:len(t.frames)-1]
	t.local.data = t.local.data[:f.depth]
	caller.pc++
	return nil
}

func cmpInt(op int, lt, eq bool) bool {
	switch op {
	case cmpEq:
		return eq
	case cmpNe:
		return !eq
	case cmpLt:
		return lt
	case cmpLe:
		return lt || eq
	case cmpGt:
		return !lt && !eq
	case cmpGe:
		return !lt
	}
	return false
}

func boolOp(op int, a, c bool) bool {
	switch op {
	case 1:
		return a && c
	case 2:
		return a || c
	case 3:
		return a != c
	}
	return a
}
