package scrub

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"
	"unicode"

	corev1 "k8s.io/api/core/v1"
)

// sweepCase is a prod Secret value pasted into the copy's configuration after a transformation
// (leak side), or configuration that shares harmless pieces with prod's Secrets (harmless side).
// Leak cases put the value where nothing but the sweep can know it (prose under a harmless key),
// so that they measure the sweep, not the recognition layer.
type sweepCase struct {
	name     string
	harmless bool
	// Leak side: the prod value made from a canary, and the text it is pasted as.
	value func(c string) string
	paste func(v string) string
	// look is the value as the transformation wrote it (default: the value); each window of it
	// must be gone.
	look func(v string) string
	// clean undoes layout (line folds) before looking.
	clean func(out string) string
	// Harmless side: prod's Secret data, the keys kept by a Keep rule, and the text.
	secret map[string]string
	kept   []string
	text   string
}

// mixed is a value with the punctuation escapings differ on.
func mixed(c string) string { return c[:12] + `"&<'/\` + c[12:] }

func long(c string) string { return c + "-" + strings.ToLower(c[:10]) + c[10:] }

func unfold(out string) string {
	return strings.NewReplacer("\\\r\n", "", "\\\n", "", "\r\n", "", "\n", "", `\n`, "", " ", "", "\t", "").Replace(out)
}

func jsonEsc(v string) string {
	b, _ := json.Marshal(v)
	return string(b[1 : len(b)-1])
}

func swapCase(v string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) {
			return unicode.ToLower(r)
		}
		return unicode.ToUpper(r)
	}, v)
}

func wrap(s string, width int, sep string) string {
	var parts []string
	for len(s) > width {
		parts = append(parts, s[:width])
		s = s[width:]
	}
	return strings.Join(append(parts, s), sep)
}

func pasted(prose string) func(v string) string {
	return func(v string) string { return strings.Replace(prose, "%v", v, 1) }
}

func plainV(c string) string { return c }

var sweepCorpus = []sweepCase{
	// Case changes.
	{name: "upper-cased", value: plainV, look: strings.ToUpper, paste: func(v string) string {
		return "legacy import code (the old tool upper-cases it): " + strings.ToUpper(v) + "\n"
	}},
	{name: "lower-cased", value: plainV, look: strings.ToLower, paste: func(v string) string { return "partner portal code " + strings.ToLower(v) + " (lower-case)\n" }},
	{name: "capitalised", value: func(c string) string { return strings.ToLower(c) }, look: func(v string) string { return strings.ToUpper(v[:1]) + v[1:] },
		paste: func(v string) string { return "Reference: " + strings.ToUpper(v[:1]) + v[1:] + "\n" }},
	{name: "case swapped", value: plainV, look: swapCase, paste: func(v string) string { return "seed " + swapCase(v) + "\n" }},
	{name: "lower-cased then URL-encoded", value: mixed, look: func(v string) string { return url.QueryEscape(strings.ToLower(v)) },
		paste: func(v string) string {
			return "https://partner.example.com/import?ref=" + url.QueryEscape(strings.ToLower(v)) + "&page=1\n"
		}},
	// URL encodings.
	{name: "query-escaped", value: mixed, look: url.QueryEscape, paste: func(v string) string {
		return "https://partner.example.com/import?ref=" + url.QueryEscape(v) + "&page=1\n"
	}},
	{name: "path-escaped", value: mixed, look: url.PathEscape, paste: func(v string) string { return "https://partner.example.com/import/" + url.PathEscape(v) + "/status\n" }},
	{name: "query-escaped, lower-case hex", value: mixed, look: func(v string) string { return strings.ToLower(url.QueryEscape(v)) },
		paste: func(v string) string { return "callback=https://x/?r=" + strings.ToLower(url.QueryEscape(v)) + "\n" }},
	// base64 and hex.
	{name: "base64", value: plainV, look: b64, paste: func(v string) string { return "blob: " + b64(v) + "\n" }},
	{name: "base64url unpadded", value: mixed, look: func(v string) string { return base64.RawURLEncoding.EncodeToString([]byte(v)) },
		paste: func(v string) string { return "state=" + base64.RawURLEncoding.EncodeToString([]byte(v)) + "\n" }},
	{name: "base64 of the value and a newline (echo | base64)", value: plainV, look: func(v string) string { return b64(v)[:len(b64(v))-4] },
		paste: func(v string) string { return "import: " + b64(v+"\n") + "\n" }},
	{name: "base64 wrapped at 76 columns", value: long, look: func(v string) string { return b64(`{"ref":"` + v + `"}`)[4:60] },
		clean: unfold, paste: func(v string) string { return "payload:\n" + wrap(b64(`{"ref":"`+v+`"}`), 76, "\n") + "\n" }},
	{name: "base64 of base64", value: plainV, look: func(v string) string { return b64(b64(v)) }, paste: func(v string) string { return "double " + b64(b64(v)) + "\n" }},
	{name: "hex", value: plainV, look: func(v string) string { return hex.EncodeToString([]byte(v)) },
		paste: func(v string) string { return "0x" + hex.EncodeToString([]byte(v)) + "\n" }},
	{name: "HEX", value: plainV, look: func(v string) string { return strings.ToUpper(hex.EncodeToString([]byte(v))) },
		paste: func(v string) string { return "id " + strings.ToUpper(hex.EncodeToString([]byte(v))) + "\n" }},
	// JSON, YAML, shell, XML and HTML escaping.
	{name: "JSON-escaped", value: mixed, look: jsonEsc, paste: func(v string) string { return `{"note": "` + jsonEsc(v) + `"}` }},
	{name: "JSON with escaped slashes (PHP)", value: mixed, look: func(v string) string { return strings.ReplaceAll(jsonEsc(v), "/", `\/`) },
		paste: func(v string) string { return `{"note":"` + strings.ReplaceAll(jsonEsc(v), "/", `\/`) + `"}` }},
	{name: "JSON without HTML escaping", value: mixed, look: func(v string) string {
		return strings.NewReplacer(`\u0026`, "&", `\u003c`, "<").Replace(jsonEsc(v))
	}, paste: func(v string) string {
		return `{"note": "` + strings.NewReplacer(`\u0026`, "&", `\u003c`, "<").Replace(jsonEsc(v)) + `"}`
	}},
	{name: "JSON with non-ASCII escaped (ensure_ascii)", value: func(c string) string { return "Pässwort-" + c }, look: func(v string) string { return `P\u00e4sswort-` + v[len("Pässwort-"):] },
		paste: func(v string) string { return `{"note": "P\u00e4sswort-` + v[len("Pässwort-"):] + `"}` }},
	{name: "YAML single-quoted", value: mixed, look: func(v string) string { return strings.ReplaceAll(v, "'", "''") },
		paste: func(v string) string { return "note: '" + strings.ReplaceAll(v, "'", "''") + "'\n" }},
	{name: "YAML double-quoted", value: mixed, look: func(v string) string { return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) },
		paste: func(v string) string {
			return "note: \"" + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + "\"\n"
		}},
	{name: "shell single-quoted", value: mixed, look: func(v string) string { return strings.ReplaceAll(v, "'", `'\''`) },
		paste: func(v string) string { return "echo '" + strings.ReplaceAll(v, "'", `'\''`) + "' > /tmp/ref\n" }},
	{name: "XML-escaped", value: mixed, look: xmlEsc, paste: func(v string) string { return "<note>" + xmlEsc(v) + "</note>\n" }},
	{name: "HTML-escaped", value: mixed, look: html.EscapeString, paste: func(v string) string { return "<p>" + html.EscapeString(v) + "</p>\n" }},
	// Line folding.
	{name: "folded over indented lines", value: long, clean: unfold, paste: func(v string) string { return "ref: |\n  " + wrap(v, 20, "\n  ") + "\n" }},
	{name: "folded with CRLF", value: long, clean: unfold, paste: func(v string) string { return "ref:\r\n" + wrap(v, 16, "\r\n") + "\r\n" }},
	{name: "properties continuation", value: long, clean: unfold, paste: func(v string) string { return "legacy.blob=" + wrap(v, 30, "\\\n    ") + "\n" }},
	{name: "JSON string with escaped newlines", value: long, clean: unfold, paste: func(v string) string { return `{"blob": "` + wrap(v, 24, `\n`) + `"}` }},

	// Harmless: pieces of prod's Secrets that are not secrets, and values the sweep must not
	// take for one.
	{name: "user name beside the password", harmless: true, secret: map[string]string{"username": "orders_app", "password": "Vq8-tT3k-wP9z-Lm2x"}, text: "db:\n  user: orders_app\n"},
	{name: "host beside the password", harmless: true, secret: map[string]string{"host": "orders-db.prod.example.com", "password": "Vq8-tT3k-wP9z-Lm2x"}, text: "DB_HOST=orders-db.prod.example.com\n"},
	{name: "short password", harmless: true, secret: map[string]string{"pin": "4821"}, text: "see runbook section 4821 for the rotation\n"},
	{name: "well-known default password", harmless: true, secret: map[string]string{"postgres-password": "postgres"}, text: "image: postgres:16.3\nuser: postgres\n"},
	{name: "a word used as a password, in another case", harmless: true, secret: map[string]string{"password": "Production"}, text: "ENVIRONMENT=production\n"},
	{name: "certificate shared with a CA bundle", harmless: true, secret: map[string]string{"tls.crt": testCert, "tls.key": testKey}, text: "ca.crt: |\n" + indent(testCert, "  ")},
	{name: "SSH public key beside its private key", harmless: true, secret: map[string]string{"id_ed25519.pub": testSSHPub, "id_ed25519": testKey}, text: "command=\"/usr/bin/rrsync /backup\",no-pty " + testSSHPub + "\n"},
	{name: "public JWKS served from a Secret", harmless: true, secret: map[string]string{"jwks.json": testJWKS}, text: testJWKS},
	{name: "region", harmless: true, secret: map[string]string{"region": "eu-west-1", "secret-access-key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, text: "AWS_REGION=eu-west-1\n"},
	{name: "port", harmless: true, secret: map[string]string{"port": "5432"}, text: "port: 5432\n"},
	{name: "boolean", harmless: true, secret: map[string]string{"ssl": "true"}, text: "ssl=true\n"},
	{name: "e-mail address", harmless: true, secret: map[string]string{"admin-email": "ops@example.com", "admin-password": "Vq8-tT3k-wP9z-Lm2x"}, text: "alerts go to ops@example.com\n"},
	{name: "bucket name", harmless: true, secret: map[string]string{"bucket": "shop-assets-prod"}, text: "ASSETS=s3://shop-assets-prod/img/\n"},
	{name: "value kept by a Keep rule", harmless: true, secret: map[string]string{"publishable-key": "pk_live_51HqLyjWDarjtT1zdp7dc"}, kept: []string{"prod-app/publishable-key"}, text: "STRIPE_PK=pk_live_51HqLyjWDarjtT1zdp7dc\n"},
	{name: "registry and user of a docker config", harmless: true, secret: map[string]string{".dockerconfigjson": `{"auths":{"registry.example.com":{"username":"ci","password":"Vq8-tT3k-wP9z-Lm2x","auth":"` + b64("ci:Vq8-tT3k-wP9z-Lm2x") + `"}}}`},
		text: "image: registry.example.com/shop/api:1.4.2\n"},
	{name: "URL without a password", harmless: true, secret: map[string]string{"endpoint": "https://api.partner.example.com/v2", "api-key": "Vq8-tT3k-wP9z-Lm2x"}, text: "PARTNER_URL=https://api.partner.example.com/v2\n"},
	{name: "database name", harmless: true, secret: map[string]string{"database": "orders"}, text: "DB_NAME=orders\n"},
	{name: "harmless leaves of a JSON Secret", harmless: true, secret: map[string]string{"config.json": `{"region":"eu-west-1","bucket":"shop-exports","timeout":30,"token":"Vq8-tT3k-wP9z-Lm2x"}`}, text: "exports: shop-exports (30s)\n"},
	{name: "OAuth client id beside its secret", harmless: true, secret: map[string]string{"client-id": "shop-web", "client-secret": "Vq8-tT3k-wP9z-Lm2x"}, text: "OIDC_CLIENT_ID=shop-web\n"},
	{name: "environment name", harmless: true, secret: map[string]string{"environment": "production"}, text: "env: production\n"},
	{name: "letters-only password in prose of another case", harmless: true, secret: map[string]string{"password": "Tangerine"}, text: "theme: tangerine\n"},
}

func xmlEsc(v string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(v)
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix) + "\n"
}

// run sweeps text the way the operator does: scrubbed as a ConfigMap value, then swept.
func (swc sweepCase) run(secret map[string]string, kept []string, text string) string {
	s := corev1.Secret{Data: map[string][]byte{}}
	s.Name = "prod-app"
	for k, v := range secret {
		s.Data[k] = []byte(v)
	}
	k := testKeyring(21)
	sw := NewSweep([]corev1.Secret{s}, k, kept)
	out, _, _ := ConfigMap("app", map[string]string{"notes.txt": text}, nil, PlainInput{Rewriter: NewRewriter("shop-prod", "shop-copy", nil), Keyring: k})
	swept, _ := sw.String(out["notes.txt"])
	return swept
}

// leaks returns what of a leak case's value survived, "" when nothing did.
func (swc sweepCase) leaks(c *canaries) string {
	v := swc.value(c.next())
	out := swc.run(map[string]string{"password": v}, nil, swc.paste(v))
	return swc.found(v, out)
}

func (swc sweepCase) found(v, out string) string {
	if swc.clean != nil {
		out = swc.clean(out)
	}
	probe := &canaries{}
	probe.add(v)
	if swc.look != nil {
		probe.add(swc.look(v))
	}
	if l := probe.leaks(out); len(l) > 0 {
		return strings.Join(l, ", ")
	}
	return ""
}

// changes reports a harmless case whose text did not come out byte-identical.
func (swc sweepCase) changes(*canaries) bool {
	return swc.run(swc.secret, swc.kept, swc.text) != swc.text
}

// TestSweepCorpus: no transformed prod value survives the sweep, and the harmless texts come out
// unchanged. Each leak case's input must hold its value, so that the case could fail.
func TestSweepCorpus(t *testing.T) {
	c := &canaries{seed: "sweep-corpus"}
	for _, swc := range sweepCorpus {
		if swc.harmless {
			if out := swc.run(swc.secret, swc.kept, swc.text); out != swc.text {
				t.Errorf("%s changed:\n in: %q\nout: %q", swc.name, swc.text, out)
			}
			continue
		}
		v := swc.value(c.next())
		if swc.found(v, swc.paste(v)) == "" {
			t.Fatalf("%s: the pasted text does not hold the value", swc.name)
		}
		out := swc.run(map[string]string{"password": v}, nil, swc.paste(v))
		if l := swc.found(v, out); l != "" {
			t.Errorf("%s leaks %s:\n in: %q\nout: %q", swc.name, l, swc.paste(v), out)
		}
	}
}
