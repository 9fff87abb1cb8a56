package parallel

import (
	"sync/atomic"
	"testing"
)

func TestExecuteCoversEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 100, 1023} {
		for _, tasks := range []int{0, 1, 2, 3, 64} {
			for _, chunk := range []int{0, 1, 16} {
				hits := make([]atomic.Int32, n)
				Execute(n, tasks, chunk, func(s, e int) {
					for i := s; i < e; i++ {
						hits[i].Add(1)
					}
				})
				for i := range hits {
					if h := hits[i].Load(); h != 1 {
						t.Fatalf("n=%d tasks=%d chunk=%d: index %d visited %d times", n, tasks, chunk, i, h)
					}
				}
			}
		}
	}
}

func TestExecuteRespectsMinChunk(t *testing.T) {
	var calls atomic.Int32
	Execute(10, 8, 16, func(s, e int) { calls.Add(1) })
	if c := calls.Load(); c != 1 {
		t.Errorf("a batch of 10 with minChunk 16 ran in %d pieces; want 1", c)
	}
}
