package zkaccel

// Curve names an elliptic curve, as the msm/ packages do.
type Curve string

// The curves zkaccel's MSM front ends cover.
const (
	BN254    Curve = "bn254"
	BLS12381 Curve = "bls12-381"
	BLS12377 Curve = "bls12-377"
)

// Group selects a curve's group: G1 (over the base field) or G2 (over its
// quadratic extension for the curves here).
type Group uint8

// The groups of a pairing-friendly curve.
const (
	G1 Group = 1
	G2 Group = 2
)

// String returns "g1" or "g2".
func (g Group) String() string {
	switch g {
	case G1:
		return "g1"
	case G2:
		return "g2"
	}
	return "g?"
}

// Field names a prime field whose NTT zkaccel runs: a curve name stands for
// that curve's scalar field Fr.
type Field string

// The fields zkaccel's NTT front ends cover.
const (
	FieldBN254      Field = "bn254"      // BN254's scalar field
	FieldBLS12381   Field = "bls12-381"  // BLS12-381's scalar field
	FieldBLS12377   Field = "bls12-377"  // BLS12-377's scalar field
	FieldGoldilocks Field = "goldilocks" // 2^64 − 2^32 + 1
	FieldBabyBear   Field = "babybear"   // 2^31 − 2^27 + 1
	FieldKoalaBear  Field = "koalabear"  // 2^31 − 2^24 + 1
)

// MSMRequest is one multi-scalar multiplication handed to a device backend.
//
// Every buffer is a view of the caller's gnark-crypto values, byte for byte,
// with no conversion: field elements in Montgomery form as little-endian
// 64-bit limbs (32-bit for 31-bit fields), affine points as X then Y with the
// point at infinity as (0, 0), G2 coordinates as A0 then A1. Points and
// Scalars must not be written.
type MSMRequest struct {
	Curve   Curve
	Group   Group
	N       int    // number of points and scalars, ≥ 1
	Points  []byte // N affine points
	Scalars []byte // N scalar-field elements, as gnark-crypto's fr.Element stores them (Montgomery form)
	// Result receives Σ scalars[i]·points[i] as one Jacobian point (X, Y, Z)
	// in the same layout; the front end compares no representation, only the
	// point.
	Result []byte
	// NbTasks is the caller's bound on host goroutines, 0 for the default.
	NbTasks int
	// Resident, when set, holds the points in the device's memory (see
	// [ResidentMSMDevice]): the MSM uses its points ResidentOffset …
	// ResidentOffset+N−1 and Points is empty.
	Resident       ResidentPoints
	ResidentOffset int
}

// ResidentPoints are MSM points kept in one device's memory between calls
// (a proving key's bases), loaded once by [ResidentMSMDevice.LoadPoints]
// and named by the MSMRequests that use them. Free releases the memory;
// requests that name freed points fail. After a device reset
// (gpu.ErrDeviceReset) the points are gone: load them again.
type ResidentPoints interface {
	Device() Device
	Curve() Curve
	Group() Group
	Len() int // number of points
	Free()
}

// ResidentMSMDevice is implemented by devices that can keep MSM points in
// their memory. LoadPoints copies n points (affine, gnark-crypto's layout)
// to the device. The device may keep a reference to points until the
// ResidentPoints are freed, to copy them again where a device reset lost
// its memory (a GPU's context reset after a kernel fault): they must not
// change until then.
type ResidentMSMDevice interface {
	MSMDevice
	LoadPoints(curve Curve, group Group, points []byte, n int) (ResidentPoints, error)
}

// MSMDevice is implemented by devices that run MSMs. MSM returns an error
// wrapping [ErrUnsupported] for a curve, group or size it does not run.
type MSMDevice interface {
	Device
	MSM(req *MSMRequest) error
}

// MSMBatchDevice is implemented by devices that run several MSMs as one
// call. MSMBatch runs reqs in order, each as MSM would, and each
// request's data go to the device while the one before it computes, so
// that a prover's MSMs keep the device busy. Every request is checked
// before any work: an error wrapping [ErrUnsupported] or [ErrBadRequest]
// for any of them writes no Result. Each Result is written when its
// request is done; after another error, those of the requests not done are
// not written.
type MSMBatchDevice interface {
	MSMDevice
	MSMBatch(reqs []*MSMRequest) error
}

// Decimation selects the FFT's ordering, as gnark-crypto's fft.Decimation
// does: DIT reads bit-reversed input and writes natural order, DIF reads
// natural order and writes bit-reversed output.
type Decimation uint8

// The two decimations.
const (
	DIT Decimation = iota
	DIF
)

// String returns "dit" or "dif".
func (d Decimation) String() string {
	if d == DIT {
		return "dit"
	}
	return "dif"
}

// NTTRequest is one in-place NTT handed to a device backend, computing what
// gnark-crypto's Domain.FFT (or FFTInverse when Inverse is set) computes on a
// domain of N elements, with the same constants.
//
// Buffers are gnark-crypto values viewed as bytes, as for [MSMRequest].
// A backend that caches twiddles keys its cache on the values (Field, N,
// Generator, CosetShift), never on the address of a buffer.
type NTTRequest struct {
	Field      Field
	ElemSize   int    // bytes per field element
	N          int    // the domain's cardinality, a power of two
	Data       []byte // N elements, transformed in place
	Inverse    bool
	Decimation Decimation
	Coset      bool // evaluate on (or interpolate from) the coset CosetShift·⟨Generator⟩
	// The domain's constants, one element each.
	Generator, GeneratorInv, CardinalityInv, CosetShift, CosetShiftInv []byte
	// NbTasks is the caller's bound on host goroutines, 0 for the default.
	NbTasks int
}

// NTTDevice is implemented by devices that run NTTs. NTT returns an error
// wrapping [ErrUnsupported] for a field or size it does not run.
type NTTDevice interface {
	Device
	NTT(req *NTTRequest) error
}
