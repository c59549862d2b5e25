package scrub

import (
	"testing"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

func TestRewriteDNS(t *testing.T) {
	r := NewRewriter("shop-prod", "shop-fix-42", nil)
	tests := []struct{ in, want string }{
		// Rewritten: every cluster DNS form, wherever it stands.
		{"orders.shop-prod", "orders.shop-fix-42"},
		{"orders.shop-prod.svc", "orders.shop-fix-42.svc"},
		{"orders.shop-prod.svc.cluster.local", "orders.shop-fix-42.svc.cluster.local"},
		{"orders.shop-prod.svc.cluster.local.", "orders.shop-fix-42.svc.cluster.local."},
		{"orders.shop-prod.svc.corp.internal", "orders.shop-fix-42.svc.corp.internal"},
		{"ORDERS.SHOP-PROD.SVC.CLUSTER.LOCAL", "ORDERS.shop-fix-42.SVC.CLUSTER.LOCAL"},
		{"orders.shop-prod:5432", "orders.shop-fix-42:5432"},
		{"orders.shop-prod.svc:5432", "orders.shop-fix-42.svc:5432"},
		{"http://orders.shop-prod.svc.cluster.local:8080/api?x=1", "http://orders.shop-fix-42.svc.cluster.local:8080/api?x=1"},
		{"postgres://app:pw@orders-db.shop-prod:5432/orders", "postgres://app:pw@orders-db.shop-fix-42:5432/orders"},
		{"a.shop-prod,b.shop-prod.svc,c.shop-prod.svc.cluster.local", "a.shop-fix-42,b.shop-fix-42.svc,c.shop-fix-42.svc.cluster.local"},
		{"kafka-0.kafka.shop-prod.svc:9092", "kafka-0.kafka.shop-fix-42.svc:9092"},
		{"_grpc._tcp.api.shop-prod.svc.cluster.local", "_grpc._tcp.api.shop-fix-42.svc.cluster.local"},
		{`{"host":"orders.shop-prod"}`, `{"host":"orders.shop-fix-42"}`},
		{"host: orders.shop-prod\nport: 1", "host: orders.shop-fix-42\nport: 1"},
		{"see orders.shop-prod.", "see orders.shop-fix-42."},
		{"(orders.shop-prod)", "(orders.shop-fix-42)"},
		{"orders.shop-prod/path", "orders.shop-fix-42/path"},
		// Left alone: other domains, other labels, no service label.
		{"api.shop-prod.example.com", "api.shop-prod.example.com"},
		{"orders.shop-prod-old", "orders.shop-prod-old"},
		{"orders.shop-prod-old.svc", "orders.shop-prod-old.svc"},
		{"orders.old-shop-prod", "orders.old-shop-prod"},
		{"orders.xshop-prod", "orders.xshop-prod"},
		{"shop-prod", "shop-prod"},
		{"shop-prod.svc.cluster.local", "shop-prod.svc.cluster.local"},
		{".shop-prod", ".shop-prod"},
		{"namespace: shop-prod", "namespace: shop-prod"},
		{"orders.shop-prod.svcx", "orders.shop-prod.svcx"},
		{"orders.shop-prod.svc-old.com", "orders.shop-prod.svc-old.com"},
		{"orders.shop-prod_old", "orders.shop-prod_old"},
		{"orders.shop-pro", "orders.shop-pro"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := r.Rewrite(tc.in); got != tc.want {
			t.Errorf("Rewrite(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRewriteRules(t *testing.T) {
	tests := []struct {
		name  string
		rules []v1alpha1.RewriteRule
		in    string
		want  string
	}{
		{"literal", []v1alpha1.RewriteRule{{From: "orders.prod.rds.example.com", To: "orders-db"}},
			"postgres://orders.prod.rds.example.com:5432/db", "postgres://orders-db:5432/db"},
		{"longest first", []v1alpha1.RewriteRule{{From: "example.com", To: "X"}, {From: "api.example.com", To: "api-dev"}},
			"api.example.com www.example.com", "api-dev www.X"},
		{"no chaining", []v1alpha1.RewriteRule{{From: "a", To: "b"}, {From: "b", To: "c"}},
			"ab", "bc"},
		{"no re-application to own output", []v1alpha1.RewriteRule{{From: "x", To: "xx"}},
			"xax", "xxaxx"},
		{"first of duplicates wins", []v1alpha1.RewriteRule{{From: "a", To: "1"}, {From: "a", To: "2"}},
			"a", "1"},
		{"empty from ignored", []v1alpha1.RewriteRule{{From: "", To: "boom"}}, "abc", "abc"},
		{"empty to deletes", []v1alpha1.RewriteRule{{From: ".prod", To: ""}}, "db.prod:1", "db:1"},
		{"rule beats DNS at the same place", []v1alpha1.RewriteRule{{From: "orders.shop-prod", To: "orders-standin"}},
			"orders.shop-prod.svc", "orders-standin.svc"},
		{"rule output is not DNS-rewritten", []v1alpha1.RewriteRule{{From: "legacy", To: "x.shop-prod"}},
			"legacy", "x.shop-prod"},
		{"DNS and rules together", []v1alpha1.RewriteRule{{From: "s3.amazonaws.com", To: "minio"}},
			"a.shop-prod s3.amazonaws.com", "a.shop-fix-42 minio"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRewriter("shop-prod", "shop-fix-42", tc.rules)
			if got := r.Rewrite(tc.in); got != tc.want {
				t.Errorf("Rewrite(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRewriteEdgeNamespaces(t *testing.T) {
	tests := []struct{ src, tgt, in, want string }{
		// A namespace named "svc": ".svc" after it must not be taken for another reference.
		{"svc", "copy", "a.svc.svc.cluster.local", "a.copy.svc.cluster.local"},
		{"svc", "copy", "a.svc", "a.copy"},
		// A target named "svc" must not leave a reference behind.
		{"prod", "svc", "x.prod.prod", "x.svc.svc"},
		// Same or empty namespaces: nothing to do.
		{"prod", "prod", "a.prod", "a.prod"},
		{"", "copy", "a.prod", "a.prod"},
		{"prod", "", "a.prod", "a.prod"},
	}
	for _, tc := range tests {
		if got := NewRewriter(tc.src, tc.tgt, nil).Rewrite(tc.in); got != tc.want {
			t.Errorf("%s->%s: Rewrite(%q) = %q, want %q", tc.src, tc.tgt, tc.in, got, tc.want)
		}
	}
	var nilRewriter *Rewriter
	if got := nilRewriter.Rewrite("a.prod"); got != "a.prod" {
		t.Errorf("nil Rewriter changed its input: %q", got)
	}
}

func TestNewRewriterDoesNotKeepCallerSlice(t *testing.T) {
	rules := []v1alpha1.RewriteRule{{From: "a", To: "b"}, {From: "aa", To: "c"}}
	r := NewRewriter("p", "q", rules)
	if rules[0].From != "a" || rules[1].From != "aa" {
		t.Fatalf("NewRewriter reordered the caller's rules: %v", rules)
	}
	rules[0].To = "changed"
	if got := r.Rewrite("a"); got != "b" {
		t.Errorf("Rewrite depends on the caller's slice after NewRewriter: %q", got)
	}
}
