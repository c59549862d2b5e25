package sleep

import (
	"strings"
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustSchedule(t *testing.T, zone string, windows ...WindowSpec) *Schedule {
	t.Helper()
	s, err := ParseSchedule(zone, windows)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var officeHours = WindowSpec{Days: "Mon-Fri", From: "08:00", To: "19:00"}

// Expected instants are written in UTC, worked out by hand from each zone's offsets, so that
// the test does not share the code's arithmetic.
func TestScheduleAwakeAndNext(t *testing.T) {
	tests := []struct {
		name      string
		zone      string
		windows   []WindowSpec
		at        string
		awake     bool
		next      string // "" when the schedule never changes
		awakeThen bool
	}{
		// Berlin in summer is UTC+2.
		{"office hours, midday", "Europe/Berlin", []WindowSpec{officeHours}, "2026-06-10T10:00:00Z", true, "2026-06-10T17:00:00Z", false},
		{"office hours, evening", "Europe/Berlin", []WindowSpec{officeHours}, "2026-06-10T18:00:00Z", false, "2026-06-11T06:00:00Z", true},
		{"the window opens at its first instant", "Europe/Berlin", []WindowSpec{officeHours}, "2026-06-10T06:00:00Z", true, "2026-06-10T17:00:00Z", false},
		{"and is closed at its last", "Europe/Berlin", []WindowSpec{officeHours}, "2026-06-10T17:00:00Z", false, "2026-06-11T06:00:00Z", true},
		{"friday night sleeps until monday", "Europe/Berlin", []WindowSpec{officeHours}, "2026-06-12T17:30:00Z", false, "2026-06-15T06:00:00Z", true},
		{"saturday", "Europe/Berlin", []WindowSpec{officeHours}, "2026-06-13T10:00:00Z", false, "2026-06-15T06:00:00Z", true},
		// The weekend of 2026-03-29 moves Berlin from UTC+1 to UTC+2: Friday ends at 18:00 UTC,
		// Monday starts at 06:00 UTC.
		{"friday before spring forward", "Europe/Berlin", []WindowSpec{officeHours}, "2026-03-27T17:59:00Z", true, "2026-03-27T18:00:00Z", false},
		{"monday after spring forward", "Europe/Berlin", []WindowSpec{officeHours}, "2026-03-27T19:00:00Z", false, "2026-03-30T06:00:00Z", true},
		// And back on 2026-10-25: Friday ends at 17:00 UTC, Monday starts at 07:00 UTC.
		{"monday after fall back", "Europe/Berlin", []WindowSpec{officeHours}, "2026-10-23T17:00:00Z", false, "2026-10-26T07:00:00Z", true},
		// A window starting at a time the clocks skip (02:30 on 2026-03-29) opens when they
		// jump, 03:00 CEST = 01:00 UTC; it ends at 04:00 CEST.
		{"skipped start, before", "Europe/Berlin", []WindowSpec{{Days: "Sun", From: "02:30", To: "04:00"}}, "2026-03-29T00:59:59Z", false, "2026-03-29T01:00:00Z", true},
		{"skipped start, at the jump", "Europe/Berlin", []WindowSpec{{Days: "Sun", From: "02:30", To: "04:00"}}, "2026-03-29T01:00:00Z", true, "2026-03-29T02:00:00Z", false},
		// A window starting at a time the clocks show twice (02:30 on 2026-10-25) opens at the
		// first: 02:30 CEST = 00:30 UTC; it ends at 05:00 CET = 04:00 UTC.
		{"repeated start, before the first", "Europe/Berlin", []WindowSpec{{Days: "Sun", From: "02:30", To: "05:00"}}, "2026-10-25T00:29:00Z", false, "2026-10-25T00:30:00Z", true},
		{"repeated start, between the two", "Europe/Berlin", []WindowSpec{{Days: "Sun", From: "02:30", To: "05:00"}}, "2026-10-25T01:10:00Z", true, "2026-10-25T04:00:00Z", false},
		// Lord Howe moves by 30 minutes: 01:45 on 2026-04-05 is first shown at UTC+11, 14:45 UTC
		// on the 4th; the window ends at 03:00 UTC+10:30 = 16:30 UTC.
		{"half-hour shift", "Australia/Lord_Howe", []WindowSpec{{Days: "Sun", From: "01:45", To: "03:00"}}, "2026-04-04T14:00:00Z", false, "2026-04-04T14:45:00Z", true},
		{"half-hour shift, open", "Australia/Lord_Howe", []WindowSpec{{Days: "Sun", From: "01:45", To: "03:00"}}, "2026-04-04T15:10:00Z", true, "2026-04-04T16:30:00Z", false},
		// New York moves on 2026-03-08: Friday 19:00 EST = 00:00 UTC, Monday 08:00 EDT = 12:00 UTC.
		{"new york over its spring forward", "America/New_York", []WindowSpec{officeHours}, "2026-03-07T01:00:00Z", false, "2026-03-09T12:00:00Z", true},
		// Across midnight: a night shift starting Mon-Fri at 22:00 and ending at 06:00 the next day.
		{"night shift, friday night", "UTC", []WindowSpec{{Days: "Mon-Fri", From: "22:00", To: "06:00"}}, "2026-06-12T23:00:00Z", true, "2026-06-13T06:00:00Z", false},
		{"night shift, saturday morning", "UTC", []WindowSpec{{Days: "Mon-Fri", From: "22:00", To: "06:00"}}, "2026-06-13T05:59:59Z", true, "2026-06-13T06:00:00Z", false},
		{"night shift, saturday night does not start", "UTC", []WindowSpec{{Days: "Mon-Fri", From: "22:00", To: "06:00"}}, "2026-06-13T22:30:00Z", false, "2026-06-15T22:00:00Z", true},
		{"night shift, monday early is sunday's (none)", "UTC", []WindowSpec{{Days: "Mon-Fri", From: "22:00", To: "06:00"}}, "2026-06-15T01:00:00Z", false, "2026-06-15T22:00:00Z", true},
		// Adjacent windows are one stretch: no change at Saturday's midnight.
		{"weekend, adjacent days", "UTC", []WindowSpec{{Days: "Sat", From: "00:00", To: "24:00"}, {Days: "Sun", From: "00:00", To: "24:00"}}, "2026-06-13T10:00:00Z", true, "2026-06-15T00:00:00Z", false},
		{"a range across the week's end", "UTC", []WindowSpec{{Days: "Fri-Mon", From: "00:00", To: "24:00"}}, "2026-06-16T10:00:00Z", false, "2026-06-19T00:00:00Z", true},
		{"always awake never changes", "UTC", []WindowSpec{{Days: "Mon-Sun", From: "00:00", To: "24:00"}}, "2026-06-16T10:00:00Z", true, "", true},
		{"empty zone is UTC", "", []WindowSpec{officeHours}, "2026-06-10T18:59:00Z", true, "2026-06-10T19:00:00Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSchedule(t, tt.zone, tt.windows...)
			at := utc(tt.at)
			if got := s.Awake(at); got != tt.awake {
				t.Errorf("Awake(%s) = %v, want %v", tt.at, got, tt.awake)
			}
			next, awakeThen := s.Next(at)
			want := time.Time{}
			if tt.next != "" {
				want = utc(tt.next)
			}
			if !next.Equal(want) {
				t.Errorf("Next(%s) = %s, want %s", tt.at, next.UTC().Format(time.RFC3339), tt.next)
			}
			if tt.next != "" && awakeThen != tt.awakeThen {
				t.Errorf("Next(%s) awake then = %v, want %v", tt.at, awakeThen, tt.awakeThen)
			}
		})
	}
}

// Walking a year minute by minute is too slow; hour by hour, every change Next announces must
// be one Awake sees, and nothing may change before it.
func TestNextAgreesWithAwakeAcrossAYear(t *testing.T) {
	for _, zone := range []string{"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"} {
		s := mustSchedule(t, zone, officeHours, WindowSpec{Days: "Sat", From: "22:00", To: "02:30"})
		at := utc("2026-01-01T00:00:00Z")
		for at.Before(utc("2027-01-01T00:00:00Z")) {
			next, awakeThen := s.Next(at)
			if next.IsZero() {
				t.Fatalf("%s: no change after %s", zone, at)
			}
			if s.Awake(next) != awakeThen || s.Awake(next.Add(-time.Second)) == awakeThen {
				t.Fatalf("%s: Next(%s) = %s (awake %v), but Awake does not change there", zone, at, next, awakeThen)
			}
			for probe := at.Add(15 * time.Minute); probe.Before(next); probe = probe.Add(15 * time.Minute) {
				if s.Awake(probe) != s.Awake(at) {
					t.Fatalf("%s: Awake changes at %s, before Next(%s) = %s", zone, probe, at, next)
				}
			}
			at = next
		}
	}
}

func TestParseDays(t *testing.T) {
	tests := map[string]string{ // days -> the weekdays it means, Sunday first
		"Mon-Fri":     "0111110",
		"Sat,Sun":     "1000001",
		"Mon,Wed-Fri": "0101110",
		"Fri-Mon":     "1100011",
		"Sun":         "1000000",
		"Mon-Sun":     "1111111",
	}
	for in, want := range tests {
		days, err := ParseDays(in)
		if err != nil {
			t.Errorf("ParseDays(%q): %v", in, err)
			continue
		}
		got := ""
		for _, d := range days {
			got += map[bool]string{true: "1", false: "0"}[d]
		}
		if got != want {
			t.Errorf("ParseDays(%q) = %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{"", "mon", "Mon-", "Mon--Fri", "Funday", "Mon,,Tue", "Mon Tue", strings.Repeat("Mon,", 20) + "Mon"} {
		if _, err := ParseDays(bad); err == nil {
			t.Errorf("ParseDays(%q) accepted", bad)
		}
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]int{"00:00": 0, "08:00": 480, "19:30": 1170, "23:59": 1439} {
		if got, err := ParseClock(in, false); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if got, err := ParseClock("24:00", true); err != nil || got != 1440 {
		t.Errorf(`ParseClock("24:00", end) = %d, %v`, got, err)
	}
	for _, bad := range []string{"24:00", "8:00", "08:0", "23:60", "-1:00", "08:00:00", "", "ab:cd", "+1:00"} {
		if _, err := ParseClock(bad, false); err == nil {
			t.Errorf("ParseClock(%q) accepted", bad)
		}
	}
}

func TestParseScheduleRefuses(t *testing.T) {
	tests := []struct {
		zone    string
		windows []WindowSpec
		want    string
	}{
		{"Mars/Olympus", []WindowSpec{officeHours}, "not an IANA time zone"},
		{"UTC", nil, "between 1 and 14"},
		{"UTC", []WindowSpec{{Days: "Mon", From: "08:00", To: "08:00"}}, "empty window"},
		{"UTC", []WindowSpec{officeHours, {Days: "Mon", From: "24:00", To: "08:00"}}, "awake[1]"},
	}
	for _, tt := range tests {
		if _, err := ParseSchedule(tt.zone, tt.windows); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSchedule(%q, %v) = %v, want an error with %q", tt.zone, tt.windows, err, tt.want)
		}
	}
}

func FuzzParseSchedule(f *testing.F) {
	f.Add("Europe/Berlin", "Mon-Fri", "08:00", "19:00")
	f.Add("", "Fri-Mon", "22:00", "06:00")
	f.Add("Australia/Lord_Howe", "Sun", "01:45", "24:00")
	f.Fuzz(func(t *testing.T, zone, days, from, to string) {
		s, err := ParseSchedule(zone, []WindowSpec{{Days: days, From: from, To: to}})
		if err != nil {
			return
		}
		at := utc("2026-10-25T00:00:00Z")
		next, awakeThen := s.Next(at)
		if !next.IsZero() && (s.Awake(next) != awakeThen || !next.After(at)) {
			t.Fatalf("Next(%s) = %s awake %v disagrees with Awake", at, next, awakeThen)
		}
	})
}
