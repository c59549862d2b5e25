package controllers

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/metrics"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/seed/contract"
)

// reconcileData gives each of the copy's databases prod's schema and synthetic data: the
// stand-in first, then (for a schema read from prod) the schema Job, then the seeding Job,
// each only when the step before it is done. A seeded database is not seeded again unless
// what it should hold changes; then a new Job reseeds it from scratch (unless the copy is
// frozen: then the change is reported as drift). Jobs and stand-ins are watched, so progress
// needs no polling.
func (r *MirrorEnvironmentReconciler) reconcileData(ctx context.Context, s *scope) error {
	env, plan := s.env, s.desired.data
	b := mirror.NewBuilder(mirror.Options{Env: env, TargetNamespace: s.target}, nil)
	previous := map[string]v1alpha1.DatabaseStatus{}
	for _, st := range env.Status.Data {
		previous[st.Name] = st
	}
	objs := append([]client.Object{}, plan.objects...)
	var problem error
	s.readRetries = map[string]time.Duration{}
	for _, p := range plan.databases {
		st := v1alpha1.DatabaseStatus{Name: p.spec.Name}
		if p.problem != nil {
			st.Phase, st.Reason, st.Message = v1alpha1.DataFailed, p.problem.reason, p.problem.message
			s.databases = append(s.databases, st)
			problem = p.problem
			continue
		}
		if p.waiting {
			retryIn, err := r.probeDatabase(ctx, s, p.spec, &st)
			if err != nil {
				return err
			}
			if retryIn > 0 {
				s.readRetries[st.Name] = retryIn
			}
			s.databases = append(s.databases, st)
			continue
		}
		prev, seen := previous[p.spec.Name]
		if seen && prev.SpecHash != p.hash && prev.Phase == v1alpha1.DataSeeded && s.frozen() {
			s.drift = append(s.drift, "data: "+p.spec.Name+": the data spec or prod's schema changed since seeding; the copy is frozen (followProd: Never)")
			s.databases = append(s.databases, prev)
			continue
		}
		if seen && prev.SpecHash == p.hash {
			st = prev // keep what was measured
		}
		st.SpecHash, st.Job = p.hash, mirror.SeedJobName(p.spec.Name, p.hash)
		job, err := r.stepDatabase(ctx, s, b, p, &st)
		if err != nil {
			return err
		}
		if job != nil {
			objs = append(objs, job)
		}
		s.databases = append(s.databases, st)
	}
	// A seeding that failed stays failed until what the database should hold changes: the
	// environment is stalled on it (kstatus), not reconciling. A failed Job that reads prod (probe,
	// schema copy) runs again by itself after the retry delay: the environment waits for it.
	for _, st := range s.databases {
		if after, ok := s.readRetries[st.Name]; ok && problem == nil {
			problem = wait(v1alpha1.ConditionSeeded, after, st.Reason, "database %s: %s", st.Name, st.Message)
		}
	}
	for _, st := range s.databases {
		if _, retried := problem.(*waiting); st.Phase == v1alpha1.DataFailed && (problem == nil || retried) {
			problem = stall(v1alpha1.ConditionSeeded, st.Reason, "database %s: %s", st.Name, st.Message)
		}
	}
	// Every Job that should exist is in objs: the apply prunes the seeding Jobs that are not.
	objs, err := sweepObjects(s.desired.sweep, objs, map[string]int32{})
	if err != nil {
		return err
	}
	if err := r.applyComponent(ctx, s, mirror.ComponentData, objs, v1alpha1.ConditionSeeded); err != nil {
		return err
	}
	return problem
}

// stepDatabase moves one database along: it returns the seeding Job when it should exist, and
// how soon to look again when nothing will announce the next step.
func (r *MirrorEnvironmentReconciler) stepDatabase(ctx context.Context, s *scope, b *mirror.Builder, p *dbPlan, st *v1alpha1.DatabaseStatus) (*batchv1.Job, error) {
	seedJob := b.SeedJob(mirror.SeedJobInput{Database: p.spec, Hash: p.hash, Image: r.SeedImage,
		SpecJSON: p.specJSON, SchemaSQL: p.schemaSQL, PullSecrets: r.Settings.SeedImagePullSecrets})
	live := &batchv1.Job{}
	err := r.Get(ctx, client.ObjectKey{Namespace: s.target, Name: seedJob.Name}, live)
	exists := err == nil
	if err != nil && !apierrors.IsNotFound(err) {
		return nil, err
	}
	if st.Phase == v1alpha1.DataSeeded {
		// Seeded with this very spec: never seed again, even if the Job was cleaned away.
		if exists {
			return seedJob, nil
		}
		return nil, nil
	}
	if !exists {
		ready, msg, err := r.databaseReady(ctx, s, p.spec)
		if err != nil {
			return nil, err
		}
		if !ready {
			st.Phase, st.Reason, st.Message = v1alpha1.DataProvisioning, v1alpha1.ReasonWaiting, msg
			return nil, nil
		}
		if p.spec.Schema != nil && p.spec.Schema.FromDatabase != nil {
			done, err := r.copySchemaFromProd(ctx, s, p, st)
			if err != nil || !done {
				return nil, err
			}
		}
		// Seeding resets the database: before starting it, make sure the status this decision
		// rests on is not stale. A reconcile can read the environment from a cache that has not
		// yet seen the write saying this database was seeded with this spec; the seeding Job
		// then looks missing and would wipe a developer's data (seen 1 run in 8 of the controllers
		// suite under load). One read past the cache, once per seeding started.
		if seeded, ok, err := r.seededPastCache(ctx, s, p); err != nil || ok {
			if ok {
				*st = seeded
			}
			return nil, err
		}
		st.Phase, st.Reason, st.Message = v1alpha1.DataSeeding, v1alpha1.ReasonSeeding, "seeding Job created"
		return seedJob, nil
	}
	r.readSeedJob(ctx, s, live, st)
	return seedJob, nil
}

// seededPastCache reads the environment past the cache and reports the database's status when
// it says the database was seeded with this very spec.
func (r *MirrorEnvironmentReconciler) seededPastCache(ctx context.Context, s *scope, p *dbPlan) (v1alpha1.DatabaseStatus, bool, error) {
	if r.APIReader == nil {
		return v1alpha1.DatabaseStatus{}, false, nil
	}
	fresh := &v1alpha1.MirrorEnvironment{}
	if err := r.APIReader.Get(ctx, client.ObjectKeyFromObject(s.env), fresh); err != nil {
		return v1alpha1.DatabaseStatus{}, false, err
	}
	for _, d := range fresh.Status.Data {
		if d.Name == p.spec.Name && d.SpecHash == p.hash && d.Phase == v1alpha1.DataSeeded {
			return d, true, nil
		}
	}
	return v1alpha1.DatabaseStatus{}, false, nil
}

// databaseReady reports whether the database accepts connections, as far as Kubernetes knows.
func (r *MirrorEnvironmentReconciler) databaseReady(ctx context.Context, s *scope, d *v1alpha1.DatabaseSpec) (bool, string, error) {
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
			ds, _ := s.desired.standIns.Database(d)
			return false, fmt.Sprintf("waiting for the stand-in %s %s to be ready", engineOf(d), ds.Version), nil
		}
		return true, "", nil
	}
	for _, sv := range s.services {
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
func (r *MirrorEnvironmentReconciler) readSeedJob(ctx context.Context, s *scope, job *batchv1.Job, st *v1alpha1.DatabaseStatus) {
	summary, found := r.seedSummary(ctx, s.target, job.Name)
	switch {
	case jobCondition(job, batchv1.JobComplete):
		st.Phase, st.Reason, st.Message = v1alpha1.DataSeeded, "", ""
		if found {
			st.Rows, st.Tables, st.RowsPerSecond = summary.Rows, int32(summary.Tables), summary.RowsPerSecond
			st.Duration = fmt.Sprintf("%.1fs", summary.DurationSeconds)
			st.TablesSeeded = tablesSeeded(summary)
			st.PartitionsCreated = capList(summary.PartitionsCreated, maxPartitionsListed)
			st.PartitionsCreatedCount = int32(max(summary.PartitionsCreatedCount, len(summary.PartitionsCreated)))
			if summary.Warnings > 0 {
				st.Message = fmt.Sprintf("%d warning(s): constraints or types the seeder could not honour; see kubectl logs -n %s job/%s", summary.Warnings, s.target, job.Name)
			}
		} else {
			st.Message = "the seeding Job completed but its pod left no summary in its termination message, so row counts are unknown"
		}
		if c := jobConditionOf(job, batchv1.JobComplete); c != nil {
			st.SeededAt = ptr.To(c.LastTransitionTime)
		}
		note := fmt.Sprintf("%d rows in %d tables in %s", st.Rows, st.Tables, st.Duration)
		if st.PartitionsCreatedCount > 0 {
			note += fmt.Sprintf("; %d partition(s) created in the copy for partitioned tables the schema has without partitions: %s",
				st.PartitionsCreatedCount, strings.Join(st.PartitionsCreated, ", "))
		}
		if !found {
			note = st.Message
		}
		s.w.event(s.env, corev1.EventTypeNormal, v1alpha1.ReasonSeeded, "Seed", "database %s seeded: %s", st.Name, note)
		metrics.Seeded(st.Name, st.Rows, time.Duration(summary.DurationSeconds*float64(time.Second)))
	case jobCondition(job, batchv1.JobFailed):
		st.Phase, st.Reason = v1alpha1.DataFailed, v1alpha1.ReasonSeedFailed
		msg := "the seeding Job failed"
		if c := jobConditionOf(job, batchv1.JobFailed); c != nil && c.Message != "" {
			msg += " (" + c.Message + ")"
		}
		if found && summary.Error != "" {
			msg = summary.Error
		}
		if found && summary.Reason != "" {
			st.Reason = summary.Reason // ExtensionMissing, RowCountTooLarge, VerificationFailed, ...
		}
		st.Message = msg + "; logs: kubectl logs -n " + s.target + " job/" + job.Name
		s.w.event(s.env, corev1.EventTypeWarning, st.Reason, "Seed", "database %s: %s", st.Name, msg)
	default:
		st.Phase, st.Reason = v1alpha1.DataSeeding, v1alpha1.ReasonSeeding
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
func (r *MirrorEnvironmentReconciler) seedSummary(ctx context.Context, ns, job string) (contract.Summary, bool) {
	pods := &corev1.PodList{}
	if err := r.List(ctx, pods, client.InNamespace(ns), client.MatchingLabels{"job-name": job}); err != nil {
		return contract.Summary{}, false
	}
	sort.Slice(pods.Items, func(i, j int) bool {
		return pods.Items[j].CreationTimestamp.Before(&pods.Items[i].CreationTimestamp)
	})
	for _, p := range pods.Items {
		for _, c := range p.Status.ContainerStatuses {
			if t := c.State.Terminated; c.Name == "seed" && t != nil && t.Message != "" {
				if sum, err := contract.ParseSummary([]byte(t.Message)); err == nil {
					return sum, true
				}
			}
		}
	}
	return contract.Summary{}, false
}

// maxTablesSeeded bounds status.data[].tablesSeeded (the API's limit).
const maxTablesSeeded = 20

// maxPartitionsListed bounds status.data[].partitionsCreated (the API's limit).
const maxPartitionsListed = 20

// tablesSeeded lists the largest tables of a seeding run, rows in the copy beside prod's
// estimate.
func tablesSeeded(summary contract.Summary) []v1alpha1.TableRows {
	tables := append([]contract.TableSummary{}, summary.PerTable...)
	sort.SliceStable(tables, func(i, j int) bool { return tables[i].Rows > tables[j].Rows })
	if len(tables) > maxTablesSeeded {
		tables = tables[:maxTablesSeeded]
	}
	var out []v1alpha1.TableRows
	for _, t := range tables {
		out = append(out, v1alpha1.TableRows{Table: t.Table, Rows: t.Rows, ProdRows: t.ProdRows})
	}
	return out
}
