package zkaccel

// The polynomials of a [PlonkQuotientRequest], by index in its Polys: the
// gate's selectors, the permutation's polynomials, the wires and the copy
// constraint's ratio; pairs (Qcpᵢ, Piᵢ) of each BSB22 commitment follow.
const (
	PlonkQl = iota
	PlonkQr
	PlonkQm
	PlonkQo
	PlonkQk
	PlonkS1
	PlonkS2
	PlonkS3
	PlonkL
	PlonkR
	PlonkO
	PlonkZ
	PlonkNbPolys // polynomials before the commitments' pairs
)

// PlonkMaxBlinding is the most coefficients a blinding polynomial of a
// [PlonkQuotientRequest] may have.
const PlonkMaxBlinding = 8

// PlonkQuotientRequest is the quotient step of gnark's PLONK prover handed
// to a device backend: the coefficients of H = N/(Xⁿ − 1), where N is the
// constraint polynomial
//
//	N = gate + α·(ordering + α·(Z̃ − 1)·L₁)
//	gate = Ql·L̃ + Qr·R̃ + Qm·L̃·R̃ + Qo·Õ + Qk + Σᵢ Qcpᵢ·Piᵢ
//	ordering = (L̃ + β·S1 + γ)(R̃ + β·S2 + γ)(Õ + β·S3 + γ)·Z̃(ωX)
//	         − (L̃ + β·X + γ)(R̃ + β·u·X + γ)(Õ + β·u²·X + γ)·Z̃(X)
//
// with P̃ = P + bₚ·(Xⁿ − 1) the blinded wires and ratio (bₚ from Blinding),
// ω the generator of the small domain (n = N elements), u the permutation's
// coset shift, and L₁ = (Xⁿ − 1)/(n·(X − 1)). N is evaluated on the coset
// g·⟨ω₁⟩ of the large domain (Rho·N elements, generator ω₁), where
// Xⁿ − 1 does not vanish, and H is interpolated from N/(Xⁿ − 1) there. The
// result is exact, so it equals gnark's, element for element.
//
// Buffers are gnark-crypto values viewed as bytes, as for [MSMRequest].
type PlonkQuotientRequest struct {
	Field    Field // a curve's scalar field
	ElemSize int   // bytes per field element
	N        int   // the small domain's cardinality n, a power of two
	Rho      int   // the large domain holds Rho·N elements; Rho a power of two
	// Polys are the polynomials, in canonical form (N coefficients, lowest
	// degree first), indexed by PlonkQl … PlonkZ, then Qcpᵢ, Piᵢ for each
	// commitment i: PlonkNbPolys + 2·(commitments) in all.
	Polys [][]byte
	// Blinding holds the coefficients (lowest first, at most
	// PlonkMaxBlinding) of the blinding polynomials of L, R, O and Z.
	Blinding [4][]byte
	// The challenges and constants, one element each: α, β, γ; u (the
	// permutation's coset shift); ω (the small domain's generator); 1/n.
	Alpha, Beta, Gamma, PermShift, Generator, CardinalityInv []byte
	// For each coset cᵢ·⟨ω⟩ (i < Rho) of the small domain that makes up
	// the large coset, cᵢ = g·ω₁ⁱ: CosetShifts[i] = cᵢ, Vanishing[i] =
	// cᵢⁿ − 1 (the value of Xⁿ − 1 on that coset) and VanishingInv[i] its
	// inverse.
	CosetShifts, Vanishing, VanishingInv [][]byte
	// The large domain's inverse transform: ω₁⁻¹, 1/(Rho·n) and g⁻¹.
	LargeGeneratorInv, LargeCardinalityInv, LargeShiftInv []byte
	// Result receives H's Rho·N coefficients, lowest first.
	Result []byte
	// NbTasks is the caller's bound on host goroutines, 0 for the default.
	NbTasks int
	// Lagrange, when set, says that the proof's own polynomials (those
	// PlonkIsLagrange lists: Qk, L, R, O, Z and each Piᵢ) are given by
	// their N values on the small domain ⟨ω⟩, in natural order, rather
	// than by their coefficients. The device interpolates them, and once
	// H is written it writes their coefficients over those values, so
	// that one call replaces the caller's inverse NTTs and their round
	// trips. An error wrapping ErrUnsupported (a request the device
	// declines, before any work) leaves them as they were, so that the
	// caller can fall back on them; after any other error their contents
	// are undefined. The other polynomials stay coefficients.
	Lagrange bool
	// GeneratorInv is ω⁻¹, needed only with Lagrange.
	GeneratorInv []byte
	// Fixed, when set, holds the circuit's fixed polynomials on the
	// device, already evaluated on the cosets (see [ResidentPlonkDevice]),
	// loaded for the same field, N, Rho, Generator and CosetShifts: then
	// the entries of Polys that PlonkFixed lists, and each Qcpᵢ, are
	// empty.
	Fixed ResidentPolys
	// Values, when set (with Lagrange), holds L's, R's, O's and Z's values
	// on ⟨ω⟩ in the device's memory, kept there by the proof's ratio
	// request (see [PlonkRatioRequest].Keep): the device reads them there
	// rather than from Polys. Their entries in Polys must still hold N
	// elements each, which the device does not read (the caller keeps the
	// values there, for a fallback on the host) and over which it writes
	// the coefficients, as with Lagrange. Values are read, not consumed:
	// the caller frees them.
	Values ResidentPolys
	// Committed, where given (with Lagrange), holds for commitment i, in
	// Committed[i] when not nil, Piᵢ's values on ⟨ω⟩ in the device's
	// memory, kept there by its commitment ([PlonkWiresDevice]
	// .PlonkCommittedMSM): the device reads them there, as Values. At most
	// one entry per commitment.
	Committed []ResidentPolys
	// Keep (with Lagrange) asks the device to keep, once the call
	// succeeds, H's Rho·N coefficients and those of the polynomials given
	// by values (Qk, L, R, O, Z, each Piᵢ) in its memory, for the proof's
	// openings ([PlonkOpenDevice]); they are still written to Result and
	// over the values. The device then sets Kept, which the caller frees. A
	// device that keeps nothing leaves Kept nil.
	Keep bool
	// Kept receives, with Keep, the coefficients kept: [PlonkPoly] names
	// them by their index in Polys, and H by PlonkH.
	Kept ResidentPolys
	// NoRead (with Keep) asks the device to leave Result and the values in
	// Polys as they are: H and the coefficients stay on the device only,
	// for a caller that opens them there and reads back
	// ([PlonkOpenDevice].PlonkRead) only what a fallback needs.
	NoRead bool
}

// PlonkFixed lists the polynomials of a [PlonkQuotientRequest] that belong
// to the circuit rather than to one proof (with the commitments' Qcpᵢ):
// the gate's selectors but Qk, and the permutation's.
var PlonkFixed = [...]int{PlonkQl, PlonkQr, PlonkQm, PlonkQo, PlonkS1, PlonkS2, PlonkS3}

// PlonkFixedRequest asks a device to keep a PLONK circuit's fixed
// polynomials evaluated on the cosets of its quotient (see
// [PlonkQuotientRequest]), so that every proof's quotient spares their
// copies and transforms. Polys holds, in canonical form (N coefficients
// each), those PlonkFixed lists, in its order, then the Qcpᵢ; the other
// fields are the quotient request's.
type PlonkFixedRequest struct {
	Field       Field
	ElemSize    int
	N, Rho      int
	Polys       [][]byte
	Generator   []byte   // the small domain's generator ω
	CosetShifts [][]byte // cᵢ, i < Rho
	// Sigma, where given, holds σ1's, σ2's and σ3's N values on ⟨ω⟩ in
	// natural order (S1, S2 and S3 by their values), which the device
	// keeps too, for the proof's ratio requests (see
	// [PlonkRatioRequest].Fixed). All three empty: none kept.
	Sigma [3][]byte
	// Coefficients asks the device to keep Polys' coefficients too, for
	// the proofs' openings ([PlonkOpenDevice]), and Qk, where given (N
	// coefficients: the circuit's Qk, without public inputs), beside them.
	Coefficients bool
	Qk           []byte
}

// Check reports whether r is well formed: N and Rho powers of two, the
// seven fixed polynomials and then the Qcpᵢ of N elements each, one
// element per constant. The error wraps [ErrBadRequest].
func (r *PlonkFixedRequest) Check() error {
	if r == nil {
		return badRequest("nil request")
	}
	es := r.ElemSize
	if err := checkDomains(es, r.N, r.Rho); err != nil {
		return err
	}
	switch {
	case len(r.Polys) < len(PlonkFixed):
		return badRequest("%d polynomials, want at least %d", len(r.Polys), len(PlonkFixed))
	case len(r.CosetShifts) != r.Rho:
		return badRequest("%d coset shifts, want Rho = %d", len(r.CosetShifts), r.Rho)
	}
	for i, p := range r.Polys {
		if len(p) != r.N*es {
			return badRequest("polynomial %d: %d bytes, want %d (N × %d)", i, len(p), r.N*es, es)
		}
	}
	if len(r.Qk) != 0 && (!r.Coefficients || len(r.Qk) != r.N*es) {
		return badRequest("Qk: %d bytes, want %d (N × %d) with Coefficients", len(r.Qk), r.N*es, es)
	}
	if r.HasSigma() {
		for j, v := range r.Sigma {
			if len(v) != r.N*es {
				return badRequest("σ%d: %d bytes, want %d (N × %d), as the others", j+1, len(v), r.N*es, es)
			}
		}
	}
	return checkConsts(es, 0, append([][]byte{r.Generator}, r.CosetShifts...)...)
}

// HasSigma reports whether r gives σ's values to keep (any of Sigma's
// entries is not empty).
func (r *PlonkFixedRequest) HasSigma() bool {
	return len(r.Sigma[0])+len(r.Sigma[1])+len(r.Sigma[2]) > 0
}

// ResidentPolys are PLONK polynomials kept in one device's memory between
// calls: a circuit's fixed polynomials, kept between proofs, loaded by
// [ResidentPlonkDevice.LoadPlonkFixed] and named by the quotient and ratio
// requests that use them; or one proof's wires and ratio, kept by its
// ratio request ([PlonkRatioRequest].Keep) for its quotient. Free releases
// the memory; requests that name freed polynomials fail. After a device
// reset they are gone: load them again.
type ResidentPolys interface {
	Device() Device
	// Len is the polynomials held: for a circuit's fixed polynomials the
	// seven, then the Qcpᵢ (σ's values, their coefficients and Qk aside);
	// for the values a ratio kept, four (L, R, O, Z); for the coefficients
	// a quotient kept, those given by values and H.
	Len() int
	Free()
}

// ResidentPlonkDevice is implemented by devices that can keep a PLONK
// circuit's fixed polynomials between proofs. LoadPlonkFixed returns an
// error wrapping [ErrUnsupported] where they do not fit. The device may
// keep references to the request's slices until the ResidentPolys are
// freed, to load them again where a device reset lost its memory: they
// must not change until then.
type ResidentPlonkDevice interface {
	PlonkDevice
	LoadPlonkFixed(req *PlonkFixedRequest) (ResidentPolys, error)
}

// PlonkDevice is implemented by devices that run PLONK's quotient step.
// PlonkQuotient returns an error wrapping [ErrUnsupported] for a field or
// size it does not run.
type PlonkDevice interface {
	Device
	PlonkQuotient(req *PlonkQuotientRequest) error
}

// Check reports whether r is well formed: N and Rho powers of two, every
// polynomial of N elements, at least the twelve and then pairs, blinding
// polynomials of at most PlonkMaxBlinding elements, one element per
// constant (GeneratorInv too with Lagrange) and per coset, Rho·N elements
// of Result; Values only with Lagrange. The error wraps [ErrBadRequest].
func (r *PlonkQuotientRequest) Check() error {
	if r == nil {
		return badRequest("nil request")
	}
	es := r.ElemSize
	if err := checkDomains(es, r.N, r.Rho); err != nil {
		return err
	}
	switch {
	case len(r.Polys) < PlonkNbPolys || (len(r.Polys)-PlonkNbPolys)%2 != 0:
		return badRequest("%d polynomials, want %d and then pairs", len(r.Polys), PlonkNbPolys)
	case len(r.Result) != r.Rho*r.N*es:
		return badRequest("result: %d bytes, want %d (Rho·N × %d)", len(r.Result), r.Rho*r.N*es, es)
	case len(r.CosetShifts) != r.Rho || len(r.Vanishing) != r.Rho || len(r.VanishingInv) != r.Rho:
		return badRequest("%d, %d and %d coset constants, want Rho = %d each", len(r.CosetShifts), len(r.Vanishing), len(r.VanishingInv), r.Rho)
	}
	for i, p := range r.Polys {
		want := r.N * es
		if r.Fixed != nil && plonkIsFixed(i) {
			want = 0
		}
		if len(p) != want {
			return badRequest("polynomial %d: %d bytes, want %d", i, len(p), want)
		}
	}
	for i, b := range r.Blinding {
		if len(b)%es != 0 || len(b)/es > PlonkMaxBlinding {
			return badRequest("blinding %d: %d bytes, want at most %d elements of %d", i, len(b), PlonkMaxBlinding, es)
		}
	}
	consts := [][]byte{r.Alpha, r.Beta, r.Gamma, r.PermShift, r.Generator, r.CardinalityInv,
		r.LargeGeneratorInv, r.LargeCardinalityInv, r.LargeShiftInv}
	if r.Lagrange {
		consts = append(consts, r.GeneratorInv)
	} else if r.Values != nil {
		return badRequest("values kept on the device (Values) without Lagrange")
	}
	if r.Keep && !r.Lagrange {
		return badRequest("coefficients kept (Keep) without Lagrange")
	}
	if len(r.Committed) > (len(r.Polys)-PlonkNbPolys)/2 {
		return badRequest("%d kept commitments' values for %d commitments", len(r.Committed), (len(r.Polys)-PlonkNbPolys)/2)
	}
	if len(r.Committed) > 0 && !r.Lagrange {
		return badRequest("commitments' values kept on the device (Committed) without Lagrange")
	}
	if r.NoRead && !r.Keep {
		return badRequest("nothing read back (NoRead) and nothing kept")
	}
	consts = append(consts, r.CosetShifts...)
	consts = append(consts, r.Vanishing...)
	consts = append(consts, r.VanishingInv...)
	return checkConsts(es, r.NbTasks, consts...)
}

// checkConsts checks that each constant is one element of es bytes, and
// the request's NbTasks.
func checkConsts(es, nbTasks int, consts ...[]byte) error {
	for i, c := range consts {
		if len(c) != es {
			return badRequest("constant %d: %d bytes, want %d", i, len(c), es)
		}
	}
	return checkNbTasks(nbTasks)
}

// Groth16QuotientRequest is the quotient step of gnark's Groth16 prover
// handed to a device backend: the coefficients of H = (A·B − C)/(Xⁿ − 1),
// where A, B and C are the polynomials whose values on the domain ⟨ω⟩ of
// n = N elements the request gives, computed as gnark does: each of A, B,
// C interpolated (inverse NTT) and evaluated on the coset g·⟨ω⟩ (NTT),
// where Xⁿ − 1 is the constant gⁿ − 1; (A·B − C)/(gⁿ − 1) there; and H
// interpolated from the coset. The result is exact, so it equals gnark's,
// element for element.
//
// Buffers are gnark-crypto values viewed as bytes, as for [MSMRequest].
type Groth16QuotientRequest struct {
	Field    Field // a curve's scalar field
	ElemSize int   // bytes per field element
	N        int   // the domain's cardinality n, a power of two
	// A, B and C hold N values each, in natural order on ⟨ω⟩.
	A, B, C []byte
	// The domain's constants, one element each: ω, ω⁻¹, 1/n, g, g⁻¹, and
	// 1/(gⁿ − 1).
	Generator, GeneratorInv, CardinalityInv, CosetShift, CosetShiftInv, VanishingInv []byte
	// Result receives H's N coefficients in bit-reversed order (the order
	// of a DIF transform's output, which gnark's proving key follows).
	Result []byte
	// NbTasks is the caller's bound on host goroutines, 0 for the default.
	NbTasks int
}

// Groth16Device is implemented by devices that run Groth16's quotient
// step. Groth16Quotient returns an error wrapping [ErrUnsupported] for a
// field or size it does not run.
type Groth16Device interface {
	Device
	Groth16Quotient(req *Groth16QuotientRequest) error
}

// Groth16MSMDevice is implemented by devices that run a Groth16 proof's
// quotient and its MSMs as one call (the GPUs). Groth16QuotientMSM runs q
// as Groth16Quotient does, then msms in order as [MSMBatchDevice.MSMBatch]
// runs a batch, the first MSM's data going up while the quotient computes.
// One MSM of msms may leave its Scalars empty: it takes H's first N
// coefficients for scalars from the device's memory (Groth16's Σ hᵢ·Zᵢ,
// whose points follow H's bit-reversed order), so that H need not come
// back to the host and go up again; q.Result may then be empty, and is
// written only when it is not. [CheckGroth16QuotientMSM] states what a
// well-formed call is. An error wrapping [ErrUnsupported] or
// [ErrBadRequest] comes before any work and writes no result; the caller
// may then run the quotient and the MSMs apart.
type Groth16MSMDevice interface {
	Groth16Device
	MSMBatchDevice
	Groth16QuotientMSM(q *Groth16QuotientRequest, msms []*MSMRequest) error
}

// CheckGroth16QuotientMSM reports whether q and msms are a well-formed
// [Groth16MSMDevice.Groth16QuotientMSM] call, and returns the index in
// msms of the MSM over H (−1 for none). q must be well formed as its Check
// says, except that its Result may be empty where an MSM takes H; msms
// must not be empty or hold nil; at most one MSM has empty Scalars, and
// it has 1 ≤ N ≤ q.N and a curve whose scalar field is q.Field. The other
// MSMs' own fields are the device's to check, as for MSMBatch. The error
// wraps [ErrBadRequest].
func CheckGroth16QuotientMSM(q *Groth16QuotientRequest, msms []*MSMRequest) (int, error) {
	if q == nil {
		return -1, badRequest("nil quotient request")
	}
	if len(msms) == 0 {
		return -1, badRequest("no MSM")
	}
	h := -1
	for i, m := range msms {
		switch {
		case m == nil:
			return -1, badRequest("MSM %d of %d is nil", i, len(msms))
		case len(m.Scalars) != 0:
			continue
		case h >= 0:
			return -1, badRequest("MSMs %d and %d both take H's coefficients (empty Scalars)", h, i)
		case m.N < 1 || m.N > q.N:
			return -1, badRequest("MSM %d takes H's first %d coefficients, want 1 … N = %d", i, m.N, q.N)
		case !curveHasScalarField(m.Curve, q.Field):
			return -1, badRequest("MSM %d over %s takes H's coefficients, which are in %s", i, m.Curve, q.Field)
		}
		h = i
	}
	return h, q.check(h < 0 || len(q.Result) != 0)
}

// PlonkMSMDevice is implemented by devices that run a PLONK proof's
// quotient and the commitments to H's shards as one call (the GPUs).
// PlonkQuotientMSM runs q as PlonkQuotient does, writing H into q.Result
// and, with q.Lagrange, the coefficients over the values, then msms in
// order as [MSMBatchDevice.MSMBatch] runs a batch. An MSM whose from entry
// is i ≥ 0 leaves its Scalars empty and takes H's coefficients i … i+N−1
// from the device's memory, where the quotient left them, so that H need
// not go up again (gnark's H1, H2, H3: the shards of n+2 coefficients at
// 0, n+2 and 2(n+2)); the others (from −1) bring their scalars.
// [CheckPlonkQuotientMSM] states what a well-formed call is. An error
// wrapping [ErrUnsupported] or [ErrBadRequest] comes before any work and
// writes no result; the caller may then run the quotient and the MSMs
// apart. After any other error the results, and q's polynomials given by
// values, are undefined.
type PlonkMSMDevice interface {
	PlonkDevice
	MSMBatchDevice
	PlonkQuotientMSM(q *PlonkQuotientRequest, msms []*MSMRequest, from []int) error
}

// CheckPlonkQuotientMSM reports whether q, msms and from are a well-formed
// [PlonkMSMDevice.PlonkQuotientMSM] call: q well formed as its Check says;
// msms not empty and without nil; one entry of from per MSM, −1 for an MSM
// that brings its scalars and else the index in H of its first scalar,
// for an MSM with empty Scalars, 1 ≤ N, whose N coefficients lie in H's
// Rho·N and whose curve has q.Field for scalar field. The other MSMs' own
// fields are the device's to check, as for MSMBatch. The error wraps
// [ErrBadRequest].
func CheckPlonkQuotientMSM(q *PlonkQuotientRequest, msms []*MSMRequest, from []int) error {
	if q == nil {
		return badRequest("nil quotient request")
	}
	if err := q.Check(); err != nil {
		return err
	}
	return checkDeviceScalars(msms, from, "H", q.Rho*q.N, q.Field)
}

// checkDeviceScalars checks the MSMs of a one-call request whose scalars
// may come from a vector v of m elements of field that the call computes
// on the device (from: −1, or the first element's index in v).
func checkDeviceScalars(msms []*MSMRequest, from []int, v string, m int, field Field) error {
	switch {
	case len(msms) == 0:
		return badRequest("no MSM")
	case len(from) != len(msms):
		return badRequest("%d offsets into %s for %d MSMs", len(from), v, len(msms))
	}
	for i, r := range msms {
		switch {
		case r == nil:
			return badRequest("MSM %d of %d is nil", i, len(msms))
		case from[i] == -1:
			continue
		case from[i] < 0:
			return badRequest("MSM %d: offset %d into %s, want −1 (its own scalars) or at least 0", i, from[i], v)
		case from[i] >= m:
			return badRequest("MSM %d takes %s's elements from %d, past its %d", i, v, from[i], m)
		case len(r.Scalars) != 0:
			return badRequest("MSM %d takes %s's elements from %d but has %d bytes of scalars", i, v, from[i], len(r.Scalars))
		case r.N < 1 || r.N > m-from[i]:
			return badRequest("MSM %d takes %d of %s's elements from %d, want 1 … %d (it has %d)", i, r.N, v, from[i], m-from[i], m)
		case !curveHasScalarField(r.Curve, field):
			return badRequest("MSM %d over %s takes %s's elements, which are in %s", i, r.Curve, v, field)
		}
	}
	return nil
}

// curveHasScalarField reports whether f is the scalar field of curve c:
// the fields of a curve's scalars are named after the curve.
func curveHasScalarField(c Curve, f Field) bool { return string(c) == string(f) }

// Check reports whether r is well formed: N a power of two up to 2^31, A,
// B, C and Result of N elements, one element per constant. The error wraps
// [ErrBadRequest].
func (r *Groth16QuotientRequest) Check() error { return r.check(true) }

// check is Check, where result says whether Result must hold N elements
// (else it is empty: H stays on the device).
func (r *Groth16QuotientRequest) check(result bool) error {
	if r == nil {
		return badRequest("nil request")
	}
	es := r.ElemSize
	if err := checkDomains(es, r.N, 1); err != nil {
		return err
	}
	for _, b := range []struct {
		name string
		v    []byte
	}{{"A", r.A}, {"B", r.B}, {"C", r.C}, {"result", r.Result}} {
		if b.name == "result" && !result {
			continue
		}
		if len(b.v) != r.N*es {
			return badRequest("%s: %d bytes, want %d (N × %d)", b.name, len(b.v), r.N*es, es)
		}
	}
	return checkConsts(es, r.NbTasks, r.Generator, r.GeneratorInv, r.CardinalityInv, r.CosetShift, r.CosetShiftInv, r.VanishingInv)
}

// PlonkIsLagrange reports whether the polynomial at index i of a
// [PlonkQuotientRequest] belongs to one proof (Qk, L, R, O, Z or a Piᵢ):
// those that the request's Lagrange flag turns into values on the small
// domain.
func PlonkIsLagrange(i int) bool {
	switch {
	case i == PlonkQk || (i >= PlonkL && i < PlonkNbPolys):
		return true
	case i >= PlonkNbPolys:
		return (i-PlonkNbPolys)%2 == 1
	}
	return false
}

// plonkIsFixed reports whether the polynomial at index i of a quotient
// request is one of the circuit's (PlonkFixed, or a Qcpᵢ).
func plonkIsFixed(i int) bool {
	if i >= PlonkNbPolys {
		return (i-PlonkNbPolys)%2 == 0
	}
	for _, f := range PlonkFixed {
		if f == i {
			return true
		}
	}
	return false
}

// checkDomains checks a quotient request's element size and domains: N
// and Rho (1 for Groth16) powers of two, Rho·N at most 2^31.
func checkDomains(es, n, rho int) error {
	switch {
	case es < 1:
		return badRequest("ElemSize = %d", es)
	case n < 1 || n&(n-1) != 0:
		return badRequest("N = %d is not a power of two", n)
	case rho < 1 || rho&(rho-1) != 0:
		return badRequest("Rho = %d is not a power of two", rho)
	case uint64(n)*uint64(rho) > 1<<31:
		return badRequest("Rho·N = %d·%d exceeds 2^31", rho, n)
	}
	return nil
}

// PlonkRatioRequest is the copy constraint's accumulated ratio of gnark's
// PLONK prover handed to a device backend: Z's N values on the domain ⟨ω⟩,
//
//	Z(ω⁰) = 1,  Z(ωⁱ⁺¹) = Z(ωⁱ) · Πⱼ (wⱼ(ωⁱ) + β·uʲ·ωⁱ + γ) / Πⱼ (wⱼ(ωⁱ) + β·σⱼ(ωⁱ) + γ)
//
// for i < N − 1 and j = 0, 1, 2, with w = L, R, O the wires, σ the
// permutation's polynomials and u its coset shift, all by their values
// on ⟨ω⟩ in natural order. The result is exact, so it equals gnark's,
// element for element. Where a denominator is zero (a negligible event)
// the device writes no result and returns an error wrapping
// [ErrUnsupported], so that the caller's own ratio decides.
//
// Buffers are gnark-crypto values viewed as bytes, as for [MSMRequest].
type PlonkRatioRequest struct {
	Field    Field // a curve's scalar field
	ElemSize int   // bytes per field element
	N        int   // the domain's cardinality, a power of two
	// Wires hold L's, R's and O's N values; Sigma σ1's, σ2's and σ3's.
	Wires, Sigma [3][]byte
	// The challenges and constants, one element each: β, γ; u (the
	// permutation's coset shift); ω (the domain's generator).
	Beta, Gamma, PermShift, Generator []byte
	// Result receives Z's N values.
	Result []byte
	// NbTasks is the caller's bound on host goroutines, 0 for the default.
	NbTasks int
	// Fixed, when set, holds σ's values in the device's memory, loaded
	// with the circuit's fixed polynomials (see [PlonkFixedRequest].Sigma)
	// for the same field and N: then Sigma's entries are empty.
	Fixed ResidentPolys
	// Keep asks the device to keep the wires' and Z's values in its
	// memory once the call succeeds, for the proof's quotient (see
	// [PlonkQuotientRequest].Values), so that they need not go up again
	// for it: the device then sets Kept, which the caller frees once the
	// quotient is done. A device that keeps nothing leaves Kept nil, and
	// so does any error.
	Keep bool
	// Kept receives, with Keep, the values kept (L, R, O, Z).
	Kept ResidentPolys
	// Wired, when set, holds the wires' values in the device's memory,
	// where the proof's commitments to them left them
	// ([PlonkWiresDevice]), for the same field and N: then Wires' entries
	// are empty. With Keep, Kept refers to them: the caller frees Wired
	// after Kept.
	Wired ResidentPolys
}

// PlonkWiresRequest asks a device to keep a PLONK proof's wires (L's, R's
// and O's N values on ⟨ω⟩, natural order) in its memory, for the proof's
// ratio ([PlonkRatioRequest].Wired), while it commits to them. The device
// sets Kept, which the caller frees once the ratio and the quotient that
// read them are done.
type PlonkWiresRequest struct {
	Field    Field // a curve's scalar field
	ElemSize int   // bytes per field element
	N        int   // the domain's cardinality, a power of two
	Wires    [3][]byte
	// Zero lists, for each wire, rows that hold Value (one element) and
	// that its MSMs read as zero (PLONK's unused slots, which hold wire
	// 0's value); the ratio reads them as they are.
	Zero  [3][]uint32
	Value []byte
	Kept  ResidentPolys
}

// PlonkWiresDevice is implemented by devices that keep a PLONK proof's
// wires from their commitments to their ratio (the GPUs). PlonkWiresMSM
// uploads req's wires, keeps them, and runs msms in order as
// [MSMBatchDevice.MSMBatch] runs a batch, each with empty Scalars: MSM i
// takes its N scalars from the wires, L‖R‖O taken as one vector of 3·N
// values, from element from[i] on, within one wire, the rows of req.Zero
// read as zero. An error wrapping
// [ErrUnsupported] or [ErrBadRequest] comes before any work and keeps
// nothing; the caller may then commit and run the ratio from the host's
// values. After any other error the results are undefined and nothing is
// kept.
//
// PlonkCommittedMSM does the same for one BSB22 commitment's values (Piᵢ's
// N values on ⟨ω⟩, for the quotient: [PlonkQuotientRequest].Committed):
// it uploads and keeps them, and msm (empty Scalars, N of them) commits to
// them. It returns what it keeps, which the caller frees.
type PlonkWiresDevice interface {
	MSMBatchDevice
	PlonkWiresMSM(req *PlonkWiresRequest, msms []*MSMRequest, from []int) error
	PlonkCommittedMSM(field Field, elemSize int, values []byte, msm *MSMRequest) (ResidentPolys, error)
}

// Check reports whether r is well formed: N a power of two up to 2^31,
// three wires of N elements, rows read as zero within them, and one
// element of Value where there are any. The error wraps [ErrBadRequest].
func (r *PlonkWiresRequest) Check() error {
	if r == nil {
		return badRequest("nil request")
	}
	if err := checkDomains(r.ElemSize, r.N, 1); err != nil {
		return err
	}
	zeros := false
	for i, v := range r.Wires {
		name := [...]string{"L", "R", "O"}[i]
		if len(v) != r.N*r.ElemSize {
			return badRequest("%s: %d bytes, want %d", name, len(v), r.N*r.ElemSize)
		}
		for _, z := range r.Zero[i] {
			if int64(z) >= int64(r.N) {
				return badRequest("%s: row %d read as zero, past its %d", name, z, r.N)
			}
		}
		zeros = zeros || len(r.Zero[i]) > 0
	}
	if zeros && len(r.Value) != r.ElemSize {
		return badRequest("value of the rows read as zero: %d bytes, want %d", len(r.Value), r.ElemSize)
	}
	return nil
}

// CheckPlonkWiresMSM reports whether req, msms and from are a well-formed
// [PlonkWiresDevice.PlonkWiresMSM] call: req well formed as its Check
// says; msms not empty and without nil, each with empty Scalars, 1 ≤ N,
// its scalars within one wire (from[i] … from[i]+N−1 in one of [0, N),
// [N, 2N), [2N, 3N)), and a curve whose scalar field is req.Field. The
// MSMs' other fields are the device's to check. The error wraps
// [ErrBadRequest].
func CheckPlonkWiresMSM(req *PlonkWiresRequest, msms []*MSMRequest, from []int) error {
	if err := req.Check(); err != nil {
		return err
	}
	if err := checkDeviceScalars(msms, from, "the wires", 3*req.N, req.Field); err != nil {
		return err
	}
	for i, m := range msms {
		switch {
		case from[i] < 0:
			return badRequest("MSM %d brings its scalars; each takes the wires'", i)
		case from[i]/req.N != (from[i]+m.N-1)/req.N:
			return badRequest("MSM %d takes the wires' values %d … %d, across two wires of %d", i, from[i], from[i]+m.N-1, req.N)
		}
	}
	return nil
}

// PlonkRatioDevice is implemented by devices that compute PLONK's
// copy-constraint ratio. PlonkRatio returns an error wrapping
// [ErrUnsupported] for a field or size it does not run, or where a
// denominator is zero; it then writes no result.
type PlonkRatioDevice interface {
	Device
	PlonkRatio(req *PlonkRatioRequest) error
}

// Check reports whether r is well formed: N a power of two up to 2^31, the
// wires (empty with Wired), σ (empty with Fixed) and Result of N elements,
// one element per constant. The error wraps [ErrBadRequest].
func (r *PlonkRatioRequest) Check() error {
	if r == nil {
		return badRequest("nil request")
	}
	es := r.ElemSize
	if err := checkDomains(es, r.N, 1); err != nil {
		return err
	}
	for i, v := range append(append(r.Wires[:0:0], r.Wires[:]...), append(r.Sigma[:], r.Result)...) {
		want := r.N * es
		if r.Fixed != nil && i >= 3 && i < 6 || r.Wired != nil && i < 3 {
			want = 0 // σ or the wires are on the device
		}
		if len(v) != want {
			name := [...]string{"L", "R", "O", "σ1", "σ2", "σ3", "result"}[i]
			return badRequest("%s: %d bytes, want %d", name, len(v), want)
		}
	}
	return checkConsts(es, r.NbTasks, r.Beta, r.Gamma, r.PermShift, r.Generator)
}

// PlonkRatioMSMDevice is implemented by devices that run PLONK's ratio and
// the commitment to Z as one call (the GPUs). PlonkRatioMSM runs req as
// PlonkRatio does, writing Z into req.Result, then msms in order as
// [MSMBatchDevice.MSMBatch] runs a batch. An MSM whose from entry is i ≥ 0
// leaves its Scalars empty and takes Z's values i … i+N−1 from the
// device's memory, so that Z need not go up again for its commitment; the
// others (from −1) bring their scalars. [CheckPlonkRatioMSM] states what a
// well-formed call is. An error wrapping [ErrUnsupported] (a zero
// denominator among them) or [ErrBadRequest] comes before any result is
// written; the caller may then run the ratio and the MSMs apart. After any
// other error the results are undefined.
type PlonkRatioMSMDevice interface {
	PlonkRatioDevice
	MSMBatchDevice
	PlonkRatioMSM(req *PlonkRatioRequest, msms []*MSMRequest, from []int) error
}

// CheckPlonkRatioMSM reports whether req, msms and from are a well-formed
// [PlonkRatioMSMDevice.PlonkRatioMSM] call: req well formed as its Check
// says; msms not empty and without nil; one entry of from per MSM, −1 for
// an MSM that brings its scalars and else the index in Z of its first
// scalar, for an MSM with empty Scalars, 1 ≤ N, whose N values lie in Z's
// N and whose curve has req.Field for scalar field. The error wraps
// [ErrBadRequest].
func CheckPlonkRatioMSM(req *PlonkRatioRequest, msms []*MSMRequest, from []int) error {
	if req == nil {
		return badRequest("nil ratio request")
	}
	if err := req.Check(); err != nil {
		return err
	}
	return checkDeviceScalars(msms, from, "Z", req.N, req.Field)
}
