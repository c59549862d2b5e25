package deps

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestRetryDial(t *testing.T) {
	defer func(r int, p time.Duration) { dialRetries, dialPause = r, p }(dialRetries, dialPause)
	dialRetries, dialPause = 4, time.Millisecond
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name     string
		errs     []error // what each attempt returns; nil ends it
		attempts int
		ok       bool
	}{
		{"reached at once", []error{nil}, 1, true},
		{"refused, then reached (a fresh pod not yet admitted)", []error{refused, refused, nil}, 3, true},
		{"a wrapped dial error, as pgx gives it", []error{fmt.Errorf("failed to connect: %w", refused), nil}, 2, true},
		{"a flattened timeout, as some drivers give it", []error{errors.New("dial tcp 10.0.0.1:3306: i/o timeout"), nil}, 2, true},
		{"never reached: gives up after dialRetries", []error{refused, refused, refused, refused, refused}, 4, false},
		{"a refused login is an answer, not retried", []error{errors.New("FATAL: password authentication failed"), nil}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			err := retryDial(context.Background(), func() error { n++; return tt.errs[n-1] })
			if n != tt.attempts || (err == nil) != tt.ok {
				t.Errorf("%d attempts, err %v; want %d attempts, ok %v", n, err, tt.attempts, tt.ok)
			}
		})
	}
}

// TestMain keeps the package's tests of unreachable servers fast: they would each wait out the
// whole retry (about 30 s); TestRetryDial checks the retry itself.
func TestMain(m *testing.M) {
	dialRetries, dialPause = 2, 10*time.Millisecond
	os.Exit(m.Run())
}
