package scrub

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/zricethezav/gitleaks/v8/config"
)

// benchConfig returns a realistic configuration file of about size bytes: YAML with service
// hostnames of the source namespace, external hosts named by rewrite rules, and a few secrets.
func benchConfig(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "service%d:\n", i)
		fmt.Fprintf(&b, "  url: http://svc%d.shop-prod.svc.cluster.local:8080/api/v1\n", i)
		fmt.Fprintf(&b, "  fallback: svc%d.shop-prod:8080\n", i)
		fmt.Fprintf(&b, "  external: https://api%d.partner.example.com/v2\n", i%5)
		b.WriteString("  timeout: 30s\n  retries: 3\n  log_level: info\n")
		if i%4 == 0 {
			fmt.Fprintf(&b, "  password: s3cr3t-%d\n", i)
			fmt.Fprintf(&b, "  db: postgres://app:pw%d@orders.prod.rds.example.com:5432/orders\n", i)
		}
		b.WriteString("  description: \"The quick brown fox jumps over the lazy dog, again and again.\"\n")
	}
	return b.String()
}

func benchRules() []v1alpha1.RewriteRule {
	rules := []v1alpha1.RewriteRule{{From: "orders.prod.rds.example.com", To: "orders-db"}}
	for i := 0; i < 9; i++ {
		rules = append(rules, v1alpha1.RewriteRule{From: fmt.Sprintf("api%d.partner.example.com", i), To: fmt.Sprintf("partner-mock-%d", i)})
	}
	return rules
}

func BenchmarkRewrite(b *testing.B) {
	r := NewRewriter("shop-prod", "shop-fix-42", benchRules())
	for _, size := range []int{256, 64 << 10, 1 << 20} {
		s := benchConfig(size)
		b.Run(fmt.Sprintf("%dB", len(s)), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				r.Rewrite(s)
			}
		})
	}
}

// BenchmarkConfigMap scrubs a ConfigMap like prod's: a few large files and many small settings.
func BenchmarkConfigMap(b *testing.B) {
	data := map[string]string{
		"application.yaml": benchConfig(16 << 10),
		"app.properties":   strings.ReplaceAll(strings.ReplaceAll(benchConfig(4<<10), ": ", "="), "  ", "app."),
		"settings.json":    `{"db":{"host":"orders.shop-prod","password":"x","pool":10},"features":{"a":true,"b":false}}`,
		"DB_PASSWORD":      "prod-password",
		"API_TOKEN_TTL":    "3600",
	}
	for i := 0; i < 40; i++ {
		data[fmt.Sprintf("SETTING_%d", i)] = fmt.Sprintf("value-%d.shop-prod", i)
	}
	total := 0
	for _, v := range data {
		total += len(v)
	}
	in := PlainInput{Rewriter: NewRewriter("shop-prod", "shop-fix-42", benchRules()), Keyring: testKeyring(1)}
	b.ReportAllocs()
	b.SetBytes(int64(total))
	for b.Loop() {
		ConfigMap("app", data, nil, in)
	}
}

func BenchmarkEnv(b *testing.B) {
	var env []corev1.EnvVar
	for i := 0; i < 30; i++ {
		env = append(env, corev1.EnvVar{Name: fmt.Sprintf("SERVICE_%d_URL", i), Value: fmt.Sprintf("http://svc%d.shop-prod:8080", i)})
	}
	env = append(env, corev1.EnvVar{Name: "DB_PASSWORD", Value: "x"}, corev1.EnvVar{Name: "JAVA_OPTS", Value: "-Xmx1g -Dpassword=x"})
	in := PlainInput{Rewriter: NewRewriter("shop-prod", "shop-fix-42", benchRules()), Keyring: testKeyring(1)}
	b.ReportAllocs()
	for b.Loop() {
		Env("app", "app", env, in)
	}
}

func BenchmarkKeyringValue(b *testing.B) {
	k := testKeyring(1)
	b.ReportAllocs()
	for b.Loop() {
		k.Value("secret", "orders-db", "password")
	}
}

// BenchmarkLoadRules is what the first scrub of a process pays to load gitleaks' rule set.
func BenchmarkLoadRules(b *testing.B) {
	for b.Loop() {
		if _, err := loadRules(config.DefaultConfig); err != nil {
			b.Fatal(err)
		}
	}
}
