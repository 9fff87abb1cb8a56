package devtest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel/internal/devtest"
)

// TestLeaked: a goroutine of zkaccel's code blocked for good is reported,
// with its stack, and is not once it has ended.
func TestLeaked(t *testing.T) {
	if left := devtest.Leaked(time.Second); len(left) != 0 {
		t.Fatalf("goroutines left before the test: %v", left)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go blockedUntil(stop, done)
	left := devtest.Leaked(100 * time.Millisecond)
	if len(left) != 1 || !strings.Contains(left[0], "blockedUntil") {
		t.Fatalf("a blocked goroutine: Leaked = %q, want its stack", left)
	}
	close(stop)
	<-done
	if left := devtest.Leaked(time.Second); len(left) != 0 {
		t.Fatalf("after the goroutine ended: %v", left)
	}
	// One that ends within the wait is not reported.
	go func() { time.Sleep(50 * time.Millisecond) }()
	if left := devtest.Leaked(2 * time.Second); len(left) != 0 {
		t.Fatalf("a goroutine ending within the wait was reported: %v", left)
	}
}

func blockedUntil(stop <-chan struct{}, done chan<- struct{}) {
	<-stop
	close(done)
}
