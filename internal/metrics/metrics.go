// Package metrics holds the operator's own Prometheus metrics, registered on controller-runtime's
// registry so that the manager's secured /metrics endpoint serves them next to controller-runtime's
// (reconcile counts and latencies, work queues, REST client calls).
//
// They answer an on-call's questions: how many environments are in which phase
// (envmirror_environments, read from the manager's cache at scrape time), how long a new
// environment takes to become Ready, why reconciles fail, how much data seeding loads and how
// fast, how often prod drifts from its copies, and what the operator writes.
//
// The controller calls the functions below at the matching moments; each is cheap, safe for
// concurrent use, and bounds its label values so that no input can explode the series count.
package metrics

import (
	"regexp"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Namespace prefixes every metric of this package.
const Namespace = "envmirror"

var (
	provisioningDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: Namespace,
		Name:      "provisioning_duration_seconds",
		Help:      "Time from a MirrorEnvironment's creation to its first Ready.",
		// From a small copy without data (seconds) to a large seeded one (an hour).
		Buckets: []float64{5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600},
	})
	reconcileErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace,
		Name:      "reconcile_errors_total",
		Help:      "Reconciles of a MirrorEnvironment that failed, by reason (the condition reason the environment reports).",
	}, []string{"reason"})
	seededRows = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace,
		Name:      "seeded_rows_total",
		Help:      "Synthetic rows loaded by seeding Jobs, by database (spec.data[].name).",
	}, []string{"database"})
	seedingDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: Namespace,
		Name:      "seeding_duration_seconds",
		Help:      "Duration of a database's seeding (schema, rows and verification), by database (spec.data[].name).",
		Buckets:   prometheus.ExponentialBuckets(1, 2, 13), // 1 s to ~68 min
	}, []string{"database"})
	driftEvents = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace,
		Name:      "drift_events_total",
		Help:      "Times prod was found to differ from a copy that had matched it, by kind of the drifted prod object.",
	}, []string{"kind"})
	apiWrites = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace,
		Name:      "api_writes_total",
		Help:      "Writes the operator sent to the API server, by kind of object and verb (apply, create, patch, delete, status).",
	}, []string{"kind", "verb"})
)

func init() {
	metrics.Registry.MustRegister(provisioningDuration, reconcileErrors, seededRows, seedingDuration,
		driftEvents, apiWrites, environments, costs)
}

// ObserveProvisioned records how long env took from its creation to readyAt, its first Ready.
// Call it once per environment, when its Ready condition first turns True.
func ObserveProvisioned(env metav1.Object, readyAt time.Time) {
	d := readyAt.Sub(env.GetCreationTimestamp().Time)
	provisioningDuration.Observe(max(d, 0).Seconds())
}

// ReconcileError counts a failed reconcile; reason is the CamelCase reason the environment's
// condition reports (e.g. SourceUnreachable, ApplyFailed).
func ReconcileError(reason string) {
	reconcileErrors.WithLabelValues(label(reason)).Inc()
}

// Seeded records a finished seeding Job of database db: the rows it loaded and how long it took.
func Seeded(db string, rows int64, d time.Duration) {
	db = label(db)
	seededRows.WithLabelValues(db).Add(float64(max(rows, 0)))
	seedingDuration.WithLabelValues(db).Observe(max(d, 0).Seconds())
}

// Drift counts prod drifting from a copy, by the kind of the prod object that moved
// (Deployment, Secret, ...). Call it when an environment's Drifted condition turns True.
func Drift(kind string) {
	driftEvents.WithLabelValues(label(kind)).Inc()
}

// Write counts one write to the API server: kind is the object's kind (Deployment, Secret, ...),
// verb one of apply, create, patch, delete, status.
func Write(kind, verb string) {
	apiWrites.WithLabelValues(label(kind), label(verb)).Inc()
}

// labelValue is what a label value may be: a Kubernetes-style name, reason or kind.
var labelValue = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]{0,62})$`)

// label keeps label values to names, reasons and kinds; anything else (free text, an error
// message) becomes "other", so that a bug in a caller cannot create a series per message.
func label(v string) string {
	if labelValue.MatchString(v) {
		return v
	}
	return "other"
}
