package main

import (
	"testing"
	"time"
)

func TestBusiestSecond(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	tests := []struct {
		name     string
		events   []float64 // seconds after t0, one event each
		from, to float64
		want     int
		wantAt   float64
	}{
		{"empty window", nil, 0, 10, 0, -1},
		{"one busy second", []float64{0.1, 1.2, 1.5, 1.9, 2.0, 5.5}, 0, 10, 3, 1},
		{"events outside the window", []float64{0.1, 0.2, 0.3, 20, 20.1}, 1, 10, 0, -1},
		// the window starts mid-second: that second is cut, and left out.
		{"a cut second is left out", []float64{3.6, 3.7, 3.8, 4.2}, 3.5, 10, 1, 4},
		// ...as is the second the window ends in.
		{"the end's second is left out", []float64{9.1, 9.2, 2.5}, 0, 9.5, 1, 2},
		{"a tie goes to the earlier second", []float64{2.1, 2.2, 7.1, 7.2}, 0, 10, 2, 2},
	}
	for _, tt := range tests {
		p := newPerSecond()
		for _, e := range tt.events {
			p.add(at(e), "get pods")
		}
		got, gotAt := p.busiest(at(tt.from), at(tt.to))
		if got != tt.want || (tt.wantAt >= 0 && !gotAt.Equal(at(tt.wantAt))) || (tt.wantAt < 0 && !gotAt.IsZero()) {
			t.Errorf("%s: busiest = %d at %v, want %d at %v", tt.name, got, gotAt.Sub(t0), tt.want, tt.wantAt)
		}
	}
}

func TestPerSecondTotal(t *testing.T) {
	t0 := time.Unix(1000, 0)
	p := newPerSecond()
	add := func(at time.Duration, n int) {
		for i := 0; i < n; i++ {
			p.add(t0.Add(at), "list pods")
		}
	}
	add(500*time.Millisecond, 4) // cut by from: left out
	add(1*time.Second, 2)
	add(3900*time.Millisecond, 3)
	add(10*time.Second, 5) // at to: left out
	events, secs := p.total(t0.Add(200*time.Millisecond), t0.Add(10*time.Second))
	if events != 5 || secs != 9 {
		t.Errorf("total = %d events in %d s, want 5 in 9", events, secs)
	}
	if events, secs := p.total(t0.Add(200*time.Millisecond), t0.Add(800*time.Millisecond)); events != 0 || secs != 0 {
		t.Errorf("total of a window within one second = %d in %d s, want 0 in 0", events, secs)
	}
	p.add(t0.Add(3100*time.Millisecond), "watch secrets")
	if got := p.in(t0.Add(3 * time.Second)); len(got) != 2 || got["list pods"] != 3 || got["watch secrets"] != 1 {
		t.Errorf("in(3 s) = %v, want 3 list pods and 1 watch secrets", got)
	}
}

func TestPoissonBound(t *testing.T) {
	tests := []struct {
		name string
		rate float64
		secs int64
		want int
	}{
		{"nothing expected", 0, 240, 0},
		// 1,000 environments resyncing every 2 minutes: 8.3 per second on average; over four
		// minutes a second with more than 24 happens with probability < 0.1%.
		{"1,000 environments, 2m", 1000.0 / 120, 240, 24},
		// 100 environments: 0.83 per second.
		{"100 environments, 2m", 100.0 / 120, 240, 7},
		// a large rate does not underflow e^-rate.
		{"large rate", 500, 60, 595},
	}
	for _, tt := range tests {
		if got := poissonBound(tt.rate, tt.secs, 0.001); got != tt.want {
			t.Errorf("%s: poissonBound(%v, %d) = %d, want %d", tt.name, tt.rate, tt.secs, got, tt.want)
		}
	}
}
