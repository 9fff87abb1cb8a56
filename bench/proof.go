package bench

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"

	"github.com/zkaccel/zkaccel"
	zgroth16 "github.com/zkaccel/zkaccel/gnark/groth16"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/proofs"
)

// The proof operations prove a generated circuit of about 2^k constraints
// (target: the curve, variant "prove"): on the CPU row with gnark's own
// prover, on every other device with zkaccel's, so that the speed-up is
// zkaccel on the device against gnark on the CPU, from one run. Each proof
// is checked with gnark's verifier (untimed); the device rows also record
// the prover's phases.
const (
	OpGroth16 = proofs.Groth16 // Groth16: gnark's groth16.Prove, zkaccel's gnark/groth16
	OpPlonk   = proofs.Plonk   // PLONK (KZG, an unsafe test SRS): gnark's plonk.Prove, zkaccel's gnark/plonk
)

// ZKCPUSpec is the device column of zkaccel's provers on the CPU device in
// a proof benchmark, a row that bench adds beside gnark's CPU row where
// the CPU device is named among the devices ([Config].Devices): its
// speed-up is zkaccel's prover against gnark's on the same CPU.
const ZKCPUSpec = "zkaccel@cpu:0"

// zkaccelCPU is the CPU device under ZKCPUSpec: the device of zkaccel's
// prover's row beside gnark's.
type zkaccelCPU struct{ zkaccel.Device }

// String is ZKCPUSpec.
func (zkaccelCPU) String() string { return ZKCPUSpec }

// Name says what the row measures.
func (d zkaccelCPU) Name() string { return "zkaccel's prover on " + d.Device.Name() }

// gnarkRow reports whether dev's row of a proof benchmark is gnark's own
// prover: the CPU device's, but not ZKCPUSpec's.
func gnarkRow(dev zkaccel.Device) bool {
	_, zk := dev.(zkaccelCPU)
	return dev.Kind() == zkaccel.CPU && !zk
}

// onDevice is the device that zkaccel's prover for dev's row runs on.
func onDevice(dev zkaccel.Device) zkaccel.Device {
	if zk, ok := dev.(zkaccelCPU); ok {
		return zk.Device
	}
	return dev
}

// ProofOps lists the proof operations, whose sizes are log2 constraint
// counts ([Config].Constraints).
func ProofOps() []string { return []string{OpGroth16, OpPlonk} }

// MaxInFlight bounds [Config].InFlight, the proofs a timed call of a proof
// operation makes at once.
const MaxInFlight = 64

// The default log2 constraint counts of the proof operations.
const (
	DefaultProofMinLog = 12
	DefaultProofMaxLog = 14
)

// The generated circuit is a chain of steps x ← x·(x·x + 1) + 5 from a secret
// X to a public Y (gnark/internal/circuits.Cubic): two constraints per
// step in R1CS, four in PLONK.

// roundsFor is the chain length that fills a domain of 2^logN: 2^logN − 1
// constraints in R1CS, about 2^logN − 4 in PLONK.
func roundsFor(op string, logN int) int {
	if op == OpPlonk {
		return max(1<<(logN-2)-1, 1)
	}
	return max(1<<(logN-1)-1, 1)
}

var eccOf = map[zkaccel.Curve]ecc.ID{zkaccel.BN254: ecc.BN254, zkaccel.BLS12381: ecc.BLS12_381, zkaccel.BLS12377: ecc.BLS12_377}

// The generated circuits' shapes ([Config].Circuit).
const (
	// CircuitChain is one chain of cubic steps: gnark's solver runs its
	// constraints one after the other.
	CircuitChain = "chain"
	// CircuitWide is up to 1024 such chains side by side (internal/circuits.Chains),
	// whose constraints the solver spreads over the cores, as in most real circuits.
	CircuitWide = "wide"
)

// Circuits returns the shapes of the generated circuits.
func Circuits() []string { return []string{CircuitChain, CircuitWide} }

// wideShape returns the chains and rounds of a wide circuit that fills a
// domain of 2^logN: about 2^logN − W constraints in R1CS (two per step),
// fewer than 2^logN in PLONK (four per step, and one per chain for the sum).
func wideShape(op string, logN int) (width, rounds int) {
	width = min(1024, max(1, 1<<max(logN-4, 0)))
	if op == OpPlonk {
		return width, max(((1<<logN)/4-width)/width, 1)
	}
	return width, max((1<<(logN-1)-1)/width, 1)
}

func proofWorkload(op string, c zkaccel.Curve, circuit string, inFlight int) (*workload, error) {
	id, ok := eccOf[c]
	if !ok {
		return nil, fmt.Errorf("zkaccel bench: %s: unknown curve %q (curves: %s)", op, c, joinNames(Curves()))
	}
	if inFlight == 0 {
		inFlight = 1
	}
	if inFlight < 1 || inFlight > MaxInFlight {
		return nil, fmt.Errorf("zkaccel bench: %s: %d proofs in flight: out of range [1, %d]", op, inFlight, MaxInFlight)
	}
	variant := "prove"
	switch circuit {
	case "", CircuitChain:
		circuit = CircuitChain
	case CircuitWide:
		variant = "prove-wide"
	default:
		return nil, fmt.Errorf("zkaccel bench: %s: unknown circuit %q (circuits: %s)", op, circuit, strings.Join(Circuits(), ", "))
	}
	var items func(int) int
	if inFlight > 1 {
		variant += fmt.Sprintf("-x%d", inFlight)
		items = func(int) int { return inFlight }
	}
	sys := proofs.Systems[op]
	return &workload{op: op, target: string(c), variant: variant, items: items,
		preparing: "compiling the circuit, setting up the keys (untimed)",
		check: func(logN int) error {
			if logN < 2 || logN > 24 {
				return fmt.Errorf("2^%d constraints: out of range [2^2, 2^24]", logN)
			}
			return nil
		},
		prepare: func(rng *rand.Rand, logN int) instance {
			g := newProofInstance(rng, sys, id, logN, circuit)
			g.inFlight = inFlight
			return g
		},
	}, nil
}

// proofSystem is what a proof operation needs of gnark and of zkaccel.
// proofInstance is one circuit set up on one curve, with a witness.
type proofInstance struct {
	sys          *proofs.System
	id           ecc.ID
	ccs          constraint.ConstraintSystem
	pk, vk       any
	full, public witness.Witness
	err          error // of the setup
	cached       bool  // the set-up came from the cache (proofs.EnvSetupCache)

	inFlight int // proofs per run (Config.InFlight)

	mu      sync.Mutex
	provers map[string]proofs.Prover
	proofs  []any            // the last run's, one per proof in flight
	report  *zgroth16.Report // the last run's first proof's
	zk      bool             // the last run was zkaccel's
}

func newProofInstance(rng *rand.Rand, sys *proofs.System, id ecc.ID, logN int, circuit string) *proofInstance {
	g := &proofInstance{sys: sys, id: id, provers: map[string]proofs.Prover{}}
	var shape, assign frontend.Circuit
	var key string // the circuit's, for the set-up cache
	if circuit == CircuitWide {
		width, rounds := wideShape(sys.Name, logN)
		xs := make([]*big.Int, width)
		for i := range xs {
			xs[i] = new(big.Int).Rand(rng, id.ScalarField())
		}
		shape, assign = circuits.NewChains(width, rounds), circuits.ChainsAssignment(id.ScalarField(), xs, rounds)
		key = fmt.Sprintf("chains/%d/%d", width, rounds)
	} else {
		rounds := roundsFor(sys.Name, logN)
		x := new(big.Int).Rand(rng, id.ScalarField())
		shape, assign = &circuits.Cubic{Rounds: rounds}, circuits.CubicAssignment(id.ScalarField(), x, rounds)
		key = fmt.Sprintf("cubic/%d", rounds)
	}
	g.ccs, g.pk, g.vk, g.cached, g.err = sys.SetupCached(id, key, func() (constraint.ConstraintSystem, error) {
		return sys.Compile(id.ScalarField(), shape)
	})
	if g.err != nil {
		return g
	}
	if g.full, g.err = frontend.NewWitness(assign, id.ScalarField()); g.err != nil {
		return g
	}
	g.public, g.err = g.full.Public()
	return g
}

func (g *proofInstance) reset() { g.proofs = nil }

// setupErr is the error of the set-up, nil where it succeeded.
func (g *proofInstance) setupErr() error { return g.err }

// note says where the set-up came from, for the progress output.
func (g *proofInstance) note() string {
	if g.cached {
		return "from the set-up cache"
	}
	return ""
}

// prepare makes zkaccel's prover for dev (not the CPU, whose row is
// gnark's prover), loading the key there: untimed (see preparer).
func (g *proofInstance) prepare(dev zkaccel.Device) (bool, int64, int64, error) {
	if g.err != nil || gnarkRow(dev) {
		return false, 0, 0, nil // run reports a failed set-up
	}
	p, err := g.prover(dev)
	if err != nil {
		return false, 0, 0, err
	}
	if _, keeps := dev.(zkaccel.ResidentMSMDevice); !keeps {
		return true, 0, 0, nil // the CPU: nothing to keep
	}
	on, all := p.Residency()
	return true, on, all, nil
}

// release closes the provers, freeing their keys' device memory.
func (g *proofInstance) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, p := range g.provers {
		p.Close()
		delete(g.provers, k)
	}
}

// prover returns zkaccel's prover for dev, made on first use.
func (g *proofInstance) prover(dev zkaccel.Device) (proofs.Prover, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if p := g.provers[dev.String()]; p != nil {
		return p, nil
	}
	p, err := g.sys.NewProver(g.pk, onDevice(dev))
	if err != nil {
		return nil, err
	}
	g.provers[dev.String()] = p
	return p, nil
}

// run proves once (g.inFlight times at once): gnark's prover on the CPU,
// zkaccel's on another device. With proofs in flight the phases are the
// first proof's.
func (g *proofInstance) run(dev zkaccel.Device, rep *zkaccel.Report) error {
	if g.err != nil {
		return fmt.Errorf("setting up the circuit: %w", g.err)
	}
	start := time.Now()
	defer func() { rep.Elapsed = time.Since(start) }()
	rep.Op, rep.N, rep.Requested, rep.Ran = g.sys.Name+" prove "+g.id.String(), g.ccs.GetNbConstraints(), dev, dev
	var p proofs.Prover
	if !gnarkRow(dev) {
		var err error
		if p, err = g.prover(dev); err != nil {
			return err
		}
	}
	k := max(g.inFlight, 1)
	g.proofs = make([]any, k)
	reports := make([]*zgroth16.Report, k)
	errs := make([]error, k)
	var wg sync.WaitGroup
	for i := range k {
		reports[i] = new(zgroth16.Report)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if p == nil {
				g.proofs[i], errs[i] = g.sys.GnarkProve(g.ccs, g.pk, g.full)
			} else {
				g.proofs[i], errs[i] = p.Prove(g.ccs, g.full, reports[i])
			}
		}()
	}
	wg.Wait()
	g.zk, g.report = p != nil, reports[0]
	for _, r := range reports {
		for _, ph := range r.Phases {
			if ph.Fallback {
				rep.Fallback, rep.Reason = true, fmt.Errorf("%s fell back to the cpu: %w", ph.Name, zkaccel.ErrUnsupported)
			}
		}
	}
	return errors.Join(errs...)
}

// digest is whether gnark's verifier accepts the last proof: proofs are
// randomised, so devices agree on this, not on the proof's bytes.
func (g *proofInstance) digest() []byte {
	if len(g.proofs) == 0 {
		return []byte("no proof")
	}
	for i, proof := range g.proofs {
		if proof == nil {
			return []byte("no proof")
		}
		if err := g.sys.Verify(proof, g.vk, g.public); err != nil {
			return []byte(fmt.Sprintf("proof %d rejected by gnark's verifier: %v", i+1, err))
		}
	}
	return []byte("verified")
}

// phases returns the last zkaccel run's phases, summed by name (nil after
// a gnark run).
func (g *proofInstance) phases() map[string]time.Duration {
	if !g.zk || g.report == nil {
		return nil
	}
	out := map[string]time.Duration{}
	for _, ph := range g.report.Phases {
		out[ph.Name] += ph.Elapsed
	}
	return out
}

// phased is an instance that reports the phases of its last run.
type phased interface {
	phases() map[string]time.Duration
}

// medianPhases returns each phase's median over runs.
func medianPhases(runs []map[string]time.Duration) map[string]time.Duration {
	if len(runs) == 0 {
		return nil
	}
	by := map[string][]time.Duration{}
	for _, r := range runs {
		for name, d := range r {
			by[name] = append(by[name], d)
		}
	}
	out := map[string]time.Duration{}
	for name, ds := range by {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		out[name] = ds[len(ds)/2]
	}
	return out
}

// phasesCell lists a result's phases, e.g. "solve 8.1 ms, ntt 5.2 ms, msm
// A 17 ms, …", the solver and NTT first, then the MSMs by name. The MSMs
// are issued concurrently, so their times overlap (on one device they
// queue for it) and do not add up to the total.
func phasesCell(r *Result) string {
	if len(r.Phases) == 0 {
		return "-"
	}
	names := make([]string, 0, len(r.Phases))
	for n := range r.Phases {
		names = append(names, n)
	}
	rank := func(n string) int {
		switch n {
		case "solve":
			return 0
		case "ntt":
			return 1
		}
		return 2
	}
	sort.Slice(names, func(i, j int) bool {
		if rank(names[i]) != rank(names[j]) {
			return rank(names[i]) < rank(names[j])
		}
		return names[i] < names[j]
	})
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n + " " + FormatDuration(r.Phases[n])
	}
	return s
}
