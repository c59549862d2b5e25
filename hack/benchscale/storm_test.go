package main

import (
	"testing"
	"time"
)

func TestStormOf(t *testing.T) {
	t0 := time.Unix(5000, 0)
	rest := func(reconciles float64, busiestRec float64, requests map[string]int, busiestReq int) *stage {
		return &stage{envs: 1000, start: t0, end: t0.Add(240 * time.Second), requestSeconds: 240,
			reconciles: reconciles, samples: sampleStats{busiestReconciles: busiestRec},
			traffic: traffic{byVerbResource: requests}, busiestRequests: busiestReq}
	}
	tests := []struct {
		name                    string
		s                       *stage
		wantRecBound, wantReqBd int
		wantExpected            float64
		wantMet                 bool
	}{
		// 2,000 resyncs in 4 minutes: 8.3 a second; spread, the busiest second has ~17. Four
		// watches in 240 s may come two in a second (bound 2).
		{"spread", rest(2000, 17, map[string]int{"watch configmaps": 4}, 17), 24, 24 + 2, 2000, true},
		// the same resyncs in lockstep: hundreds in a second.
		{"lockstep", rest(2000, 400, map[string]int{}, 0), 24, 24, 2000, false},
		// each resync reads prod twice: requests may come 2 per reconcile.
		{"two requests per resync", rest(2000, 15, map[string]int{"get secrets": 4000}, 45), 24, 48, 2000, true},
		{"requests bunched", rest(2000, 15, map[string]int{"get secrets": 4000}, 300), 24, 48, 2000, false},
		// resyncs patch status; a census of prod's two kinds lists each (3 times in the window):
		// a census may come in the same second as the busiest resyncs.
		{"a census", rest(2000, 15, map[string]int{"patch mirrorenvironments/status": 2000, "list jobs": 3, "list limitranges": 3}, 26),
			24, 24 + 2, 2000, true},
		{"more than a census", rest(2000, 15, map[string]int{"patch mirrorenvironments/status": 2000, "list jobs": 3, "list limitranges": 3}, 40),
			24, 24 + 2, 2000, false},
		// nothing at all happens at rest: no storm, and no evidence either.
		{"quiet", rest(0, 0, map[string]int{}, 0), 0, 0, 2000, false},
		// a third of the resyncs owed: the environments did not resync as they should.
		{"too few resyncs", rest(600, 3, map[string]int{}, 0), 12, 12, 2000, false},
	}
	for _, tt := range tests {
		st := stormOf(tt.s, 2*time.Minute)
		if st.reconcileBound != tt.wantRecBound || st.requestBound != tt.wantReqBd || st.expected != tt.wantExpected || st.met() != tt.wantMet {
			t.Errorf("%s: bounds %d reconciles, %d requests; expected %v; met %v; want %d, %d, %v, %v",
				tt.name, st.reconcileBound, st.requestBound, st.expected, st.met(), tt.wantRecBound, tt.wantReqBd, tt.wantExpected, tt.wantMet)
		}
	}
}

func TestStormShortWindowIsNotConclusive(t *testing.T) {
	t0 := time.Unix(5000, 0)
	s := &stage{envs: 100, start: t0, end: t0.Add(90 * time.Second), requestSeconds: 90, reconciles: 75,
		samples: sampleStats{busiestReconciles: 2}, traffic: traffic{byVerbResource: map[string]int{}}}
	st := stormOf(s, 2*time.Minute)
	if st.inconclusive() == "" || st.met() {
		t.Errorf("90 s at rest with a 2m interval: inconclusive %q, met %v; want a reason and not met", st.inconclusive(), st.met())
	}
	s.end, s.requestSeconds, s.reconciles = t0.Add(240*time.Second), 240, 200
	if st := stormOf(s, 2*time.Minute); st.inconclusive() != "" || !st.met() {
		t.Errorf("two intervals, every resync: inconclusive %q, met %v; want conclusive and met", st.inconclusive(), st.met())
	}
}

func TestPerBucket(t *testing.T) {
	t0 := time.Unix(100, 0)
	samples := []sample{
		{at: t0, reconciles: 10},
		{at: t0.Add(4 * time.Second), reconciles: 12},
		{at: t0.Add(9 * time.Second), reconciles: -1}, // a failed scrape
		{at: t0.Add(11 * time.Second), reconciles: 15},
		{at: t0.Add(35 * time.Second), reconciles: 16},
	}
	got := perBucket(samples, 10*time.Second)
	want := []float64{2, 3, 0, 1}
	if len(got) != len(want) {
		t.Fatalf("perBucket = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("perBucket = %v, want %v", got, want)
		}
	}
}
