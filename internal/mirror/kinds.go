package mirror

import (
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/source"
)

// The kinds with a built-in conversion.
var (
	KindRollout        = schema.GroupKind{Group: "argoproj.io", Kind: "Rollout"}
	KindExternalSecret = schema.GroupKind{Group: "external-secrets.io", Kind: "ExternalSecret"}
	KindCertificate    = schema.GroupKind{Group: "cert-manager.io", Kind: "Certificate"}
)

var conversions = map[schema.GroupKind]bool{KindRollout: true, KindExternalSecret: true, KindCertificate: true}

// notCopiedByDesign are kinds that make no sense in a copy, and why.
var notCopiedByDesign = map[schema.GroupKind]string{
	{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}:      autoscaling,
	{Group: "autoscaling.k8s.io", Kind: "VerticalPodAutoscaler"}: autoscaling,
	{Group: "keda.sh", Kind: "ScaledObject"}:                     autoscaling,
	{Group: "keda.sh", Kind: "ScaledJob"}:                        autoscaling,
	{Group: "policy", Kind: "PodDisruptionBudget"}:               "disruption budgets are not copied: the copy runs spec.workloads.replicas",
	{Group: "external-secrets.io", Kind: "SecretStore"}:          "secret stores lead to prod's secrets and are never copied",
	{Group: "cert-manager.io", Kind: "Issuer"}:                   "prod's issuers are not copied: a copy uses its cluster's ClusterIssuers or self-signed certificates",
	{Group: "argoproj.io", Kind: "AnalysisTemplate"}:             "rollout analysis is not copied: a copied Rollout is a Deployment",
	{Group: "monitoring.coreos.com", Kind: "PrometheusRule"}:     "alerting rules are not copied: nobody is paged for a copy",
	{Group: "external-secrets.io", Kind: "PushSecret"}:           "push secrets write to prod's store and are never copied",
	{Group: "snapshot.storage.k8s.io", Kind: "VolumeSnapshot"}:   "volume snapshots hold prod's data and are never copied",
	{Group: "velero.io", Kind: "Backup"}:                         "backups hold prod's data and are never copied",
	{Group: "batch", Kind: "Job"}:                                "one-off Jobs are not copied (CronJobs are)",
	{Group: "", Kind: "ResourceQuota"}:                           "quotas are the copy's cluster's to set",
	{Group: "", Kind: "LimitRange"}:                              "limit ranges are the copy's cluster's to set",
	{Group: "storage.k8s.io", Kind: "CSIStorageCapacity"}:        "storage capacity is the cluster's own record",
}

const autoscaling = "autoscaling is not copied: the copy runs spec.workloads.replicas"

// WantedKinds are the kinds whose whole objects the copy needs: those converted by default or by
// rule, and those a rule copies.
func WantedKinds(rules []v1alpha1.KindRule) []schema.GroupKind {
	want := map[schema.GroupKind]bool{}
	for gk := range conversions {
		want[gk] = true
	}
	for _, r := range rules {
		gk := schema.GroupKind{Group: r.Group, Kind: r.Kind}
		switch r.Action {
		case v1alpha1.KindSkip:
			delete(want, gk)
		case v1alpha1.KindCopy:
			want[gk] = true
		case v1alpha1.KindConvert:
			want[gk] = conversions[gk]
		}
	}
	var out []schema.GroupKind
	for gk, ok := range want {
		if ok {
			out = append(out, gk)
		}
	}
	sort.Slice(out, func(i, j int) bool { return source.GroupKindString(out[i]) < source.GroupKindString(out[j]) })
	return out
}

// KindsInput is what the copy of prod's other kinds depends on.
type KindsInput struct {
	Snapshot *source.Snapshot
	// Issuers are the ClusterIssuers of the copy's cluster a copied Certificate may use.
	Issuers map[string]bool
}

// KindsResult is what the copy makes of prod's other kinds.
type KindsResult struct {
	// Snapshot is prod's, with each Rollout added as the Deployment it becomes: Build copies it
	// like any Deployment (pins, overrides, selection, scaling).
	Snapshot *source.Snapshot
	// SecretShapes are Secrets the copy needs that prod does not show (an ExternalSecret's
	// target, a Certificate's Secret): the configuration generates them by shape, like prod's.
	SecretShapes []corev1.Secret
	// Objects are copies applied as they are (Certificates, kinds with a Copy rule).
	Objects []client.Object
	// OwnedSecrets are Secrets a controller of the copy's cluster writes (a copied Certificate's):
	// the configuration leaves them to it.
	OwnedSecrets map[string]bool
	// TLSHosts are the copy's hosts of Certificates that became self-signed Secrets.
	TLSHosts []string
	// NotCopied lists the kinds prod has that the copy does not, with their count and why.
	NotCopied []v1alpha1.KindCount
	// rollouts are the Deployments that were Rollouts in prod.
	rollouts map[string]bool
}

// Kinds converts and copies prod's other kinds by spec.kinds and the built-in conversions, and
// lists the rest as not copied. It changes nothing in prod's snapshot.
func (b *Builder) Kinds(in KindsInput) *KindsResult {
	snap := *in.Snapshot
	r := &KindsResult{Snapshot: &snap, OwnedSecrets: map[string]bool{}, rollouts: map[string]bool{}}
	custom := in.Snapshot.Custom
	if custom == nil {
		return r
	}
	rules := map[schema.GroupKind]v1alpha1.KindAction{}
	for _, rule := range b.opts.Env.Spec.Kinds {
		rules[schema.GroupKind{Group: rule.Group, Kind: rule.Kind}] = rule.Action
	}
	var forbidden []string
	for _, c := range custom.Census {
		action, ruled := rules[c.GroupKind]
		if action == v1alpha1.KindSkip {
			continue
		}
		count := v1alpha1.KindCount{Kind: c.String(), Count: int32(c.Count)}
		switch {
		case c.Forbidden:
			forbidden = append(forbidden, strings.TrimSuffix(c.Resource+"."+c.GroupKind.Group, "."))
			continue
		case c.Err != "":
			count.Reason = "could not be listed: " + c.Err
		case action == v1alpha1.KindCopy:
			r.Objects = append(r.Objects, b.copyAsIs(custom.Objects[c.GroupKind])...)
			continue
		case conversions[c.GroupKind] && (!ruled || action == v1alpha1.KindConvert):
			if reason := b.convert(r, c.GroupKind, custom.Objects[c.GroupKind], in.Issuers); reason == "" {
				continue
			} else {
				count.Reason = reason
			}
		case action == v1alpha1.KindConvert:
			count.Reason = "spec.kinds says Convert, but envmirror has no conversion for this kind (Copy or Skip it)"
		case notCopiedByDesign[c.GroupKind] != "":
			count.Reason = notCopiedByDesign[c.GroupKind]
		default:
			count.Reason = "no built-in handling: a spec.kinds rule may Copy or Skip it"
		}
		r.NotCopied = append(r.NotCopied, count)
	}
	if len(forbidden) > 0 {
		r.NotCopied = append(r.NotCopied, v1alpha1.KindCount{Kind: fmt.Sprintf("%d kinds", len(forbidden)),
			Reason: "the operator may not list them in prod, so it cannot tell whether prod has any (grant it list on: " + strings.Join(forbidden, ", ") + ")"})
	}
	return r
}

// convert converts prod's objects of a kind with a built-in conversion; it returns why some
// could not be, or "".
func (b *Builder) convert(r *KindsResult, gk schema.GroupKind, objs []unstructured.Unstructured, issuers map[string]bool) string {
	var problems []string
	for i := range objs {
		var err error
		switch gk {
		case KindRollout:
			err = b.convertRollout(r, &objs[i])
		case KindExternalSecret:
			err = convertExternalSecret(r, &objs[i])
		case KindCertificate:
			err = b.convertCertificate(r, &objs[i], issuers)
		}
		if err != nil {
			problems = append(problems, objs[i].GetName()+": "+err.Error())
		}
	}
	return strings.Join(problems, "; ")
}

// convertRollout adds an Argo Rollout to the snapshot as the Deployment it becomes (its pod
// template, or that of the Deployment it references), the way a DaemonSet becomes one. Its
// rollout strategy has no meaning in a copy.
func (b *Builder) convertRollout(r *KindsResult, u *unstructured.Unstructured) error {
	var ro struct {
		Spec struct {
			Replicas             *int32                 `json:"replicas"`
			Selector             *metav1.LabelSelector  `json:"selector"`
			Template             corev1.PodTemplateSpec `json:"template"`
			MinReadySeconds      int32                  `json:"minReadySeconds"`
			RevisionHistoryLimit *int32                 `json:"revisionHistoryLimit"`
			WorkloadRef          *struct {
				Kind string `json:"kind"`
				Name string `json:"name"`
			} `json:"workloadRef"`
		} `json:"spec"`
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &ro); err != nil {
		return fmt.Errorf("not a Rollout this version of envmirror reads: %w", err)
	}
	deployments := r.Snapshot.Deployments
	template := ro.Spec.Template
	referenced := -1
	if ref := ro.Spec.WorkloadRef; ref != nil {
		referenced = indexByName(deployments, ref.Name)
		if ref.Kind != "Deployment" || referenced < 0 {
			return fmt.Errorf("its workloadRef names %s %s, which prod does not have", ref.Kind, ref.Name)
		}
		template = deployments[referenced].Spec.Template
	}
	if i := indexByName(deployments, u.GetName()); i >= 0 && i != referenced {
		return fmt.Errorf("prod also has a Deployment named %s", u.GetName())
	}
	if ro.Spec.Selector == nil {
		return fmt.Errorf("it has no selector")
	}
	d := appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: u.GetName(), Namespace: u.GetNamespace(), Labels: u.GetLabels(), Annotations: u.GetAnnotations()},
		Spec: appsv1.DeploymentSpec{Replicas: ro.Spec.Replicas, Selector: ro.Spec.Selector, Template: template,
			MinReadySeconds: ro.Spec.MinReadySeconds, RevisionHistoryLimit: ro.Spec.RevisionHistoryLimit},
	}
	out := make([]appsv1.Deployment, 0, len(deployments)+1)
	for i := range deployments {
		if i != referenced || deployments[i].Name != u.GetName() {
			out = append(out, deployments[i])
		}
	}
	r.Snapshot.Deployments = append(out, d)
	sort.SliceStable(r.Snapshot.Deployments, func(i, j int) bool { return r.Snapshot.Deployments[i].Name < r.Snapshot.Deployments[j].Name })
	r.rollouts[u.GetName()] = true
	return nil
}

func indexByName(ds []appsv1.Deployment, name string) int {
	for i := range ds {
		if ds[i].Name == name {
			return i
		}
	}
	return -1
}

// convertExternalSecret makes sure the copy has the Secret an ExternalSecret writes: when prod
// shows it, the configuration copies it by shape already; otherwise its keys come from the
// ExternalSecret's data and template. Nothing is ever fetched from prod's secret store, and the
// ExternalSecret itself is not copied (it would read that store).
func convertExternalSecret(r *KindsResult, u *unstructured.Unstructured) error {
	name, _, _ := unstructured.NestedString(u.Object, "spec", "target", "name")
	if name == "" {
		name = u.GetName()
	}
	for i := range r.Snapshot.Secrets {
		if r.Snapshot.Secrets[i].Name == name {
			return nil
		}
	}
	keys := map[string][]byte{}
	data, _, _ := unstructured.NestedSlice(u.Object, "spec", "data")
	for _, d := range data {
		if m, ok := d.(map[string]any); ok {
			if k, _ := m["secretKey"].(string); k != "" {
				keys[k] = nil
			}
		}
	}
	tmpl, _, _ := unstructured.NestedMap(u.Object, "spec", "target", "template", "data")
	for k := range tmpl {
		keys[k] = nil
	}
	if len(keys) == 0 {
		return fmt.Errorf("its keys come from dataFrom, which only prod's secret store can tell; the copy has no Secret %s", name)
	}
	typ, _, _ := unstructured.NestedString(u.Object, "spec", "target", "template", "type")
	if typ == "" {
		typ = string(corev1.SecretTypeOpaque)
	}
	r.SecretShapes = append(r.SecretShapes, corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: u.GetLabels()},
		Type: corev1.SecretType(typ), Data: keys})
	return nil
}

// convertCertificate copies a cert-manager Certificate with the copy's hosts when its issuer is
// a ClusterIssuer of the copy's cluster the copy may use (cert-manager then writes its Secret);
// otherwise the copy gets a self-signed Secret of the same name for those hosts.
func (b *Builder) convertCertificate(r *KindsResult, u *unstructured.Unstructured, issuers map[string]bool) error {
	spec, _, _ := unstructured.NestedMap(u.Object, "spec")
	secretName, _ := spec["secretName"].(string)
	if secretName == "" {
		return fmt.Errorf("it names no secretName")
	}
	var hosts []string
	dns, _, _ := unstructured.NestedStringSlice(spec, "dnsNames")
	for _, h := range dns {
		mapped, err := b.IngressHost(u.GetName(), h)
		if err != nil {
			return err
		}
		hosts = append(hosts, mapped)
	}
	issuer, _, _ := unstructured.NestedMap(spec, "issuerRef")
	kind, _ := issuer["kind"].(string)
	name, _ := issuer["name"].(string)
	if kind == "ClusterIssuer" && issuers[name] {
		out := map[string]any{"secretName": secretName, "issuerRef": issuer, "dnsNames": toAny(hosts)}
		if len(hosts) > 0 {
			out["commonName"] = hosts[0]
		}
		for _, k := range []string{"duration", "renewBefore", "privateKey", "usages", "secretTemplate", "isCA"} {
			if v, ok := spec[k]; ok {
				out[k] = v
			}
		}
		c := &unstructured.Unstructured{Object: map[string]any{"apiVersion": u.GetAPIVersion(), "kind": u.GetKind(), "spec": out}}
		meta := b.meta(u.GetKind(), metav1.ObjectMeta{Name: u.GetName(), Namespace: u.GetNamespace(), Labels: u.GetLabels(), Annotations: u.GetAnnotations()})
		c.SetName(meta.Name)
		c.SetNamespace(meta.Namespace)
		c.SetLabels(meta.Labels)
		c.SetAnnotations(meta.Annotations)
		r.Objects = append(r.Objects, c)
		r.OwnedSecrets[secretName] = true
		return nil
	}
	r.TLSHosts = append(r.TLSHosts, hosts...)
	for i := range r.Snapshot.Secrets {
		if r.Snapshot.Secrets[i].Name == secretName {
			return nil // copied by shape: a kubernetes.io/tls Secret gets a self-signed pair
		}
	}
	r.SecretShapes = append(r.SecretShapes, corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: secretName},
		Type: corev1.SecretTypeTLS, Data: map[string][]byte{corev1.TLSCertKey: nil, corev1.TLSPrivateKeyKey: nil, "ca.crt": nil}})
	return nil
}

func toAny(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}

// copyAsIs copies objects of a kind with a Copy rule: prod's metadata as for any copy, every
// string of the rest rewritten and scrubbed like a ConfigMap value, and no status.
func (b *Builder) copyAsIs(objs []unstructured.Unstructured) []client.Object {
	var out []client.Object
	for i := range objs {
		u := &objs[i]
		c := &unstructured.Unstructured{Object: map[string]any{}}
		for k, v := range u.Object {
			if k != "metadata" && k != "status" {
				c.Object[k] = b.scrubStrings(u.GetKind()+"/"+u.GetName(), k, runtime.DeepCopyJSONValue(v))
			}
		}
		meta := b.meta(u.GetKind(), metav1.ObjectMeta{Name: u.GetName(), Namespace: u.GetNamespace(), Labels: u.GetLabels(), Annotations: u.GetAnnotations()})
		c.SetName(meta.Name)
		c.SetNamespace(meta.Namespace)
		c.SetLabels(meta.Labels)
		c.SetAnnotations(meta.Annotations)
		out = append(out, c)
	}
	return out
}

// scrubStrings scrubs and rewrites every string in a JSON value, each under its key. A string
// that is prod's namespace (a namespaceSelector's matchNames, say) becomes the copy's.
func (b *Builder) scrubStrings(scope, key string, v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			t[k] = b.scrubStrings(scope, k, c)
		}
	case []any:
		for i, c := range t {
			t[i] = b.scrubStrings(scope, key, c)
		}
	case string:
		if t == b.opts.Env.Spec.Source.Namespace {
			return b.opts.TargetNamespace
		}
		return b.opts.Scrubber.Value("copy/"+scope, key, t)
	}
	return v
}

// Finish marks the copies of Rollouts in what Build made of the snapshot: their source kind in
// status, and the source annotation.
func (r *KindsResult) Finish(res *Result) {
	for i := range res.Services {
		if sv := &res.Services[i]; sv.Kind == "Deployment" && r.rollouts[sv.Name] {
			sv.SourceKind = "Rollout"
			sv.Message = "prod's Argo Rollout is copied as a Deployment (without its rollout strategy)"
		}
	}
	for _, w := range res.Workloads {
		if d, ok := w.(*appsv1.Deployment); ok && r.rollouts[d.Name] {
			d.Annotations[AnnotationSource] = "Rollout/" + r.Snapshot.Namespace + "/" + d.Name
		}
	}
}
