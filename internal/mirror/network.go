package mirror

import (
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/tmpl"
)

// Service copies a Service as an in-cluster one: LoadBalancer and NodePort become ClusterIP
// (a copy must not claim a cloud load balancer or a node port), and every allocated address is
// left for the cluster to allocate again. Headless services stay headless.
func (b *Builder) Service(in *corev1.Service) *corev1.Service {
	out := &corev1.Service{
		TypeMeta:   metaType("v1", "Service"),
		ObjectMeta: b.meta("Service", in.ObjectMeta),
		Spec: corev1.ServiceSpec{
			Type:                     in.Spec.Type,
			Selector:                 in.Spec.Selector,
			SessionAffinity:          in.Spec.SessionAffinity,
			SessionAffinityConfig:    in.Spec.SessionAffinityConfig.DeepCopy(),
			PublishNotReadyAddresses: in.Spec.PublishNotReadyAddresses,
			InternalTrafficPolicy:    in.Spec.InternalTrafficPolicy,
			IPFamilyPolicy:           in.Spec.IPFamilyPolicy,
			TrafficDistribution:      in.Spec.TrafficDistribution,
		},
	}
	switch in.Spec.Type {
	case corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeNodePort:
		out.Spec.Type = corev1.ServiceTypeClusterIP
	case corev1.ServiceTypeExternalName:
		out.Spec.ExternalName = b.opts.Scrubber.Rewrite(in.Spec.ExternalName)
	}
	if in.Spec.ClusterIP == corev1.ClusterIPNone {
		out.Spec.ClusterIP = corev1.ClusterIPNone
	}
	for _, p := range in.Spec.Ports {
		p.NodePort = 0
		out.Spec.Ports = append(out.Spec.Ports, p)
	}
	return out
}

// IngressHostData is what spec.network.ingressHost templates see.
type IngressHostData struct {
	Branch, Environment, Namespace, Name, Host, Subdomain, Domain string
}

// DefaultIngressHost gives each copied host a name of its own next to prod's.
const DefaultIngressHost = "{{ .Subdomain }}-{{ .Environment }}.{{ .Domain }}"

var notDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// DNSLabel turns a branch name like "feature/Checkout_Fix" into "feature-checkout-fix".
func DNSLabel(s string) string {
	s = strings.Trim(notDNS.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 63 {
		s = strings.TrimRight(Shorten(s, 63), "-")
	}
	return s
}

// IngressHost renders the copy's host for one of prod's.
func (b *Builder) IngressHost(ingress, prodHost string) (string, error) {
	env := b.opts.Env
	tpl := env.Spec.Network.IngressHost
	if tpl == "" {
		tpl = DefaultIngressHost
	}
	wildcard := strings.HasPrefix(prodHost, "*.")
	host := strings.TrimPrefix(prodHost, "*.")
	data := b.ingressData(ingress, host)
	rendered, err := tmpl.Render("ingressHost", tpl, nil, data)
	if err != nil {
		return "", fmt.Errorf("spec.network.ingressHost: %w", err)
	}
	out := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(rendered)), ".")
	if wildcard {
		out = "*." + out
	}
	if errs := validation.IsDNS1123Subdomain(strings.TrimPrefix(out, "*.")); len(errs) > 0 {
		return "", fmt.Errorf("spec.network.ingressHost gives %q for prod host %q, which is not a DNS name: %s", out, prodHost, strings.Join(errs, "; "))
	}
	if out == prodHost {
		return "", fmt.Errorf("spec.network.ingressHost gives prod's own host %q for Ingress %s; the copy would take prod's traffic", out, ingress)
	}
	return out, nil
}

// ingressData is what ingress templates see for one of prod's hosts.
func (b *Builder) ingressData(ingress, host string) IngressHostData {
	env := b.opts.Env
	sub, domain, _ := strings.Cut(host, ".")
	branch := DNSLabel(env.Spec.Branch)
	if branch == "" {
		branch = DNSLabel(env.Name)
	}
	return IngressHostData{
		Branch: branch, Environment: DNSLabel(env.Name), Namespace: b.opts.TargetNamespace,
		Name: ingress, Host: host, Subdomain: sub, Domain: domain,
	}
}

// ingressExtras applies spec.network.ingress: the copy's own annotations (cert-manager,
// external-dns: templates see the first copied host) and ingress class.
func (b *Builder) ingressExtras(out *networkingv1.Ingress) error {
	extra := b.opts.Env.Spec.Network.Ingress
	if extra == nil {
		return nil
	}
	if extra.ClassName != "" {
		out.Spec.IngressClassName = &extra.ClassName
	}
	first := ""
	for _, r := range out.Spec.Rules {
		if r.Host != "" {
			first = r.Host
			break
		}
	}
	data := b.ingressData(out.Name, first)
	for k, v := range extra.Annotations {
		rendered, err := tmpl.Render("ingress annotation "+k, v, nil, data)
		if err != nil {
			return fmt.Errorf("spec.network.ingress.annotations[%s]: %w", k, err)
		}
		if out.Annotations == nil {
			out.Annotations = map[string]string{}
		}
		out.Annotations[k] = rendered
	}
	return nil
}

// Ingress copies an Ingress with the copy's hosts (rules and TLS); the backends are the
// copied Services, which keep prod's names.
func (b *Builder) Ingress(in *networkingv1.Ingress) (*networkingv1.Ingress, error) {
	out := &networkingv1.Ingress{
		TypeMeta:   metaType("networking.k8s.io/v1", "Ingress"),
		ObjectMeta: b.meta("Ingress", in.ObjectMeta),
		Spec:       *in.Spec.DeepCopy(),
	}
	hosts := map[string]string{}
	mapHost := func(h string) (string, error) {
		if h == "" {
			return "", nil
		}
		if m, ok := hosts[h]; ok {
			return m, nil
		}
		m, err := b.IngressHost(in.Name, h)
		hosts[h] = m
		return m, err
	}
	for i := range out.Spec.Rules {
		h, err := mapHost(out.Spec.Rules[i].Host)
		if err != nil {
			return nil, err
		}
		out.Spec.Rules[i].Host = h
	}
	for i := range out.Spec.TLS {
		for j := range out.Spec.TLS[i].Hosts {
			h, err := mapHost(out.Spec.TLS[i].Hosts[j])
			if err != nil {
				return nil, err
			}
			out.Spec.TLS[i].Hosts[j] = h
		}
	}
	return out, b.ingressExtras(out)
}

// NetworkPolicy copies a policy, pointing namespace selectors that name the source namespace
// at the target namespace (otherwise the copy's policies would admit traffic from prod) and,
// under DenyProd, narrowing its egress rules so that none reaches prod (keepEgressOffProd).
func (b *Builder) NetworkPolicy(in *networkingv1.NetworkPolicy) *networkingv1.NetworkPolicy {
	out := &networkingv1.NetworkPolicy{
		TypeMeta:   metaType("networking.k8s.io/v1", "NetworkPolicy"),
		ObjectMeta: b.meta("NetworkPolicy", in.ObjectMeta),
		Spec:       *in.Spec.DeepCopy(),
	}
	src := b.opts.Env.Spec.Source.Namespace
	fix := func(peers []networkingv1.NetworkPolicyPeer) {
		for i := range peers {
			b.rewriteNamespaceSelector(peers[i].NamespaceSelector, src)
		}
	}
	for i := range out.Spec.Ingress {
		fix(out.Spec.Ingress[i].From)
	}
	for i := range out.Spec.Egress {
		fix(out.Spec.Egress[i].To)
	}
	b.keepEgressOffProd(out)
	return out
}

func (b *Builder) rewriteNamespaceSelector(sel *metav1.LabelSelector, src string) {
	if sel == nil {
		return
	}
	if sel.MatchLabels[corev1.LabelMetadataName] == src {
		sel.MatchLabels[corev1.LabelMetadataName] = b.opts.TargetNamespace
	}
	for i := range sel.MatchExpressions {
		e := &sel.MatchExpressions[i]
		if e.Key != corev1.LabelMetadataName {
			continue
		}
		for j := range e.Values {
			if e.Values[j] == src {
				e.Values[j] = b.opts.TargetNamespace
			}
		}
	}
}

// IsolationPolicyName names the policy that fences the copy off from prod.
const IsolationPolicyName = "envmirror-deny-prod"

// IsolationPolicy denies egress from every pod of the copy to the source namespace. Network
// policies are allow-lists, so "deny prod" is written as "allow egress to every namespace but
// prod's" (which keeps DNS and the copy itself reachable), plus the CIDRs the user allows for
// services outside the cluster. A blanket 0.0.0.0/0 is deliberately not allowed by default:
// some CNIs (Calico among them) match pod IPs with ipBlock, which would re-open prod.
func (b *Builder) IsolationPolicy() *networkingv1.NetworkPolicy {
	env := b.opts.Env
	if env.Spec.Network.Isolation == v1alpha1.IsolationNone {
		return nil
	}
	var egress []networkingv1.NetworkPolicyEgressRule
	for _, peer := range b.isolationPeers() {
		egress = append(egress, networkingv1.NetworkPolicyEgressRule{To: []networkingv1.NetworkPolicyPeer{peer}})
	}
	return &networkingv1.NetworkPolicy{
		TypeMeta: metaType("networking.k8s.io/v1", "NetworkPolicy"),
		ObjectMeta: metav1.ObjectMeta{
			Name: IsolationPolicyName, Namespace: b.opts.TargetNamespace, Labels: b.ownership,
			Annotations: map[string]string{
				"envmirror.io/purpose": "deny egress from this copy to prod namespace " + env.Spec.Source.Namespace,
			},
		},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress:      egress,
		},
	}
}

// StandInPolicyName names the policy that lets the copy and the operator's Jobs reach the
// stand-ins.
const StandInPolicyName = "envmirror-standins"

// standInComponents are the component labels of the stand-ins' pods.
var standInComponents = []string{"database-stand-in", "dependency-stand-in"}

// StandInPolicy lets the stand-ins be reached by every pod of the copy and by the operator's
// Jobs in its own namespace (the schema Job, the definitions copy), and by nothing else. Prod's
// own policies, copied beside it, do not know the stand-ins: a default-deny one (Online
// Boutique's policy set has one) would otherwise cut the copy's apps, the seeding Job and the
// schema Job off the databases they exist for. Policies are allow-lists that add up, so this
// opens nothing but the stand-ins; egress needs no rule of its own under DenyProd, whose policy
// already lets every pod of the copy reach any namespace but prod's.
func (b *Builder) StandInPolicy(operatorNamespace string) *networkingv1.NetworkPolicy {
	from := []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}
	if operatorNamespace != "" {
		from = append(from, networkingv1.NetworkPolicyPeer{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: operatorNamespace}},
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{LabelManagedBy: ManagedByValue}},
		})
	}
	return &networkingv1.NetworkPolicy{
		TypeMeta: metaType("networking.k8s.io/v1", "NetworkPolicy"),
		ObjectMeta: metav1.ObjectMeta{
			Name: StandInPolicyName, Namespace: b.opts.TargetNamespace, Labels: b.ownership,
			Annotations: map[string]string{
				"envmirror.io/purpose": "let the copy's pods and the operator's Jobs reach the stand-ins, whatever prod's policies deny",
			},
		},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: "app.kubernetes.io/component", Operator: metav1.LabelSelectorOpIn, Values: standInComponents,
			}}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: from}},
		},
	}
}

// ClusterHosts are the copy's cluster DNS names, which its TLS certificates cover next to its
// ingress hosts.
func ClusterHosts(targetNamespace string) []string {
	return []string{"*." + targetNamespace + ".svc", "*." + targetNamespace + ".svc.cluster.local"}
}
