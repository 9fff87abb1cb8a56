package gpu

import (
	"fmt"
	"strings"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/field/goldilocks"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/circomparams"
	"github.com/zkaccel/zkaccel/internal/hermezparams"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
)

// Fixed-constant Poseidon on the device: circomlib's over BN254
// (src/poseidon_circom.cl, the width a kernel argument, each width's
// constants in a device buffer made once from internal/circomparams) and
// Polygon Hermez's over Goldilocks (src/poseidon_hermez.cl, the constants
// of internal/hermezparams compiled into the program). One hash per work
// item.

// poseidon runs a zkaccel.PoseidonRequest by its variant; another variant,
// or a field or width the variant does not define, is
// zkaccel.ErrUnsupported, as on the CPU devices.
func (d *Device) poseidon(req *zkaccel.PoseidonRequest) error {
	if req == nil {
		return d.errorf("poseidon", badRequest("nil request"))
	}
	switch req.Variant {
	case zkaccel.PoseidonCircom:
		return d.poseidonCircom(req)
	case zkaccel.PoseidonHermez:
		return d.poseidonHermez(req)
	}
	return d.unsupported(fmt.Sprintf("poseidon %s %s", req.Variant, req.Field), "unknown variant")
}

// circomSource is the circom Poseidon program.
func circomSource() string {
	info, _ := ScalarField(zkaccel.FieldBN254)
	return Source(info.Source("fr"), File("poseidon_circom.cl"))
}

// circomKernels are the entry points of the circom program.
type circomKernels struct {
	hash, merkle Kernel
}

// circomProgram compiles (once) and returns the circom Poseidon program.
// The caller holds d.mu.
func (d *Device) circomProgram() (*circomKernels, error) {
	p, err := d.program("poseidon/circom")
	if err != nil {
		return nil, err
	}
	ks, err := kernels(p, "circom_hash", "circom_merkle_layer")
	if err != nil {
		return nil, err
	}
	return &circomKernels{hash: ks[0], merkle: ks[1]}, nil
}

// circomConsts returns the device buffer of width t's constants (C, MDS,
// Pre, Sparse: see src/poseidon_circom.cl) and its number of partial
// rounds, uploading them on first use; at most 16 widths are kept. The
// caller holds d.mu.
func (d *Device) circomConsts(t int) (Buffer, int, error) {
	key := fmt.Sprintf("poseidon/circom/consts/%d", t)
	p, err := circomparams.For(t)
	if err != nil {
		return nil, 0, err
	}
	if b, ok := d.cache[key].(Buffer); ok {
		return b, p.RP, nil
	}
	all := make([]fr.Element, 0, len(p.C)+len(p.MDS)+len(p.Pre)+len(p.Sparse))
	all = append(all, p.C...)
	all = append(all, p.MDS...)
	all = append(all, p.Pre...)
	all = append(all, p.Sparse...)
	b, err := d.uploadPersistent(rawbytes.Of(all))
	if err != nil {
		return nil, 0, fmt.Errorf("uploading the constants of width %d: %w", t, err)
	}
	d.cache[key] = b
	return b, p.RP, nil
}

// poseidonCircom runs a circom request: BN254, width 2 to 17, t−1 inputs
// and one output per hash, every input reduced.
func (d *Device) poseidonCircom(req *zkaccel.PoseidonRequest) error {
	const op = "poseidon circom bn254"
	if req.Field != zkaccel.FieldBN254 {
		return d.unsupported(fmt.Sprintf("poseidon %s %s", req.Variant, req.Field), "not the circom BN254 variant")
	}
	if req.Width < 2 || req.Width > circomparams.MaxInputs+1 {
		return d.unsupported(op, "width %d (circomlib defines 2 to %d)", req.Width, circomparams.MaxInputs+1)
	}
	info, _ := ScalarField(zkaccel.FieldBN254)
	switch {
	case req.InLen != req.Width-1:
		return d.errorf(op, badRequest("InLen = %d, want Width−1 = %d", req.InLen, req.Width-1))
	case req.OutLen != 1:
		return d.errorf(op, badRequest("OutLen = %d, want 1", req.OutLen))
	case req.N < 1:
		return d.errorf(op, badRequest("N = %d, want ≥ 1", req.N))
	}
	if err := checkNbTasks(req.NbTasks); err != nil {
		return d.errorf(op, badRequest("%v", err))
	}
	if err := checkElems(info, "In", req.In, req.N*req.InLen); err != nil {
		return d.errorf(op, err)
	}
	if want := req.N * fr.Bytes; len(req.Out) != want {
		return d.errorf(op, badRequest("Out: %d bytes, want %d (%d × 1 element)", len(req.Out), want, req.N))
	}
	if req.N > maxBatch {
		return d.unsupported(op, "%d hashes in one batch", req.N)
	}
	return d.errorf(op, d.poseidonChunks(op, req, d.circomRun))
}

func (d *Device) circomRun(req *zkaccel.PoseidonRequest) error {
	k, err := d.circomProgram()
	if err != nil {
		return err
	}
	consts, rp, err := d.circomConsts(req.Width)
	if err != nil {
		return err
	}
	s := d.scratch()
	defer s.free()
	in, err := s.upload(req.In)
	if err != nil {
		return err
	}
	out, err := s.alloc(len(req.Out))
	if err != nil {
		return err
	}
	if err := d.launch1D(k.hash, req.N, in, out, consts, uint32(req.Width), uint32(rp), uint32(req.N)); err != nil {
		return err
	}
	if err := d.rt.Read(req.Out, out, 0); err != nil {
		return fmt.Errorf("reading the hashes: %w", err)
	}
	return nil
}

// hermezSource returns the Hermez program: the Goldilocks field, the
// constants of internal/hermezparams in Montgomery form, the kernel.
func hermezSource() string {
	var sb strings.Builder
	mont := func(v uint64) uint64 {
		var e goldilocks.Element
		e.SetUint64(v)
		return e[0]
	}
	table := func(name string, vs []uint64) {
		fmt.Fprintf(&sb, "CONSTANT u64 %s[%d] = {", name, len(vs))
		for i, v := range vs {
			if i%4 == 0 {
				sb.WriteString("\n\t")
			} else {
				sb.WriteString(" ")
			}
			fmt.Fprintf(&sb, "0x%016xUL,", mont(v))
		}
		sb.WriteString("\n};\n")
	}
	const w = hermezparams.Width
	table("HERMEZ_RC", hermezparams.RoundConsts[:])
	var mds, pre []uint64
	for i := range w {
		for j := range w {
			m := hermezparams.MDSCirc[(j-i+w)%w]
			if i == j {
				m += hermezparams.MDSDiag[i]
			}
			mds = append(mds, m)
			pre = append(pre, hermezparams.PreMatrix[j][i]) // s'[i] = Σ_j P[j][i]·s[j]
		}
	}
	table("HERMEZ_MDS", mds)
	table("HERMEZ_PRE", pre)
	var sparse []uint64
	for _, row := range hermezparams.Sparse {
		sparse = append(sparse, row[:]...)
	}
	table("HERMEZ_SPARSE", sparse)
	info, _ := ScalarField(zkaccel.FieldGoldilocks)
	return Source(info.Source("gl"), sb.String(), File("poseidon_hermez.cl"))
}

// poseidonHermez runs a Hermez request: Goldilocks, width 12, 12 elements
// in (8 inputs, 4 capacity) and 4 out per hash, every input reduced.
func (d *Device) poseidonHermez(req *zkaccel.PoseidonRequest) error {
	const op = "poseidon hermez goldilocks"
	if req.Field != zkaccel.FieldGoldilocks {
		return d.unsupported(fmt.Sprintf("poseidon %s %s", req.Variant, req.Field), "not the Hermez Goldilocks variant")
	}
	const width, outLen = hermezparams.Width, 4
	info, _ := ScalarField(zkaccel.FieldGoldilocks)
	switch {
	case req.Width != width:
		return d.errorf(op, badRequest("Width = %d, want %d", req.Width, width))
	case req.InLen != width:
		return d.errorf(op, badRequest("InLen = %d, want %d (8 inputs, then 4 capacity elements)", req.InLen, width))
	case req.OutLen != outLen:
		return d.errorf(op, badRequest("OutLen = %d, want %d", req.OutLen, outLen))
	case req.N < 1:
		return d.errorf(op, badRequest("N = %d, want ≥ 1", req.N))
	}
	if err := checkNbTasks(req.NbTasks); err != nil {
		return d.errorf(op, badRequest("%v", err))
	}
	if err := checkElems(info, "In", req.In, req.N*width); err != nil {
		return d.errorf(op, err)
	}
	if want := req.N * outLen * 8; len(req.Out) != want {
		return d.errorf(op, badRequest("Out: %d bytes, want %d (%d × %d elements)", len(req.Out), want, req.N, outLen))
	}
	if req.N > maxBatch {
		return d.unsupported(op, "%d hashes in one batch", req.N)
	}
	return d.errorf(op, d.poseidonChunks(op, req, d.hermezRun))
}

// poseidonChunks runs a checked Poseidon request through run in as many
// calls as the device's memory needs (see inChunks).
func (d *Device) poseidonChunks(op string, req *zkaccel.PoseidonRequest, run func(*zkaccel.PoseidonRequest) error) error {
	in, out := len(req.In)/req.N, len(req.Out)/req.N
	return d.inChunks(op, req.N, uint64(in+out), uint64(max(in, out)), func(lo, hi int) error {
		sub := *req
		sub.N, sub.In, sub.Out = hi-lo, req.In[lo*in:hi*in], req.Out[lo*out:hi*out]
		return run(&sub)
	})
}

func (d *Device) hermezRun(req *zkaccel.PoseidonRequest) error {
	p, err := d.program("poseidon/hermez")
	if err != nil {
		return err
	}
	ks, err := kernels(p, "hermez_hash")
	if err != nil {
		return err
	}
	s := d.scratch()
	defer s.free()
	in, err := s.upload(req.In)
	if err != nil {
		return err
	}
	out, err := s.alloc(len(req.Out))
	if err != nil {
		return err
	}
	if err := d.launch1D(ks[0], req.N, in, out, uint32(req.N)); err != nil {
		return err
	}
	if err := d.rt.Read(req.Out, out, 0); err != nil {
		return fmt.Errorf("reading the hashes: %w", err)
	}
	return nil
}
