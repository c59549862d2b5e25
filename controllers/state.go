package controllers

import (
	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/scrub"
	"github.com/envmirror/envmirror/internal/source"
)

// state is what the sub-reconcilers of one reconcile share.
type state struct {
	env    *v1alpha1.MirrorEnvironment
	target string

	// prod is the snapshot of the source, read once per reconcile.
	prod *source.Snapshot

	// keyring derives the copy's generated values; it lives in the target namespace.
	keyring scrub.Keyring
	// build is the desired infrastructure.
	build *mirror.Result
	// scrubber rewrites and scrubs the plain values of pod specs.
	scrubber mirror.Scrubber

	// expired is set when the TTL passed and the environment was deleted in this reconcile.
	expired bool

	// followed, reverted and drifted collect what apply passes found different from prod.
	followed, reverted, drifted []string
}

func newState(env *v1alpha1.MirrorEnvironment) *state {
	return &state{env: env, target: mirror.TargetNamespace(env)}
}
