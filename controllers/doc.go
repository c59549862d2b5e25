// Package controllers holds the MirrorEnvironment reconciler. Reconcile runs its stages in
// order — lifecycle, read, plan, apply, status — over a scope (scope.go) that documents which
// stage sets what. Planning is pure (plan.go: internal/mirror and internal/scrub build the
// whole desired copy from what was read); apply steps only apply; the status stage writes every
// condition through one function each (conditions.go). Steps end with typed outcomes
// (outcome.go), which one place turns into the requeue.
//
// Three rules hold for every step, each kept in one file:
//   - writes.go is the only code that writes (a test type-checks the package and fails on any
//     other write): whatever it sends passes the final sweep for prod Secret values.
//   - deletions.go lists everything the operator deletes and the proof each deletion needs; a
//     copy is pruned only when every input it was made from was read completely (knowledge.go).
//   - Nothing is written for an environment before its source is granted and read (the stage
//     order in Reconcile).
//
// Each axis of the copy, and where its lifecycle is:
//
//	axis            read                         plan                      apply / prune                       status
//	infrastructure  source.go readProd           plan.go planWorkloads     apply_steps.go applyWorkloads       Provisioned, VersionsPinned
//	other kinds     kinds.go readKinds           kinds.go planKinds        kinds.go applyKinds, pruneKinds     Provisioned (notCopied)
//	configuration   source.go readInputs         plan.go planConfig        apply_steps.go applyConfig          ConfigScrubbed
//	isolation       -                            plan.go (IsolationPolicy) applyAll (first)                    Isolated
//	data            source.go readSchema         plan_data.go planData     data.go, data_schema.go             Seeded
//	dependencies    dependencies_apply.go        dependencies.go           dependencies_apply.go               dependencies_status.go
//	lifecycle       -                            -                         lifecycle.go, namespace.go          Ready, phase (status.go)
//	sleep           sleep_activity.go (ingress)  internal/sleep (rules)    sleep.go (scale to zero, wake)      Sleeping (sleep_status.go)
//
// The axes share their inputs (prod's snapshot, the keyring, the stand-ins, the sweep), so they
// are planned together; what keeps one axis's failed read from pruning another's objects is the
// per-object proof of deletions.go, not a split into separate reconcilers.
package controllers
