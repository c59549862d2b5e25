package controllers

import (
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/mirror"
)

func TestEffectiveExpiry(t *testing.T) {
	created := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	now := created.Add(10 * time.Hour)
	at := func(d time.Duration) *metav1.Time { return &metav1.Time{Time: created.Add(d)} }
	cases := []struct {
		name     string
		ttl      string
		expires  *metav1.Time
		previous *metav1.Time
		maxTTL   time.Duration
		want     time.Time
		note     string
	}{
		{"no ttl", "", nil, nil, 0, time.Time{}, ""},
		{"ttl from creation", "48h", nil, nil, 0, created.Add(48 * time.Hour), ""},
		{"ttl capped", "2000h", nil, nil, 720 * time.Hour, created.Add(720 * time.Hour), "capped"},
		{"expiresAt wins over ttl", "48h", at(72 * time.Hour), nil, 720 * time.Hour, created.Add(72 * time.Hour), ""},
		{"expiresAt too far keeps the previous expiry", "48h", at(10*time.Hour + 800*time.Hour), at(60 * time.Hour), 720 * time.Hour, created.Add(60 * time.Hour), "more than the operator's maximum"},
		{"expiresAt too far without a previous expiry keeps the ttl", "48h", at(10*time.Hour + 800*time.Hour), nil, 720 * time.Hour, created.Add(48 * time.Hour), "stays"},
		{"expiresAt in the past", "48h", at(time.Hour), nil, 720 * time.Hour, created.Add(time.Hour), ""},
		{"an unparsable ttl is no ttl (validation stalls it)", "2562048h", nil, nil, 0, time.Time{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnvironment()
			env.CreationTimestamp = metav1.Time{Time: created}
			if c.ttl != "" {
				env.Spec.TTL = ptr.To(v1alpha1.Duration(c.ttl))
			}
			env.Spec.ExpiresAt = c.expires
			env.Status.ExpiresAt = c.previous
			got, note := effectiveExpiry(env, now, c.maxTTL)
			if !got.Equal(c.want) || !strings.Contains(note, c.note) || (c.note == "" && note != "") {
				t.Fatalf("expiry = %s (%q), want %s (%q)", got, note, c.want, c.note)
			}
		})
	}
}

func TestValidateSpec(t *testing.T) {
	settings := Settings{AccessClusterRoles: []string{"edit", "view"}, SourceNamespaces: nil}
	cases := []struct {
		name     string
		change   func(*v1alpha1.MirrorEnvironment)
		settings *Settings
		reason   string
		message  string
	}{
		{"valid", func(*v1alpha1.MirrorEnvironment) {}, nil, "", ""},
		{"ttl overflows", func(e *v1alpha1.MirrorEnvironment) { e.Spec.TTL = ptr.To(v1alpha1.Duration("2562048h")) }, nil, v1alpha1.ReasonSpecInvalid, "spec.ttl"},
		{"zero ttl", func(e *v1alpha1.MirrorEnvironment) { e.Spec.TTL = ptr.To(v1alpha1.Duration("0s")) }, nil, v1alpha1.ReasonSpecInvalid, "positive"},
		{"quantity with an exponent", func(e *v1alpha1.MirrorEnvironment) {
			e.Spec.Workloads.StorageSize = ptr.To(v1alpha1.Quantity("1E+999999999"))
		}, nil, v1alpha1.ReasonSpecInvalid, "exponent"},
		{"resource cap with an exponent", func(e *v1alpha1.MirrorEnvironment) {
			e.Spec.Workloads.Resources = &v1alpha1.ResourceScaling{Max: map[corev1.ResourceName]v1alpha1.Quantity{corev1.ResourceMemory: "1e9999"}}
		}, nil, v1alpha1.ReasonSpecInvalid, "spec.workloads.resources.max.memory"},
		{"a looping ingress template", func(e *v1alpha1.MirrorEnvironment) { e.Spec.Network.IngressHost = "{{ range 1000000000 }}{{ end }}" }, nil, v1alpha1.ReasonSpecInvalid, "range"},
		{"access role not allowed", func(e *v1alpha1.MirrorEnvironment) {
			e.Spec.Access = &v1alpha1.AccessSpec{ClusterRole: "cluster-admin", Subjects: []v1alpha1.AccessSubject{{Kind: "User", Name: "dev"}}}
		}, nil, v1alpha1.ReasonAccessRoleForbidden, "cluster-admin"},
		{"access role allowed", func(e *v1alpha1.MirrorEnvironment) {
			e.Spec.Access = &v1alpha1.AccessSpec{ClusterRole: "view", Subjects: []v1alpha1.AccessSubject{{Kind: "User", Name: "dev"}}}
		}, nil, "", ""},
		{"a system namespace", func(e *v1alpha1.MirrorEnvironment) { e.Spec.Source.Namespace = "kube-system" }, nil, v1alpha1.ReasonSourceForbidden, "system namespace"},
		{"the operator's namespace", func(e *v1alpha1.MirrorEnvironment) { e.Spec.Source.Namespace = "envmirror-system" }, nil, v1alpha1.ReasonSourceForbidden, "operator's own"},
		{"a remote kube-system is the remote's business", func(e *v1alpha1.MirrorEnvironment) {
			e.Spec.Source.Namespace = "envmirror-system"
			e.Spec.Source.KubeconfigSecretRef = &v1alpha1.SecretKeyRef{Name: "k"}
		}, nil, "", ""},
		{"not on the allow-list", func(*v1alpha1.MirrorEnvironment) {}, &Settings{SourceNamespaces: []string{"shop-prod"}}, v1alpha1.ReasonSourceForbidden, "--source-namespaces"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := testEnvironment()
			c.change(env)
			s := settings
			if c.settings != nil {
				s = *c.settings
			}
			err := validateSpec(env, s, "envmirror-system")
			var st *stalled
			switch {
			case c.reason == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.reason == "":
			case !errors.As(err, &st):
				t.Fatalf("error = %v, want a stall %s", err, c.reason)
			case st.reason != c.reason || !strings.Contains(st.message, c.message):
				t.Fatalf("stall = %s %q, want %s containing %q", st.reason, st.message, c.reason, c.message)
			}
		})
	}
}

func TestNamespaceOwnership(t *testing.T) {
	env := testEnvironment()
	env.UID = "uid-now"
	deleting := &metav1.Time{Time: time.Now()}
	cases := []struct {
		name     string
		labels   map[string]string
		deleting bool
		want     string // "" ok, "wait", "stall"
	}{
		{"ours", mirror.OwnershipLabels(env), false, ""},
		{"ours and terminating", mirror.OwnershipLabels(env), true, "wait"},
		{"a previous environment of the same name, terminating", map[string]string{
			mirror.LabelManagedBy: mirror.ManagedByValue, mirror.LabelEnvironment: "env", mirror.LabelEnvironmentNamespace: "dev", mirror.LabelEnvironmentUID: "uid-before",
		}, true, "wait"},
		{"a previous environment's, not terminating", map[string]string{
			mirror.LabelManagedBy: mirror.ManagedByValue, mirror.LabelEnvironment: "env", mirror.LabelEnvironmentNamespace: "dev", mirror.LabelEnvironmentUID: "uid-before",
		}, false, "stall"},
		{"someone else's", map[string]string{"team": "payments"}, false, "stall"},
		{"someone else's, terminating", map[string]string{"team": "payments"}, true, "stall"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "prod-env", Labels: c.labels}}
			if c.deleting {
				ns.DeletionTimestamp = deleting
			}
			err := namespaceOwnership(env, ns)
			var w *waiting
			var s *stalled
			switch c.want {
			case "":
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
			case "wait":
				if !errors.As(err, &w) || !w.blocks {
					t.Fatalf("got %v, want a blocking wait", err)
				}
			case "stall":
				if !errors.As(err, &s) || s.reason != v1alpha1.ReasonNamespaceNotOwned || strings.Contains(s.message, "targetNamespace to another") {
					t.Fatalf("got %v, want NamespaceNotOwned without advice to change an immutable field", err)
				}
			}
		})
	}
}

func TestGrants(t *testing.T) {
	ms := &v1alpha1.MirrorSource{Spec: v1alpha1.MirrorSourceSpec{From: []v1alpha1.MirrorSourceFrom{
		{Namespace: "dev-a"},
		{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "shop"}}},
	}}}
	for _, c := range []struct {
		ns     string
		labels map[string]string
		want   bool
	}{
		{"dev-a", nil, true},
		{"dev-b", map[string]string{"team": "shop"}, true},
		{"dev-c", map[string]string{"team": "billing"}, false},
		{"dev-d", nil, false},
	} {
		if got := grantsNamespace(ms, c.ns, c.labels); got != c.want {
			t.Errorf("grantsNamespace(%s, %v) = %v, want %v", c.ns, c.labels, got, c.want)
		}
	}
	empty := &v1alpha1.MirrorSource{Spec: v1alpha1.MirrorSourceSpec{From: []v1alpha1.MirrorSourceFrom{{NamespaceSelector: &metav1.LabelSelector{}}}}}
	if grantsNamespace(empty, "dev-a", nil) {
		t.Error("an empty selector grants nobody (it is a mistake, not consent for everyone)")
	}

	g := &sourceGrant{keeps: map[string]map[string]bool{"stripe": {"publishable-key": true}, "tls": {"*": true}}}
	if err := g.allowsKeeps([]string{"stripe/publishable-key", "tls/tls.crt"}); err != nil {
		t.Errorf("granted keeps refused: %v", err)
	}
	var s *stalled
	if err := g.allowsKeeps([]string{"stripe/secret-key"}); !errors.As(err, &s) || s.reason != v1alpha1.ReasonKeepNotGranted || !strings.Contains(s.message, "stripe/secret-key") {
		t.Errorf("an ungranted keep = %v, want KeepNotGranted naming it", err)
	}
	if err := (&sourceGrant{anyKeep: true}).allowsKeeps([]string{"x/y"}); err != nil {
		t.Errorf("anyKeep refused: %v", err)
	}
}
