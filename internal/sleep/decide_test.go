package sleep

import (
	"strings"
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	berlin := func() *Schedule { return mustSchedule(t, "Europe/Berlin", officeHours) }
	// Wednesday 2026-06-10, 12:00 in Berlin (10:00 UTC), inside office hours.
	noon := utc("2026-06-10T10:00:00Z")
	evening := utc("2026-06-10T18:00:00Z")
	tests := []struct {
		name    string
		in      Input
		asleep  bool
		reason  string
		recheck string // "" for none
		change  string // "" for none
		message string // a part of the message
	}{
		{name: "no rules: awake, nothing to wait for",
			in: Input{Now: noon}, reason: ReasonAwake, message: "awake"},
		{name: "schedule, inside the window",
			in: Input{Now: noon, Schedule: berlin()}, reason: ReasonAwake,
			recheck: "2026-06-10T17:00:00Z", change: "2026-06-10T17:00:00Z", message: "sleep Wed 19:00 CEST"},
		{name: "schedule, outside",
			in: Input{Now: evening, Schedule: berlin()}, asleep: true, reason: ReasonSchedule,
			recheck: "2026-06-11T06:00:00Z", change: "2026-06-11T06:00:00Z", message: "wakes Thu 08:00 CEST"},
		{name: "asleep by hand, until woken, whatever the schedule says",
			in: Input{Now: noon, Schedule: berlin(), Override: &Override{Asleep: true}}, asleep: true, reason: ReasonByHand,
			message: "until woken"},
		{name: "awake by hand for a while in the evening, then the schedule",
			in: Input{Now: evening, Schedule: berlin(), Override: &Override{Until: utc("2026-06-10T20:00:00Z")}}, reason: ReasonByHand,
			recheck: "2026-06-10T20:00:00Z", change: "2026-06-10T20:00:00Z", message: "until Wed 22:00 CEST"},
		{name: "asleep by hand until the morning: the schedule agrees then, so the change is its",
			in: Input{Now: evening, Schedule: berlin(), Override: &Override{Asleep: true, Until: utc("2026-06-10T20:00:00Z")}}, asleep: true, reason: ReasonByHand,
			recheck: "2026-06-10T20:00:00Z", change: "2026-06-11T06:00:00Z"},
		{name: "an override that ended is ignored",
			in: Input{Now: evening, Schedule: berlin(), Override: &Override{Until: utc("2026-06-10T17:30:00Z")}}, asleep: true, reason: ReasonSchedule,
			recheck: "2026-06-11T06:00:00Z", change: "2026-06-11T06:00:00Z"},
		{name: "idle rule, active recently: recheck when it would be idle",
			in:     Input{Now: noon, Idle: Idle{After: 2 * time.Hour, Measured: true, LastActivity: noon.Add(-30 * time.Minute)}},
			reason: ReasonAwake, recheck: "2026-06-10T11:30:00Z", message: "sleeps when idle for 2h0m0s"},
		{name: "idle rule, idle long enough",
			in:     Input{Now: noon, Idle: Idle{After: 2 * time.Hour, Measured: true, LastActivity: noon.Add(-2 * time.Hour)}},
			asleep: true, reason: ReasonIdle, message: "no activity for 2h0m0s"},
		{name: "idle rule that cannot be measured never sleeps on a guess",
			in:     Input{Now: noon, Idle: Idle{After: 2 * time.Hour, Why: "the copy has no Ingress", LastActivity: noon.Add(-48 * time.Hour)}},
			reason: ReasonIdleNotMeasured, message: "the copy has no Ingress"},
		{name: "waking on schedule restarts the idle clock",
			// 08:30 in Berlin; the last activity was the evening before.
			in:     Input{Now: utc("2026-06-11T06:30:00Z"), Schedule: berlin(), Idle: Idle{After: 2 * time.Hour, Measured: true, LastActivity: evening}},
			reason: ReasonAwake, recheck: "2026-06-11T08:00:00Z", change: "2026-06-11T17:00:00Z"},
		{name: "the schedule's sleep comes before idleness",
			in:     Input{Now: utc("2026-06-10T16:30:00Z"), Schedule: berlin(), Idle: Idle{After: 2 * time.Hour, Measured: true, LastActivity: utc("2026-06-10T16:00:00Z")}},
			reason: ReasonAwake, recheck: "2026-06-10T17:00:00Z", change: "2026-06-10T17:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.in)
			if d.Asleep != tt.asleep || d.Reason != tt.reason {
				t.Errorf("asleep %v (%s), want %v (%s): %s", d.Asleep, d.Reason, tt.asleep, tt.reason, d.Message)
			}
			check := func(what string, got time.Time, want string) {
				if (want == "" && !got.IsZero()) || (want != "" && !got.Equal(utc(want))) {
					t.Errorf("%s = %s, want %q", what, got.UTC().Format(time.RFC3339), want)
				}
			}
			check("recheck", d.Recheck, tt.recheck)
			check("change", d.Change, tt.change)
			if !strings.Contains(d.Message, tt.message) {
				t.Errorf("message %q does not say %q", d.Message, tt.message)
			}
		})
	}
}

func TestWhen(t *testing.T) {
	now := utc("2026-06-10T10:00:00Z")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for at, want := range map[string]string{
		"2026-06-12T06:00:00Z": "Fri 08:00 CEST",
		"2026-06-30T06:00:00Z": "2026-06-30 08:00 CEST",
	} {
		if got := When(utc(at), now, berlin); got != want {
			t.Errorf("When(%s) = %q, want %q", at, got, want)
		}
	}
	if got := When(time.Time{}, now, berlin); got != "never" {
		t.Errorf("When(zero) = %q", got)
	}
}
