package zkaccel

import (
	"fmt"
	"strconv"
)

// PlonkH names, in a [PlonkPoly], the quotient H's Rho·N coefficients that
// a quotient request kept ([PlonkQuotientRequest].Keep).
const PlonkH = -1

// PlonkPoly names coefficients From … From+Len−1 (lowest first) of a PLONK
// polynomial held in a device's memory: Set holds it, and Index names it
// as a [PlonkQuotientRequest]'s Polys do (PlonkQl … PlonkZ, then Qcpᵢ and
// Piᵢ for each commitment), or is PlonkH. A circuit's fixed polynomials
// loaded with their coefficients ([PlonkFixedRequest].Coefficients) hold
// those PlonkFixed lists, the Qcpᵢ and, where loaded, Qk (the circuit's);
// a quotient's kept coefficients ([PlonkQuotientRequest].Keep) hold Qk
// (the proof's), L, R, O, Z, the Piᵢ and H.
type PlonkPoly struct {
	Set       ResidentPolys
	Index     int
	From, Len int
}

// PlonkEvalRequest asks a device for the values of polynomials that it
// holds: Values[i] = Polys[i](Points[i]), each polynomial's Len
// coefficients read as c₀ + c₁X + …. The values are exact, so they equal
// the host's, element for element.
//
// Buffers are gnark-crypto values viewed as bytes, as for [MSMRequest].
type PlonkEvalRequest struct {
	Field    Field // a curve's scalar field
	ElemSize int   // bytes per field element
	Polys    []PlonkPoly
	Points   [][]byte // one element per polynomial
	Values   []byte   // receives len(Polys) elements
}

// PlonkSegment is a short vector of the host's added to a polynomial from
// its coefficient At on: a blinding polynomial's share, say.
type PlonkSegment struct {
	At     int
	Values []byte
}

// PlonkOpening is one KZG opening proof of a [PlonkOpenRequest]: the
// polynomial f = Σ Coefsᵢ·Termsᵢ + Σ Add, of Len coefficients (the terms
// and segments padded with zeros at the top), divided by X − Point: the
// quotient q = (f − f(Point))/(X − Point), of Len − 1 coefficients, is
// committed by MSM, whose Scalars are empty (q is on the device) and whose
// N is Len − 1: its Result receives Σ qᵢ·Pᵢ.
type PlonkOpening struct {
	Terms []PlonkPoly
	Coefs [][]byte // one element per term
	Add   []PlonkSegment
	Len   int
	Point []byte
	MSM   *MSMRequest
}

// PlonkOpenRequest asks a device for KZG opening proofs of combinations of
// polynomials that it holds (a PLONK proof's batch opening at ζ and Z's
// opening at ωζ), so that neither the combinations nor their quotients
// cross to the host.
type PlonkOpenRequest struct {
	Field    Field // a curve's scalar field
	ElemSize int   // bytes per field element
	Openings []PlonkOpening
}

// PlonkOpenDevice is implemented by devices that evaluate and open PLONK
// polynomials held in their memory (the GPUs). Each returns an error
// wrapping [ErrUnsupported] or [ErrBadRequest] before any work where it
// declines or the request is malformed; the caller may then do the work
// on the host, from its own copies.
//
// PlonkRead copies the coefficients p names into dst (p.Len elements of
// elemSize bytes): a caller that kept them there only
// ([PlonkQuotientRequest].NoRead) reads them back where it opens them on
// the host after all.
type PlonkOpenDevice interface {
	Device
	PlonkEvaluate(req *PlonkEvalRequest) error
	PlonkOpen(req *PlonkOpenRequest) error
	PlonkRead(field Field, elemSize int, p PlonkPoly, dst []byte) error
}

// checkPoly checks the shape of a polynomial named in a request: a set,
// an index that is PlonkH or not negative, From ≥ 0 and Len ≥ 1. Whether
// the set holds it is its device's to check.
func checkPoly(what string, p PlonkPoly) error {
	switch {
	case p.Set == nil:
		return badRequest("%s: no set", what)
	case p.Index < PlonkH:
		return badRequest("%s: index %d", what, p.Index)
	case p.From < 0 || p.Len < 1:
		return badRequest("%s: coefficients %d … %d", what, p.From, p.From+p.Len-1)
	}
	return nil
}

// Check reports whether r is well formed: at least one polynomial, each
// well named, one point per polynomial, one element each, and Values of
// len(Polys) elements. The error wraps [ErrBadRequest].
func (r *PlonkEvalRequest) Check() error {
	if r == nil {
		return badRequest("nil request")
	}
	es := r.ElemSize
	switch {
	case es < 1:
		return badRequest("ElemSize = %d", es)
	case len(r.Polys) == 0:
		return badRequest("no polynomial")
	case len(r.Points) != len(r.Polys):
		return badRequest("%d points for %d polynomials", len(r.Points), len(r.Polys))
	case len(r.Values) != len(r.Polys)*es:
		return badRequest("values: %d bytes, want %d (%d × %d)", len(r.Values), len(r.Polys)*es, len(r.Polys), es)
	}
	for i, p := range r.Polys {
		if err := checkPoly("polynomial "+strconv.Itoa(i), p); err != nil {
			return err
		}
	}
	return checkConsts(es, 0, r.Points...)
}

// Check reports whether r is well formed: at least one opening; each with
// Len ≥ 2, at least one term, one coefficient of one element per term,
// every term and segment within Len coefficients and segments of whole
// elements, a point of one element, and an MSM with empty Scalars, N =
// Len − 1 and a curve whose scalar field is r.Field. The MSM's other
// fields are the device's to check. The error wraps [ErrBadRequest].
func (r *PlonkOpenRequest) Check() error {
	if r == nil {
		return badRequest("nil request")
	}
	es := r.ElemSize
	switch {
	case es < 1:
		return badRequest("ElemSize = %d", es)
	case len(r.Openings) == 0:
		return badRequest("no opening")
	}
	for i, o := range r.Openings {
		what := "opening " + strconv.Itoa(i)
		switch {
		case o.Len < 2:
			return badRequest("%s: Len = %d, want at least 2", what, o.Len)
		case len(o.Terms) == 0:
			return badRequest("%s: no term", what)
		case len(o.Coefs) != len(o.Terms):
			return badRequest("%s: %d coefficients for %d terms", what, len(o.Coefs), len(o.Terms))
		case o.MSM == nil:
			return badRequest("%s: no MSM", what)
		case len(o.MSM.Scalars) != 0:
			return badRequest("%s: the MSM has %d bytes of scalars, want none (the quotient is on the device)", what, len(o.MSM.Scalars))
		case o.MSM.N != o.Len-1:
			return badRequest("%s: the MSM's N = %d, want Len − 1 = %d", what, o.MSM.N, o.Len-1)
		case !curveHasScalarField(o.MSM.Curve, r.Field):
			return badRequest("%s: an MSM over %s for a polynomial over %s", what, o.MSM.Curve, r.Field)
		}
		for j, t := range o.Terms {
			tw := what + " term " + strconv.Itoa(j)
			if err := checkPoly(tw, t); err != nil {
				return err
			}
			if t.Len > o.Len {
				return badRequest("%s: %d coefficients, more than the opening's %d", tw, t.Len, o.Len)
			}
		}
		for j, a := range o.Add {
			switch {
			case a.At < 0 || len(a.Values)%es != 0 || a.At+len(a.Values)/es > o.Len:
				return badRequest("%s: segment %d: %d bytes at %d, want whole elements within %d", what, j, len(a.Values), a.At, o.Len)
			}
		}
		if err := checkConsts(es, 0, append([][]byte{o.Point}, o.Coefs...)...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}
