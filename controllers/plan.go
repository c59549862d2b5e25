package controllers

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
	"github.com/envmirror/envmirror/internal/scrub"
)

// desired is the whole copy this reconcile wants, built by plan from what was read. Apply
// steps only apply it; status reports from it.
type desired struct {
	standIns mirror.StandIns
	// deps are the dependencies' versions, Secret rules and prod's services without a stand-in
	// (dependencies.go); kinds what the copy makes of prod's other kinds (kinds.go).
	deps  depsPlan
	kinds *mirror.KindsResult
	// infra is prod's infrastructure as the copy should have it (workloads, services, RBAC,
	// claims, ingresses, prod's network policies), with the pins and what could not be done.
	infra *mirror.Result
	// isolation is the policy that fences the copy off from prod (empty with isolation None).
	isolation []client.Object
	config    configPlan
	// workloads are the copies of prod's workloads and what fronts and runs them, without
	// what stand-ins replace.
	workloads []client.Object
	// workloadsBlocked stalls the workloads step: a spec problem (an override naming nothing,
	// RequireDigest with unpinned images, a name collision).
	workloadsBlocked error
	// network are prod's NetworkPolicies, rewritten.
	network []client.Object
	// access is the RoleBinding giving spec.access.subjects their role in the copy.
	access []client.Object
	data   dataPlan
	urls   []string
	// sweep replaces prod Secret values wherever they appear; the data step sweeps the Jobs it
	// builds with it too.
	sweep *scrub.Sweep
}

// configPlan is the configuration of the copy: ConfigMaps and Secrets, scrubbed.
type configPlan struct {
	objects []client.Object
	status  v1alpha1.ConfigStatus
	// unmatched lists Secret rules that matched nothing in prod.
	unmatched []string
	// verbatim lists the "secret/key"s a Keep rule copies as they are: the sweep leaves them.
	verbatim []string
	// err stalls the configuration (and the workloads, which would start without it).
	err error
}

// planInput is everything plan reads: the environment, what the read stage found, and the
// operator's settings. plan does no I/O.
type planInput struct {
	env      *v1alpha1.MirrorEnvironment
	target   string
	scope    *scope
	settings Settings
	// operatorNamespace runs the Jobs that reach into the copy (the schema Job).
	operatorNamespace string
	// memo remembers scrubbed ConfigMaps across reconciles (nil: none).
	memo *scrubMemo
}

// plan builds the whole desired copy. It is a pure function of the scope's read results and the
// settings: the same inputs give the same objects, which is what makes converged reconciles
// write nothing.
func plan(in planInput) *desired {
	s, env := in.scope, in.env
	d := &desired{deps: planDependencies(in)}
	d.standIns = mirror.NewStandIns(env, func(name string) string {
		return s.keyring.Value(mirror.StandInPasswordScope, name, "password")
	}, s.inputs.schemas).WithDependencies(d.deps.versions).WithProdDatabases(prodDatabases(env, s.probes))
	if ref := env.Spec.Config.Secrets.PullSecretRef; ref != nil {
		// A stand-in image of the spec may be private: it pulls with the dev pull secret.
		d.standIns = d.standIns.WithPullSecret(s.inputs.devSecrets[ref.Name].Data[corev1.DockerConfigJsonKey])
	}
	scrubber := &plainScrubber{inputs: scrubInputs{
		Source: env.Spec.Source.Namespace, Target: in.target,
		// The user's rules, then the stand-ins' (which depend on spec.data, spec.dependencies and
		// prod's Services): all of them decide what a scrubbed value becomes.
		Rules:     slices.Concat(env.Spec.Config.Rewrite, d.standIns.RewriteRules(s.prod.Services)),
		Keyring:   s.keyring,
		KeepPlain: env.Spec.Config.KeepPlain,
		Mode:      scrub.PlainMode(env.Spec.Config.PlainValues),
	}}
	scrubber.in = scrubber.inputs.plainInput()
	opts := mirror.Options{Env: env, TargetNamespace: in.target, Scrubber: scrubber}
	b := mirror.NewBuilder(opts, nil)
	d.kinds = planKinds(in, b)
	d.infra = mirror.Build(d.kinds.Snapshot, opts)
	d.kinds.Finish(d.infra)
	if p := b.IsolationPolicy(); p != nil {
		d.isolation = []client.Object{p}
	}
	if len(d.standIns.Names()) > 0 {
		d.isolation = append(d.isolation, b.StandInPolicy(in.operatorNamespace))
	}
	d.config = planConfig(in, d, scrubber, b)
	d.workloads, d.workloadsBlocked = planWorkloads(env, d)
	d.network = d.infra.NetworkPolicies
	if rb := mirror.AccessBinding(env, in.target); rb != nil {
		d.access = []client.Object{rb}
	}
	d.data = planData(in, d, b)
	d.urls = previewURLs(d.infra, in.target)
	if collisions := generatedCollisions(d); len(collisions) > 0 && d.workloadsBlocked == nil {
		d.workloadsBlocked = stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonNameCollision,
			"names collide, so nothing was copied: %s; rename the stand-in (spec.data[].name) or exclude the prod object (spec.workloads.exclude, spec.source.selector)",
			strings.Join(collisions, "; "))
	}
	d.config.status.Generated += scrubber.generated
	if err := sweepAll(d, s, scrubber); err != nil {
		// A conversion error is a bug of ours, never a reason to copy unswept objects.
		d.workloadsBlocked = err
		d.config.err = err
	}
	return d
}

// sweepAll runs the known-value sweep over every object the plan wants, and records the
// replaced values per object in the configuration's status. (Whatever a step writes later passes
// the same sweep once more in writes.go: this pass is the one that counts.)
func sweepAll(d *desired, s *scope, scrubber *plainScrubber) error {
	if scrubber.counts == nil {
		scrubber.counts = map[string]int32{}
	}
	counts := scrubber.counts
	d.sweep = scrub.NewSweep(s.prod.Secrets, s.keyring, d.config.verbatim)
	for _, list := range []struct {
		objects *[]client.Object
		copies  bool // copied from prod: their label and selector values are scrubbed too
	}{
		{&d.isolation, false}, {&d.config.objects, true}, {&d.workloads, true}, {&d.network, true},
		{&d.access, false}, {&d.data.objects, false}, {&d.kinds.Objects, true},
	} {
		labels := scrubber
		if !list.copies {
			labels = nil
		}
		swept, err := sweepObjectsAndLabels(d.sweep, labels, *list.objects, counts)
		if err != nil {
			return err
		}
		*list.objects = swept
	}
	d.config.status.Replaced, d.config.status.ReplacedIn = replacedCounts(counts)
	d.config.status.Uncertain, d.config.status.UncertainOmitted = scrubber.uncertain.list, scrubber.uncertain.omitted
	return nil
}

// planConfig copies prod's ConfigMaps (rewritten, sensitive values generated) and Secrets (by
// shape). When a Secret key cannot be produced, nothing of the configuration is planned: a
// half-configured copy would start with missing credentials.
func planConfig(in planInput, d *desired, scrubber *plainScrubber, b *mirror.Builder) configPlan {
	s, env := in.scope, in.env
	tlsHosts := slices.Concat(d.infra.IngressHosts, mirror.ClusterHosts(in.target), d.kinds.TLSHosts)
	spec := env.Spec.Config.Secrets
	spec.Rules = slices.Concat(spec.Rules, d.deps.secretRules)
	secrets, err := scrub.Secrets(scrub.SecretsInput{
		Prod:         slices.Concat(s.prod.Secrets, d.kinds.SecretShapes),
		Spec:         spec,
		DevSecrets:   s.inputs.devSecrets,
		DevNamespace: env.Namespace,
		Existing:     s.inputs.existing,
		Keyring:      s.keyring,
		Data:         scrub.TemplateData{Namespace: in.target, Branch: env.Spec.Branch, Environment: env.Name},
		TLSHosts:     tlsHosts,
		Extra:        d.standIns.Credentials(),
		Now:          s.now,
	})
	if err != nil {
		return configPlan{err: stall(v1alpha1.ConditionConfigScrubbed, v1alpha1.ReasonConfigInvalid,
			"no configuration was copied: %s", strings.ReplaceAll(err.Error(), "\n", "; "))}
	}
	if err := s.grant.allowsKeeps(secrets.Kept); err != nil {
		return configPlan{err: err}
	}
	var p configPlan
	for i := range s.prod.ConfigMaps {
		cm := &s.prod.ConfigMaps[i]
		if cm.Name == rootCAConfigMap {
			continue
		}
		data, binary, rep := in.memo.configMap(scrubber.inputs, cm)
		scrubber.count("ConfigMap/"+cm.Name, rep.Generated)
		scrubber.uncertain.add("ConfigMap/"+cm.Name, "configMap: "+cm.Name, rep)
		p.objects = append(p.objects, b.ConfigMap(cm, data, binary))
		p.status.ConfigMaps++
	}
	replaced := d.standIns.SecretNames()
	for i := range secrets.Secrets {
		if replaced[secrets.Secrets[i].Name] || d.kinds.OwnedSecrets[secrets.Secrets[i].Name] {
			continue // the stand-in's own credentials, or cert-manager's Secret, take this name
		}
		p.objects = append(p.objects, b.Secret(&secrets.Secrets[i]))
	}
	p.status.Secrets = int32(len(secrets.Secrets))
	p.status.Generated = secrets.Counts.Generated
	p.status.Templated = secrets.Counts.Templated
	p.status.FromSecret = secrets.Counts.FromSecret
	p.status.Kept = secrets.Counts.Kept
	p.status.KeptKeys = secrets.Kept
	p.unmatched = secrets.Unmatched
	p.verbatim = secrets.Verbatim
	return p
}

// planWorkloads lists the workload copies, or stalls on the spec problems that keep every
// workload from being copied as asked.
func planWorkloads(env *v1alpha1.MirrorEnvironment, d *desired) ([]client.Object, error) {
	res := d.infra
	for _, p := range res.Problems {
		if p.Reason == v1alpha1.ReasonOverrideNotFound {
			return nil, stall(v1alpha1.ConditionProvisioned, p.Reason, "%s", p.Message)
		}
	}
	if env.Spec.Versions.Policy == v1alpha1.VersionRequireDigest && res.Unpinned > 0 {
		return nil, stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonUnpinnedImages,
			"versions.policy is RequireDigest and %d image(s) have no known prod digest, so no workload was copied: %s",
			res.Unpinned, strings.Join(res.UnpinnedImages, "; "))
	}
	all := append(append([]client.Object{}, res.Objects...), res.Workloads...)
	if collisions := d.standIns.Collisions(all); len(collisions) > 0 {
		return nil, stall(v1alpha1.ConditionProvisioned, v1alpha1.ReasonNameCollision,
			"a stand-in needs a name a copied object has, so no workload was copied: %s; rename the stand-in (spec.data[].name) or exclude the prod object",
			strings.Join(collisions, "; "))
	}
	out := all[:0]
	for _, o := range all {
		if !d.standIns.Replaces(o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// generatedCollisions lists copies of prod's objects named like an object the operator
// generates in the copy (its keyring, its RoleBindings, its isolation policy).
func generatedCollisions(d *desired) []string {
	generated := map[string]string{
		"Secret/" + KeyringSecret:                     "the environment's keyring",
		"RoleBinding/" + CopyWriterBinding:            "the operator's copy-writer binding",
		"RoleBinding/" + mirror.AccessBindingName:     "the spec.access binding",
		"NetworkPolicy/" + mirror.IsolationPolicyName: "the isolation policy",
		"NetworkPolicy/" + mirror.StandInPolicyName:   "the stand-ins' policy",
	}
	var out []string
	check := func(objs []client.Object) {
		for _, o := range objs {
			k := kindOf(o) + "/" + o.GetName()
			if what, ok := generated[k]; ok {
				out = append(out, fmt.Sprintf("prod's %s and %s", k, what))
			}
		}
	}
	check(d.infra.Objects)
	check(d.infra.NetworkPolicies)
	check(d.config.objects)
	sort.Strings(out)
	return out
}

// kindOf is an object's kind as set by the builders.
func kindOf(o client.Object) string { return o.GetObjectKind().GroupVersionKind().Kind }

// previewURLs are where the copy can be reached: each Ingress host (https when the Ingress has
// TLS for it), or, without an Ingress, a port-forward command for the Service most likely to be
// the front end.
func previewURLs(infra *mirror.Result, target string) []string {
	if urls := ingressURLs(infra); len(urls) > 0 {
		return urls
	}
	if svc := frontService(infra); svc != nil && len(svc.Spec.Ports) > 0 {
		port := svc.Spec.Ports[0].Port
		return []string{fmt.Sprintf("kubectl port-forward -n %s svc/%s %d:%d", target, svc.Name, localPort(port), port)}
	}
	return nil
}

// maxURLs bounds status.urls (the API's limit).
const maxURLs = 20

// ingressURLs are the copy's Ingress hosts as URLs, sorted; wildcard hosts are skipped.
func ingressURLs(infra *mirror.Result) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range infra.Objects {
		ing, ok := o.(*networkingv1.Ingress)
		if !ok {
			continue
		}
		tls := map[string]bool{}
		for _, t := range ing.Spec.TLS {
			for _, h := range t.Hosts {
				tls[h] = true
			}
		}
		for _, r := range ing.Spec.Rules {
			if r.Host == "" || strings.HasPrefix(r.Host, "*.") {
				continue
			}
			u := "http://" + r.Host + "/"
			if tls[r.Host] {
				u = "https://" + r.Host + "/"
			}
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	sort.Strings(out)
	if len(out) > maxURLs {
		out = out[:maxURLs]
	}
	return out
}

// localPort keeps privileged ports off the developer's machine.
func localPort(p int32) int32 {
	if p < 1024 {
		return 8000 + p%1000
	}
	return p
}

// frontService picks the Service a person would open: one whose name says it is the front end,
// else one prod exposed (LoadBalancer or NodePort: the builders made it ClusterIP, the source
// annotation keeps the original type), else the first.
func frontService(infra *mirror.Result) *corev1.Service {
	var services []*corev1.Service
	for _, o := range infra.Objects {
		if svc, ok := o.(*corev1.Service); ok && svc.Spec.Type != corev1.ServiceTypeExternalName {
			services = append(services, svc)
		}
	}
	for _, name := range []string{"frontend", "web", "ui", "app", "gateway", "api"} {
		for _, svc := range services {
			if svc.Name == name || strings.HasPrefix(svc.Name, name+"-") {
				return svc
			}
		}
	}
	if len(services) > 0 {
		return services[0]
	}
	return nil
}
