package controllers

import (
	"errors"
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// This file is the one list of everything the operator ever deletes, and the proof each
// deletion needs. writes.go's delete takes one of them and the reconcile's evidence, and sends
// nothing unless the check passes; deletions_test.go tests each entry with its proof and with
// each part of the proof missing. A step that wants to delete something new adds an entry
// here: there is no other way to delete.
//
//	deletion             what                                          proof
//	pruneCopy            a copy the step that wrote it no longer wants  in the copy's namespace, the environment's uid and
//	                                                                    the step's component; every input it may have been
//	                                                                    made from read completely in this reconcile
//	pruneOperatorJob     a Job of the environment in the operator's     the environment's Jobs there were listed in this
//	                     namespace that its inputs no longer name       reconcile; the environment's uid
//	dropCredential       prod's DSN or URL, copied into the operator's  the Job reading it finished, or is no longer wanted;
//	                     namespace for a Job that reads prod            the environment's uid
//	retryFailedProbe     a failed Job reading prod (probe, schema       it failed, and the user's Secret it read has changed
//	                     copy), to run it again                         since it started or it failed the retry delay ago
//	deleteTarget         the environment's namespace (and so its copy)  the environment is being deleted; the namespace
//	                                                                    carries its uid, read past the cache
//	deleteLeftovers      the environment's Jobs and Secrets in the      the environment is being deleted; they carry its uid
//	                     operator's namespace
//	expireEnvironment    the environment itself                         its expiry has passed

// deletion is one kind of delete and its proof.
type deletion struct {
	name, what, proof string
	check             func(ev evidence, obj client.Object) error
}

// evidence is what a reconcile knows when it asks to delete an object. Each deletion reads the
// part its proof needs; the zero value proves nothing.
type evidence struct {
	env               *v1alpha1.MirrorEnvironment
	target            string
	operatorNamespace string
	// component is the apply step asking (pruneCopy).
	component string
	// wanted are the names ("Kind/name" for copies, the name for Jobs) the step still wants.
	wanted map[string]bool
	// inputs are what the object may have been made from (pruneCopy); known says which of them
	// were read completely.
	inputs []input
	known  *knowledge
	// listed: the step listed the environment's objects in this reconcile (pruneOperatorJob).
	listed bool
	// finished: the Job that reads a credential finished, or is no longer wanted (dropCredential).
	finished bool
	// secretVersion is the user's Secret's current resourceVersion (retryFailedProbe).
	secretVersion string
	// now is the reconcile's clock, and retryAfter the operator's delay before a failed probe
	// runs again by itself (retryFailedProbe).
	now        time.Time
	retryAfter time.Duration
	// expired: the environment's expiry has passed (expireEnvironment).
	expired bool
}

var (
	pruneCopy = deletion{name: "pruneCopy",
		what:  "a copy that the apply step which wrote it no longer wants",
		proof: "it is in the copy's namespace with the environment's uid and the step's component, and every input it may have been made from was read completely in this reconcile",
		check: func(ev evidence, obj client.Object) error {
			if err := ownedBy(ev, obj, ev.target); err != nil {
				return err
			}
			if c := obj.GetLabels()[mirror.LabelComponent]; c == "" || c != ev.component {
				return fmt.Errorf("it belongs to component %q, not %q", c, ev.component)
			}
			if ev.wanted[kindOf(obj)+"/"+obj.GetName()] {
				return errors.New("the step still wants it")
			}
			if len(ev.inputs) == 0 || ev.known == nil {
				return errors.New("what it was made from is not known")
			}
			if ok, why := ev.known.complete(ev.inputs...); !ok {
				return errors.New(why)
			}
			return nil
		}}

	pruneOperatorJob = deletion{name: "pruneOperatorJob",
		what:  "a Job of the environment in the operator's namespace that its inputs no longer name",
		proof: "the environment's Jobs there were listed in this reconcile and this one is not wanted",
		check: func(ev evidence, obj client.Object) error {
			if _, ok := obj.(*batchv1.Job); !ok {
				return errors.New("it is not a Job")
			}
			if err := ownedBy(ev, obj, ev.operatorNamespace); err != nil {
				return err
			}
			if !ev.listed {
				return errors.New("the environment's Jobs were not listed in this reconcile")
			}
			if ev.wanted[obj.GetName()] {
				return errors.New("it is still wanted")
			}
			return nil
		}}

	dropCredential = deletion{name: "dropCredential",
		what:  "prod's DSN or URL, copied into the operator's namespace for a Job that reads prod",
		proof: "the Job that reads it finished or is no longer wanted",
		check: func(ev evidence, obj client.Object) error {
			if _, ok := obj.(*corev1.Secret); !ok {
				return errors.New("it is not a Secret")
			}
			if err := ownedBy(ev, obj, ev.operatorNamespace); err != nil {
				return err
			}
			if !ev.finished {
				return errors.New("the Job that reads it has not finished")
			}
			return nil
		}}

	retryFailedProbe = deletion{name: "retryFailedProbe",
		what:  "a failed Job that reads prod (a probe, a schema copy), so that it runs again",
		proof: "it failed, and the user's Secret it read changed since it started or it failed at least the operator's retry delay ago",
		check: func(ev evidence, obj client.Object) error {
			job, ok := obj.(*batchv1.Job)
			if !ok {
				return errors.New("it is not a Job")
			}
			if err := ownedBy(ev, obj, ev.operatorNamespace); err != nil {
				return err
			}
			if !jobCondition(job, batchv1.JobFailed) {
				return errors.New("it did not fail")
			}
			changed := ev.secretVersion != "" && ev.secretVersion != job.Annotations[annotationSecretVersion]
			if !changed && (ev.retryAfter <= 0 || probeRetryIn(job, ev.now, ev.retryAfter) > 0) {
				return fmt.Errorf("the Secret it read has not changed, and it failed less than %s ago", ev.retryAfter)
			}
			return nil
		}}

	deleteTarget = deletion{name: "deleteTarget",
		what:  "the environment's namespace, and with it the copy",
		proof: "the environment is being deleted and the namespace carries its uid (read past the cache)",
		check: func(ev evidence, obj client.Object) error {
			if _, ok := obj.(*corev1.Namespace); !ok {
				return errors.New("it is not a Namespace")
			}
			if ev.env == nil || ev.env.DeletionTimestamp.IsZero() {
				return errors.New("the environment is not being deleted")
			}
			if obj.GetName() != mirror.TargetNamespace(ev.env) {
				return fmt.Errorf("it is not the environment's namespace %s", mirror.TargetNamespace(ev.env))
			}
			if obj.GetLabels()[mirror.LabelEnvironmentUID] != string(ev.env.UID) {
				return errors.New("it does not carry the environment's uid")
			}
			return nil
		}}

	deleteLeftovers = deletion{name: "deleteLeftovers",
		what:  "the environment's Jobs and Secrets in the operator's namespace",
		proof: "the environment is being deleted and they carry its uid",
		check: func(ev evidence, obj client.Object) error {
			if ev.env == nil || ev.env.DeletionTimestamp.IsZero() {
				return errors.New("the environment is not being deleted")
			}
			return ownedBy(ev, obj, ev.operatorNamespace)
		}}

	expireEnvironment = deletion{name: "expireEnvironment",
		what:  "the environment itself",
		proof: "its expiry has passed",
		check: func(ev evidence, obj client.Object) error {
			env, ok := obj.(*v1alpha1.MirrorEnvironment)
			if !ok || ev.env == nil || env.UID != ev.env.UID {
				return errors.New("it is not the environment expiring")
			}
			if !ev.expired {
				return errors.New("its expiry has not passed")
			}
			return nil
		}}
)

// deletions lists every entry, for the table test and the docs.
var deletions = []deletion{pruneCopy, pruneOperatorJob, dropCredential, retryFailedProbe, deleteTarget, deleteLeftovers, expireEnvironment}

// ownedBy checks that obj is in namespace ns (not empty) and carries the environment's uid.
func ownedBy(ev evidence, obj client.Object, ns string) error {
	switch {
	case ev.env == nil:
		return errors.New("no environment")
	case ns == "" || obj.GetNamespace() != ns:
		return fmt.Errorf("it is in namespace %q, not %q", obj.GetNamespace(), ns)
	case obj.GetLabels()[mirror.LabelEnvironmentUID] != string(ev.env.UID):
		return errors.New("it does not carry the environment's uid")
	case !obj.GetDeletionTimestamp().IsZero():
		return errors.New("it is already being deleted")
	}
	return nil
}
