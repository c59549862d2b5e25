package main

import (
	"math"
	"sync"
	"time"
)

// perSecond counts events by the wall-clock second they happened in, and by kind, for the
// busiest second of a window (requests to the API server) and what it held. A second with no
// event counts 0.
type perSecond struct {
	mu     sync.Mutex
	counts map[int64]int
	kinds  map[int64]map[string]int
}

func newPerSecond() *perSecond {
	return &perSecond{counts: map[int64]int{}, kinds: map[int64]map[string]int{}}
}

// add counts one event of a kind ("verb resource") at t.
func (p *perSecond) add(t time.Time, kind string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := t.Unix()
	p.counts[s]++
	if p.kinds[s] == nil {
		p.kinds[s] = map[string]int{}
	}
	p.kinds[s][kind]++
}

// in returns the events of the second that begins at t, by kind.
func (p *perSecond) in(t time.Time) map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.kinds[t.Unix()] {
		out[k] = v
	}
	return out
}

// busiest is the largest count of any whole second in [from, to) and when it began; seconds
// cut by the window's ends are left out, so that a half second never decides the figure.
// With no whole second in the window it is 0.
func (p *perSecond) busiest(from, to time.Time) (int, time.Time) {
	first, last := wholeSeconds(from, to)
	p.mu.Lock()
	defer p.mu.Unlock()
	best, at := 0, time.Time{}
	for s, n := range p.counts {
		if s >= first && s < last && (n > best || n == best && s < at.Unix()) {
			best, at = n, time.Unix(s, 0)
		}
	}
	return best, at
}

// total is the number of events in the whole seconds of [from, to), and how many seconds
// those are.
func (p *perSecond) total(from, to time.Time) (events int, secs int64) {
	first, last := wholeSeconds(from, to)
	p.mu.Lock()
	defer p.mu.Unlock()
	for s, n := range p.counts {
		if s >= first && s < last {
			events += n
		}
	}
	return events, max(last-first, 0)
}

// wholeSeconds is the first whole second at or after from, and the second to stops in (the
// range's end, exclusive).
func wholeSeconds(from, to time.Time) (first, last int64) {
	first = from.Unix()
	if from.Nanosecond() > 0 {
		first++
	}
	return first, to.Unix()
}

// poissonBound is the busiest second that events spread at random over a window should not
// exceed: for a Poisson stream of mean rate per second, the smallest b such that any of the
// window's seconds has more than b events with probability below p (a union bound:
// seconds × P(X > b) <= p). Resyncs spread by each environment's uid arrive as such a stream
// (the uids are random); resyncs in step arrive all in the same few seconds and exceed it by far.
func poissonBound(rate float64, secs int64, p float64) int {
	if rate <= 0 || secs <= 0 {
		return 0
	}
	// P(X > b) = 1 - sum_{k=0..b} e^-rate rate^k / k!; each term from its logarithm, so that
	// a large rate does not underflow e^-rate.
	cdf := 0.0
	for b := 0; ; b++ {
		lg, _ := math.Lgamma(float64(b + 1))
		cdf += math.Exp(-rate + float64(b)*math.Log(rate) - lg)
		if float64(secs)*(1-cdf) <= p || b > 10*int(rate)+1000 {
			return b
		}
	}
}
