package controllers

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/source"
)

// This file reads prod's other kinds (custom resources, autoscalers) and applies what the copy
// makes of them; internal/mirror/kinds.go decides what that is.

// kindsCacheTTL is how long discovery and a census of prod's other kinds (counts) are reused.
// A change of one of the cluster's CRDs or APIServices drops both at once (where the operator
// may watch them); the objects the copy needs come from watches, always fresh.
const kindsCacheTTL = 5 * time.Minute

// kindReader reads prod's other kinds for every environment this reconciler serves: discovery
// is a fact of a cluster, so one cache serves them all.
func (r *MirrorEnvironmentReconciler) kindReader() *source.KindReader {
	r.kindsOnce.Do(func() { r.kinds = source.NewKindReader(kindsCacheTTL) })
	return r.kinds
}

// clusterIssuerList is how the copy's cluster's ClusterIssuers are listed.
var clusterIssuerList = schema.GroupVersionKind{Group: "cert-manager.io", Version: "v1", Kind: "ClusterIssuerList"}

// readProdExtras reads, besides prod's snapshot, what the kinds and dependencies axes need:
// prod's other kinds, the copy's cluster's ClusterIssuers, and the dependency probes' results.
func (r *MirrorEnvironmentReconciler) readProdExtras(ctx context.Context, s *scope) error {
	r.readKinds(ctx, s)
	if err := r.readIssuers(ctx, s); err != nil {
		return err
	}
	return r.readProbes(ctx, s)
}

// readKinds takes the census of prod's other kinds. When it cannot, or some kinds or API groups
// cannot be read, the copy is still made of what is known, nothing made from what is not is
// pruned (s.known), and status says what is unknown.
func (r *MirrorEnvironmentReconciler) readKinds(ctx context.Context, s *scope) {
	env := s.env
	wanted := mirror.WantedKinds(env.Spec.Kinds)
	defer func() {
		s.known.learnCensus(s.prod.Custom, s.kindsErr, wanted)
		if s.known.passing() {
			// Read again soon: until then the copy keeps what it has of what is unknown.
			retry := cmp.Or(r.PartialReadRetry, sourceRetry)
			s.out.record(wait("", retry, v1alpha1.ReasonSourcePartiallyRead,
				"part of prod could not be read, reading again in %s: %s", retry, s.known.summary(true)))
		}
	}()
	cfg, cluster, err := r.prodConfig(ctx, env, s.inputReader)
	if err == nil {
		sel := labels.Everything()
		if env.Spec.Source.Selector != nil {
			sel, err = metav1.LabelSelectorAsSelector(env.Spec.Source.Selector)
		}
		if err == nil {
			// The census is shared by the environments mirroring the namespace (and dropped when
			// the cluster's API changes); the objects the copy converts or copies come from
			// watches in prod's namespace cache, so a Rollout created a moment ago is in a new
			// copy without re-listing anything.
			target := s.prodTarget
			s.prod.Custom, err = r.kindReader().Read(ctx, source.KindsRequest{
				Cluster: cluster, Config: cfg, Namespace: env.Spec.Source.Namespace, Selector: sel, Full: wanted,
				Watched: func(ctx context.Context, gvk schema.GroupVersionKind) ([]unstructured.Unstructured, bool, string, bool, error) {
					return r.Clusters.KindObjects(ctx, target, gvk)
				},
			})
		}
	}
	if err != nil {
		s.kindsErr = err
		log.FromContext(ctx).Info("prod's other kinds could not be read", "error", err.Error())
	}
}

// prodConfig is the configuration prod is read with, and a key for the caches of its cluster.
func (r *MirrorEnvironmentReconciler) prodConfig(ctx context.Context, env *v1alpha1.MirrorEnvironment, inputs client.Reader) (*rest.Config, string, error) {
	ref := env.Spec.Source.KubeconfigSecretRef
	if ref == nil {
		cfg := r.Clusters.LocalConfig()
		if cfg == nil {
			return nil, "", fmt.Errorf("the operator has no configuration of its own cluster")
		}
		return cfg, source.ClusterKey(nil), nil
	}
	sec := &corev1.Secret{}
	if err := inputs.Get(ctx, client.ObjectKey{Namespace: env.Namespace, Name: ref.Name}, sec); err != nil {
		return nil, "", err
	}
	data := sec.Data[ref.KeyOr("kubeconfig")]
	cfg, err := r.Clusters.RemoteConfig(data) // the same allow-list as prod's caches
	if err != nil {
		return nil, "", err
	}
	return cfg, source.ClusterKey(data), nil
}

// readIssuers lists the ClusterIssuers of the copy's cluster that are Ready, when prod has
// Certificates to copy. Without cert-manager there are none.
func (r *MirrorEnvironmentReconciler) readIssuers(ctx context.Context, s *scope) error {
	if c := s.prod.Custom; c == nil || len(c.Objects[mirror.KindCertificate]) == 0 {
		return nil
	}
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(clusterIssuerList)
	// Read past the cache: only environments whose prod has Certificates ask, and a cache would
	// watch every ClusterIssuer for good.
	err := r.APIReader.List(ctx, list)
	switch {
	case apimeta.IsNoMatchError(err) || apierrors.IsNotFound(err) || apierrors.IsForbidden(err):
		return nil
	case err != nil:
		return err
	}
	s.issuers = map[string]bool{}
	for _, issuer := range list.Items {
		conditions, _, _ := unstructured.NestedSlice(issuer.Object, "status", "conditions")
		for _, c := range conditions {
			if m, ok := c.(map[string]any); ok && m["type"] == "Ready" && m["status"] == "True" {
				s.issuers[issuer.GetName()] = true
			}
		}
	}
	return nil
}

// planKinds plans the copy of prod's other kinds (pure).
func planKinds(in planInput, b *mirror.Builder) *mirror.KindsResult {
	k := b.Kinds(mirror.KindsInput{Snapshot: in.scope.prod, Issuers: in.scope.issuers})
	if err := in.scope.kindsErr; err != nil {
		k.NotCopied = append(k.NotCopied, v1alpha1.KindCount{Kind: "other kinds", Reason: "prod's other kinds could not be read: " + err.Error()})
	}
	if c := in.scope.prod.Custom; c != nil {
		for _, g := range slices.Sorted(maps.Keys(c.UnknownGroups)) {
			k.NotCopied = append(k.NotCopied, v1alpha1.KindCount{Kind: "API group " + g, Reason: "its kinds could not be discovered: " + c.UnknownGroups[g]})
		}
	}
	if len(k.NotCopied) > maxNotCopied {
		k.NotCopied = append(k.NotCopied[:maxNotCopied-1], v1alpha1.KindCount{Kind: fmt.Sprintf("%d more kinds", len(k.NotCopied)-maxNotCopied+1)})
	}
	return k
}

// maxNotCopied bounds status.parity.notCopied (the API's limit).
const maxNotCopied = 100

// applyKinds applies the copies of prod's other kinds that are applied as they are
// (Certificates, kinds with a Copy rule), and prunes those no longer wanted: of the kinds it
// copies now, and of those status.copiedKinds says it copied before.
func (r *MirrorEnvironmentReconciler) applyKinds(ctx context.Context, s *scope) error {
	objs := s.desired.kinds.Objects
	now := map[schema.GroupVersionKind]bool{}
	for _, o := range objs {
		now[o.GetObjectKind().GroupVersionKind()] = true
	}
	candidates := maps.Clone(now)
	for _, k := range s.env.Status.CopiedKinds {
		if gvk, ok := parseGVK(k); ok {
			candidates[gvk] = true
		}
	}
	if err := r.applyComponent(ctx, s, mirror.ComponentKinds, objs, v1alpha1.ConditionProvisioned); err != nil {
		return err
	}
	s.copiedKinds = nil
	for gvk := range now {
		s.copiedKinds = append(s.copiedKinds, gvk.GroupVersion().String()+"/"+gvk.Kind)
	}
	sort.Strings(s.copiedKinds)
	if s.frozen() {
		s.copiedKinds = s.env.Status.CopiedKinds
		return nil
	}
	n, err := r.pruneKinds(ctx, s, candidates, objs)
	s.applied[mirror.ComponentKinds].pruned += n
	return err
}

// parseGVK reads "group/version/Kind" ("v1/Kind" in the core group).
func parseGVK(s string) (schema.GroupVersionKind, bool) {
	i := strings.LastIndexByte(s, '/')
	if i <= 0 {
		return schema.GroupVersionKind{}, false
	}
	gv, err := schema.ParseGroupVersion(s[:i])
	if err != nil {
		return schema.GroupVersionKind{}, false
	}
	return gv.WithKind(s[i+1:]), true
}

// pruneKinds deletes this environment's copies of the given kinds that are not desired, each
// only when prod's objects of its kind were read completely.
func (r *MirrorEnvironmentReconciler) pruneKinds(ctx context.Context, s *scope, gvks map[schema.GroupVersionKind]bool, desired []client.Object) (int, error) {
	want := map[string]bool{}
	for _, o := range desired {
		want[o.GetObjectKind().GroupVersionKind().Kind+"/"+o.GetName()] = true
	}
	n := 0
	for gvk := range gvks {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		err := r.List(ctx, list, client.InNamespace(s.target), client.MatchingLabels{
			mirror.LabelEnvironmentUID: string(s.env.UID), mirror.LabelComponent: mirror.ComponentKinds,
		})
		if apimeta.IsNoMatchError(err) || apierrors.IsForbidden(err) {
			continue
		}
		if err != nil {
			return n, err
		}
		inputs := []input{inputProd, kindInput(gvk.GroupKind())}
		for i := range list.Items {
			deleted, err := r.pruneOne(ctx, s, mirror.ComponentKinds, want, &list.Items[i], inputs)
			if err != nil {
				return n, err
			}
			if deleted {
				n++
			}
		}
	}
	return n, nil
}
