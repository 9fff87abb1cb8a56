package ptxsim

import (
	"strings"
	"testing"
)

// TestRaces checks Launch.Races: the neighbour exchange through shared
// memory races without its barrier and not with it, for every seed; two
// blocks that write one global word race, and so do two threads of a
// block that write and read a word with no barrier between (but not with
// one, or where the thread is the same); atomics on one word do not race.
func TestRaces(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		if _, _, err := launch(t, neighbour("bar.sync 0;"), Launch{Block: 96, Seed: seed, Races: true}, make([]byte, 4*96)); err != nil {
			t.Errorf("seed %d: with bar.sync: %v", seed, err)
		}
		_, _, err := launch(t, neighbour(""), Launch{Block: 96, Seed: seed, Races: true}, make([]byte, 4*96))
		if err == nil || !strings.Contains(err.Error(), "data race") || !strings.Contains(err.Error(), "shared memory") {
			t.Errorf("seed %d: without bar.sync: %v, want a data race in shared memory", seed, err)
		}
	}
	cases := []struct {
		name  string
		body  string
		grid  int
		block int
		race  bool
	}{
		{"blocks-write-one-word", "st.global.u32 [%a0], %tid;", 2, 1, true},
		{"threads-write-then-read", "setp.eq.u32 %p1, %tid, 0; @%p1 st.global.u32 [%a0], %tid; ld.global.u32 %v, [%a0];", 1, 64, true},
		{"barrier-between", "setp.eq.u32 %p1, %tid, 0; @%p1 st.global.u32 [%a0], %tid; bar.sync 0; ld.global.u32 %v, [%a0];", 1, 64, false},
		{"read-then-write-by-other", "ld.global.u32 %v, [%a0]; bar.sync 0; ld.global.u32 %v, [%a0]; setp.eq.u32 %p1, %tid, 5; @%p1 st.global.u32 [%a0], %tid;", 1, 64, true},
		{"same-thread", "setp.eq.u32 %p1, %tid, 3; @%p1 st.global.u32 [%a0], %tid; @%p1 ld.global.u32 %v, [%a0]; @%p1 st.global.u32 [%a0], %v;", 1, 64, false},
		{"atomics", "atom.global.add.u32 %v, [%a0], 1; red.global.add.u32 [%a0], 2;", 3, 64, false},
		{"neighbouring-words", "mul.wide.u32 %rdo, %tid, 4; add.s64 %rdp, %a0, %rdo; st.global.u32 [%rdp], %tid;", 1, 64, false},
	}
	for _, c := range cases {
		for seed := int64(1); seed <= 3; seed++ {
			_, _, err := launch(t, kernel(1, c.body), Launch{Grid: c.grid, Block: c.block, Seed: seed, Races: true}, make([]byte, 4*64))
			if got := err != nil && strings.Contains(err.Error(), "data race"); got != c.race {
				t.Errorf("%s, seed %d: %v, want a race: %v", c.name, seed, err, c.race)
			}
		}
	}
}
