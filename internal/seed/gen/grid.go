package gen

import "time"

// Grid keeps an ordinal column on the values a CHECK allows: Mod and Rem (x % 5 = 0,
// mod(price, 0.25) = 0: in the ordinal's unit) or the start of a calendar unit (Calendar:
// "week", "month", "quarter" or "year", for d = date_trunc('month', d)); Days says the ordinal
// counts days (a date), not seconds. Values are moved up to the next point of the grid.
type Grid struct {
	Mod, Rem int64
	Calendar string
	Days     bool
}

// Snap moves v up to the grid.
func (g *Grid) Snap(v int64) int64 {
	if g == nil {
		return v
	}
	if g.Mod > 0 {
		if r := ((v-g.Rem)%g.Mod + g.Mod) % g.Mod; r != 0 {
			v += g.Mod - r
		}
	}
	if g.Calendar != "" {
		v = g.ceilCalendar(v)
	}
	return v
}

// Spacing is a distance between values that keeps them on distinct points of the grid once
// snapped: the modulus, or the longest the calendar unit can be.
func (g *Grid) Spacing() int64 {
	if g == nil {
		return 1
	}
	days := map[string]int64{"week": 7, "month": 31, "quarter": 92, "year": 366}[g.Calendar]
	switch {
	case days > 0 && g.Days:
		return max(days, g.Mod)
	case days > 0:
		return max(days*SecondsPerDay, g.Mod)
	}
	return max(g.Mod, 1)
}

// ceilCalendar moves v to the start of its calendar unit, or of the next one.
func (g *Grid) ceilCalendar(v int64) int64 {
	unit := int64(1)
	if g.Days {
		unit = SecondsPerDay
	}
	t := time.Unix(v*unit, 0).UTC()
	start := calendarStart(t, g.Calendar)
	if start.Before(t) {
		start = calendarStart(calendarNext(start, g.Calendar), g.Calendar)
	}
	return start.Unix() / unit
}

func calendarStart(t time.Time, unit string) time.Time {
	y, m, d := t.Date()
	switch unit {
	case "week": // ISO weeks start on Monday
		back := (int(t.Weekday()) + 6) % 7
		return time.Date(y, m, d-back, 0, 0, 0, 0, time.UTC)
	case "month":
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	case "quarter":
		return time.Date(y, m-(m-1)%3, 1, 0, 0, 0, 0, time.UTC)
	case "year":
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return t
}

func calendarNext(start time.Time, unit string) time.Time {
	switch unit {
	case "week":
		return start.AddDate(0, 0, 7)
	case "month":
		return start.AddDate(0, 1, 0)
	case "quarter":
		return start.AddDate(0, 3, 0)
	}
	return start.AddDate(1, 0, 0)
}
