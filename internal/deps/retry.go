package deps

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"time"
)

// dialRetries and dialPause bound how long a probe keeps trying a server it cannot reach: a new
// pod's first connections can be dropped or refused while the cluster's network policy
// controller has not admitted the pod yet (seen with kube-router: the first attempt from a
// fresh pod timed out, one two seconds later went through), and a server may be restarting.
// Only failures to reach the server are retried; a refused login or a TLS error is an answer.
var (
	dialRetries = 15
	dialPause   = 2 * time.Second
)

// retryDial runs f until it succeeds, fails with something other than a failure to reach the
// server, or dialRetries attempts have failed.
func retryDial(ctx context.Context, f func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		if err = f(); err == nil || !unreachable(err) || attempt >= dialRetries {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(dialPause):
		}
	}
}

// unreachable reports whether err says the server could not be reached at all.
func unreachable(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	// Drivers that flatten the error keep its words.
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "i/o timeout") || strings.Contains(msg, "no route to host")
}
