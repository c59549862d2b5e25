// Package sleep decides when a MirrorEnvironment sleeps and wakes: office-hours schedules in a
// time zone (wall-clock windows, across midnight and daylight-saving changes), the idle rule,
// and the by-hand override that `kubectl mirror sleep` and `wake` set. It is pure: the
// controller and the kubectl plugin call it with the time and what was measured.
package sleep

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	// The operator's image has no zoneinfo of its own: the IANA database is compiled in, so
	// that a schedule's time zone means the same everywhere the operator runs.
	_ "time/tzdata"
)

// Window is one awake window: it starts on each of Days at From (wall clock in the schedule's
// zone) and ends at To the same day, or the next day when To is not after From.
type Window struct {
	// Days are the weekdays a window starts on.
	Days [7]bool
	// From and To are minutes after midnight; To is in (0, 1440].
	From, To int
}

// Schedule is a parsed spec.sleep.schedule: the environment is awake inside any of its
// windows and asleep outside all of them.
type Schedule struct {
	Location *time.Location
	Windows  []Window
}

var weekdays = map[string]time.Weekday{
	"Sun": time.Sunday, "Mon": time.Monday, "Tue": time.Tuesday, "Wed": time.Wednesday,
	"Thu": time.Thursday, "Fri": time.Friday, "Sat": time.Saturday,
}

// maxDaysLen bounds what ParseDays reads (the API's limit).
const maxDaysLen = 64

// ParseDays reads "Mon-Fri", "Sat,Sun", "Mon,Wed-Fri" or a range across the week's end
// ("Fri-Mon": Friday to Monday).
func ParseDays(s string) ([7]bool, error) {
	var days [7]bool
	if s == "" || len(s) > maxDaysLen {
		return days, fmt.Errorf("days %.64q: write weekdays such as Mon-Fri or Sat,Sun", s)
	}
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok := weekdays[from]
		b, okTo := weekdays[to]
		if !ok || (isRange && !okTo) {
			return days, fmt.Errorf("days %q: %q is not a weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun) or a range of them such as Mon-Fri", s, part)
		}
		if !isRange {
			b = a
		}
		for d := a; ; d = (d + 1) % 7 {
			days[d] = true
			if d == b {
				break
			}
		}
	}
	return days, nil
}

// ParseClock reads "HH:MM" as minutes after midnight; "24:00" (the end of a day) only when
// endOfDay.
func ParseClock(s string, endOfDay bool) (int, error) {
	if endOfDay && s == "24:00" {
		return 24 * 60, nil
	}
	h, m, ok := strings.Cut(s, ":")
	hours, errH := strconv.Atoi(h)
	minutes, errM := strconv.Atoi(m)
	digits := strings.Trim(h+m, "0123456789") == ""
	if !ok || !digits || len(h) != 2 || len(m) != 2 || errH != nil || errM != nil || hours > 23 || minutes > 59 {
		return 0, fmt.Errorf("%.16q is not a time of day such as 08:00 or 19:30", s)
	}
	return hours*60 + minutes, nil
}

// WindowSpec is a window as the API writes it.
type WindowSpec struct{ Days, From, To string }

// maxWindows bounds a schedule (the API's limit).
const maxWindows = 14

// ParseSchedule reads a time zone (IANA name; empty: UTC) and awake windows.
func ParseSchedule(zone string, windows []WindowSpec) (*Schedule, error) {
	if len(windows) == 0 || len(windows) > maxWindows {
		return nil, fmt.Errorf("a schedule has between 1 and %d awake windows, not %d", maxWindows, len(windows))
	}
	loc := time.UTC
	if zone != "" {
		var err error
		if len(zone) > 64 {
			return nil, fmt.Errorf("time zone %.64q… is longer than 64 characters", zone)
		}
		if loc, err = time.LoadLocation(zone); err != nil {
			return nil, fmt.Errorf("time zone %q is not an IANA time zone such as Europe/Berlin or America/New_York", zone)
		}
	}
	s := &Schedule{Location: loc}
	var errs []error
	for i, w := range windows {
		days, err := ParseDays(w.Days)
		from, errFrom := ParseClock(w.From, false)
		to, errTo := ParseClock(w.To, true)
		if err = errors.Join(err, errFrom, errTo); err != nil {
			errs = append(errs, fmt.Errorf("awake[%d]: %w", i, err))
			continue
		}
		if from == to {
			errs = append(errs, fmt.Errorf("awake[%d]: from and to are both %s, an empty window (a whole day is 00:00 to 24:00)", i, w.From))
			continue
		}
		s.Windows = append(s.Windows, Window{Days: days, From: from, To: to})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// wallTime is the instant the clocks of loc show minute m (0..1440) of the given day. A time
// the clocks skip (spring forward) is the instant they jump past it; a time they show twice
// (fall back) is the first of the two.
func wallTime(y int, mo time.Month, d, m int, loc *time.Location) time.Time {
	t := time.Date(y, mo, d, m/60, m%60, 0, 0, loc)
	day := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	// clock is the minute c's clocks show, counted from midnight of the given day.
	clock := func(c time.Time) int {
		c = c.In(loc)
		date := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, time.UTC)
		return int(date.Sub(day)/time.Minute) + c.Hour()*60 + c.Minute()
	}
	if clock(t) != m {
		// Skipped: the clocks jumped over m at a boundary of the zone in effect at t.
		start, end := t.ZoneBounds()
		for _, j := range []time.Time{start, end} {
			if !j.IsZero() && clock(j.Add(-time.Second)) < m && clock(j) >= m {
				return j
			}
		}
		return t
	}
	// Shown twice: the earlier instant, whatever time.Date chose. DST shifts are 30 min to 2 h.
	earliest := t
	for _, back := range []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
		if c := t.Add(-back); clock(c) == m && c.Before(earliest) {
			earliest = c
		}
	}
	return earliest
}

// interval is one occurrence of a window, [start, end).
type interval struct{ start, end time.Time }

// occurrences lists the windows' occurrences that start on the days from first to last
// (local calendar days of the schedule's zone).
func (s *Schedule) occurrences(first time.Time, days int) []interval {
	var out []interval
	for i := 0; i < days; i++ {
		day := first.AddDate(0, 0, i)
		y, mo, d := day.Date()
		for _, w := range s.Windows {
			if !w.Days[day.Weekday()] {
				continue
			}
			endMinute := w.To
			if w.To <= w.From {
				endMinute += 24 * 60 // ends the next day
			}
			out = append(out, interval{start: wallTime(y, mo, d, w.From, s.Location), end: wallTime(y, mo, d, endMinute, s.Location)})
		}
	}
	return out
}

// localDay is midnight (as a calendar date, in UTC) of t's day in loc, offset by days.
func localDay(t time.Time, loc *time.Location, days int) time.Time {
	y, mo, d := t.In(loc).Date()
	return time.Date(y, mo, d+days, 0, 0, 0, 0, time.UTC)
}

// Awake reports whether the schedule has the environment awake at t.
func (s *Schedule) Awake(t time.Time) bool {
	// A window that starts the day before may still be open.
	for _, iv := range s.occurrences(localDay(t, s.Location, -1), 2) {
		if !t.Before(iv.start) && t.Before(iv.end) {
			return true
		}
	}
	return false
}

// horizon is how far ahead Next looks: every weekly schedule changes within eight days.
const horizon = 9

// Next is the first instant after t at which the schedule changes its mind (awake to asleep
// or back), and whether the environment is awake from then on; zero when it never changes
// (windows that cover the whole week).
func (s *Schedule) Next(t time.Time) (time.Time, bool) {
	now := s.Awake(t)
	var edges []time.Time
	for _, iv := range s.occurrences(localDay(t, s.Location, -1), horizon) {
		edges = append(edges, iv.start, iv.end)
	}
	slices.SortFunc(edges, func(a, b time.Time) int { return a.Compare(b) })
	for _, e := range edges {
		if e.After(t) && s.Awake(e) != now {
			return e, !now
		}
	}
	return time.Time{}, now
}
