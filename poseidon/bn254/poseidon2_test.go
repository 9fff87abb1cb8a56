package bn254_test

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/p2test"
	"github.com/zkaccel/zkaccel/poseidon/bn254"
)

// The tests of every Poseidon2 front end (internal/p2test) on BN254; see
// p2test.BN254 for the instances and sizes they run.

func TestPermute2(t *testing.T)         { p2test.Permute2(t, p2test.BN254, bn254.Permute2) }
func TestPermute2NbTasks(t *testing.T)  { p2test.NbTasks(t, p2test.BN254, bn254.Permute2) }
func TestPermute2Fallback(t *testing.T) { p2test.Fallback(t, p2test.BN254, bn254.Permute2) }
func TestPermute2KnownAnswers(t *testing.T) {
	p2test.KnownAnswers(t, p2test.BN254, bn254.Permute2, map[string]func() *poseidon2.Parameters{
		"horizenlabs-rc3": bn254.HorizenLabsT3,
	})
}
func TestPermute2DeviceFaults(t *testing.T) { p2test.DeviceFaults(t, p2test.BN254, bn254.Permute2) }

// TestPoseidon2Lanes checks the CPU kernels and the batch driver
// (poseidon2_kernel_export_test.go), for every width and an instance with
// an odd number of full rounds.
func TestPoseidon2Lanes(t *testing.T) {
	p2test.Kernels(t, p2test.BN254, bn254.P2Kernels, bn254.P2Switches)
}

// The helpers of merkle_poseidon2_test.go, from p2test.

// p2Instance is one of gnark-crypto's BN254 Poseidon2 instances (see
// p2test.Instance).
type p2Instance p2test.Instance

func (w p2Instance) String() string { return p2test.Instance(w).String() }

// params and perm return gnark-crypto's parameters and permutation.
func (w p2Instance) params() *poseidon2.Parameters { return p2test.BN254.Params(p2test.Instance(w)) }
func (w p2Instance) perm() *poseidon2.Permutation  { return p2test.BN254.Perm(p2test.Instance(w)) }

// p2Device is a test device that runs Poseidon2 and Merkle requests with
// the functions given, as a p2test.Device.
type p2Device struct {
	zkaccel.Device
	p2     func(*zkaccel.Poseidon2Request) error
	merkle func(*zkaccel.MerkleRequest) error
}

func (d *p2Device) Poseidon(r *zkaccel.PoseidonRequest) error   { return d.as().Poseidon(r) }
func (d *p2Device) Poseidon2(r *zkaccel.Poseidon2Request) error { return d.as().Poseidon2(r) }
func (d *p2Device) Merkle(r *zkaccel.MerkleRequest) error       { return d.as().Merkle(r) }
func (d *p2Device) as() *p2test.Device {
	return &p2test.Device{Device: d.Device, OnPoseidon2: d.p2, OnMerkle: d.merkle}
}

var (
	p2Loopback    = p2test.Loopback
	errP2Failing  = p2test.ErrFailing
	p2OnDevices   = p2test.OnDevices
	p2CheckReport = p2test.CheckReport
	p2Diff        = p2test.Diff[fr.Element]
)

// p2NoPanic calls f and turns a panic into a test failure.
func p2NoPanic[T any](t *testing.T, f func() (T, error)) (T, error) { return p2test.NoPanic(t, f) }

// TestHorizenLabsT3 checks the embedded HorizenLabs constants' shape and
// that every call returns an independent copy.
func TestHorizenLabsT3(t *testing.T) {
	p := bn254.HorizenLabsT3()
	if p.Width != 3 || p.NbFullRounds != 8 || p.NbPartialRounds != 56 || len(p.RoundKeys) != 64 {
		t.Fatalf("HorizenLabsT3() = t=%d rf=%d rp=%d with %d rounds of keys", p.Width, p.NbFullRounds, p.NbPartialRounds, len(p.RoundKeys))
	}
	for r, keys := range p.RoundKeys {
		want := 3
		if r >= 4 && r < 60 {
			want = 1
		}
		if len(keys) != want {
			t.Fatalf("round %d has %d keys; want %d", r, len(keys), want)
		}
		for i := range keys {
			if keys[i].IsZero() {
				t.Fatalf("round %d key %d is zero: a constant failed to parse", r, i)
			}
		}
	}
	p.RoundKeys[0][0].SetZero()
	if q := bn254.HorizenLabsT3(); q.RoundKeys[0][0].IsZero() {
		t.Error("modifying one HorizenLabsT3() result changed the next one")
	}
}
