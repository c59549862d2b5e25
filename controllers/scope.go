package controllers

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/scrub"
	"github.com/envmirror/envmirror/internal/source"
)

// scope is one reconcile of one environment. Reconcile runs its stages in order — lifecycle,
// read, plan, apply, status — and each field below says which stage sets it; a later stage only
// reads what earlier ones set. A field left at its zero value means its stage did not run (an
// earlier one stopped the reconcile), and the status stage reports the conditions that depend on
// it as Unknown rather than repeating what an earlier reconcile saw.
type scope struct {
	// Set by Reconcile.
	env    *v1alpha1.MirrorEnvironment
	target string
	now    time.Time
	// w is the only way the reconcile writes (writes.go); plan gives it the final sweep.
	w *writer

	// lifecycle: when the environment expires (zero: never) and whether it just did.
	expiresAt time.Time
	expired   bool
	// expiryNote explains an expiry that differs from what the spec asks (capped, refused).
	expiryNote string
	// sleep: what spec.sleep decided (nil without spec.sleep); asleep, no later stage runs.
	sleep *sleepScope

	// read: the copy's namespace is the environment's (namespaceOK), prod and the inputs in the
	// environment's own namespace, the keyring in the copy's namespace.
	namespaceOK bool
	// inputReader reads the environment's own namespace (its Secrets and ConfigMaps).
	inputReader client.Reader
	// bindingCreated: the copy-writer binding was created in this reconcile, so the API
	// server's authorizer may not know it yet (a Forbidden is retried shortly).
	bindingCreated bool
	prod           *source.Snapshot
	// prodTarget is prod's namespace cache (of this cluster or another), for its other kinds.
	prodTarget source.Target
	grant      *sourceGrant
	inputs     *inputs
	keyring    scrub.Keyring
	// probes are the dependency probe Jobs' results, by Job name; issuers the ClusterIssuers of
	// the copy's cluster a copied Certificate may use; kindsErr why prod's other kinds could not
	// be read (kinds.go, dependencies_apply.go).
	probes   map[string]*probeResult
	issuers  map[string]bool
	kindsErr error
	// known says which of prod's inputs were read completely; a step prunes nothing made from
	// one that was not (knowledge.go, deletions.go).
	known knowledge

	// plan: the whole desired copy, built by pure functions from what was read.
	desired *desired

	// apply: what each apply step did, by component.
	applied map[string]*applyResult
	// services are the copied workloads with their readiness, read after applying.
	services []v1alpha1.ServiceStatus
	// databases are the databases' states after their step.
	databases []v1alpha1.DatabaseStatus
	// readRetries are the databases whose Job reading prod (probe, schema copy) failed and runs
	// again by itself, with how soon: they wait rather than stall.
	readRetries map[string]time.Duration
	// dependencies are the dependency stand-ins' states after their step; nil when it did not run.
	dependencies []v1alpha1.DependencyStatus
	// copiedKinds are the kinds the kinds step copied as they are (when it ran: see applied).
	copiedKinds []string
	// drift is what differs between the copy and what prod implies, after applying.
	drift []string
	// followed lists what this reconcile changed in the copy to follow prod or revert an edit.
	followed []string
	// withheld lists the copies a step would have pruned but kept, because what they were made
	// from could not be read completely ("Kind/name: why").
	withheld []string

	// outcomes of every step, for Reconciling/Stalled and the requeue.
	out outcomes
}

// inputs are what the environment reads from its own namespace: dev Secrets (fromSecret rules,
// pull secret), schema SQL of ConfigMaps, and the copy's existing Secrets (so issued TLS pairs
// stay stable).
type inputs struct {
	devSecrets map[string]corev1.Secret
	// schemas maps a database name to its schema SQL (configMapRef schemas only).
	schemas map[string]string
	// schemaProblems maps a database name to why its schema could not be read.
	schemaProblems map[string]string
	existing       map[string]corev1.Secret
}

func newScope(env *v1alpha1.MirrorEnvironment, now time.Time, w *writer) *scope {
	return &scope{env: env, target: mirror.TargetNamespace(env), now: now, w: w, applied: map[string]*applyResult{}}
}

// frozen reports whether the copy stays as provisioned: followProd Never, once it was Ready.
func (s *scope) frozen() bool {
	return s.env.Spec.FollowProd == v1alpha1.FollowNever && s.env.Status.ProvisionedAt != nil
}
