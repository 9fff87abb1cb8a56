package keccak

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"math/bits"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/sha3"

	"github.com/zkaccel/zkaccel/internal/devtest"
)

// refRho and refRC are ρ's rotation offsets (refRho[x][y]) and ι's round
// constants computed with FIPS 202's Algorithms 2 and 5–6, step by step.
var refRho, refRC = func() (rho [5][5]int, rcs [24]uint64) {
	x, y := 1, 0
	for t := 0; t < 24; t++ { // Algorithm 2
		rho[x][y] = (t + 1) * (t + 2) / 2 % 64
		x, y = y, (2*x+3*y)%5
	}
	rc := func(t int) uint64 { // Algorithm 5, with R as a bit list, R[0] first
		if t%255 == 0 {
			return 1
		}
		r := []uint64{1, 0, 0, 0, 0, 0, 0, 0}
		for i := 1; i <= t%255; i++ {
			r = append([]uint64{0}, r...)
			r[0] ^= r[8]
			r[4] ^= r[8]
			r[5] ^= r[8]
			r[6] ^= r[8]
			r = r[:8]
		}
		return r[0]
	}
	for ir := range rcs { // Algorithm 6
		for j := 0; j <= 6; j++ {
			rcs[ir] |= rc(j+7*ir) << (1<<j - 1)
		}
	}
	return rho, rcs
}()

// refPermute is Keccak-f[1600] written as FIPS 202 §3.2–3.3 states it, step
// by step on a 5×5 array of lanes, with the constants above: the generic
// implementation that the generated permute is tested against.
func refPermute(a *[25]uint64) {
	var st [5][5]uint64 // st[x][y]
	for x := 0; x < 5; x++ {
		for y := 0; y < 5; y++ {
			st[x][y] = a[x+5*y]
		}
	}
	for ir := 0; ir < 24; ir++ {
		// θ
		var c, d [5]uint64
		for x := 0; x < 5; x++ {
			c[x] = st[x][0] ^ st[x][1] ^ st[x][2] ^ st[x][3] ^ st[x][4]
		}
		for x := 0; x < 5; x++ {
			d[x] = c[(x+4)%5] ^ bits.RotateLeft64(c[(x+1)%5], 1)
		}
		for x := 0; x < 5; x++ {
			for y := 0; y < 5; y++ {
				st[x][y] ^= d[x]
			}
		}
		// ρ
		for x := 0; x < 5; x++ {
			for y := 0; y < 5; y++ {
				st[x][y] = bits.RotateLeft64(st[x][y], refRho[x][y])
			}
		}
		// π
		var p [5][5]uint64
		for x := 0; x < 5; x++ {
			for y := 0; y < 5; y++ {
				p[x][y] = st[(x+3*y)%5][x]
			}
		}
		// χ
		for x := 0; x < 5; x++ {
			for y := 0; y < 5; y++ {
				st[x][y] = p[x][y] ^ (^p[(x+1)%5][y] & p[(x+2)%5][y])
			}
		}
		// ι
		st[0][0] ^= refRC[ir]
	}
	for x := 0; x < 5; x++ {
		for y := 0; y < 5; y++ {
			a[x+5*y] = st[x][y]
		}
	}
}

// readStates reads testdata/keccak/keccakf1600.txt: the states F^k(0), by k.
func readStates(t *testing.T) map[int][25]uint64 {
	t.Helper()
	f, err := os.Open("../testdata/keccak/keccakf1600.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[int][25]uint64{}
	k, lanes := -1, []uint64(nil)
	flush := func() {
		if k >= 0 {
			if len(lanes) != 25 {
				t.Fatalf("state %d: %d lanes", k, len(lanes))
			}
			out[k] = [25]uint64(lanes)
		}
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "state "):
			flush()
			var err error
			if k, err = strconv.Atoi(strings.TrimPrefix(line, "state ")); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			lanes = nil
		default:
			for _, w := range strings.Fields(line) {
				v, err := strconv.ParseUint(w, 16, 64)
				if err != nil {
					t.Fatalf("%q: %v", line, err)
				}
				lanes = append(lanes, v)
			}
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 2 {
		t.Fatalf("keccakf1600.txt holds %d states, want 2", len(out))
	}
	return out
}

// TestPermuteKnownAnswers checks both implementations against XKCP's
// intermediate values: F(0) and F(F(0)).
func TestPermuteKnownAnswers(t *testing.T) {
	want := readStates(t)
	for name, f := range map[string]func(*[25]uint64){"permute": permute, "refPermute": refPermute} {
		var a [25]uint64
		for k := 1; k <= len(want); k++ {
			f(&a)
			if a != want[k] {
				t.Errorf("%s: F^%d(0) = %016X, want %016X", name, k, a, want[k])
			}
		}
	}
}

// TestRoundConstants checks the generated table against FIPS 202's LFSR
// as computed above, and the first, second and last constants against their
// published values.
func TestRoundConstants(t *testing.T) {
	if roundConstants != refRC {
		t.Errorf("roundConstants = %#x, want %#x", roundConstants, refRC)
	}
	if refRC[0] != 1 || refRC[1] != 0x8082 || refRC[23] != 0x8000000080008008 {
		t.Errorf("round constants 0, 1, 23 = %#x, %#x, %#x", refRC[0], refRC[1], refRC[23])
	}
}

// TestPermuteVsReference checks the generated permutation against the
// step-by-step one on seeded random states, and on sparse ones (one bit
// set, or one lane all ones).
func TestPermuteVsReference(t *testing.T) {
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	for i := 0; i < 2000; i++ {
		var a [25]uint64
		switch i % 10 {
		case 0:
			a[rng.Intn(25)] = 1 << rng.Intn(64)
		case 1:
			a[rng.Intn(25)] = ^uint64(0)
		default:
			for j := range a {
				a[j] = rng.Uint64()
			}
		}
		in, b := a, a
		permute(&a)
		refPermute(&b)
		if a != b {
			t.Fatalf("state %d %016X: permute and refPermute differ", i, in)
		}
	}
}

// sha3Sum256 is SHA3-256 on the package's permutation: the same sponge as
// sum256 with FIPS 202's padding byte 0x06.
func sha3Sum256(msg []byte) [32]byte { return sponge256(msg, 0x06) }

// TestSHA3KnownAnswers checks the permutation, through a SHA3-256 sponge,
// against the Keccak team's SHA3-256 short-message KATs.
func TestSHA3KnownAnswers(t *testing.T) {
	f, err := os.Open("../testdata/keccak/sha3-256.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		w := strings.Fields(line)
		if len(w) != 3 {
			t.Fatalf("malformed line %q", line)
		}
		size, err := strconv.Atoi(w[0])
		if err != nil {
			t.Fatal(err)
		}
		var msg []byte
		if w[1] != "-" {
			if msg, err = hex.DecodeString(w[1]); err != nil {
				t.Fatal(err)
			}
		}
		if len(msg) != size {
			t.Fatalf("length %d: message of %d bytes", size, len(msg))
		}
		got := sha3Sum256(msg)
		if hex.EncodeToString(got[:]) != w[2] {
			t.Errorf("SHA3-256 of %d bytes = %x, want %s", size, got, w[2])
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("read %d vectors, want ≥ 20", n)
	}
}

// TestSum256VsXCrypto pins the permutation and the sponge: sum256 equals
// x/crypto's legacy Keccak-256 on thousands of seeded random messages, of
// every length up to 3 blocks and random longer ones.
func TestSum256VsXCrypto(t *testing.T) {
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	count := 5000
	if testing.Short() {
		count = 2000
	}
	h := sha3.NewLegacyKeccak256()
	for i := 0; i < count; i++ {
		size := i % (3*rate + 2)
		if i%10 == 9 {
			size = rng.Intn(5000)
		}
		msg := make([]byte, size)
		rng.Read(msg)
		h.Reset()
		h.Write(msg)
		want := h.Sum(nil)
		if got := sum256(msg); !bytes.Equal(got[:], want) {
			t.Fatalf("message %d (%d bytes): got %x, want %x", i, size, got, want)
		}
	}
}

// TestSumPair checks the one-block Merkle compression against sum256 of
// the 64-byte concatenation.
func TestSumPair(t *testing.T) {
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	for i := 0; i < 200; i++ {
		var l, r [32]byte
		rng.Read(l[:])
		rng.Read(r[:])
		if i == 0 {
			l, r = [32]byte{}, [32]byte{}
		}
		if got, want := sumPair(&l, &r), sum256(append(l[:], r[:]...)); got != want {
			t.Fatalf("pair %d: sumPair = %x, sum256(l ‖ r) = %x", i, got, want)
		}
	}
}
