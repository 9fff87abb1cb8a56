package gpu

import (
	"fmt"
	"math/big"

	"github.com/zkaccel/zkaccel"
)

// A PLONK proof's openings on the device (zkaccel.PlonkOpenDevice): the
// values at ζ and ωζ of polynomials held there, and the KZG opening
// proofs of their combinations, so that neither the polynomials nor the
// quotients of the openings cross to the host. The polynomials are the
// circuit's fixed ones, loaded with their coefficients
// (zkaccel.PlonkFixedRequest.Coefficients), and the proof's, kept by its
// quotient (zkaccel.PlonkQuotientRequest.Keep: Qk, L, R, O, Z, the Piᵢ
// and H).
//
// Both reduce to one kernel over chunks of openChunk coefficients
// (poly_chunks, src/plonk.cl), applied level by level:
//   - a value p(x) is the chunks' values at x, taken as the coefficients of
//     a polynomial of ⌈n/chunk⌉ coefficients, at x^chunk, down to one;
//   - a division by X − a runs the suffix sums rᵢ = fᵢ + a·rᵢ₊₁ (rᵢ₊₁ of
//     the top is zero; q = r₁ …, r₀ = f(a)) in chunks: each chunk's bottom
//     sum with nothing carried in is its value at a (poly_chunks), the true
//     bottom sums Rⱼ are the suffix sums of those at a^chunk (the same
//     problem, ⌈n/chunk⌉ long), and poly_scan then runs each chunk from
//     Rⱼ₊₁.
// That is two multiplications per coefficient, spread over n/chunk work
// items, and a few levels (four at 2^20).

// openChunk is the coefficients each work item of the openings' kernels
// runs through.
const openChunk = 32

// keptCoeffs are one proof's coefficients kept on the device by its
// quotient, for its openings: H and those its request gave by values.
type keptCoeffs struct {
	d      *Device
	field  zkaccel.Field
	n, rho int
	h      Buffer
	polys  map[int]Buffer // by the quotient request's index
	size   int64
	freed  freeOnce
}

func (k *keptCoeffs) Device() zkaccel.Device { return k.d }
func (k *keptCoeffs) Len() int               { return len(k.polys) + 1 }

// Free releases the coefficients' device memory; freeing twice does
// nothing.
func (k *keptCoeffs) Free() {
	bufs := []Buffer{k.h}
	for _, b := range k.polys {
		bufs = append(bufs, b)
	}
	k.d.release(&k.freed, k.size, bufs...)
}

// keepCoeffs takes H (res) and the coefficients of req's polynomials given
// by values (canon) out of s and hands them to the caller as req.Kept,
// once the quotient succeeded; without req.Keep it does nothing.
func (d *Device) keepCoeffs(req *zkaccel.PlonkQuotientRequest, s *scratch, res Buffer, canon []Buffer) {
	if !req.Keep {
		return
	}
	k := &keptCoeffs{d: d, field: req.Field, n: req.N, rho: req.Rho, h: res, polys: map[int]Buffer{}}
	bufs := []Buffer{res}
	for i, c := range canon {
		if c != nil && zkaccel.PlonkIsLagrange(i) {
			k.polys[i] = c
			bufs = append(bufs, c)
		}
	}
	k.size = int64(s.take(bufs...))
	d.resident.Add(k.size)
	req.Kept = k
}

// polyOf resolves p for a request over field: the buffer that holds its
// polynomial, with p's coefficients within it. The caller holds d.mu.
func (d *Device) polyOf(field zkaccel.Field, p zkaccel.PlonkPoly) (Buffer, error) {
	var (
		buf   Buffer
		n     int
		owner *Device
		of    zkaccel.Field
		freed bool
	)
	switch s := p.Set.(type) {
	case *residentPolys:
		owner, of, freed, n = s.d, s.field, s.freed.is(), s.n
		if owner == d && !freed {
			if err := d.reloadPolys(s); err != nil {
				return nil, err
			}
		}
		if s.coeffs == nil {
			return nil, fmt.Errorf("%w: the fixed polynomials were loaded without their coefficients", errBadRequest)
		}
		buf = s.coeffs[p.Index]
	case *keptCoeffs:
		owner, of, freed, n = s.d, s.field, s.freed.is(), s.n
		if p.Index == zkaccel.PlonkH {
			buf, n = s.h, s.n*s.rho
		} else {
			buf = s.polys[p.Index]
		}
	default:
		return nil, fmt.Errorf("%w: polynomials %T are not a GPU device's fixed or kept coefficients", errBadRequest, p.Set)
	}
	switch {
	case owner != d:
		return nil, fmt.Errorf("%w: the polynomials belong to %v", errBadRequest, owner)
	case of != field:
		return nil, fmt.Errorf("%w: polynomials of %s for a request over %s", errBadRequest, of, field)
	case freed:
		return nil, fmt.Errorf("the polynomials were freed")
	case buf == nil:
		return nil, fmt.Errorf("%w: the set holds no polynomial %d", errBadRequest, p.Index)
	case p.From+p.Len > n:
		return nil, fmt.Errorf("%w: coefficients %d … %d of polynomial %d, which has %d", errBadRequest, p.From, p.From+p.Len-1, p.Index, n)
	}
	return buf, nil
}

// montPow returns x^e for x in f's Montgomery form (little-endian words,
// as the device stores it), in that form.
func montPow(f FieldInfo, x []byte, e int64) []byte {
	es := f.ElemSize()
	r := new(big.Int).Lsh(big.NewInt(1), uint(8*es))
	rInv := new(big.Int).ModInverse(r, f.Modulus)
	v := bigOfLE(x)
	v.Mul(v, rInv).Mod(v, f.Modulus)
	v.Exp(v, big.NewInt(e), f.Modulus)
	v.Mul(v, r).Mod(v, f.Modulus)
	return leBytesOf(v, es)
}

// openConsts gathers the constants of a call (points, their powers,
// coefficients) for one upload; add returns each one's index.
type openConsts struct {
	b  []byte
	es int
}

func (c *openConsts) add(x []byte) uint32 {
	c.b = append(c.b, x...)
	return uint32(len(c.b)/c.es - 1)
}

// chunkLevels returns the points of each level of the chunked kernels for
// n coefficients at x: x, x^chunk, x^(chunk²) …, one per level until one
// chunk holds what is left.
func chunkLevels(f FieldInfo, x []byte, n int) [][]byte {
	xs := [][]byte{x}
	for m := n; m > openChunk; m = (m + openChunk - 1) / openChunk {
		x = montPow(f, x, openChunk)
		xs = append(xs, x)
	}
	return xs
}

// PlonkEvaluate computes the values of polynomials held on the device
// (see zkaccel.PlonkEvalRequest).
func (d *Device) PlonkEvaluate(req *zkaccel.PlonkEvalRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.plonkEvaluate(req))
}

// PlonkOpen computes KZG opening proofs of combinations of polynomials
// held on the device (see zkaccel.PlonkOpenRequest).
func (d *Device) PlonkOpen(req *zkaccel.PlonkOpenRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.plonkOpen(req))
}

// PlonkRead copies the coefficients p names, held on the device, into dst
// (see zkaccel.PlonkOpenDevice).
func (d *Device) PlonkRead(field zkaccel.Field, elemSize int, p zkaccel.PlonkPoly, dst []byte) error {
	d.lock()
	defer d.mu.Unlock()
	op := "plonk read " + string(field)
	f, err := d.quotientField(op, field, elemSize, func() error { return nil })
	if err != nil {
		return err
	}
	es := f.ElemSize()
	switch {
	case p.From < 0 || p.Len < 1:
		return d.errorf(op, fmt.Errorf("%w: coefficients %d … %d", errBadRequest, p.From, p.From+p.Len-1))
	case len(dst) != p.Len*es:
		return d.errorf(op, fmt.Errorf("%w: %d bytes for %d coefficients of %d", errBadRequest, len(dst), p.Len, es))
	}
	buf, err := d.polyOf(field, p)
	if err != nil {
		return d.errorf(op, err)
	}
	return d.forgetIfReset(d.errorf(op, d.rt.Read(dst, buf, p.From*es)))
}

var _ zkaccel.PlonkOpenDevice = (*Device)(nil)

func (d *Device) plonkEvaluate(req *zkaccel.PlonkEvalRequest) error {
	if req == nil {
		return d.errorf("plonk evaluate", req.Check())
	}
	op := "plonk evaluate " + string(req.Field)
	if err := d.switchedOn(op, EnvPlonkOpen); err != nil {
		return err
	}
	f, err := d.quotientField(op, req.Field, req.ElemSize, req.Check)
	if err != nil {
		return err
	}
	bufs := make([]Buffer, len(req.Polys))
	for i, p := range req.Polys {
		if bufs[i], err = d.polyOf(req.Field, p); err != nil {
			return d.errorf(op, fmt.Errorf("polynomial %d: %w", i, err))
		}
	}
	if err := d.plonkEvalRun(req, f, bufs); err != nil {
		return d.errorf(op, err)
	}
	return nil
}

// plonkEvalRun queues every polynomial's levels, then reads the values.
func (d *Device) plonkEvalRun(req *zkaccel.PlonkEvalRequest, f FieldInfo, bufs []Buffer) error {
	k, err := d.plonkProgram(req.Field, f)
	if err != nil {
		return err
	}
	es := f.ElemSize()
	s := d.scratch()
	defer s.free()
	cs := &openConsts{es: es}
	levels := make([][]uint32, len(req.Polys))
	for i, p := range req.Polys {
		for _, x := range chunkLevels(f, req.Points[i], p.Len) {
			levels[i] = append(levels[i], cs.add(x))
		}
	}
	cbuf, err := s.upload(cs.b)
	if err != nil {
		return err
	}
	vals, err := s.alloc(len(req.Polys) * es)
	if err != nil {
		return err
	}
	// Each level's chunk values, in a buffer of the first level's size
	// (the later ones are shorter), ping-ponged with a second.
	most := 0
	for _, p := range req.Polys {
		most = max(most, (p.Len+openChunk-1)/openChunk)
	}
	var tmp [2]Buffer
	for t := range tmp {
		if tmp[t], err = s.alloc(most * es); err != nil {
			return err
		}
	}
	for i, p := range req.Polys {
		src, off, n := bufs[i], p.From, p.Len
		for l, xi := range levels[i] {
			nc := (n + openChunk - 1) / openChunk
			dst, oo := tmp[l%2], 0
			if l == len(levels[i])-1 { // one chunk: the value
				dst, oo = vals, i
			}
			if err := d.rt.Launch(k.chunks, nc, d.nttGroup(k.chunks), dst, uint32(oo), src, uint32(off), uint32(n), cbuf, xi, uint32(openChunk)); err != nil {
				return err
			}
			src, off, n = dst, 0, nc
		}
	}
	if err := d.rt.Finish(); err != nil {
		return err
	}
	return d.rt.Read(req.Values, vals, 0)
}

func (d *Device) plonkOpen(req *zkaccel.PlonkOpenRequest) error {
	if req == nil {
		return d.errorf("plonk open", req.Check())
	}
	op := "plonk open " + string(req.Field)
	if err := d.switchedOn(op, EnvPlonkOpen); err != nil {
		return err
	}
	f, err := d.quotientField(op, req.Field, req.ElemSize, req.Check)
	if err != nil {
		return err
	}
	terms := make([][]Buffer, len(req.Openings))
	msms := make([]*zkaccel.MSMRequest, len(req.Openings))
	from := make([]int, len(req.Openings))
	var held uint64
	for i, o := range req.Openings {
		for j, t := range o.Terms {
			b, err := d.polyOf(req.Field, t)
			if err != nil {
				return d.errorf(op, fmt.Errorf("opening %d, term %d: %w", i, j, err))
			}
			terms[i] = append(terms[i], b)
		}
		msms[i], from[i] = o.MSM, 1 // q = r₁ …
		held += 2 * uint64(o.Len) * uint64(f.ElemSize())
	}
	if room := d.room(); room > 0 && held > room {
		return d.unsupported(op, "%s of vectors exceed the device's memory left (%s)", bytesStr(held), bytesStr(room))
	}
	calls, err := d.msmCalls(msms, from)
	if err != nil {
		return err
	}
	if err := d.fusedFits(op, held, calls); err != nil {
		return err
	}
	s := d.scratch()
	defer s.free()
	if err := d.plonkOpenQueue(req, f, s, terms, calls); err != nil {
		_ = d.rt.Finish() // let the launched kernels end before the buffers are freed
		return d.errorf(op, err)
	}
	return d.msmRun(calls, nil)
}

// plonkOpenQueue queues, for each opening, its combination f and the
// suffix sums r of f's division by X − a, and points its MSM's call at
// r's elements from 1 (the quotient's coefficients).
func (d *Device) plonkOpenQueue(req *zkaccel.PlonkOpenRequest, f FieldInfo, s *scratch, terms [][]Buffer, calls []*msmCall) error {
	k, err := d.plonkProgram(req.Field, f)
	if err != nil {
		return err
	}
	es := f.ElemSize()
	cs := &openConsts{es: es}
	cs.add(make([]byte, es)) // index 0: zero, which plonk_fill writes
	one := cs.add(oneMont(f))
	type plan struct {
		coefs  []uint32
		levels []uint32
		seg    []int // each segment's first element in the segments' buffer
	}
	plans := make([]plan, len(req.Openings))
	var segs []byte
	for i, o := range req.Openings {
		for _, c := range o.Coefs {
			plans[i].coefs = append(plans[i].coefs, cs.add(c))
		}
		for _, x := range chunkLevels(f, o.Point, o.Len) {
			plans[i].levels = append(plans[i].levels, cs.add(x))
		}
		for _, a := range o.Add {
			plans[i].seg = append(plans[i].seg, len(segs)/es)
			segs = append(segs, a.Values...)
		}
	}
	cbuf, err := s.upload(cs.b)
	if err != nil {
		return err
	}
	sbuf, err := s.upload(segs)
	if err != nil {
		return err
	}
	for i, o := range req.Openings {
		fb, err := s.alloc(o.Len * es)
		if err != nil {
			return err
		}
		if err := d.rt.Launch(k.fill, o.Len, d.nttGroup(k.fill), fb, cbuf, uint32(o.Len)); err != nil { // cbuf[0] is zero
			return err
		}
		for j, t := range o.Terms {
			if err := d.rt.Launch(k.axpy, t.Len, d.nttGroup(k.axpy), fb, uint32(0), terms[i][j], uint32(t.From), cbuf, plans[i].coefs[j], uint32(t.Len)); err != nil {
				return err
			}
		}
		for j, a := range o.Add {
			if n := len(a.Values) / es; n > 0 {
				if err := d.rt.Launch(k.axpy, n, d.nttGroup(k.axpy), fb, uint32(a.At), sbuf, uint32(plans[i].seg[j]), cbuf, one, uint32(n)); err != nil {
					return err
				}
			}
		}
		r, err := s.alloc(o.Len * es)
		if err != nil {
			return err
		}
		if err := d.plonkScan(k, s, es, cbuf, plans[i].levels, r, fb, o.Len); err != nil {
			return err
		}
		calls[i].dscal = r
	}
	return nil
}

// plonkScan queues r = the suffix sums of f's n coefficients at the point
// cbuf[levels[0]] (see the comment at the top), levels holding that
// point's powers x^(chunkˡ) for each level l.
func (d *Device) plonkScan(k *plonkKernels, s *scratch, es int, cbuf Buffer, levels []uint32, r, f Buffer, n int) error {
	nc := (n + openChunk - 1) / openChunk
	carry, ncarry := cbuf, 0 // no carry: the top chunk's
	if len(levels) > 1 {
		g, err := s.alloc(nc * es)
		if err != nil {
			return err
		}
		if err := d.rt.Launch(k.chunks, nc, d.nttGroup(k.chunks), g, uint32(0), f, uint32(0), uint32(n), cbuf, levels[0], uint32(openChunk)); err != nil {
			return err
		}
		rg, err := s.alloc(nc * es)
		if err != nil {
			return err
		}
		if err := d.plonkScan(k, s, es, cbuf, levels[1:], rg, g, nc); err != nil {
			return err
		}
		carry, ncarry = rg, nc
	}
	return d.rt.Launch(k.scan, nc, d.nttGroup(k.scan), r, uint32(0), f, uint32(0), uint32(n), cbuf, levels[0], uint32(openChunk), carry, uint32(ncarry))
}
