package bench

import (
	"fmt"
	"math/big"
	"math/rand"
	"sort"
	"sync"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/zkaccel/zkaccel"
	zgroth16 "github.com/zkaccel/zkaccel/gnark/groth16"
)

// OpGroth16 proves a generated circuit of about 2^k constraints with
// Groth16 (target: the curve, variant "prove"): on the CPU row with gnark's
// own prover (groth16.Prove), on every other device with zkaccel's
// (gnark/groth16), so that the speed-up is zkaccel on the device against
// gnark on the CPU, from one run. Each proof is checked with gnark's
// verifier (untimed); the device rows also record the prover's phases.
const OpGroth16 = "groth16"

// ProofOps lists the proof operations, whose sizes are log2 constraint
// counts ([Config].Constraints).
func ProofOps() []string { return []string{OpGroth16} }

// The default log2 constraint counts of the proof operations.
const (
	DefaultProofMinLog = 12
	DefaultProofMaxLog = 14
)

// benchCircuit is the generated circuit: a chain of Rounds steps
// x ← x³ + x + 5 (two constraints each) from a secret X to a public Y.
type benchCircuit struct {
	X      frontend.Variable
	Y      frontend.Variable `gnark:",public"`
	Rounds int               `gnark:"-"`
}

// Define writes the chain.
func (c *benchCircuit) Define(api frontend.API) error {
	acc := c.X
	for i := 0; i < c.Rounds; i++ {
		acc = api.Add(api.Mul(acc, acc, acc), acc, 5)
	}
	api.AssertIsEqual(acc, c.Y)
	return nil
}

// roundsFor is the chain length of a circuit of 2^logN − 1 constraints
// (a domain of 2^logN).
func roundsFor(logN int) int { return max(1<<(logN-1)-1, 1) }

var eccOf = map[zkaccel.Curve]ecc.ID{zkaccel.BN254: ecc.BN254, zkaccel.BLS12381: ecc.BLS12_381, zkaccel.BLS12377: ecc.BLS12_377}

func groth16Workload(c zkaccel.Curve) (*workload, error) {
	id, ok := eccOf[c]
	if !ok {
		return nil, fmt.Errorf("zkaccel bench: groth16: unknown curve %q (curves: %s)", c, joinNames(Curves()))
	}
	return &workload{op: OpGroth16, target: string(c), variant: "prove",
		check: func(logN int) error {
			if logN < 2 || logN > 24 {
				return fmt.Errorf("2^%d constraints: out of range [2^2, 2^24]", logN)
			}
			return nil
		},
		prepare: func(rng *rand.Rand, logN int) instance { return newGroth16Instance(rng, id, logN) },
	}, nil
}

// groth16Instance is one circuit set up on one curve, with a witness.
type groth16Instance struct {
	id           ecc.ID
	ccs          constraint.ConstraintSystem
	pk           groth16.ProvingKey
	vk           groth16.VerifyingKey
	full, public witness.Witness
	err          error // of the setup

	mu      sync.Mutex
	provers map[string]*zgroth16.Prover
	proof   groth16.Proof
	report  zgroth16.Report
	zk      bool // the last run was zkaccel's
}

func newGroth16Instance(rng *rand.Rand, id ecc.ID, logN int) *groth16Instance {
	g := &groth16Instance{id: id, provers: map[string]*zgroth16.Prover{}}
	rounds := roundsFor(logN)
	g.ccs, g.err = frontend.Compile(id.ScalarField(), r1cs.NewBuilder, &benchCircuit{Rounds: rounds})
	if g.err != nil {
		return g
	}
	if g.pk, g.vk, g.err = groth16.Setup(g.ccs); g.err != nil {
		return g
	}
	x := new(big.Int).Rand(rng, id.ScalarField())
	y := new(big.Int).Set(x)
	for i := 0; i < rounds; i++ {
		t := new(big.Int).Mul(y, y)
		t.Mul(t, y).Add(t, y).Add(t, big.NewInt(5))
		y = t.Mod(t, id.ScalarField())
	}
	if g.full, g.err = frontend.NewWitness(&benchCircuit{X: x, Y: y, Rounds: rounds}, id.ScalarField()); g.err != nil {
		return g
	}
	g.public, g.err = g.full.Public()
	return g
}

func (g *groth16Instance) reset() { g.proof = nil }

// run proves once: gnark's prover on the CPU, zkaccel's on another device.
func (g *groth16Instance) run(dev zkaccel.Device, rep *zkaccel.Report) error {
	if g.err != nil {
		return fmt.Errorf("setting up the circuit: %w", g.err)
	}
	start := time.Now()
	defer func() { rep.Elapsed = time.Since(start) }()
	rep.Op, rep.N, rep.Requested, rep.Ran = "groth16 prove "+g.id.String(), g.ccs.GetNbConstraints(), dev, dev
	if dev.Kind() == zkaccel.CPU {
		proof, err := groth16.Prove(g.ccs, g.pk, g.full)
		g.proof, g.zk = proof, false
		return err
	}
	g.mu.Lock()
	p, ok := g.provers[dev.String()]
	g.mu.Unlock()
	if !ok {
		var err error
		if p, err = zgroth16.NewProver(g.pk, zgroth16.WithDevice(dev)); err != nil {
			return err
		}
		g.mu.Lock()
		g.provers[dev.String()] = p
		g.mu.Unlock()
	}
	proof, err := p.Prove(g.ccs, g.full, zgroth16.WithReport(&g.report))
	g.proof, g.zk = proof, true
	for _, ph := range g.report.Phases {
		if ph.Fallback {
			rep.Fallback, rep.Reason = true, fmt.Errorf("%s fell back to the cpu: %w", ph.Name, zkaccel.ErrUnsupported)
		}
	}
	return err
}

// digest is whether gnark's verifier accepts the last proof: proofs are
// randomised, so devices agree on this, not on the proof's bytes.
func (g *groth16Instance) digest() []byte {
	if g.proof == nil {
		return []byte("no proof")
	}
	if err := groth16.Verify(g.proof, g.vk, g.public); err != nil {
		return []byte("rejected by gnark's verifier: " + err.Error())
	}
	return []byte("verified")
}

// phases returns the last zkaccel run's phases, summed by name (nil after
// a gnark run).
func (g *groth16Instance) phases() map[string]time.Duration {
	if !g.zk {
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
