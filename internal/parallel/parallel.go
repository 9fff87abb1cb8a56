// Package parallel splits a batch over goroutines for the CPU
// implementations of the batch front ends.
package parallel

import (
	"runtime"
	"sync"
)

// Execute calls work(start, end) on disjoint ranges that cover [0, n), on
// up to nbTasks goroutines (0 or less: one per CPU, runtime.GOMAXPROCS),
// and returns when all are done. Ranges are at least minChunk long (1 when
// minChunk < 1), so that tiny batches are not split at a loss; a batch
// shorter than that runs on the calling goroutine.
func Execute(n, nbTasks, minChunk int, work func(start, end int)) {
	if n <= 0 {
		return
	}
	if nbTasks <= 0 {
		nbTasks = runtime.GOMAXPROCS(0)
	}
	if minChunk < 1 {
		minChunk = 1
	}
	if max := (n + minChunk - 1) / minChunk; nbTasks > max {
		nbTasks = max
	}
	if nbTasks <= 1 {
		work(0, n)
		return
	}
	var wg sync.WaitGroup
	per, extra := n/nbTasks, n%nbTasks
	start := 0
	for i := 0; i < nbTasks; i++ {
		end := start + per
		if i < extra {
			end++
		}
		wg.Add(1)
		go func(s, e int) {
			defer wg.Done()
			work(s, e)
		}(start, end)
		start = end
	}
	wg.Wait()
}
