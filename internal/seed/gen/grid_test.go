package gen

import (
	"testing"
	"time"
)

func TestGridSnapsUpToItsPoints(t *testing.T) {
	day := func(s string) int64 {
		d, _ := time.Parse("2006-01-02", s)
		return d.Unix() / SecondsPerDay
	}
	for _, tc := range []struct {
		g    Grid
		v    int64
		want int64
	}{
		{Grid{Mod: 5}, 11, 15},
		{Grid{Mod: 5}, -3, 0},
		{Grid{Mod: 15, Rem: 3}, 4, 18},
		{Grid{Mod: 25}, 100, 100},
		{Grid{Calendar: "month", Days: true}, day("2024-02-10"), day("2024-03-01")},
		{Grid{Calendar: "month", Days: true}, day("2024-02-01"), day("2024-02-01")},
		{Grid{Calendar: "quarter", Days: true}, day("2024-05-02"), day("2024-07-01")},
		{Grid{Calendar: "year", Days: true}, day("2023-12-31"), day("2024-01-01")},
		{Grid{Calendar: "week", Days: true}, day("2024-01-03"), day("2024-01-08")}, // a Wednesday to Monday
		{Grid{Calendar: "month"}, day("2024-01-31")*SecondsPerDay + 1, day("2024-02-01") * SecondsPerDay},
	} {
		if got := tc.g.Snap(tc.v); got != tc.want {
			t.Errorf("%+v.Snap(%d) = %d, want %d", tc.g, tc.v, got, tc.want)
		}
	}
}

// Values Spacing apart land on distinct points.
func TestGridSpacingKeepsPointsDistinct(t *testing.T) {
	for _, g := range []Grid{{Mod: 15}, {Calendar: "month", Days: true}, {Calendar: "week", Days: true}, {Calendar: "year"}} {
		seen := map[int64]bool{}
		for i := int64(0); i < 500; i++ {
			p := g.Snap(10_000 + i*g.Spacing())
			if seen[p] {
				t.Fatalf("%+v: point %d twice", g, p)
			}
			seen[p] = true
		}
	}
}
