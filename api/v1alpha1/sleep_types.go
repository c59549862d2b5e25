package v1alpha1

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SleepSpec says when the copy sleeps: its workloads and stand-ins scaled to zero and its
// CronJobs suspended, while its volumes, Secrets, generated credentials and seeded data are
// kept, so that it wakes to exactly the state it slept in, without seeding again. The rules
// apply in order: override (by hand), then schedule, then idleAfter.
//
// +kubebuilder:validation:MinProperties=1
type SleepSpec struct {
	// IdleAfter puts the environment to sleep after this long without activity: no request
	// through the copy's Ingresses (counted by the ingress controller, when the operator is
	// given its metrics: --ingress-metrics-service), no spec change, no `kubectl mirror` command
	// that marks it used (up, wake, open). When idleness cannot be measured (no ingress
	// metrics, a copy without an Ingress), the environment stays awake and its Sleeping
	// condition says why. At least 10m.
	// +optional
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('10m')",message="idleAfter must be at least 10m"
	IdleAfter *Duration `json:"idleAfter,omitempty"`

	// Schedule has the environment awake in its windows (office hours) and asleep outside them.
	// +optional
	Schedule *SleepSchedule `json:"schedule,omitempty"`

	// Override puts the environment to sleep or wakes it by hand, over the schedule and the
	// idle rule, until a time (or until changed). `kubectl mirror sleep` and `kubectl mirror
	// wake` set it.
	// +optional
	Override *SleepOverride `json:"override,omitempty"`
}

// SleepSchedule is when the environment is awake, as wall-clock windows in a time zone.
type SleepSchedule struct {
	// TimeZone is an IANA time zone name, e.g. Europe/Berlin or America/New_York; windows
	// follow its daylight-saving changes. Default: UTC.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$`
	// +kubebuilder:validation:XValidation:rule="timestamp('2000-01-01T00:00:00Z').getHours(self) >= 0",message="timeZone must be an IANA time zone name such as Europe/Berlin"
	TimeZone string `json:"timeZone,omitempty"`

	// Awake lists the windows in which the environment is awake; outside all of them it sleeps.
	// +required
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=14
	Awake []AwakeWindow `json:"awake"`
}

// AwakeWindow is a daily window on some weekdays, e.g. {days: Mon-Fri, from: "08:00", to:
// "19:00"}. A window whose end is not after its start ends the next day ({days: Fri, from:
// "22:00", to: "02:00"} runs from Friday 22:00 to Saturday 02:00).
//
// +kubebuilder:validation:XValidation:rule="self.from != self.to",message="from and to must differ (a whole day is 00:00 to 24:00)"
type AwakeWindow struct {
	// Days are the weekdays the window starts on: Mon, Tue, Wed, Thu, Fri, Sat, Sun, ranges
	// (Mon-Fri; Fri-Mon wraps around the week's end) and lists of them (Mon,Wed-Fri).
	// +required
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(-(Mon|Tue|Wed|Thu|Fri|Sat|Sun))?(,(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(-(Mon|Tue|Wed|Thu|Fri|Sat|Sun))?)*$`
	Days string `json:"days"`
	// From is when the window opens, "HH:MM" (24-hour clock, in timeZone).
	// +required
	// +kubebuilder:validation:Pattern=`^([01][0-9]|2[0-3]):[0-5][0-9]$`
	From string `json:"from"`
	// To is when the window closes, "HH:MM" or "24:00".
	// +required
	// +kubebuilder:validation:Pattern=`^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$`
	To string `json:"to"`
}

// SleepState is whether the environment sleeps.
// +kubebuilder:validation:Enum=Awake;Asleep
type SleepState string

const (
	SleepAwake  SleepState = "Awake"
	SleepAsleep SleepState = "Asleep"
)

// SleepOverride is a sleep or a wake by hand.
type SleepOverride struct {
	// State the environment is held in.
	// +required
	State SleepState `json:"state"`
	// Until is when the override ends and the schedule and idle rule apply again. Unset: until
	// it is changed.
	// +optional
	Until *metav1.Time `json:"until,omitempty"`
}

// Sleep condition reasons. The Sleeping condition is True while asleep (reasons ByHand,
// Schedule, Idle) and False while awake (Awake, IdleNotMeasured, SleepDeferred).
const (
	ReasonSleepByHand      = "ByHand"
	ReasonSleepSchedule    = "Schedule"
	ReasonSleepIdle        = "Idle"
	ReasonAwake            = "Awake"
	ReasonIdleNotMeasured  = "IdleNotMeasured"
	ReasonSleepDeferred    = "SleepDeferred"
	ReasonSleepInvalid     = "SleepInvalid"
	ReasonSleeping         = "Sleeping"
	ReasonWaking           = "Waking"
	ConditionSleeping      = "Sleeping"
	AnnotationLastActivity = "envmirror.io/last-activity"
)

// SleepStatus is where the environment stands with sleep, and how long it was awake and asleep.
type SleepStatus struct {
	// State is Awake or Asleep.
	// +optional
	State SleepState `json:"state,omitempty"`
	// Reason is why (ByHand, Schedule, Idle; Awake, IdleNotMeasured, SleepDeferred).
	// +optional
	Reason string `json:"reason,omitempty"`
	// Since is when the environment entered State (its creation, before the first change).
	// +optional
	Since *metav1.Time `json:"since,omitempty"`
	// NextTransition is when the environment is next known to sleep or wake (unset: not known,
	// e.g. an idle environment wakes on activity).
	// +optional
	NextTransition *metav1.Time `json:"nextTransition,omitempty"`
	// Next says it for `kubectl get`: "sleeps Fri 19:00 CEST", "wakes Mon 08:00 CEST",
	// "asleep until woken", "sleeps when idle 2h".
	// +optional
	Next string `json:"next,omitempty"`
	// AwakeSeconds and AsleepSeconds are the time spent in each state before Since; the time
	// since Since counts to State. The operator's metrics add them up.
	// +optional
	AwakeSeconds int64 `json:"awakeSeconds,omitempty"`
	// +optional
	AsleepSeconds int64 `json:"asleepSeconds,omitempty"`
	// LastActivityAt is the last activity the idle rule saw (to the minute).
	// +optional
	LastActivityAt *metav1.Time `json:"lastActivityAt,omitempty"`
	// IdleSignals says what the idle rule measures for this environment, or why it cannot.
	// +optional
	IdleSignals string `json:"idleSignals,omitempty"`
}

// ResourcesStatus compares what the copy requests with what prod requests for the same
// workloads: the effect of spec.workloads (replicas, resources) made visible.
type ResourcesStatus struct {
	// Prod is what prod's copied workloads request: replicas × their pods' requests (a
	// DaemonSet counts its scheduled pods; CronJobs, which run now and then, are left out).
	// +optional
	Prod ResourceTotals `json:"prod,omitempty"`
	// Copy is what the copy's workloads request while awake (nothing while asleep: see
	// status.sleep.state).
	// +optional
	Copy ResourceTotals `json:"copy,omitempty"`
	// StandIns is what the copy's stand-ins (spec.data, spec.dependencies) request while awake;
	// prod's managed services they replace are not counted in Prod.
	// +optional
	StandIns ResourceTotals `json:"standIns,omitempty"`
}

// ResourceTotals are summed requests.
type ResourceTotals struct {
	// CPU requested, as a quantity ("1500m").
	// +optional
	// +kubebuilder:validation:MaxLength=32
	CPU string `json:"cpu,omitempty"`
	// Memory requested, as a quantity ("3Gi").
	// +optional
	// +kubebuilder:validation:MaxLength=32
	Memory string `json:"memory,omitempty"`
	// Pods counted.
	// +optional
	Pods int32 `json:"pods,omitempty"`
}

// Hours is how long an environment created at created has been awake and asleep at now: what
// status counted up to the last change, plus the time since, in the state it is in. Without
// status.sleep it has been awake all along.
func (s *SleepStatus) Hours(created, now time.Time) (awake, asleep time.Duration) {
	if s == nil || s.Since == nil {
		return max(now.Sub(created), 0), 0
	}
	awake, asleep = time.Duration(s.AwakeSeconds)*time.Second, time.Duration(s.AsleepSeconds)*time.Second
	current := max(now.Sub(s.Since.Time), 0)
	if s.State == SleepAsleep {
		asleep += current
	} else {
		awake += current
	}
	return awake, asleep
}
