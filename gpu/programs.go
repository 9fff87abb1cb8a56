package gpu

import (
	"fmt"
	"sort"
	"strings"

	"github.com/zkaccel/zkaccel"
)

// The device programs, by key. Every program a [Device] compiles is listed
// here, so that a backend (or a test) can compile each one ahead of use:
// the CUDA backend checks every program with NVRTC and embeds its PTX, and
// the OpenCL tests build every program on POCL.
//
//	keccak                      Keccak-f[1600], Keccak-256, Keccak Merkle layers
//	msm/<curve>/<group>         Pippenger for G1 and G2 of bn254, bls12-381, bls12-377
//	msmpre/<curve>/<group>      their resident points' window multiples (resident.go)
//	ntt/<field>                 NTT of the six fields
//	quotient/<field>            PLONK's and Groth16's quotients over bn254, bls12-381, bls12-377 (with ntt/<field>)
//	poseidon/circom             circomlib's Poseidon (BN254)
//	poseidon/hermez             Polygon Hermez's Poseidon (Goldilocks)
//	poseidon2/<field>           Poseidon2 of bn254, goldilocks, babybear, koalabear
//	selfcheck/mul               the multiplication self-check (selfcheck.go)
var programs = func() map[string]func() string {
	m := map[string]func() string{
		"selfcheck/mul":   mulCheckSource,
		"keccak":          func() string { return Source(File("keccak.cl")) },
		"poseidon/circom": circomSource,
		"poseidon/hermez": hermezSource,
	}
	for _, c := range []zkaccel.Curve{zkaccel.BN254, zkaccel.BLS12381, zkaccel.BLS12377} {
		for _, grp := range []zkaccel.Group{zkaccel.G1, zkaccel.G2} {
			g, _ := msmGroupOf(c, grp)
			m[msmProgramKey(g)] = func() string { return msmSource(g) }
			m[msmPreProgramKey(g)] = func() string { return msmPreSource(g) }
		}
	}
	for _, f := range []zkaccel.Field{zkaccel.FieldBN254, zkaccel.FieldBLS12381, zkaccel.FieldBLS12377,
		zkaccel.FieldGoldilocks, zkaccel.FieldBabyBear, zkaccel.FieldKoalaBear} {
		info, _ := ScalarField(f)
		m["ntt/"+string(f)] = func() string { return nttSource(info) }
		if info.LimbBits == 64 && info.Limbs > 1 {
			m[quotientProgramKey(f)] = func() string { return quotientSource(info) }
		}
	}
	for f := range p2Fields {
		m["poseidon2/"+string(f)] = func() string { return poseidon2Source(f) }
	}
	return m
}()

// Programs returns the keys of every device program, sorted.
func Programs() []string {
	keys := make([]string, 0, len(programs))
	for k := range programs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SelectPrograms returns the programs ([Programs], in that order) that
// patterns name: each pattern is a program's key ("msm/bn254/g1") or the
// start of keys up to a '/' ("msm/bn254" names both of BN254's groups,
// "msm" every MSM program but not "msmpre/…"). A pattern that names no
// program is an error that lists them.
func SelectPrograms(patterns []string) ([]string, error) {
	all := Programs()
	want := map[string]bool{}
	for _, p := range patterns {
		p = strings.TrimSuffix(strings.TrimSpace(p), "/")
		found := false
		for _, k := range all {
			if k == p || strings.HasPrefix(k, p+"/") {
				want[k], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("gpu: no device program is or starts with %q (programs: %s)", p, strings.Join(all, ", "))
		}
	}
	var out []string
	for _, k := range all {
		if want[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

// ProgramSource returns the complete device source of the program key (one
// of [Programs]), ready for a runtime's Compile.
func ProgramSource(key string) (string, error) {
	src, ok := programs[key]
	if !ok {
		return "", fmt.Errorf("gpu: no device program %q", key)
	}
	return src(), nil
}

// msmProgramKey is the key of a curve group's MSM program.
func msmProgramKey(g msmGroup) string { return "msm/" + string(g.curve) + "/" + g.group.String() }

// msmPreProgramKey is the key of a curve group's window-multiples program.
func msmPreProgramKey(g msmGroup) string {
	return "msmpre/" + string(g.curve) + "/" + g.group.String()
}
