package main

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// storm is what the window at rest says about resyncs: how many, how they spread, and the
// busiest second against the bound spreading allows.
type storm struct {
	secs     int64
	envs     int
	interval time.Duration
	window   time.Duration
	// reconciles in the window, and how many resyncs the environments owe in it (each one
	// resyncs once per interval).
	reconciles, expected float64
	busiestReconciles    float64
	reconcileBound       int
	// requests in the window's whole seconds: watches (the informers' re-established
	// watches), lists (censuses of prod's kinds: census kinds, each listed once a census, per
	// prod), and the others, the reconciles' own.
	requests, watches, lists, census int
	requestsPerReconcile             float64
	busiestRequests                  int
	busiest                          map[string]int // what the busiest second held
	requestBound                     int
}

// stormOf works out the figures of the stage at rest. The bound on reconciles per second is
// poissonBound of the window's mean rate: resyncs spread by the environments' uids arrive at
// random, and this is the busiest second such a stream stays under but for a 0.1% chance (the
// mean itself does not depend on how resyncs are bunched, only the busiest second does). A
// reconcile's requests go out within its second, so requests are bounded by the reconciles'
// bound times the requests of one (at least 1); plus what does not grow with environments: a
// census of a prod's kinds (one list of each kind at once) and the watches' own random stream.
func stormOf(s *stage, interval time.Duration) storm {
	byVerb := s.traffic.byVerb()
	st := storm{secs: s.requestSeconds, envs: s.envs, interval: interval, reconciles: s.reconciles,
		busiestReconciles: s.samples.busiestReconciles, busiestRequests: s.busiestRequests, busiest: s.busiestDetail,
		requests: s.traffic.total(), watches: byVerb["watch"], lists: byVerb["list"], window: s.end.Sub(s.start)}
	for k := range s.traffic.byVerbResource {
		if strings.HasPrefix(k, "list ") {
			st.census++
		}
	}
	if st.secs <= 0 || interval <= 0 {
		return st
	}
	st.expected = float64(st.envs) * st.window.Seconds() / interval.Seconds()
	secs := float64(st.secs)
	st.reconcileBound = poissonBound(st.reconciles/secs, st.secs, stormP)
	others := float64(st.requests - st.watches - st.lists)
	fixed := poissonBound(float64(st.watches)/secs, st.secs, stormP) + st.census
	if st.reconciles > 0 {
		st.requestsPerReconcile = others / st.reconciles
		st.requestBound = int(math.Ceil(max(st.requestsPerReconcile, 1)*float64(st.reconcileBound))) + fixed
	} else {
		st.requestBound = poissonBound(others/secs, st.secs, stormP) + fixed
	}
	return st
}

// minResyncShare is the share of the resyncs the window owes that must happen in it for the
// figure to say anything: a bound of the mean rate is only as good as the resyncs it saw (none
// at all is no storm, and no evidence either).
const minResyncShare = 0.5

// inconclusive says why the window cannot show that resyncs do not storm ("" when it can):
// shorter than two resync intervals, or with too few of the resyncs its environments owe.
func (st storm) inconclusive() string {
	if st.window < 2*st.interval-time.Second {
		return fmt.Sprintf("the window is %s, shorter than two resync intervals", st.window.Round(time.Second))
	}
	if st.reconciles < minResyncShare*st.expected {
		return fmt.Sprintf("%.0f reconciles for %.0f resyncs owed: the environments did not resync", st.reconciles, st.expected)
	}
	return ""
}

// met reports whether the window is conclusive and neither busiest second exceeds its bound.
func (st storm) met() bool {
	return st.inconclusive() == "" &&
		st.busiestReconciles <= float64(st.reconcileBound) && st.busiestRequests <= st.requestBound
}

// perBucket is the number of reconciles finished in each span of the samples (the first
// sample's time on), from the cumulative counts; a failed reading is skipped.
func perBucket(samples []sample, span time.Duration) []float64 {
	var out []float64
	var start time.Time
	prev := -1.0
	for _, s := range samples {
		if s.reconciles < 0 {
			continue
		}
		if prev < 0 {
			start, prev = s.at, s.reconciles
			continue
		}
		i := int(s.at.Sub(start) / span)
		for len(out) <= i {
			out = append(out, 0)
		}
		out[i] += s.reconciles - prev
		prev = s.reconciles
	}
	return out
}
