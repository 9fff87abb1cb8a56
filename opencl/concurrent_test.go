package opencl_test

import (
	"fmt"
	"math/rand"
	"sync"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/opencl"
)

// TestConcurrent compiles, allocates and launches from many goroutines on
// one runtime, as gpu.Device does (each operation under one mutex), while
// other goroutines list the devices; run it with -race.
func TestConcurrent(t *testing.T) {
	rt := runtime0(t)
	seed := devtest.Seed(t)
	// One source per pair of goroutines, so that compiles of the same
	// source overlap and distinct ones run side by side.
	srcs := make([]string, 4)
	for i := range srcs {
		srcs[i] = vecAdd + fmt.Sprintf("\n// %s %d %d\n", t.Name(), seed, i)
	}
	before := opencl.GetStats(rt)
	var mu sync.Mutex // what gpu.Device holds around each operation
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed + int64(g)))
			for i := 0; i < 4; i++ {
				var p gpu.Program
				var err error
				if i == 0 {
					// The first compile runs outside the mutex: the
					// runtime's own locking must make it safe, and
					// concurrent compiles of one source build it once.
					p, err = rt.Compile(srcs[g%len(srcs)])
				} else {
					mu.Lock()
					p, err = rt.Compile(srcs[g%len(srcs)])
					mu.Unlock()
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				err = checkVecAdd(rt, p, rng, 1+rng.Intn(3000), []int{0, 1, 64, 128}[i])
				mu.Unlock()
				if err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				found := false
				for _, d := range zkaccel.Devices() {
					if d.String() == "opencl:0" {
						found = true
					}
				}
				if !found {
					errs <- fmt.Errorf("zkaccel.Devices() lacks opencl:0")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	after := opencl.GetStats(rt)
	if n := after.Built + after.Loaded - before.Built - before.Loaded; n != int64(len(srcs)) {
		t.Errorf("%d distinct sources gave %d builds or cache loads, want one each", len(srcs), n)
	}
}
