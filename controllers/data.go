package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/seed"
)

// dbPlan is one database's step in this reconcile.
type dbPlan struct {
	spec   *v1alpha1.DatabaseSpec
	status v1alpha1.DatabaseStatus
	// hash identifies the data this database should hold: the seeding spec, the schema and
	// the engine. It names the seeding Job.
	hash      string
	specJSON  string
	schemaSQL bool
}

// reconcileData gives each of the copy's databases prod's schema and synthetic data: the
// stand-in first, then (for a schema read from prod) the schema Job, then the seeding Job,
// each only when the step before it is done. A seeded database is not seeded again unless
// what it should hold changes; then a new Job reseeds it from scratch.
func (r *MirrorEnvironmentReconciler) reconcileData(ctx context.Context, s *state) (ctrl.Result, error) {
	env := s.env
	b := mirror.NewBuilder(mirror.Options{Env: env, TargetNamespace: s.target, Scrubber: s.scrubber}, nil)
	previous := map[string]v1alpha1.DatabaseStatus{}
	for _, st := range env.Status.Data {
		previous[st.Name] = st
	}

	var objs []client.Object
	var plans []*dbPlan
	for i := range env.Spec.Data {
		d := &env.Spec.Data[i]
		p := &dbPlan{spec: d, status: v1alpha1.DatabaseStatus{Name: d.Name}}
		plans = append(plans, p)
		if d.StandIn != nil {
			sec, svc, sts := b.StandInObjects(d, standInPassword(s.keyring, d.Name))
			objs = append(objs, sec, svc, sts)
		}
		schemaKey, err := r.planSchema(ctx, s, b, p, &objs)
		if err != nil {
			return ctrl.Result{}, err
		}
		if p.status.Phase == v1alpha1.DataFailed {
			continue
		}
		p.hash, p.specJSON = dataHash(env, d, schemaKey)
		if prev, ok := previous[d.Name]; ok && prev.SpecHash == p.hash {
			p.status = prev // keep what was measured
		}
		p.status.SpecHash = p.hash
		p.status.Job = mirror.SeedJobName(d.Name, p.hash)
	}

	// Decide each database's next step before applying: the apply prunes the seeding Jobs that
	// are not listed, so every Job that should exist must be in the list.
	var requeue time.Duration
	for _, p := range plans {
		if p.status.Phase == v1alpha1.DataFailed && p.hash == "" {
			continue
		}
		job, next, err := r.stepDatabase(ctx, s, b, p)
		if err != nil {
			return ctrl.Result{}, err
		}
		if job != nil {
			objs = append(objs, job)
		}
		if next > 0 && (requeue == 0 || next < requeue) {
			requeue = next
		}
	}

	res, err := r.apply(ctx, s, componentData, objs, true)
	if err != nil {
		return ctrl.Result{}, err
	}
	r.reportApply(s, "data", res)
	if len(res.failed) > 0 {
		setCondition(env, v1alpha1.ConditionSeeded, metav1.ConditionFalse, v1alpha1.ReasonApplyFailed,
			"database objects could not be written: %s", strings.Join(res.failed, "; "))
		return ctrl.Result{RequeueAfter: rbacRetry}, nil
	}

	env.Status.Data = nil
	for _, p := range plans {
		env.Status.Data = append(env.Status.Data, p.status)
	}
	setSeededCondition(env)
	return ctrl.Result{RequeueAfter: requeue}, nil
}

// planSchema adds the schema's objects and returns what identifies the schema.
func (r *MirrorEnvironmentReconciler) planSchema(ctx context.Context, s *state, b *mirror.Builder, p *dbPlan, objs *[]client.Object) (string, error) {
	d, env := p.spec, s.env
	switch {
	case d.Schema == nil:
		return "existing", nil
	case d.Schema.ConfigMapRef != nil:
		ref := d.Schema.ConfigMapRef
		k := ref.KeyOr("schema.sql")
		cm := &corev1.ConfigMap{}
		err := r.Get(ctx, client.ObjectKey{Namespace: env.Namespace, Name: ref.Name}, cm)
		if apierrors.IsNotFound(err) {
			p.fail(v1alpha1.ReasonDataInvalid, "schema ConfigMap %s/%s does not exist", env.Namespace, ref.Name)
			return "", nil
		}
		if err != nil {
			return "", err
		}
		sql, ok := cm.Data[k]
		if !ok {
			p.fail(v1alpha1.ReasonDataInvalid, "schema ConfigMap %s/%s has no key %q", env.Namespace, ref.Name, k)
			return "", nil
		}
		*objs = append(*objs, b.SchemaConfigMap(d.Name, sql))
		p.schemaSQL = true
		return "sql:" + shortHash(sql), nil
	default:
		ref := d.Schema.FromDatabase.SecretRef
		return "from:" + ref.Name + "/" + ref.Key, nil
	}
}

func (p *dbPlan) fail(reason, format string, args ...any) {
	p.status.Phase = v1alpha1.DataFailed
	p.status.Message = reason + ": " + fmt.Sprintf(format, args...)
}

// dataHash identifies what a database should hold, and the seeding spec as the Job reads it.
func dataHash(env *v1alpha1.MirrorEnvironment, d *v1alpha1.DatabaseSpec, schemaKey string) (string, string) {
	seedFrom := env.Spec.Branch
	if seedFrom == "" {
		seedFrom = env.Name
	}
	spec := seed.SpecFromAPI(*d, seed.DefaultSeed(seedFrom))
	specJSON, _ := json.Marshal(spec) // a Spec holds only strings and numbers
	engine := ""
	if d.StandIn != nil {
		engine = d.StandIn.Version + "/" + string(d.StandIn.Image)
	}
	return shortHash(spec.Hash() + "|" + schemaKey + "|" + engine), string(specJSON)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:10]
}

// stepDatabase moves one database along: it returns the seeding Job when it should exist, and
// how soon to look again when nothing will announce the next step.
func (r *MirrorEnvironmentReconciler) stepDatabase(ctx context.Context, s *state, b *mirror.Builder, p *dbPlan) (*batchv1.Job, time.Duration, error) {
	st := &p.status
	seedJob := b.SeedJob(mirror.SeedJobInput{Database: p.spec, Hash: p.hash, Image: r.SeedImage, SpecJSON: p.specJSON, SchemaSQL: p.schemaSQL})
	live := &batchv1.Job{}
	err := r.Get(ctx, client.ObjectKey{Namespace: s.target, Name: seedJob.Name}, live)
	exists := err == nil
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, 0, err
	}
	if st.Phase == v1alpha1.DataSeeded {
		// Seeded with this very spec: never seed again, even if the Job was cleaned away.
		if exists {
			return seedJob, 0, nil
		}
		return nil, 0, nil
	}
	if !exists {
		ready, msg, err := r.databaseReady(ctx, s, p.spec)
		if err != nil {
			return nil, 0, err
		}
		if !ready {
			st.Phase, st.Message = v1alpha1.DataProvisioning, msg
			return nil, 0, nil
		}
		if p.spec.Schema != nil && p.spec.Schema.FromDatabase != nil {
			done, err := r.copySchemaFromProd(ctx, s, p)
			if err != nil || !done {
				return nil, 0, err
			}
		}
		st.Phase, st.Message = v1alpha1.DataSeeding, "seeding Job created"
		return seedJob, 0, nil
	}
	r.readSeedJob(ctx, s, live, st)
	return seedJob, 0, nil
}

// databaseReady reports whether the database accepts connections, as far as Kubernetes knows.
func (r *MirrorEnvironmentReconciler) databaseReady(ctx context.Context, s *state, d *v1alpha1.DatabaseSpec) (bool, string, error) {
	if d.StandIn != nil {
		sts := &appsv1.StatefulSet{}
		err := r.Get(ctx, client.ObjectKey{Namespace: s.target, Name: d.Name}, sts)
		if apierrors.IsNotFound(err) {
			return false, "creating the stand-in database", nil
		}
		if err != nil {
			return false, "", err
		}
		if sts.Status.ReadyReplicas < 1 {
			return false, fmt.Sprintf("waiting for the stand-in postgres %s to be ready", d.StandIn.Version), nil
		}
		return true, "", nil
	}
	for _, sv := range s.env.Status.Services {
		if sv.Name == d.Workload {
			if !sv.Ready {
				return false, "waiting for the copied workload " + d.Workload + " to be ready", nil
			}
			return true, "", nil
		}
	}
	return false, "the copy has no workload named " + d.Workload + " (spec.data[].workload)", nil
}

// readSeedJob reflects a seeding Job's progress and result in the database's status.
func (r *MirrorEnvironmentReconciler) readSeedJob(ctx context.Context, s *state, job *batchv1.Job, st *v1alpha1.DatabaseStatus) {
	summary, found := r.seedSummary(ctx, s.target, job.Name)
	switch {
	case jobCondition(job, batchv1.JobComplete):
		st.Phase = v1alpha1.DataSeeded
		st.Message = ""
		if found {
			st.Rows, st.Tables, st.RowsPerSecond = summary.Rows, int32(summary.Tables), summary.RowsPerSecond
			st.Duration = fmt.Sprintf("%.1fs", summary.DurationSeconds)
		} else {
			st.Message = "the seeding Job completed but its pod left no summary in its termination message, so row counts are unknown"
		}
		if c := jobConditionOf(job, batchv1.JobComplete); c != nil {
			st.SeededAt = ptr.To(c.LastTransitionTime)
		}
		note := fmt.Sprintf("%d rows in %d tables in %s", st.Rows, st.Tables, st.Duration)
		if !found {
			note = st.Message
		}
		r.Recorder.Eventf(s.env, nil, corev1.EventTypeNormal, v1alpha1.ReasonSeeded, "Seed", "database %s seeded: %s", st.Name, note)
	case jobCondition(job, batchv1.JobFailed):
		st.Phase = v1alpha1.DataFailed
		msg := "the seeding Job failed"
		if c := jobConditionOf(job, batchv1.JobFailed); c != nil && c.Message != "" {
			msg += " (" + c.Message + ")"
		}
		if found && summary.Error != "" {
			msg = summary.Error
		}
		st.Message = v1alpha1.ReasonSeedFailed + ": " + msg + "; logs: kubectl logs -n " + s.target + " job/" + job.Name
		r.Recorder.Eventf(s.env, nil, corev1.EventTypeWarning, v1alpha1.ReasonSeedFailed, "Seed", "database %s: %s", st.Name, msg)
	default:
		st.Phase = v1alpha1.DataSeeding
		st.Message = "seeding; progress: kubectl logs -f -n " + s.target + " job/" + job.Name
		if found && summary.Error != "" {
			st.Message = "a seeding attempt failed and is retried: " + summary.Error
		}
	}
}

func jobConditionOf(job *batchv1.Job, t batchv1.JobConditionType) *batchv1.JobCondition {
	for i := range job.Status.Conditions {
		if c := &job.Status.Conditions[i]; c.Type == t && c.Status == corev1.ConditionTrue {
			return c
		}
	}
	return nil
}

func jobCondition(job *batchv1.Job, t batchv1.JobConditionType) bool {
	return jobConditionOf(job, t) != nil
}

// seedSummary reads the summary the newest finished pod of a seeding Job left in its
// termination message.
func (r *MirrorEnvironmentReconciler) seedSummary(ctx context.Context, ns, job string) (seed.Summary, bool) {
	pods := &corev1.PodList{}
	if err := r.List(ctx, pods, client.InNamespace(ns), client.MatchingLabels{"job-name": job}); err != nil {
		return seed.Summary{}, false
	}
	sort.Slice(pods.Items, func(i, j int) bool {
		return pods.Items[j].CreationTimestamp.Before(&pods.Items[i].CreationTimestamp)
	})
	for _, p := range pods.Items {
		for _, c := range p.Status.ContainerStatuses {
			if t := c.State.Terminated; c.Name == "seed" && t != nil && t.Message != "" {
				if sum, err := seed.ParseSummary([]byte(t.Message)); err == nil {
					return sum, true
				}
			}
		}
	}
	return seed.Summary{}, false
}

// setSeededCondition summarises the databases.
func setSeededCondition(env *v1alpha1.MirrorEnvironment) {
	if len(env.Status.Data) == 0 {
		setCondition(env, v1alpha1.ConditionSeeded, metav1.ConditionTrue, v1alpha1.ReasonNoDatabases, "spec.data lists no databases")
		return
	}
	var seeded, waiting, failed []string
	reason := v1alpha1.ReasonSeedFailed
	for _, d := range env.Status.Data {
		switch d.Phase {
		case v1alpha1.DataSeeded:
			if d.Duration == "" {
				seeded = append(seeded, fmt.Sprintf("%s (%s)", d.Name, d.Message))
				continue
			}
			seeded = append(seeded, fmt.Sprintf("%s (%d rows in %d tables, %s, %d rows/s)", d.Name, d.Rows, d.Tables, d.Duration, d.RowsPerSecond))
		case v1alpha1.DataFailed:
			if strings.HasPrefix(d.Message, v1alpha1.ReasonDataInvalid) {
				reason = v1alpha1.ReasonDataInvalid
			}
			failed = append(failed, d.Name+": "+d.Message)
		default:
			waiting = append(waiting, d.Name+": "+d.Message)
		}
	}
	switch {
	case len(failed) > 0:
		setCondition(env, v1alpha1.ConditionSeeded, metav1.ConditionFalse, reason, "%s", strings.Join(failed, "; "))
	case len(waiting) > 0:
		setCondition(env, v1alpha1.ConditionSeeded, metav1.ConditionFalse, v1alpha1.ReasonSeeding, "%s", strings.Join(waiting, "; "))
	default:
		setCondition(env, v1alpha1.ConditionSeeded, metav1.ConditionTrue, v1alpha1.ReasonSeeded, "seeded: %s", strings.Join(seeded, "; "))
	}
}
