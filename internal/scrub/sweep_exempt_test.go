package scrub

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestSweepExemptionTable: each exemption of the known-value sweep, with a value on each side
// of its boundary. The exemptions are the rules in sweep_exempt.go; a value not exempt is looked
// for in every form the sweep knows.
func TestSweepExemptionTable(t *testing.T) {
	fakeCert := "-----BEGIN CERTIFICATE-----\nhunter2hunter2hunter2\n-----END CERTIFICATE-----\n"
	tests := []struct{ key, text, want string }{
		{"password", "", ExemptShort},
		{"password", "abcde", ExemptShort},
		{"password", "abcdef", ""},
		{"pin", "123456", ExemptSmallNumber},
		{"pin", "1234567", ""},
		{"password", "changeme", ExemptDefault},
		{"password", "Postgres", ExemptDefault},
		{"password", "changeme1", ""},
		{"x", "-----END RSA PRIVATE KEY-----", ExemptArmour},
		{"x", "-----BEGIN OPENSSH PRIVATE KEY-----", ExemptArmour},
		{"tls.crt", testCert, ExemptPublic},
		{"tls.crt", fakeCert, ""}, // the armour alone proves nothing
		{"ca.crt", testCert + testCert2, ExemptPublic},
		{"id.pub", testSSHPub, ExemptPublic},
		{"jwks.json", testJWKS, ExemptPublic},
		{"jwks.json", jwks(true), ""}, // private members
		{"enabled", "enabled", ExemptHarmless},
		{"password", "${DB_PASSWORD}", ExemptHarmless},
		{"password", "${DB_PASSWORD:hunter2x}", ""}, // a default may be a password
		{"password", "/run/secrets/db", ExemptHarmless},
		{"token", "2024-05-01T12:00:00Z", ExemptHarmless},
		{"dsn", "https://0f3a9c1d8e7b6a5f4e3d2c1b0a9f8e7d@o450123.ingest.sentry.io/5501234", ExemptHarmless},
		{"dsn", "https://0f3a9c1d8e7b6a5f4e3d2c1b0a9f8e7d:s3cretkey@sentry.example.com/12", ""},
		{"host", "orders.prod.example.com", ExemptPlainSetting},
		{"password", "orders.prod.example.com", ""}, // a sensitive key's value is looked for
		{"username", "orders_app", ExemptPlainSetting},
		{"password", "orders_app", ""},
		{"note", "hunter2hunter2", ""}, // letters and digits interleaved: not a setting's word
		{"note", "Vq8-tT3k-wP9z-Lm2x", ""},
	}
	for _, tc := range tests {
		if got := sweepExemption(part{key: tc.key, text: tc.text}); got != tc.want {
			t.Errorf("sweepExemption(%s=%q) = %q, want %q", tc.key, trunc(tc.text), got, tc.want)
		}
	}
}

// TestSweepLooksForWhatIsNotExempt: a value on the looked-for side of each boundary is
// replaced in the copy, so the table above cannot pass while the sweep skips it anyway.
func TestSweepLooksForWhatIsNotExempt(t *testing.T) {
	for _, v := range []string{"abcdef", "1234567", "changeme1", "${DB_PASSWORD:hunter2x}", "orders_app"} {
		sw := NewSweep(corevSecret("s", "password", v), testKeyring(4), nil)
		if out, n := sw.String("pasted " + v + " here"); n != 1 || strings.Contains(out, v) {
			t.Errorf("%q not swept: %q", v, out)
		}
	}
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func corevSecret(name string, kv ...string) []corev1.Secret {
	return []corev1.Secret{prodSecret(name, kv...)}
}
