package ptxsim

import "fmt"

// Data races (Launch.Races). Two accesses of one launch to a 4-byte word
// of global or shared memory race when they come from different threads,
// at least one writes, neither is atomic, and no barrier orders them:
// threads of one block are ordered by a bar.sync between the accesses,
// threads of different blocks not at all. (Warp-level synchronisation,
// __syncwarp and the like, is not counted as ordering: the kernels this
// package serves do not rely on it.) Each access is checked against the
// last write and the reads since, kept per word.

// who is an access's thread and the block's barrier epoch at the time.
type who struct {
	thread int // in the grid; −1: none
	block  int
	epoch  int
}

// before reports whether access a is ordered before an access by o.
func (a who) before(o who) bool {
	return a.thread == o.thread || a.block == o.block && a.epoch < o.epoch
}

// Readers since the last write: none, one, several of one block's epoch,
// or several that no later write can follow in order.
const (
	readNone = iota
	readOne
	readEpoch
	readAny
)

type wordState struct {
	w     who // the last write (thread −1: none)
	rkind int
	r     who // readOne: the reader; readEpoch: the block and epoch
}

// raceMap tracks one address space's words.
type raceMap map[uint64]*wordState

// access checks and records an access of n bytes at addr by a in space.
func (m raceMap) access(space string, addr uint64, n int, write bool, a who) error {
	for word := addr / 4; word <= (addr+uint64(n)-1)/4; word++ {
		s := m[word]
		if s == nil {
			s = &wordState{w: who{thread: -1}}
			m[word] = s
		}
		if s.w.thread >= 0 && !s.w.before(a) {
			return raceError(space, word*4, write, a, "wrote", s.w)
		}
		if write {
			switch s.rkind {
			case readOne:
				if !s.r.before(a) {
					return raceError(space, word*4, write, a, "read", s.r)
				}
			case readEpoch:
				if !(s.r.block == a.block && s.r.epoch < a.epoch) {
					return raceError(space, word*4, write, a, "read (with others)", s.r)
				}
			case readAny:
				return raceError(space, word*4, write, a, "read (with others, in other blocks)", who{thread: -1})
			}
			s.w, s.rkind = a, readNone
			continue
		}
		switch s.rkind {
		case readNone:
			s.rkind, s.r = readOne, a
		case readOne:
			switch {
			case s.r.before(a):
				s.r = a
			case s.r.block == a.block && s.r.epoch == a.epoch:
				s.rkind = readEpoch
			default:
				s.rkind = readAny
			}
		case readEpoch:
			switch {
			case s.r.block == a.block && s.r.epoch < a.epoch:
				s.rkind, s.r = readOne, a
			case s.r.block == a.block && s.r.epoch == a.epoch:
			default:
				s.rkind = readAny
			}
		}
	}
	return nil
}

func raceError(space string, addr uint64, write bool, a who, did string, o who) error {
	verb := "reads"
	if write {
		verb = "writes"
	}
	other := "other threads"
	if o.thread >= 0 {
		other = fmt.Sprintf("thread %d (block %d)", o.thread, o.block)
	}
	return fmt.Errorf("data race: thread %d (block %d) %s %s memory at %#x, which %s %s with no barrier between", a.thread, a.block, verb, space, addr, other, did)
}
