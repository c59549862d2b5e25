package controllers

import (
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/source"
)

// CacheOptions scope the manager's cache to what the operator wrote: the copies, its Jobs and
// their pods are all labelled app.kubernetes.io/managed-by=envmirror, and only those are cached
// (with managedFields, which show hand edits of a copy). What it reads elsewhere — prod and each
// environment's inputs — goes through per-namespace caches (source.Clusters). So the operator's
// memory does not grow with unrelated Pods, Secrets and ConfigMaps of the cluster: a reader of a
// kind the cache does not scope would start a cluster-wide informer, so every kind the
// controller reads is listed here.
func CacheOptions() cache.Options {
	managed := labels.SelectorFromSet(labels.Set{mirror.LabelManagedBy: mirror.ManagedByValue})
	byObject := map[client.Object]cache.ByObject{}
	for _, obj := range append(source.Kinds(), copyOnlyKinds()...) {
		byObject[obj] = cache.ByObject{Label: managed}
	}
	return cache.Options{ByObject: byObject, DefaultTransform: StripManagedFieldsOfProd}
}
