package proofs_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/proofs"
)

// TestSetupCached: with proofs.EnvSetupCache=1, the first set-up of a
// circuit is compiled, set up and stored, and the second comes from the
// cache, without compiling; gnark's verifier with the cached verifying key
// accepts zkaccel's proof made with the cached circuit and proving key, on
// both systems and every curve. A corrupt entry is set up again; with the
// variable unset nothing is stored; a bad value is an error.
func TestSetupCached(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(zkaccel.EnvCacheDir, dir)
	t.Setenv(proofs.EnvSetupCache, "1")
	for _, sys := range []*proofs.System{proofs.Systems[proofs.Groth16], proofs.Systems[proofs.Plonk]} {
		for _, id := range []ecc.ID{ecc.BN254, ecc.BLS12_381, ecc.BLS12_377} {
			t.Run(sys.Name+"/"+id.String(), func(t *testing.T) {
				compiles := 0
				compile := func() (constraint.ConstraintSystem, error) {
					compiles++
					return sys.Compile(id.ScalarField(), &circuits.Committed{Commits: 1})
				}
				for round, want := range []bool{false, true, true} {
					ccs, pk, vk, cached, err := sys.SetupCached(id, "committed/1", compile)
					if err != nil {
						t.Fatal(err)
					}
					if cached != want || compiles != 1 {
						t.Fatalf("round %d: cached %v, %d compiles; want cached %v, 1 compile", round, cached, compiles, want)
					}
					w, pub := committedWitness(t, id)
					p, err := sys.NewProver(pk, zkaccel.HostCPU())
					if err != nil {
						t.Fatal(err)
					}
					proof, err := p.Prove(ccs, w, nil)
					p.Close()
					if err != nil {
						t.Fatal(err)
					}
					if err := sys.Verify(proof, vk, pub); err != nil {
						t.Fatalf("round %d (cached %v): gnark rejects the proof: %v", round, cached, err)
					}
				}
			})
		}
	}
	// A corrupt entry: set up again (and stored again).
	entries, err := filepath.Glob(filepath.Join(dir, "setups", "*.bin"))
	if err != nil || len(entries) != 6 {
		t.Fatalf("%d entries (%v), want 6", len(entries), err)
	}
	sys, id := proofs.Systems[proofs.Plonk], ecc.BN254
	var corrupted bool
	for _, e := range entries {
		b, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)-1] ^= 1
		if err := os.WriteFile(e, b, 0o644); err != nil {
			t.Fatal(err)
		}
		corrupted = true
	}
	if corrupted {
		compiles := 0
		_, _, _, cached, err := sys.SetupCached(id, "committed/1", func() (constraint.ConstraintSystem, error) {
			compiles++
			return sys.Compile(id.ScalarField(), &circuits.Committed{Commits: 1})
		})
		if err != nil || cached || compiles != 1 {
			t.Fatalf("corrupt entry: cached %v, %d compiles, %v; want set up again", cached, compiles, err)
		}
	}
	// Off: nothing stored.
	t.Setenv(proofs.EnvSetupCache, "")
	off := t.TempDir()
	t.Setenv(zkaccel.EnvCacheDir, off)
	if _, _, _, cached, err := sys.SetupCached(id, "committed/1", func() (constraint.ConstraintSystem, error) {
		return sys.Compile(id.ScalarField(), &circuits.Committed{Commits: 1})
	}); err != nil || cached {
		t.Fatalf("off: cached %v, %v", cached, err)
	}
	if got, _ := filepath.Glob(filepath.Join(off, "setups", "*")); len(got) != 0 {
		t.Fatalf("off: %d entries stored", len(got))
	}
	t.Setenv(proofs.EnvSetupCache, "yes")
	if _, _, _, _, err := sys.SetupCached(id, "committed/1", nil); err == nil {
		t.Fatal("a bad value: no error")
	}
}
