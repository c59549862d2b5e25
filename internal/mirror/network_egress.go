package mirror

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// AnnotationEgressNarrowed says, on a copied NetworkPolicy, which of prod's egress rules the
// copy got narrowed and how, so that a developer who finds a connection refused in the copy sees
// why without reading the operator's code.
const AnnotationEgressNarrowed = "envmirror.io/egress-narrowed"

// keepEgressOffProd narrows a copied policy's egress rules under DenyProd so that none of them
// reaches prod's namespace. Network policies are allow-lists that add up: a single copied rule
// allowing all egress (Online Boutique's policy set gives every service one, `egress: [{}]`)
// would re-open prod for the pods it selects, whatever the isolation policy says. So:
//   - a rule with no destination (all of them) gets the isolation policy's own: every namespace
//     but prod's, and the CIDRs the user allows;
//   - every namespace selector also requires "not prod's namespace" (a selector by a team label
//     matches prod's namespace as well as others);
//   - an ipBlock is kept only inside a CIDR the user allows (spec.network.allowedEgressCIDRs):
//     some CNIs match pod IPs with ipBlock, so prod's own 10.0.0.0/8 could reach prod's pods;
//   - a rule left with no destination is dropped, not kept empty (an empty list means "all").
//
// Pod selectors without a namespace selector select the copy's own pods and stay as they are.
func (b *Builder) keepEgressOffProd(p *networkingv1.NetworkPolicy) {
	env := b.opts.Env
	if env.Spec.Network.Isolation == v1alpha1.IsolationNone || len(p.Spec.Egress) == 0 {
		return
	}
	src := env.Spec.Source.Namespace
	var kept []networkingv1.NetworkPolicyEgressRule
	var notes []string
	for i, rule := range p.Spec.Egress {
		if len(rule.To) == 0 {
			rule.To = b.isolationPeers()
			kept = append(kept, rule)
			notes = append(notes, fmt.Sprintf("rule %d: all destinations became every namespace but %s", i+1, src))
			continue
		}
		var to []networkingv1.NetworkPolicyPeer
		for _, peer := range rule.To {
			switch {
			case peer.IPBlock != nil:
				if !b.allowedCIDR(peer.IPBlock.CIDR) {
					notes = append(notes, fmt.Sprintf("rule %d: ipBlock %s dropped (not in spec.network.allowedEgressCIDRs)", i+1, peer.IPBlock.CIDR))
					continue
				}
			case peer.NamespaceSelector != nil:
				if excludeNamespace(peer.NamespaceSelector, src) {
					notes = append(notes, fmt.Sprintf("rule %d: a namespace selector now excludes %s", i+1, src))
				}
			}
			to = append(to, peer)
		}
		if len(to) == 0 {
			notes = append(notes, fmt.Sprintf("rule %d dropped: nothing it allowed is outside prod and allowed", i+1))
			continue
		}
		rule.To = to
		kept = append(kept, rule)
	}
	if len(notes) == 0 {
		return
	}
	p.Spec.Egress = kept
	if p.Annotations == nil {
		p.Annotations = map[string]string{}
	}
	p.Annotations[AnnotationEgressNarrowed] = strings.Join(notes, "; ")
}

// isolationPeers are the destinations the isolation policy allows: every namespace but
// prod's, and the CIDRs the user allows outside the cluster.
func (b *Builder) isolationPeers() []networkingv1.NetworkPolicyPeer {
	env := b.opts.Env
	peers := []networkingv1.NetworkPolicyPeer{{NamespaceSelector: notNamespace(env.Spec.Source.Namespace)}}
	for _, cidr := range env.Spec.Network.AllowedEgressCIDRs {
		peers = append(peers, networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr}})
	}
	return peers
}

// notNamespace selects every namespace but one.
func notNamespace(ns string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
		Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpNotIn, Values: []string{ns},
	}}}
}

// excludeNamespace adds "not ns" to a selector unless it already cannot match ns (it names
// other namespaces only, or already excludes ns); it reports whether it changed anything.
func excludeNamespace(sel *metav1.LabelSelector, ns string) bool {
	if name, ok := sel.MatchLabels[corev1.LabelMetadataName]; ok && name != ns {
		return false
	}
	for _, e := range sel.MatchExpressions {
		if e.Key != corev1.LabelMetadataName {
			continue
		}
		switch {
		case e.Operator == metav1.LabelSelectorOpNotIn && slices.Contains(e.Values, ns),
			e.Operator == metav1.LabelSelectorOpIn && !slices.Contains(e.Values, ns),
			e.Operator == metav1.LabelSelectorOpDoesNotExist:
			return false
		}
	}
	sel.MatchExpressions = append(sel.MatchExpressions, notNamespace(ns).MatchExpressions...)
	return true
}

// allowedCIDR reports whether cidr lies inside one the user allows.
func (b *Builder) allowedCIDR(cidr string) bool {
	inner, err := netip.ParsePrefix(cidr)
	if err != nil {
		return false
	}
	for _, a := range b.opts.Env.Spec.Network.AllowedEgressCIDRs {
		outer, err := netip.ParsePrefix(a)
		if err == nil && outer.Bits() <= inner.Bits() && outer.Contains(inner.Masked().Addr()) {
			return true
		}
	}
	return false
}
