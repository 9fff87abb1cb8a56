package gpu_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	p2bn "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	fbb "github.com/consensys/gnark-crypto/field/babybear"
	p2bb "github.com/consensys/gnark-crypto/field/babybear/poseidon2"
	fgl "github.com/consensys/gnark-crypto/field/goldilocks"
	p2gl "github.com/consensys/gnark-crypto/field/goldilocks/poseidon2"
	fkb "github.com/consensys/gnark-crypto/field/koalabear"
	p2kb "github.com/consensys/gnark-crypto/field/koalabear/poseidon2"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/inputs"
	"github.com/zkaccel/zkaccel/internal/rawbytes"
	"github.com/zkaccel/zkaccel/poseidon/babybear"
	"github.com/zkaccel/zkaccel/poseidon/goldilocks"
	"github.com/zkaccel/zkaccel/poseidon/koalabear"
)

// p2Elem is the part of a gnark-crypto element's method set the Poseidon2
// tests use.
type p2Elem[E any] interface {
	*E
	SetBytes(b []byte) *E
	SetOne() *E
	SetZero() *E
	Neg(x *E) *E
}

// p2Case is one Poseidon2 instance, with gnark-crypto's permutation as the
// reference: the request (its states poisoned by nothing: they are the
// input) and the expected permuted states.
type p2Case struct {
	name string
	req  func(rng *rand.Rand, n int) (req *zkaccel.Poseidon2Request, want []byte)
}

// p2Flatten lays out gnark-crypto's round keys as a request does: t keys
// for each full round, the first key of each partial round.
func p2Flatten[E any](t, rf, rp int, keys [][]E) []E {
	var out []E
	for r, k := range keys {
		if r >= rf/2 && r < rf/2+rp {
			out = append(out, k[0])
		} else {
			out = append(out, k[:t]...)
		}
	}
	return out
}

// p2States draws n states of width t with the edge values 0, 1 and p−1 in
// the first state.
func p2States[E any, PE p2Elem[E]](rng *rand.Rand, n, t int) []E {
	s := inputs.Elements[E, PE](rng, n*t)
	PE(&s[0]).SetZero()
	PE(&s[1]).SetOne()
	PE(&s[t-1]).SetOne()
	PE(&s[t-1]).Neg(&s[t-1])
	return s
}

func p2Make[E any, PE p2Elem[E]](field zkaccel.Field, t, rf, rp int, keys [][]E, diag []E, permute func([]E) error) p2Case {
	return p2Case{
		name: fmt.Sprintf("%s/t=%d/rf=%d/rp=%d", field, t, rf, rp),
		req: func(rng *rand.Rand, n int) (*zkaccel.Poseidon2Request, []byte) {
			states := p2States[E, PE](rng, n, t)
			want := append([]E(nil), states...)
			for i := 0; i < len(want); i += t {
				if err := permute(want[i : i+t]); err != nil {
					panic(err)
				}
			}
			req := &zkaccel.Poseidon2Request{
				Field: field, Width: t, NbFullRounds: rf, NbPartialRounds: rp,
				RoundKeys: rawbytes.Of(p2Flatten(t, rf, rp, keys)), DiagM1: rawbytes.Of(diag),
				N: n, States: rawbytes.Of(states),
			}
			return req, rawbytes.Of(want)
		},
	}
}

func p2BN254(t, rf, rp int) p2Case {
	params := p2bn.NewParameters(t, rf, rp)
	perm := p2bn.NewPermutation(t, rf, rp)
	var diag []fr.Element
	if t >= 4 {
		diag = params.DiagM1
	}
	return p2Make[fr.Element](zkaccel.FieldBN254, t, rf, rp, params.RoundKeys, diag, perm.Permutation)
}

func p2Goldilocks(t, rf, rp int) p2Case {
	params := p2gl.NewParameters(t, rf, rp)
	perm := p2gl.NewPermutation(t, rf, rp)
	return p2Make[fgl.Element](zkaccel.FieldGoldilocks, t, rf, rp, params.RoundKeys, goldilocks.Poseidon2DiagM1(t), perm.Permutation)
}

func p2BabyBear(t, rf, rp int) p2Case {
	params := p2bb.NewParameters(t, rf, rp)
	perm := p2bb.NewPermutation(t, rf, rp)
	return p2Make[fbb.Element](zkaccel.FieldBabyBear, t, rf, rp, params.RoundKeys, babybear.Poseidon2DiagM1(t), perm.Permutation)
}

func p2KoalaBear(t, rf, rp int) p2Case {
	params := p2kb.NewParameters(t, rf, rp)
	perm := p2kb.NewPermutation(t, rf, rp)
	return p2Make[fkb.Element](zkaccel.FieldKoalaBear, t, rf, rp, params.RoundKeys, koalabear.Poseidon2DiagM1(t), perm.Permutation)
}

// p2Cases are every field and width the CPU side supports, with
// gnark-crypto's default round counts, and odd round counts where the
// constants are derived from a seed.
func p2Cases() []p2Case {
	return []p2Case{
		p2BN254(2, 6, 50), p2BN254(3, 8, 56), p2BN254(3, 7, 5), p2BN254(4, 8, 56),
		p2BN254(8, 8, 57), p2BN254(12, 8, 57), p2BN254(16, 8, 57),
		p2Goldilocks(8, 6, 17), p2Goldilocks(12, 8, 22), p2Goldilocks(8, 5, 3),
		p2BabyBear(16, 8, 13), p2BabyBear(24, 8, 21),
		p2KoalaBear(16, 6, 21), p2KoalaBear(24, 6, 21), p2KoalaBear(16, 3, 1),
	}
}

// TestPoseidon2 compares the device's permutation with gnark-crypto's for
// every field and width, on seeded random states with 0, 1 and p−1, for
// one state and a batch; running every case twice also exercises the
// device's parameter cache (more parameter sets than it keeps).
func TestPoseidon2(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		cases := p2Cases()
		for round := range 2 {
			for _, c := range cases {
				t.Run(fmt.Sprintf("%s/%d", c.name, round), func(t *testing.T) {
					for _, n := range []int{1, 37} {
						req, want := c.req(rng, n)
						if err := d.Poseidon2(req); err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(req.States, want) {
							t.Fatalf("n=%d: the device's states differ from gnark-crypto's", n)
						}
					}
				})
			}
		}
	})
}

// TestPoseidon2BadRequests checks that the requests the CPU devices reject
// are rejected the same way (ErrUnsupported or a plain error) and leave the
// states untouched.
func TestPoseidon2BadRequests(t *testing.T) {
	forEachGPU(t, func(t *testing.T, d *gpu.Device) {
		rng := inputs.NewRand(devtest.Seed(t))
		p2bn16 := p2BN254(16, 8, 57)
		p2bn2 := p2BN254(2, 6, 50)
		p2b := p2BabyBear(16, 8, 13)
		type mod = func(r *zkaccel.Poseidon2Request)
		for _, c := range []struct {
			name        string
			base        p2Case
			mod         mod
			unsupported bool
		}{
			{"unknown field", p2bn16, func(r *zkaccel.Poseidon2Request) { r.Field = "bls12-381" }, true},
			{"width 1", p2bn16, func(r *zkaccel.Poseidon2Request) { r.Width = 1 }, false},
			{"width 5", p2bn16, func(r *zkaccel.Poseidon2Request) { r.Width = 5 }, false},
			{"babybear width 8", p2b, func(r *zkaccel.Poseidon2Request) { r.Width = 8 }, false},
			{"N=0", p2bn16, func(r *zkaccel.Poseidon2Request) { r.N = 0 }, false},
			{"short keys", p2bn16, func(r *zkaccel.Poseidon2Request) { r.RoundKeys = r.RoundKeys[:32] }, false},
			{"no diag", p2bn16, func(r *zkaccel.Poseidon2Request) { r.DiagM1 = nil }, false},
			{"diag for t=2", p2bn2, func(r *zkaccel.Poseidon2Request) { r.DiagM1 = make([]byte, 64) }, false},
			{"short states", p2bn16, func(r *zkaccel.Poseidon2Request) { r.States = r.States[:len(r.States)-1] }, false},
			{"unreduced state", p2bn16, func(r *zkaccel.Poseidon2Request) {
				copy(r.States[32:64], bytes.Repeat([]byte{0xff}, 32))
			}, false},
			{"unreduced babybear key", p2b, func(r *zkaccel.Poseidon2Request) {
				copy(r.RoundKeys[4:8], []byte{0xff, 0xff, 0xff, 0x7f})
			}, false},
			{"negative rounds", p2bn16, func(r *zkaccel.Poseidon2Request) { r.NbFullRounds = -8 }, false},
			{"NbTasks", p2bn16, func(r *zkaccel.Poseidon2Request) { r.NbTasks = 1025 }, false},
		} {
			req, _ := c.base.req(rng, 2)
			c.mod(req)
			before := bytes.Clone(req.States)
			err := d.Poseidon2(req)
			if err == nil || errors.Is(err, zkaccel.ErrUnsupported) != c.unsupported {
				t.Errorf("%s: err = %v, want unsupported=%v", c.name, err, c.unsupported)
			}
			if !bytes.Equal(req.States, before) {
				t.Errorf("%s: the states were written", c.name)
			}
		}
		if err := d.Poseidon2(nil); err == nil {
			t.Error("nil request: no error")
		}
	})
}

// FuzzPoseidon2 compares the device with gnark-crypto on fuzzed BN254
// width-2 and BabyBear width-16 states (the bytes reduced into elements).
func FuzzPoseidon2(f *testing.F) {
	f.Add(int64(1), uint8(1))
	f.Add(int64(-7), uint8(9))
	cases := []p2Case{p2BN254(2, 6, 50), p2BabyBear(16, 8, 13)}
	f.Fuzz(func(t *testing.T, seed int64, n uint8) {
		forEachGPU(t, func(t *testing.T, d *gpu.Device) {
			for _, c := range cases {
				req, want := c.req(inputs.NewRand(seed), int(n%16)+1)
				if err := d.Poseidon2(req); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(req.States, want) {
					t.Fatalf("%s: the device's states differ from gnark-crypto's", c.name)
				}
			}
		})
	})
}

// BenchmarkPoseidon2 permutes 2^k states per field and width.
func BenchmarkPoseidon2(b *testing.B) {
	hashBench(b, func(b *testing.B, d *gpu.Device) {
		for _, c := range []p2Case{p2BN254(2, 6, 50), p2BN254(16, 8, 57), p2Goldilocks(12, 8, 22), p2BabyBear(16, 8, 13), p2KoalaBear(16, 6, 21)} {
			for _, logN := range []int{10, 16} {
				req, _ := c.req(inputs.NewRand(1), 1<<logN)
				states := bytes.Clone(req.States)
				b.Run(fmt.Sprintf("%s/2^%d", c.name, logN), func(b *testing.B) {
					for b.Loop() {
						copy(req.States, states)
						if err := d.Poseidon2(req); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	})
}
