package gpu

import (
	"container/list"
	"crypto/sha256"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
)

// Poseidon2 on the device (src/poseidon2.cl): one work item per state, the
// width and round counts as kernel arguments, the round keys and the
// internal matrix's diagonal in device buffers cached by value.

// p2Field is what the device knows of one field's Poseidon2.
type p2Field struct {
	sbox int // S-box degree, as gnark-crypto's poseidon2 package of the field
	// plonky3M4 selects Plonky3's 4×4 block of the external matrix
	// (BabyBear, KoalaBear) instead of HorizenLabs' (BN254, Goldilocks).
	plonky3M4 bool
	maxW      int // the widest state the program runs
	// widths lists the widths the field's Poseidon2 defines (with their
	// diagonals), nil for BN254, whose widths are 2, 3 and 4k.
	widths []int
}

// p2Fields are the fields of Poseidon2 requests: BN254 x^5, Goldilocks x^7
// (widths 8, 12), BabyBear x^7 and KoalaBear x^3 (widths 16, 24, with
// Plonky3's M4), as gnark-crypto v0.21's poseidon2 packages define them.
var p2Fields = map[zkaccel.Field]p2Field{
	zkaccel.FieldBN254:      {sbox: 5, maxW: 16},
	zkaccel.FieldGoldilocks: {sbox: 7, maxW: 12, widths: []int{8, 12}},
	zkaccel.FieldBabyBear:   {sbox: 7, plonky3M4: true, maxW: 24, widths: []int{16, 24}},
	zkaccel.FieldKoalaBear:  {sbox: 3, plonky3M4: true, maxW: 24, widths: []int{16, 24}},
}

// p2Kernels are the entry points of one field's Poseidon2 program.
type p2Kernels struct {
	permute, merkle Kernel
	info            FieldInfo
	spec            p2Field
}

// poseidon2Source is the Poseidon2 program of field.
func poseidon2Source(field zkaccel.Field) string {
	spec := p2Fields[field]
	info, _ := ScalarField(field)
	word := "u64"
	if info.LimbBits == 32 {
		word = "u32"
	}
	m4 := 0
	if spec.plonky3M4 {
		m4 = 1
	}
	defs := fmt.Sprintf("#define FE_WORD %s\n#define P2_MAXW %d\n#define P2_SBOX %d\n#define P2_M4 %d\n", word, spec.maxW, spec.sbox, m4)
	// The widths the kernel runs with the width a compile-time constant
	// (the state then lives in registers on a GPU): the field's defined
	// widths, for BN254 the common 2, 3 and 4.
	fast := spec.widths
	if fast == nil {
		fast = []int{2, 3, 4}
		defs += "#define P2_FIXED23 1\n" // BN254: widths 2 and 3 have fixed matrices (p2FixedDiag)
	}
	for i, w := range fast {
		defs += fmt.Sprintf("#define P2_W%d %d\n", i, w)
	}
	return Source(info.Source("fe"), defs, File("poseidon2.cl"))
}

// poseidon2Program compiles (once) and returns field's Poseidon2 program.
// The caller holds d.mu.
func (d *Device) poseidon2Program(field zkaccel.Field) (*p2Kernels, error) {
	spec := p2Fields[field]
	info, _ := ScalarField(field)
	p, err := d.program("poseidon2/" + string(field))
	if err != nil {
		return nil, err
	}
	ks, err := kernels(p, "poseidon2_permute", "poseidon2_merkle_layer")
	if err != nil {
		return nil, err
	}
	return &p2Kernels{permute: ks[0], merkle: ks[1], info: info, spec: spec}, nil
}

// p2ExtMode returns the external matrix of a width (see src/poseidon2.cl):
// 0 for widths 2 and 3, 1 for BN254's width 4 (M4 alone), 2 otherwise.
func p2ExtMode(field zkaccel.Field, w int) uint32 {
	switch {
	case w < 4:
		return 0
	case w == 4 && field == zkaccel.FieldBN254:
		return 1
	}
	return 2
}

// p2FixedDiag returns the diagonal minus one of gnark-crypto's fixed
// internal matrices of BN254's widths 2 ([[2 1] [1 3]]) and 3
// ([[2 1 1] [1 2 1] [1 1 3]]), in Montgomery form.
func p2FixedDiag(w int) []byte {
	var one, two fr.Element
	one.SetOne()
	two.SetUint64(2)
	d := make([]fr.Element, w)
	for i := range d {
		d[i] = one
	}
	d[w-1] = two
	out := make([]byte, 0, w*fr.Bytes)
	for _, e := range d {
		for _, limb := range e {
			out = append(out, byte(limb), byte(limb>>8), byte(limb>>16), byte(limb>>24),
				byte(limb>>32), byte(limb>>40), byte(limb>>48), byte(limb>>56))
		}
	}
	return out
}

// poseidon2 runs a zkaccel.Poseidon2Request: it checks the request as the
// CPU devices do (a field they do not know is zkaccel.ErrUnsupported; a
// width the field does not define, wrong sizes or unreduced elements are
// errors), gets the parameters' device copies from the cache, uploads the
// states, permutes them in one launch and downloads them in place.
func (d *Device) poseidon2(req *zkaccel.Poseidon2Request) error {
	if req == nil {
		return d.errorf("poseidon2", badRequest("nil request"))
	}
	op := "poseidon2 " + fieldName(req.Field)
	spec, ok := p2Fields[req.Field]
	if !ok {
		return d.unsupported(op, "unknown field")
	}
	info, _ := ScalarField(req.Field)
	diag, err := poseidon2Check(req, spec, info)
	if err != nil {
		return d.errorf(op, err)
	}
	if req.Width > spec.maxW {
		return d.unsupported(op, "width %d (the device runs up to %d)", req.Width, spec.maxW)
	}
	if req.N > maxBatch/req.Width {
		return d.unsupported(op, "%d states in one batch", req.N)
	}
	size := len(req.States) / req.N
	return d.errorf(op, d.inChunks(op, req.N, uint64(size), uint64(size), func(lo, hi int) error {
		sub := *req
		sub.N, sub.States = hi-lo, req.States[lo*size:hi*size]
		return d.poseidon2Run(&sub, diag)
	}))
}

// poseidon2Check checks a request of a known field and returns the
// diagonal the device multiplies by (the request's, or BN254's fixed one
// for widths 2 and 3).
func poseidon2Check(req *zkaccel.Poseidon2Request, spec p2Field, info FieldInfo) ([]byte, error) {
	t, rf, rp := req.Width, req.NbFullRounds, req.NbPartialRounds
	switch {
	case t < 2 || t > 1<<10:
		return nil, badRequest("Width = %d, out of range [2, 1024]", t)
	case rf < 0 || rp < 0 || rf+rp > 1<<12:
		return nil, badRequest("NbFullRounds = %d, NbPartialRounds = %d: out of range", rf, rp)
	case req.N < 1:
		return nil, badRequest("N = %d, want ≥ 1", req.N)
	}
	if err := checkNbTasks(req.NbTasks); err != nil {
		return nil, badRequest("%v", err)
	}
	fixed := false
	if spec.widths == nil { // BN254: 2, 3 (fixed matrices) or 4k
		fixed = t < 4
		if !fixed && t%4 != 0 {
			return nil, badRequest("Width = %d: the width must be 2, 3 or a multiple of 4", t)
		}
	} else {
		known := false
		for _, w := range spec.widths {
			known = known || w == t
		}
		if !known {
			return nil, badRequest("Width = %d: the field's Poseidon2 has no such width", t)
		}
	}
	if err := checkElems(info, "RoundKeys", req.RoundKeys, rf*t+rp); err != nil {
		return nil, err
	}
	diag := req.DiagM1
	if fixed {
		if len(req.DiagM1) != 0 {
			return nil, badRequest("DiagM1: %d bytes, want none for width %d", len(req.DiagM1), t)
		}
		diag = p2FixedDiag(t)
	} else if err := checkElems(info, "DiagM1", req.DiagM1, t); err != nil {
		return nil, err
	}
	if err := checkElems(info, "States", req.States, req.N*t); err != nil {
		return nil, err
	}
	return diag, nil
}

func (d *Device) poseidon2Run(req *zkaccel.Poseidon2Request, diag []byte) error {
	k, err := d.poseidon2Program(req.Field)
	if err != nil {
		return err
	}
	params, err := d.p2Params(req.Field, req.RoundKeys, diag)
	if err != nil {
		return err
	}
	s := d.scratch()
	defer s.free()
	states, err := s.upload(req.States)
	if err != nil {
		return err
	}
	ext := p2ExtMode(req.Field, req.Width)
	if err := d.launch1D(k.permute, req.N, states, params.keys, params.diag,
		uint32(req.Width), uint32(req.NbFullRounds), uint32(req.NbPartialRounds), ext, uint32(req.N)); err != nil {
		return err
	}
	if err := d.rt.Read(req.States, states, 0); err != nil {
		return fmt.Errorf("reading the states: %w", err)
	}
	return nil
}

// p2ParamsCacheSize bounds the Poseidon2 parameter sets kept on a device.
const p2ParamsCacheSize = 8

// p2DeviceParams are the device copies of one parameter set.
type p2DeviceParams struct {
	key        string
	keys, diag Buffer
}

// p2ParamsCache keeps the most recently used parameter sets, by value (the
// hash of the field, the keys and the diagonal); the least recently used
// is freed when a new one does not fit.
type p2ParamsCache struct {
	lru   *list.List // of *p2DeviceParams, most recent first
	byKey map[string]*list.Element
}

// p2Params returns device copies of a parameter set, uploading it on first
// use. The caller holds d.mu.
func (d *Device) p2Params(field zkaccel.Field, keys, diag []byte) (*p2DeviceParams, error) {
	c, _ := d.cache["poseidon2.params"].(*p2ParamsCache)
	if c == nil {
		c = &p2ParamsCache{lru: list.New(), byKey: map[string]*list.Element{}}
		d.cache["poseidon2.params"] = c
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s/%d/%d/", field, len(keys), len(diag))
	h.Write(keys)
	h.Write(diag)
	key := string(h.Sum(nil))
	if e, ok := c.byKey[key]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*p2DeviceParams), nil
	}
	p := &p2DeviceParams{key: key}
	var err error
	if p.keys, err = d.uploadPersistent(keys); err != nil {
		return nil, fmt.Errorf("uploading the round keys: %w", err)
	}
	if p.diag, err = d.uploadPersistent(diag); err != nil {
		d.rt.Free(p.keys)
		return nil, fmt.Errorf("uploading DiagM1: %w", err)
	}
	for c.lru.Len() >= p2ParamsCacheSize {
		old := c.lru.Remove(c.lru.Back()).(*p2DeviceParams)
		delete(c.byKey, old.key)
		d.rt.Free(old.keys)
		d.rt.Free(old.diag)
	}
	c.byKey[key] = c.lru.PushFront(p)
	return p, nil
}

// uploadPersistent allocates a buffer (of at least one byte) that outlives
// the operation, holding data.
func (d *Device) uploadPersistent(data []byte) (Buffer, error) {
	b, err := d.rt.Alloc(max(len(data), 1))
	if err != nil {
		return nil, err
	}
	if len(data) > 0 {
		if err := d.rt.Write(b, 0, data); err != nil {
			d.rt.Free(b)
			return nil, err
		}
	}
	return b, nil
}
