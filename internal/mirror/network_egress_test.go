package mirror_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

// TestCopiedEgressNeverReachesProd: under DenyProd, no copied egress rule may reach prod's
// namespace, since policies add up and one allow-all rule of prod's would re-open prod.
func TestCopiedEgressNeverReachesProd(t *testing.T) {
	notProd := metav1.LabelSelectorRequirement{Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpNotIn, Values: []string{src}}
	ns := func(sel *metav1.LabelSelector) networkingv1.NetworkPolicyPeer {
		return networkingv1.NetworkPolicyPeer{NamespaceSelector: sel}
	}
	ipBlock := func(cidr string) networkingv1.NetworkPolicyPeer {
		return networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr}}
	}
	pods := networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "cache"}}}
	redis := intstr.FromInt32(6379)
	port := []networkingv1.NetworkPolicyPort{{Port: &redis}}
	allowed := []string{"203.0.113.0/24"}

	tests := []struct {
		name      string
		isolation v1alpha1.IsolationPolicy
		in, want  []networkingv1.NetworkPolicyEgressRule
		narrowed  bool
	}{{
		name: "allow-all egress becomes what the isolation policy allows",
		in:   []networkingv1.NetworkPolicyEgressRule{{}},
		want: []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{
			ns(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{notProd}}), ipBlock("203.0.113.0/24")}}},
		narrowed: true,
	}, {
		name: "ports of an allow-all rule are kept",
		in:   []networkingv1.NetworkPolicyEgressRule{{Ports: port}},
		want: []networkingv1.NetworkPolicyEgressRule{{Ports: port, To: []networkingv1.NetworkPolicyPeer{
			ns(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{notProd}}), ipBlock("203.0.113.0/24")}}},
		narrowed: true,
	}, {
		name: "a namespace selector by label also excludes prod",
		in:   []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{ns(&metav1.LabelSelector{MatchLabels: map[string]string{"team": "shop"}})}}},
		want: []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{
			ns(&metav1.LabelSelector{MatchLabels: map[string]string{"team": "shop"}, MatchExpressions: []metav1.LabelSelectorRequirement{notProd}})}}},
		narrowed: true,
	}, {
		name: "an empty namespace selector (every namespace) excludes prod",
		in:   []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{ns(&metav1.LabelSelector{})}}},
		want: []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{
			ns(&metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{notProd}})}}},
		narrowed: true,
	}, {
		name: "prod's own namespace by name becomes the copy's and is left alone",
		in:   []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{ns(&metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: src}})}}},
		want: []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{ns(&metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: target}})}}},
	}, {
		name: "pods of the copy itself stay reachable as they are",
		in:   []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{pods}, Ports: port}},
		want: []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{pods}, Ports: port}},
	}, {
		name: "an ipBlock outside what the user allows is dropped, and its emptied rule with it",
		in: []networkingv1.NetworkPolicyEgressRule{
			{To: []networkingv1.NetworkPolicyPeer{ipBlock("10.0.0.0/8")}},
			{To: []networkingv1.NetworkPolicyPeer{ipBlock("203.0.113.16/28"), ipBlock("0.0.0.0/0"), pods}},
		},
		want:     []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{ipBlock("203.0.113.16/28"), pods}}},
		narrowed: true,
	}, {
		name:      "isolation None copies prod's rules as they are",
		isolation: v1alpha1.IsolationNone,
		in:        []networkingv1.NetworkPolicyEgressRule{{}, {To: []networkingv1.NetworkPolicyPeer{ipBlock("10.0.0.0/8")}}},
		want:      []networkingv1.NetworkPolicyEgressRule{{}, {To: []networkingv1.NetworkPolicyPeer{ipBlock("10.0.0.0/8")}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &networkingv1.NetworkPolicy{ObjectMeta: prodMeta("np"), Spec: networkingv1.NetworkPolicySpec{
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}, Egress: tt.in,
			}}
			before := in.DeepCopy()
			got := builder(t, testEnv(func(e *v1alpha1.MirrorEnvironment) {
				e.Spec.Network.AllowedEgressCIDRs = allowed
				if tt.isolation != "" {
					e.Spec.Network.Isolation = tt.isolation
				}
			}), nil).NetworkPolicy(in)
			if diff := cmp.Diff(tt.want, got.Spec.Egress); diff != "" {
				t.Errorf("egress (-want +got):\n%s", diff)
			}
			if _, ok := got.Annotations[mirror.AnnotationEgressNarrowed]; ok != tt.narrowed {
				t.Errorf("annotation %s present = %v, want %v (%q)", mirror.AnnotationEgressNarrowed, ok, tt.narrowed, got.Annotations[mirror.AnnotationEgressNarrowed])
			}
			if diff := cmp.Diff(before, in); diff != "" {
				t.Errorf("prod's policy was modified (-before +after):\n%s", diff)
			}
		})
	}
}
