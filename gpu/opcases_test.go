package gpu_test

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	bn254 "github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"
	bbfield "github.com/consensys/gnark-crypto/field/babybear"
	bbp2 "github.com/consensys/gnark-crypto/field/babybear/poseidon2"
	glfield "github.com/consensys/gnark-crypto/field/goldilocks"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/envflag"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/keccak"
	"github.com/zkaccel/zkaccel/msm"
	msmbn254 "github.com/zkaccel/zkaccel/msm/bn254"
	"github.com/zkaccel/zkaccel/ntt"
	nttbn254 "github.com/zkaccel/zkaccel/ntt/bn254"
	"github.com/zkaccel/zkaccel/poseidon"
	pbabybear "github.com/zkaccel/zkaccel/poseidon/babybear"
	pbn254 "github.com/zkaccel/zkaccel/poseidon/bn254"
	pgoldilocks "github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

// opCase is one small operation run through its front end on a device and
// checked against the CPU: run returns an error for a device failure, a
// wrong result, or a run that fell back to the CPU.
type opCase struct {
	name string
	run  func(dev zkaccel.Device) error
	// serial marks a case that changes package settings for its run
	// (SetMSMMaxChunk): it must not run beside others.
	serial bool
}

// deviceSwitches are the variables that turn a GPU operation off, so that
// the device declines it (zkaccel.ErrUnsupported): fallback settings of
// scripts/gpu-check.sh, under which these tests run too.
var deviceSwitches = []string{gpu.EnvGroth16Fuse, gpu.EnvPlonkFuse, gpu.EnvPlonkRatio, gpu.EnvPlonkOpen}

// declinedBy returns the switch that err, a device's decline, names and
// the environment turns off; "" for any other error.
func declinedBy(err error) string {
	if !errors.Is(err, zkaccel.ErrUnsupported) {
		return ""
	}
	for _, name := range deviceSwitches {
		if envflag.FirstOff(name) != "" && strings.Contains(err.Error(), name+"=0") {
			return name
		}
	}
	return ""
}

// skipDeclined skips t where err is a decline that a switch the
// environment turns off explains: the run chose that fallback, and the
// operation is not there to test.
func skipDeclined(t *testing.T, err error) {
	t.Helper()
	if name := declinedBy(err); name != "" {
		t.Skipf("%s=0 turns this operation off on the device: %v", name, err)
	}
}

// skipSwitchedOff skips t where the environment turns off one of the
// switches names, without which the operation t tests is declined.
func skipSwitchedOff(t *testing.T, names ...string) {
	t.Helper()
	if name := envflag.FirstOff(names...); name != "" {
		t.Skipf("%s=0 turns this operation off on the device", name)
	}
}

// ran checks a front end's report: the op ran on dev, with no fallback.
func ran(rep *zkaccel.Report, dev zkaccel.Device) error {
	if rep.Ran != dev || rep.Fallback {
		return fmt.Errorf("%s ran on %v, not on %v (fallback: %v)", rep.Op, rep.Ran, dev, rep.Reason)
	}
	return nil
}

// opCases lists one small instance of each device operation.
// errNoWindows is msm-precomputed's error where LoadPoints kept no window
// multiples (which it does where the device has no room for them).
var errNoWindows = errors.New("no window multiples kept")

func opCases() []opCase {
	rng := inputs.NewRand(7)
	points := inputs.BN254G1(rng, 37)
	scalars := inputs.Elements[fr.Element](rng, 37)
	var wantMSM bn254.G1Jac
	if _, err := wantMSM.MultiExp(points, scalars, ecc.MultiExpConfig{}); err != nil {
		panic(err)
	}

	const logN = 6
	dom := fft.NewDomain(1 << logN)
	nttIn := inputs.Elements[fr.Element](rng, 1<<logN)
	nttWant := slices.Clone(nttIn)
	dom.FFT(nttWant, fft.DIF, fft.OnCoset())

	msgs := make([][]byte, 50)
	for i := range msgs {
		msgs[i] = make([]byte, 3*i)
		rng.Read(msgs[i])
	}
	keccakWant, err := keccak.Sum256Batch(msgs, keccak.WithDevice(zkaccel.HostCPU()))
	if err != nil {
		panic(err)
	}
	leaves := make([][32]byte, 16)
	for i := range leaves {
		rng.Read(leaves[i][:])
	}
	rootWant, err := keccak.MerkleRoot(leaves, keccak.WithDevice(zkaccel.HostCPU()))
	if err != nil {
		panic(err)
	}

	circomIn := make([][]fr.Element, 20)
	for i := range circomIn {
		circomIn[i] = inputs.Elements[fr.Element](rng, 2)
	}
	circomWant, err := pbn254.PoseidonBatch(circomIn, poseidon.WithDevice(zkaccel.HostCPU()))
	if err != nil {
		panic(err)
	}

	hermezIn := make([][12]glfield.Element, 20)
	for i := range hermezIn {
		copy(hermezIn[i][:], inputs.Elements[glfield.Element](rng, 12))
	}
	hermezWant, err := pgoldilocks.HashHermezBatch(hermezIn, poseidon.WithDevice(zkaccel.HostCPU()))
	if err != nil {
		panic(err)
	}

	p2 := bbp2.NewParameters(16, 6, 21)
	p2In := inputs.Elements[bbfield.Element](rng, 16*10)
	p2Want := slices.Clone(p2In)
	if err := pbabybear.Permute2(p2, p2Want, poseidon.WithDevice(zkaccel.HostCPU())); err != nil {
		panic(err)
	}

	quot := newPlonkInstance(plonkFields[0].field, plonkFields[0].domain, plonkCase{8, 4, 1, [4]int{2, 2, 2, 3}}, rng)
	var quotWant []byte
	for _, h := range quot.want() {
		quotWant = append(quotWant, quot.mont(h)...)
	}

	lag := newPlonkInstance(plonkFields[0].field, plonkFields[0].domain, plonkCase{8, 4, 1, [4]int{2, 2, 2, 3}}, rng)
	var lagWant []byte
	for _, h := range lag.want() {
		lagWant = append(lagWant, lag.mont(h)...)
	}
	lagCoeffs := slices.Clone(lag.req.Polys)
	lag.lagrange()

	g16 := newGroth16Instance(plonkFields[0].field, plonkFields[0].domain, 16, rng)
	var g16Want []byte
	for _, h := range g16.want() {
		g16Want = append(g16Want, g16.mont(h)...)
	}

	// The MSM over H's first 15 coefficients, from host points.
	hPoints := inputs.BN254G1(rng, 15)
	hScalars := make([]fr.Element, 15)
	copy(rawbytes.Of(hScalars), g16Want)
	var wantH bn254.G1Jac
	if _, err := wantH.MultiExp(hPoints, hScalars, ecc.MultiExpConfig{}); err != nil {
		panic(err)
	}

	// Two MSMs over shards of the PLONK quotient's H (lag: 32
	// coefficients), from host points.
	shardPoints := inputs.BN254G1(rng, 10)
	shardFrom := []int{0, 22}
	var wantShards [2]bn254.G1Jac
	for k, from := range shardFrom {
		sc := make([]fr.Element, len(shardPoints))
		copy(rawbytes.Of(sc), lagWant[from*fr.Bytes:])
		if _, err := wantShards[k].MultiExp(shardPoints, sc, ecc.MultiExpConfig{}); err != nil {
			panic(err)
		}
	}

	// The PLONK ratio over 64 values, in chunks as on a GPU.
	ratio := newRatioInstance(plonkFields[0].field, plonkFields[0].domain, 64, rng)
	var ratioWant []byte
	for _, z := range ratio.want() {
		ratioWant = append(ratioWant, ratio.mont(z)...)
	}

	// The MSM over the ratio's 64 values of Z, from host points.
	zPoints := inputs.BN254G1(rng, 64)
	zScalars := make([]fr.Element, 64)
	copy(rawbytes.Of(zScalars), ratioWant)
	var wantZ bn254.G1Jac
	if _, err := wantZ.MultiExp(zPoints, zScalars, ecc.MultiExpConfig{}); err != nil {
		panic(err)
	}

	// A proof's ratio and quotient, linked: σ resident with the fixed
	// polynomials, the wires and Z kept from the ratio for the quotient.
	linked := newLinkedInstance(plonkFields[0].field, plonkFields[0].domain, plonkCase{8, 4, 1, [4]int{2, 2, 2, 3}}, rng)
	var linkedH []byte
	for _, h := range linked.q.want() {
		linkedH = append(linkedH, linked.q.mont(h)...)
	}
	// The fused calls' MSMs over its Z (8 values) and over H's first 10
	// coefficients, from host points.
	linkedPoints := inputs.BN254G1(rng, 10)
	var wantLinked [2]bn254.G1Jac
	for k, v := range [][]byte{linked.q.req.Polys[zkaccel.PlonkZ], linkedH[:10*fr.Bytes]} {
		sc := make([]fr.Element, len(v)/fr.Bytes)
		copy(rawbytes.Of(sc), v)
		if _, err := wantLinked[k].MultiExp(linkedPoints[:len(sc)], sc, ecc.MultiExpConfig{}); err != nil {
			panic(err)
		}
	}

	// lag's openings: L, S1 and H's coefficients 22 … 31 at x; the
	// opening at a of 3·L + H₂₂… (10 coefficients), over host points.
	openX, openA := lag.mont(big.NewInt(11)), big.NewInt(13)
	var openWant []byte
	lagH := make([]*big.Int, len(lagWant)/fr.Bytes)
	for i := range lagH {
		lagH[i] = lag.fromMont(lagWant[i*fr.Bytes : (i+1)*fr.Bytes])
	}
	for _, c := range [][]*big.Int{lag.polys[zkaccel.PlonkL], lagH[22:32], lag.polys[zkaccel.PlonkS1]} {
		openWant = append(openWant, lag.mont(hornerMod(c, big.NewInt(11), lag.p))...)
	}
	openF := make([]*big.Int, 10)
	for i := range openF {
		openF[i] = new(big.Int).Set(lagH[22+i])
		if i < 8 {
			openF[i].Add(openF[i], new(big.Int).Mul(big.NewInt(3), lag.polys[zkaccel.PlonkL][i]))
		}
	}
	openQ := make([]fr.Element, 9)
	acc := new(big.Int)
	for i := 9; i >= 1; i-- {
		acc.Mod(acc.Add(openF[i], acc.Mul(acc, openA)), lag.p)
		openQ[i-1].SetBigInt(acc)
	}
	openPoints := inputs.BN254G1(rng, 9)
	var wantOpen bn254.G1Jac
	if _, err := wantOpen.MultiExp(openPoints, openQ, ecc.MultiExpConfig{}); err != nil {
		panic(err)
	}

	// linkedRun runs linked's ratio and quotient, σ resident and the
	// values kept, as two calls or (fused) each with an MSM.
	linkedRun := func(fused bool) func(dev zkaccel.Device) error {
		return func(dev zkaccel.Device) error {
			pd, ok := dev.(interface {
				zkaccel.ResidentPlonkDevice
				zkaccel.PlonkRatioMSMDevice
				zkaccel.PlonkMSMDevice
			})
			if !ok {
				return fmt.Errorf("%v keeps no PLONK polynomials or fuses no ratio or quotient with MSMs", dev)
			}
			c := *linked.q.req
			c.Polys = clonePolys(c.Polys) // written over
			lr, q := splitFixed(&c)
			lr.Sigma = linked.r.req.Sigma
			fx, err := pd.LoadPlonkFixed(lr)
			if err != nil {
				return err
			}
			defer fx.Free()
			r := *linked.r.req
			r.Sigma, r.Fixed, r.Keep = [3][]byte{}, fx, true
			r.Result = make([]byte, len(r.Result))
			var got [2]bn254.G1Jac
			msm := func(k, n int) []*zkaccel.MSMRequest {
				return []*zkaccel.MSMRequest{{Curve: zkaccel.BN254, Group: zkaccel.G1, N: n, Points: rawbytes.Of(linkedPoints[:n]), Result: rawbytes.Of(got[k : k+1])}}
			}
			if fused {
				err = pd.PlonkRatioMSM(&r, msm(0, r.N), []int{0})
			} else {
				err = pd.PlonkRatio(&r)
			}
			if err != nil {
				return err
			}
			if r.Kept == nil {
				return fmt.Errorf("plonk ratio (fused %v) kept nothing", fused)
			}
			defer r.Kept.Free()
			if !slices.Equal(r.Result, q.Polys[zkaccel.PlonkZ]) || fused && !got[0].Equal(&wantLinked[0]) {
				return fmt.Errorf("plonk ratio (fused %v) with σ resident: wrong result", fused)
			}
			q.Fixed, q.Values = fx, r.Kept
			q.Result = make([]byte, len(linkedH))
			if fused {
				err = pd.PlonkQuotientMSM(q, msm(1, 10), []int{0})
			} else {
				err = pd.PlonkQuotient(q)
			}
			if err != nil {
				return err
			}
			if !slices.Equal(q.Result, linkedH) || fused && !got[1].Equal(&wantLinked[1]) {
				return fmt.Errorf("plonk quotient (fused %v) from kept values: wrong result", fused)
			}
			return nil
		}
	}

	return []opCase{
		{"plonk-open", func(dev zkaccel.Device) error {
			pd, ok := dev.(interface {
				zkaccel.ResidentPlonkDevice
				zkaccel.PlonkMSMDevice
				zkaccel.PlonkOpenDevice
			})
			if !ok {
				return fmt.Errorf("%v keeps no PLONK polynomials or opens none", dev)
			}
			c := *lag.req
			c.Polys = clonePolys(c.Polys) // written over
			lr, q := splitFixed(&c)
			lr.Coefficients = true
			fx, err := pd.LoadPlonkFixed(lr)
			if err != nil {
				return err
			}
			defer fx.Free()
			q.Fixed, q.Keep, q.NoRead = fx, true, true
			q.Result = make([]byte, len(lagWant))
			var got [2]bn254.G1Jac
			msms := []*zkaccel.MSMRequest{{Curve: zkaccel.BN254, Group: zkaccel.G1, N: len(shardPoints), Points: rawbytes.Of(shardPoints), Result: rawbytes.Of(got[:1])}}
			if err := pd.PlonkQuotientMSM(q, msms, []int{shardFrom[0]}); err != nil {
				return err
			}
			if q.Kept == nil {
				return fmt.Errorf("plonk quotient and msm with Keep kept nothing")
			}
			defer q.Kept.Free()
			h := make([]byte, len(lagWant)) // kept there only: read back
			if err := pd.PlonkRead(zkaccel.FieldBN254, fr.Bytes, zkaccel.PlonkPoly{Set: q.Kept, Index: zkaccel.PlonkH, Len: len(h) / fr.Bytes}, h); err != nil {
				return err
			}
			if !slices.Equal(h, lagWant) || !got[0].Equal(&wantShards[0]) {
				return fmt.Errorf("plonk quotient and msm with Keep: wrong result")
			}
			ev := &zkaccel.PlonkEvalRequest{Field: zkaccel.FieldBN254, ElemSize: fr.Bytes,
				Polys: []zkaccel.PlonkPoly{{Set: q.Kept, Index: zkaccel.PlonkL, Len: 8}, {Set: q.Kept, Index: zkaccel.PlonkH, From: 22, Len: 10},
					{Set: fx, Index: zkaccel.PlonkS1, Len: 8}},
				Points: [][]byte{openX, openX, openX}, Values: make([]byte, 3*fr.Bytes)}
			if err := pd.PlonkEvaluate(ev); err != nil {
				return err
			}
			if !slices.Equal(ev.Values, openWant) {
				return fmt.Errorf("plonk evaluate: wrong values")
			}
			op := &zkaccel.PlonkOpenRequest{Field: zkaccel.FieldBN254, ElemSize: fr.Bytes, Openings: []zkaccel.PlonkOpening{{
				Terms: []zkaccel.PlonkPoly{{Set: q.Kept, Index: zkaccel.PlonkL, Len: 8}, {Set: q.Kept, Index: zkaccel.PlonkH, From: 22, Len: 10}},
				Coefs: [][]byte{lag.mont(big.NewInt(3)), lag.mont(big.NewInt(1))}, Len: 10, Point: lag.mont(openA),
				MSM: &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: 9, Points: rawbytes.Of(openPoints), Result: rawbytes.Of(got[1:])},
			}}}
			if err := pd.PlonkOpen(op); err != nil {
				return err
			}
			if !got[1].Equal(&wantOpen) {
				return fmt.Errorf("plonk open: wrong commitment")
			}
			return nil
		}, false},
		{"plonk-committed-kept", func(dev zkaccel.Device) error {
			pd, ok := dev.(interface {
				zkaccel.PlonkWiresDevice
				zkaccel.PlonkDevice
			})
			if !ok {
				return fmt.Errorf("%v keeps no PLONK commitment values", dev)
			}
			pi := zkaccel.PlonkNbPolys + 1
			vals := lag.req.Polys[pi]
			sc := make([]fr.Element, 8)
			copy(rawbytes.Of(sc), vals)
			var want bn254.G1Jac
			if _, err := want.MultiExp(linkedPoints[:8], sc, ecc.MultiExpConfig{}); err != nil {
				return err
			}
			got := make([]bn254.G1Jac, 1)
			kc, err := pd.PlonkCommittedMSM(zkaccel.FieldBN254, fr.Bytes, vals,
				&zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: 8, Points: rawbytes.Of(linkedPoints[:8]), Result: rawbytes.Of(got)})
			if err != nil {
				return err
			}
			defer kc.Free()
			if !got[0].Equal(&want) {
				return fmt.Errorf("plonk committed and msm: wrong commitment")
			}
			q := *lag.req
			q.Polys = clonePolys(q.Polys)
			q.Committed = []zkaccel.ResidentPolys{kc}
			q.Result = make([]byte, len(lagWant))
			if err := pd.PlonkQuotient(&q); err != nil {
				return err
			}
			if !slices.Equal(q.Result, lagWant) {
				return fmt.Errorf("plonk quotient with a commitment's kept values: wrong result")
			}
			return nil
		}, false},
		{"plonk-wires-kept", func(dev zkaccel.Device) error {
			pd, ok := dev.(interface {
				zkaccel.PlonkWiresDevice
				zkaccel.PlonkRatioDevice
				zkaccel.PlonkDevice
			})
			if !ok {
				return fmt.Errorf("%v keeps no PLONK wires", dev)
			}
			r := *linked.r.req
			// R's row 3 read as zero (it holds its own value).
			wr := &zkaccel.PlonkWiresRequest{Field: r.Field, ElemSize: r.ElemSize, N: r.N, Wires: r.Wires,
				Zero: [3][]uint32{nil, {3}, nil}, Value: r.Wires[1][3*fr.Bytes : 4*fr.Bytes]}
			sc := make([]fr.Element, 6)
			copy(rawbytes.Of(sc), r.Wires[1][2*fr.Bytes:])
			sc[1].SetZero()
			var want bn254.G1Jac
			if _, err := want.MultiExp(linkedPoints[:6], sc, ecc.MultiExpConfig{}); err != nil {
				return err
			}
			res := make([]bn254.G1Jac, 1)
			msm := &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: 6, Points: rawbytes.Of(linkedPoints[:6]), Result: rawbytes.Of(res)}
			if err := pd.PlonkWiresMSM(wr, []*zkaccel.MSMRequest{msm}, []int{r.N + 2}); err != nil {
				return err
			}
			if wr.Kept == nil {
				return fmt.Errorf("plonk wires kept nothing")
			}
			defer wr.Kept.Free()
			if !res[0].Equal(&want) {
				return fmt.Errorf("plonk wires and msm: wrong commitment")
			}
			r.Wires, r.Wired, r.Keep = [3][]byte{}, wr.Kept, true
			r.Result = make([]byte, len(r.Result))
			if err := pd.PlonkRatio(&r); err != nil {
				return err
			}
			if r.Kept == nil {
				return fmt.Errorf("plonk ratio on kept wires kept nothing")
			}
			defer r.Kept.Free()
			q := *linked.q.req
			q.Polys = clonePolys(q.Polys)
			q.Values = r.Kept
			q.Result = make([]byte, len(linkedH))
			if err := pd.PlonkQuotient(&q); err != nil {
				return err
			}
			if !slices.Equal(r.Result, linked.q.req.Polys[zkaccel.PlonkZ]) || !slices.Equal(q.Result, linkedH) {
				return fmt.Errorf("plonk ratio and quotient on kept wires: wrong result")
			}
			return nil
		}, false},
		{"plonk-ratio-kept", linkedRun(false), false},
		{"plonk-ratio-quotient-msm-kept", linkedRun(true), false},
		{"plonk-ratio-msm", func(dev zkaccel.Device) error {
			rd, ok := dev.(zkaccel.PlonkRatioMSMDevice)
			if !ok {
				return fmt.Errorf("%v does not run PLONK's ratio and MSMs as one call", dev)
			}
			req := *ratio.req
			req.Result = make([]byte, len(ratioWant))
			var got [2]bn254.G1Jac
			msms := []*zkaccel.MSMRequest{
				{Curve: zkaccel.BN254, Group: zkaccel.G1, N: len(points), Points: rawbytes.Of(points), Scalars: rawbytes.Of(scalars), Result: rawbytes.Of(got[:1])},
				{Curve: zkaccel.BN254, Group: zkaccel.G1, N: len(zPoints), Points: rawbytes.Of(zPoints), Result: rawbytes.Of(got[1:])},
			}
			if err := rd.PlonkRatioMSM(&req, msms, []int{-1, 0}); err != nil {
				return err
			}
			if !slices.Equal(req.Result, ratioWant) || !got[0].Equal(&wantMSM) || !got[1].Equal(&wantZ) {
				return fmt.Errorf("plonk ratio and msm: wrong result")
			}
			return nil
		}, false},
		{"plonk-ratio", func(dev zkaccel.Device) error {
			rd, ok := dev.(zkaccel.PlonkRatioDevice)
			if !ok {
				return fmt.Errorf("%v does not compute PLONK's ratio", dev)
			}
			req := *ratio.req
			req.Result = make([]byte, len(ratioWant))
			if err := rd.PlonkRatio(&req); err != nil {
				return err
			}
			if !slices.Equal(req.Result, ratioWant) {
				return fmt.Errorf("plonk ratio: wrong result")
			}
			return nil
		}, false},
		{"plonk-quotient-msm", func(dev zkaccel.Device) error {
			pd, ok := dev.(zkaccel.PlonkMSMDevice)
			if !ok {
				return fmt.Errorf("%v does not run PLONK's quotient and MSMs as one call", dev)
			}
			req := *lag.req
			req.Polys = make([][]byte, len(lag.req.Polys))
			for i, c := range lag.req.Polys {
				req.Polys[i] = slices.Clone(c)
			}
			req.Result = make([]byte, len(lagWant))
			var got [3]bn254.G1Jac
			msms := []*zkaccel.MSMRequest{
				{Curve: zkaccel.BN254, Group: zkaccel.G1, N: len(shardPoints), Points: rawbytes.Of(shardPoints), Result: rawbytes.Of(got[:1])},
				{Curve: zkaccel.BN254, Group: zkaccel.G1, N: len(points), Points: rawbytes.Of(points), Scalars: rawbytes.Of(scalars), Result: rawbytes.Of(got[1:2])},
				{Curve: zkaccel.BN254, Group: zkaccel.G1, N: len(shardPoints), Points: rawbytes.Of(shardPoints), Result: rawbytes.Of(got[2:])},
			}
			if err := pd.PlonkQuotientMSM(&req, msms, []int{shardFrom[0], -1, shardFrom[1]}); err != nil {
				return err
			}
			if !slices.Equal(req.Result, lagWant) {
				return fmt.Errorf("plonk quotient and msm: wrong quotient")
			}
			for i := range req.Polys {
				if !slices.Equal(req.Polys[i], lagCoeffs[i]) {
					return fmt.Errorf("plonk quotient and msm: wrong coefficients of polynomial %d", i)
				}
			}
			if !got[0].Equal(&wantShards[0]) || !got[1].Equal(&wantMSM) || !got[2].Equal(&wantShards[1]) {
				return fmt.Errorf("plonk quotient and msm: wrong MSM")
			}
			return nil
		}, false},
		{"msm-precomputed", func(dev zkaccel.Device) error {
			rd, ok := dev.(zkaccel.ResidentMSMDevice)
			if !ok {
				return fmt.Errorf("%v keeps no points", dev)
			}
			os.Setenv(gpu.EnvMSMPrecompute, "1")
			defer os.Unsetenv(gpu.EnvMSMPrecompute)
			res, err := rd.LoadPoints(zkaccel.BN254, zkaccel.G1, rawbytes.Of(points), len(points))
			if err != nil {
				return err
			}
			defer res.Free()
			if _, nwin := gpu.ResidentPre(res); nwin == 0 {
				return errNoWindows
			}
			var got [1]bn254.G1Jac
			if err := rd.MSM(&zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: len(points), Scalars: rawbytes.Of(scalars), Result: rawbytes.Of(got[:]), Resident: res}); err != nil {
				return err
			}
			if !got[0].Equal(&wantMSM) {
				return fmt.Errorf("msm over window multiples: wrong result")
			}
			return nil
		}, true}, // serial: it sets the environment
		{"groth16-quotient-msm", func(dev zkaccel.Device) error {
			gd, ok := dev.(zkaccel.Groth16MSMDevice)
			if !ok {
				return fmt.Errorf("%v does not run Groth16's quotient and MSMs as one call", dev)
			}
			req := *g16.g16
			req.Result = make([]byte, len(g16Want))
			var got [2]bn254.G1Jac
			msms := []*zkaccel.MSMRequest{
				{Curve: zkaccel.BN254, Group: zkaccel.G1, N: len(points), Points: rawbytes.Of(points), Scalars: rawbytes.Of(scalars), Result: rawbytes.Of(got[:1])},
				{Curve: zkaccel.BN254, Group: zkaccel.G1, N: len(hPoints), Points: rawbytes.Of(hPoints), Result: rawbytes.Of(got[1:])},
			}
			if err := gd.Groth16QuotientMSM(&req, msms); err != nil {
				return err
			}
			if !slices.Equal(req.Result, g16Want) || !got[0].Equal(&wantMSM) || !got[1].Equal(&wantH) {
				return fmt.Errorf("groth16 quotient and msm: wrong result")
			}
			return nil
		}, false},
		{"groth16-quotient", func(dev zkaccel.Device) error {
			gd, ok := dev.(zkaccel.Groth16Device)
			if !ok {
				return fmt.Errorf("%v does not compute Groth16's quotient", dev)
			}
			req := *g16.g16
			req.Result = make([]byte, len(g16Want))
			if err := gd.Groth16Quotient(&req); err != nil {
				return err
			}
			if !slices.Equal(req.Result, g16Want) {
				return fmt.Errorf("groth16 quotient: wrong result")
			}
			return nil
		}, false},
		{"plonk-quotient-fixed", func(dev zkaccel.Device) error {
			pd, ok := dev.(zkaccel.ResidentPlonkDevice)
			if !ok {
				return fmt.Errorf("%v keeps no PLONK polynomials", dev)
			}
			lr, req := splitFixed(quot.req)
			fx, err := pd.LoadPlonkFixed(lr)
			if err != nil {
				return err
			}
			defer fx.Free()
			req.Fixed = fx
			req.Result = make([]byte, len(quotWant))
			if err := pd.PlonkQuotient(req); err != nil {
				return err
			}
			if !slices.Equal(req.Result, quotWant) {
				return fmt.Errorf("plonk quotient with resident polynomials: wrong result")
			}
			return nil
		}, false},
		{"plonk-quotient", func(dev zkaccel.Device) error {
			pd, ok := dev.(zkaccel.PlonkDevice)
			if !ok {
				return fmt.Errorf("%v does not compute PLONK's quotient", dev)
			}
			req := *quot.req
			req.Result = make([]byte, len(quotWant))
			if err := pd.PlonkQuotient(&req); err != nil {
				return err
			}
			if !slices.Equal(req.Result, quotWant) {
				return fmt.Errorf("plonk quotient: wrong result")
			}
			return nil
		}, false},
		{"plonk-quotient-lagrange", func(dev zkaccel.Device) error {
			pd, ok := dev.(zkaccel.PlonkDevice)
			if !ok {
				return fmt.Errorf("%v does not compute PLONK's quotient", dev)
			}
			req := *lag.req
			req.Polys = make([][]byte, len(lag.req.Polys))
			for i, c := range lag.req.Polys {
				req.Polys[i] = slices.Clone(c)
			}
			req.Result = make([]byte, len(lagWant))
			if err := pd.PlonkQuotient(&req); err != nil {
				return err
			}
			if !slices.Equal(req.Result, lagWant) {
				return fmt.Errorf("plonk quotient from values: wrong result")
			}
			for i := range req.Polys {
				if !slices.Equal(req.Polys[i], lagCoeffs[i]) {
					return fmt.Errorf("plonk quotient from values: wrong coefficients of polynomial %d", i)
				}
			}
			return nil
		}, false},
		{"msm", func(dev zkaccel.Device) error {
			var rep zkaccel.Report
			got, err := msmbn254.MultiExpG1(nil, points, scalars, msm.WithDevice(dev), msm.WithReport(&rep))
			if err != nil {
				return err
			}
			if !got.Equal(&wantMSM) {
				return fmt.Errorf("msm: wrong result")
			}
			return ran(&rep, dev)
		}, false},
		{"msm-batch", func(dev zkaccel.Device) error {
			// Three MSMs in one call, the second in 4 passes: each pass
			// staged while the one before computes.
			bd, ok := dev.(zkaccel.MSMBatchDevice)
			if !ok {
				return fmt.Errorf("%v runs no MSM batch", dev)
			}
			defer gpu.SetMSMMaxChunk(10)()
			var out [3]bn254.G1Jac
			var reqs []*zkaccel.MSMRequest
			for i, n := range []int{7, len(points), 1} {
				reqs = append(reqs, &zkaccel.MSMRequest{Curve: zkaccel.BN254, Group: zkaccel.G1, N: n,
					Points: rawbytes.Of(points[:n]), Scalars: rawbytes.Of(scalars[:n]), Result: rawbytes.Of(out[i : i+1])})
			}
			if err := bd.MSMBatch(reqs); err != nil {
				return err
			}
			for i, n := range []int{7, len(points), 1} {
				var want bn254.G1Jac
				if _, err := want.MultiExp(points[:n], scalars[:n], ecc.MultiExpConfig{}); err != nil {
					return err
				}
				if !out[i].Equal(&want) {
					return fmt.Errorf("msm batch: wrong result %d", i)
				}
			}
			return nil
		}, true},
		{"msm-passes", func(dev zkaccel.Device) error {
			// 4 passes of at most 10 points, each staged while the one
			// before computes.
			defer gpu.SetMSMMaxChunk(10)()
			var rep zkaccel.Report
			got, err := msmbn254.MultiExpG1(nil, points, scalars, msm.WithDevice(dev), msm.WithReport(&rep))
			if err != nil {
				return err
			}
			if !got.Equal(&wantMSM) {
				return fmt.Errorf("msm in passes: wrong result")
			}
			return ran(&rep, dev)
		}, true},
		{"ntt", func(dev zkaccel.Device) error {
			var rep zkaccel.Report
			a := slices.Clone(nttIn)
			if err := nttbn254.FFT(dom, a, fft.DIF, ntt.OnCoset(), ntt.WithDevice(dev), ntt.WithReport(&rep)); err != nil {
				return err
			}
			if !slices.Equal(a, nttWant) {
				return fmt.Errorf("ntt: wrong result")
			}
			return ran(&rep, dev)
		}, false},
		{"keccak256", func(dev zkaccel.Device) error {
			var rep zkaccel.Report
			got, err := keccak.Sum256Batch(msgs, keccak.WithDevice(dev), keccak.WithReport(&rep))
			if err != nil {
				return err
			}
			if !slices.Equal(got, keccakWant) {
				return fmt.Errorf("keccak256: wrong result")
			}
			return ran(&rep, dev)
		}, false},
		{"merkle-keccak", func(dev zkaccel.Device) error {
			var rep zkaccel.Report
			got, err := keccak.MerkleRoot(leaves, keccak.WithDevice(dev), keccak.WithReport(&rep))
			if err != nil {
				return err
			}
			if got != rootWant {
				return fmt.Errorf("merkle keccak256: wrong root")
			}
			return ran(&rep, dev)
		}, false},
		{"poseidon-circom", func(dev zkaccel.Device) error {
			var rep zkaccel.Report
			got, err := pbn254.PoseidonBatch(circomIn, poseidon.WithDevice(dev), poseidon.WithReport(&rep))
			if err != nil {
				return err
			}
			if !slices.Equal(got, circomWant) {
				return fmt.Errorf("poseidon circom: wrong result")
			}
			return ran(&rep, dev)
		}, false},
		{"poseidon-hermez", func(dev zkaccel.Device) error {
			var rep zkaccel.Report
			got, err := pgoldilocks.HashHermezBatch(hermezIn, poseidon.WithDevice(dev), poseidon.WithReport(&rep))
			if err != nil {
				return err
			}
			if !slices.Equal(got, hermezWant) {
				return fmt.Errorf("poseidon hermez: wrong result")
			}
			return ran(&rep, dev)
		}, false},
		{"poseidon2-babybear", func(dev zkaccel.Device) error {
			var rep zkaccel.Report
			a := slices.Clone(p2In)
			if err := pbabybear.Permute2(p2, a, poseidon.WithDevice(dev), poseidon.WithReport(&rep)); err != nil {
				return err
			}
			if !slices.Equal(a, p2Want) {
				return fmt.Errorf("poseidon2 babybear: wrong result")
			}
			return ran(&rep, dev)
		}, false},
	}
}
