package source

import (
	"context"
	"errors"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// This file serves prod's other kinds from watches. The census of prod's kinds once listed, for
// every new environment, the whole objects of the kinds the copy converts or copies (Rollouts,
// ExternalSecrets, Certificates, kinds with a Copy rule), and read the cluster's API afresh so
// that a kind installed a moment ago was seen: most of a new environment's requests besides its
// own writes. Those objects now come from informers in prod's namespace cache, shared by every
// environment that mirrors it, fresh by construction; and a cluster's discovery is dropped when
// one of its CRDs or APIServices changes instead of being re-read for each new environment.

// ErrNotWatched says that prod's namespace has no cache yet (Reader was not called for it).
var ErrNotWatched = errors.New("prod's namespace is not being read")

// KindObjects returns prod's objects of kind gvk in t's namespace from a watch started on the
// first call and shared by every environment reading that namespace; their changes enqueue
// those environments like any change of prod. synced is false until the watch has listed the
// kind (then the objects are not known, and none are returned), and why says why: the
// operator may not list the kind (lasting) or the list has not come back yet.
func (c *Clusters) KindObjects(ctx context.Context, t Target, gvk schema.GroupVersionKind) (objs []unstructured.Unstructured, synced bool, why string, lasting bool, err error) {
	key := cacheKey(t)
	c.mu.Lock()
	nc, ok := c.caches[key]
	wait := c.kindSyncWait
	c.mu.Unlock()
	if !ok {
		return nil, false, "", false, ErrNotWatched
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	inf, err := nc.cache.GetInformer(ctx, u, cache.BlockUntilSynced(false))
	if err != nil {
		return nil, false, "", false, err
	}
	nc.mu.Lock()
	first := !nc.watched[gvk]
	nc.watched[gvk] = true
	nc.mu.Unlock()
	if first {
		if _, err := inf.AddEventHandler(c.handler(key)); err != nil {
			return nil, false, "", false, err
		}
	}
	deadline := time.Now().Add(wait)
	for !inf.HasSynced() {
		if werr := nc.watchErr(gvk); apierrors.IsForbidden(werr) {
			return nil, false, "the operator may not list or watch " + gvk.Kind + " in prod", true, nil
		}
		if time.Now().After(deadline) {
			why := "its watch has not listed it yet"
			if werr := nc.watchErr(gvk); werr != nil {
				why = "listing it failed: " + Problem(werr)
			}
			return nil, false, why, false, nil
		}
		select {
		case <-ctx.Done():
			return nil, false, "", false, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err := nc.cache.List(ctx, list, client.InNamespace(t.Namespace)); err != nil {
		return nil, false, "", false, err
	}
	return list.Items, true, "", false, nil
}

// StopKind stops watching a kind prod's API no longer serves (its CRD was deleted).
func (c *Clusters) StopKind(ctx context.Context, t Target, gvk schema.GroupVersionKind) {
	c.mu.Lock()
	nc, ok := c.caches[cacheKey(t)]
	c.mu.Unlock()
	if !ok {
		return
	}
	nc.mu.Lock()
	watched := nc.watched[gvk]
	delete(nc.watched, gvk)
	nc.mu.Unlock()
	if watched {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(gvk)
		_ = nc.cache.RemoveInformer(ctx, u)
	}
}

// watchErr is the last list or watch failure of a kind's informer.
func (nc *namespaceCache) watchErr(gvk schema.GroupVersionKind) error {
	nc.mu.Lock()
	defer nc.mu.Unlock()
	return nc.watchErrs[gvk.String()]
}

// handler enqueues the environments reading key on any change of an object.
func (c *Clusters) handler(key string) toolscache.ResourceEventHandler {
	return toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.notify(key, nil, obj) },
		UpdateFunc: func(old, obj any) { c.notify(key, old, obj) },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			c.notify(key, nil, obj)
		},
	}
}

// apiKinds are the kinds whose changes change what a cluster's API serves.
var apiKinds = []schema.GroupVersionKind{
	{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"},
	{Group: "apiregistration.k8s.io", Version: "v1", Kind: "APIService"},
}

// watchAPI watches the metadata of a cluster's CRDs and APIServices and reports changes after
// the first list through apiChanged. The operator's RBAC lets it in its own cluster; a remote
// prod's reader may not be allowed, and then (asked once, with one small list) nothing is
// watched and discovery is re-read on its TTL only.
func (c *Clusters) watchAPI(ctx context.Context, cfg *rest.Config, ca cache.Cache, cluster string) {
	c.mu.Lock()
	changed := c.apiChanged
	c.mu.Unlock()
	meta, err := metadata.NewForConfig(cfg)
	if err != nil {
		return
	}
	for _, gvk := range apiKinds {
		gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: strings.ToLower(gvk.Kind) + "s"}
		probeCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := meta.Resource(gvr).List(probeCtx, metav1.ListOptions{Limit: 1})
		cancel()
		if err != nil {
			continue
		}
		m := &metav1.PartialObjectMetadata{}
		m.SetGroupVersionKind(gvk)
		inf, err := ca.GetInformer(ctx, m, cache.BlockUntilSynced(false))
		if err != nil {
			continue
		}
		_, _ = inf.AddEventHandler(toolscache.ResourceEventHandlerDetailedFuncs{
			AddFunc: func(_ any, initial bool) {
				if !initial {
					changed(cluster)
				}
			},
			UpdateFunc: func(old, obj any) {
				if o, n := old.(client.Object), obj.(client.Object); o.GetGeneration() != n.GetGeneration() {
					changed(cluster)
				}
			},
			DeleteFunc: func(any) { changed(cluster) },
		})
	}
}
