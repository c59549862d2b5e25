package scrub

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
	"mvdan.cc/sh/v3/syntax"
)

const fsec = "Qm7SecretValue42x" // the secret of TestFormatsInPlace's inputs

// validators parse a scrubbed file again: the output must stay valid in its format.
var validators = map[string]func(string) error{
	"json": func(s string) error { var v any; return json.Unmarshal([]byte(s), &v) },
	"yaml": func(s string) error { _, err := decodeYAML(s); return err },
	"toml": func(s string) error { var v map[string]any; return toml.Unmarshal([]byte(s), &v) },
	"xml": func(s string) error {
		d := xml.NewDecoder(strings.NewReader(s))
		for {
			if _, err := d.Token(); err != nil {
				if err.Error() == "EOF" {
					return nil
				}
				return err
			}
		}
	},
	"sh": func(s string) error {
		_, err := syntax.NewParser().Parse(strings.NewReader(s), "")
		return err
	},
}

// TestFormatsInPlace: each format's secret goes, everything else (comments, order, quoting,
// layout) stays byte for byte, and the file still parses.
func TestFormatsInPlace(t *testing.T) {
	tests := []struct {
		name, key, in, format string
		keep                  []string
	}{
		{"json keeps layout", "a.json", "{\n  \"db\": {\n    \"host\": \"db\",\n    \"password\": \"" + fsec + "\"\n  },\n  \"port\": 5432\n}\n", "json",
			[]string{"{\n  \"db\": {\n    \"host\": \"db\",\n    \"password\": \"", "\"\n  },\n  \"port\": 5432\n}\n"}},
		{"json numeric pin stays a number", "p.json", `{"pin_secret": 123456789, "a": [1, 2]}`, "json", []string{`{"pin_secret": `, `, "a": [1, 2]}`}},
		{"yaml comments and quotes", "a.yaml", "# prod settings\ndb:\n  host: db # primary\n  password: '" + fsec + "' # rotated\n  port: 5432\n", "yaml",
			[]string{"# prod settings\ndb:\n  host: db # primary\n  password: '", "' # rotated\n  port: 5432\n"}},
		{"yaml double quoted", "a.yaml", "token: \"" + fsec + "\"\nname: x\n", "yaml", []string{"token: \"", "\"\nname: x\n"}},
		{"yaml block literal", "a.yaml", "tls:\n  key: |\n    " + fsec + "\n    " + fsec + "\n  enabled: true\n", "yaml", []string{"tls:\n  key: |\n    ", "\n  enabled: true\n"}},
		{"yaml flow", "a.yaml", "db: {host: db, password: " + fsec + ", port: 5432}\n", "yaml", []string{"db: {host: db, password: ", ", port: 5432}\n"}},
		{"yaml sibling name/value", "a.yaml", "env:\n- name: API_TOKEN\n  value: " + fsec + "\n- name: MODE\n  value: fast\n", "yaml", []string{"- name: API_TOKEN\n  value: ", "\n- name: MODE\n  value: fast\n"}},
		{"yaml multi-line plain falls back to re-encoding", "a.yaml", "# head\npassword: " + fsec + "\n  continued here\nother: 1\n", "yaml", []string{"# head", "other: 1"}},
		{"toml", "a.toml", "# c\n[db]\nhost = 'db'\npassword = '" + fsec + "' # x\nport = 5432\n", "toml", []string{"# c\n[db]\nhost = 'db'\npassword = '", "' # x\nport = 5432\n"}},
		{"toml dotted key", "a.toml", "db.password = \"" + fsec + "\"\n", "toml", []string{"db.password = \""}},
		{"xml attribute and text", "a.xml", "<?xml version=\"1.0\"?>\n<!-- c -->\n<cfg><db password=\"" + fsec + "\" host=\"db\"/><token>" + fsec + "</token></cfg>\n", "xml",
			[]string{"<?xml version=\"1.0\"?>\n<!-- c -->\n<cfg><db password=\"", "\" host=\"db\"/><token>", "</token></cfg>\n"}},
		{"xml cdata", "a.xml", "<cfg><secret><![CDATA[" + fsec + "]]></secret></cfg>", "xml", []string{"<cfg><secret><![CDATA[", "]]></secret></cfg>"}},
		{"shell", "a.sh", "#!/bin/sh\n# start\nexport DB_PASSWORD='" + fsec + "'\nexec app --token \"" + fsec + "\" --port 80\n", "sh", []string{"#!/bin/sh\n# start\nexport DB_PASSWORD=", "\nexec app --token ", " --port 80\n"}},
		{"shell keeps references", "a.sh", "#!/bin/sh\nmysql -p\"$DB_PASSWORD\" -h db\ncurl -u \"admin:${PW}\" http://x\n", "sh", []string{"mysql -p\"$DB_PASSWORD\" -h db\ncurl -u \"admin:${PW}\" http://x\n"}},
		{"ini", "a.ini", "; c\n[db]\nhost = db\npassword = \"" + fsec + "\"\n", "", []string{"; c\n[db]\nhost = db\npassword = \"", "\"\n"}},
		{"ini triple quotes", "grafana.ini", "[database]\nuser = grafana\npassword = \"\"\"" + fsec + "\"\"\"\nssl_mode = require\n", "",
			[]string{"[database]\nuser = grafana\npassword = \"\"\"", "\"\"\"\nssl_mode = require\n"}},
		{"npmrc keys with colons", ".npmrc", "registry=https://registry.npm.example.com/\n@acme:registry=https://npm.pkg.example.com/\n//registry.npm.example.com/:_authToken=" + fsec + "\nalways-auth=true\n", "",
			[]string{"registry=https://registry.npm.example.com/\n@acme:registry=https://npm.pkg.example.com/\n//registry.npm.example.com/:_authToken=", "\nalways-auth=true\n"}},
		{"properties separators", "a.properties", "# c\na.password=" + fsec + "\nb.password:" + fsec + "\nc.password " + fsec + "\nd=1\n", "", []string{"# c\na.password=", "\nb.password:", "\nc.password ", "\nd=1\n"}},
		{"dotenv", "a.env", "# c\nexport A=1\nTOKEN=\"" + fsec + "\" # x\nB='two'\n", "", []string{"# c\nexport A=1\nTOKEN=\"", "\" # x\nB='two'\n"}},
		{"directives", "redis.conf", "# c\nport 6379\nrequirepass " + fsec + "\nmasterauth \"" + fsec + "\"\n", "", []string{"# c\nport 6379\nrequirepass ", "\nmasterauth \"", "\"\n"}},
		{"nginx", "nginx.conf", "location / {\n  proxy_set_header X-Api-Key " + fsec + ";\n  proxy_pass http://api;\n}\n", "", []string{"proxy_set_header X-Api-Key ", ";\n  proxy_pass http://api;\n}\n"}},
		{"htpasswd", "users", "admin:$apr1$abc$" + fsec + "\nops:{SHA}" + fsec + "=\n", "", []string{"admin:", "\nops:"}},
		{"pgbouncer userlist", "userlist.txt", "\"app\" \"" + fsec + "\"\n", "", []string{"\"app\" \"", "\"\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := PlainInput{Keyring: testKeyring(4)}
			out, _, rep := ConfigMap("cm", map[string]string{tc.key: tc.in}, nil, in)
			got := out[tc.key]
			if strings.Contains(got, fsec) {
				t.Errorf("secret survived:\n in: %q\nout: %q", tc.in, got)
			}
			for _, k := range tc.keep {
				if !strings.Contains(got, k) {
					t.Errorf("lost %q:\n in: %q\nout: %q", k, tc.in, got)
				}
			}
			if strings.Contains(tc.in, fsec) && (rep.Generated == 0 || len(rep.Keys) != 1 || rep.Keys[0] != tc.key) {
				t.Errorf("report = %+v", rep)
			}
			if v := validators[tc.format]; v != nil {
				if err := v(got); err != nil {
					t.Errorf("output no longer parses: %v\n%s", err, got)
				}
			}
		})
	}
}

// TestStrictMode: Strict replaces every value not proven harmless and keeps the harmless ones;
// the report counts the replacements of each ConfigMap.
func TestStrictMode(t *testing.T) {
	data := map[string]string{
		"app.yaml": "port: 8080\ntimeout: 30s\nenabled: true\nhost: api.example.com\nurl: https://api.example.com/v1\n" +
			"path: /var/lib/app\nlevel: info\nratio: 0.25\nmemory: 512Mi\nnote: Summer in Berlin 2019\nbuyer: jdoe1984\n",
		"FEATURE": "checkout_v2",
		"LABEL":   "hunter2hunter2",
		"CMD":     "run --mode fast --seed hunter2hunter2",
	}
	out, _, rep := ConfigMap("app", data, nil, PlainInput{Keyring: testKeyring(2), Mode: PlainStrict})
	for _, keep := range []string{"port: 8080", "timeout: 30s", "enabled: true", "host: api.example.com",
		"url: https://api.example.com/v1", "path: /var/lib/app", "level: info", "ratio: 0.25", "memory: 512Mi"} {
		if !strings.Contains(out["app.yaml"], keep) {
			t.Errorf("Strict replaced the harmless %q:\n%s", keep, out["app.yaml"])
		}
	}
	for _, gone := range []string{"Summer in Berlin", "jdoe1984"} {
		if strings.Contains(out["app.yaml"], gone) {
			t.Errorf("Strict kept %q", gone)
		}
	}
	if out["FEATURE"] != "checkout_v2" || strings.Contains(out["LABEL"], "hunter2") || strings.Contains(out["CMD"], "hunter2") ||
		!strings.HasPrefix(out["CMD"], "run --mode fast --seed ") {
		t.Errorf("Strict single values: %q", out)
	}
	if rep.Generated != 4 || strings.Join(rep.Keys, ",") != "CMD,LABEL,app.yaml" {
		t.Errorf("report = %+v", rep)
	}
	// The same ConfigMap in Scrub mode: nothing here is a credential by key, rule or shape.
	scrubbed, _, rep := ConfigMap("app", data, nil, PlainInput{Keyring: testKeyring(2)})
	if rep.Generated != 0 || scrubbed["app.yaml"] != data["app.yaml"] {
		t.Errorf("Scrub mode changed %+v: %q", rep, scrubbed)
	}
}

func TestProvenHarmless(t *testing.T) {
	for _, v := range []string{"", "8080", "-1", "0.25", "1e6", "0x1F", "512Mi", "100m", "30s", "1h30m", "true", "off",
		"v1.2.3", "1.27", "10.0.0.1", "10.0.0.0/8", "::1", "api.example.com", "db:5432", "localhost",
		"https://api.example.com/v1/items?page=2&sort=asc", "/var/lib/app", "./conf", "info", "eu-west-1",
		"orders_db", "X-CSRF-Token", "PKCS12", "application/json", "a,b,c", "7c9e6679-7425-40de-944b-e07fc1f90ae7",
		"sha256WithRSAEncryption", "maxPoolSize"} {
		if !provenHarmless(v) {
			t.Errorf("provenHarmless(%q) = false", v)
		}
	}
	for _, v := range []string{"hunter2 hunter2!", "p@ss:word", "aB3xK9mZq2LpR7tY", "https://u:p@host/",
		"https://hooks.slack.com/services/T000/B000/aB3xK9mZq2LpR7tYw8Qe", "https://x.blob.core.windows.net/c?sig=aB3xK9mZq2LpR7tYw8Qe%2B",
		"sk_live_abc123", "$2y$10$abcdefghijkl", "Summer 2019!"} {
		if provenHarmless(v) {
			t.Errorf("provenHarmless(%q) = true", v)
		}
	}
}

func TestLooksRandom(t *testing.T) {
	for _, v := range []string{"aB3xK9mZq2LpR7tY", "Zq9SecretCanary7x", "ghp1234abcd5678efgh9012ijkl", "kJ8-d_Ew2pQz0LmN4vBx"} {
		if !looksRandom(v) {
			t.Errorf("looksRandom(%q) = false", v)
		}
	}
	for _, v := range []string{"short1A", "checkout_v2", "sha256WithRSAEncryption", "maxConnectionsPerHost", "HTTP2Enabled",
		strings.Repeat("ab", 20), "7c9e6679-7425-40de-944b-e07fc1f90ae7", "orders-db-credentials", "application/json"} {
		if looksRandom(v) {
			t.Errorf("looksRandom(%q) = true", v)
		}
	}
}

// TestRuleTokens: gitleaks' rules, loaded from the module, find vendors' tokens that carry no
// key, and keep a type prefix.
func TestRuleTokens(t *testing.T) {
	body := "aB3xK9mZq2LpR7tYw8QeN5vC"
	for _, tc := range []struct{ in, keep, gone string }{
		{"openai sk-proj-" + rep(body, 74) + "T3BlbkFJ" + rep(body, 74) + " end", "openai sk-proj-", "T3BlbkFJ"},
		{"vault hvs." + rep(body, 95) + "\n", "vault ", body},
		{"slack https://hooks.slack.com/services/T01ABCDEF/B01ABCDEF/" + body, "slack ", body},
		{"AKIAQWERTYZXCVQWERTY", "", "AKIAQWERTYZXCVQWERTY"},
		{"pat glpat-" + rep(body, 20), "pat glpat-", body[:12]},
	} {
		sc := scrubber{k: testKeyring(1), scope: []string{"t"}}
		out := sc.text(tc.in)
		if !strings.Contains(out, tc.keep) || strings.Contains(out, tc.gone) {
			t.Errorf("%q -> %q", tc.in, out)
		}
	}
	if n := len(detectionRules().rules); n < 150 {
		t.Errorf("only %d gitleaks rules loaded", n)
	}
}

// TestMissedByParserFailsClosed: a password found by a structured pass is replaced wherever else
// it appears, even where the file uses the same word as a name (a sample's MYSQL_USER=nextcloud
// beside MYSQL_PASSWORD=nextcloud): the safety net cannot tell the name from the password it
// equals, and keeping the name would show the password. A damaged name is the cheaper loss.
func TestMissedByParserFailsClosed(t *testing.T) {
	compose := "services:\n  nc:\n    image: nextcloud:apache\n    environment:\n      - MYSQL_USER=nextcloud\n      - MYSQL_PASSWORD=nextcloud\n"
	out, _, _ := ConfigMap("app", map[string]string{"compose.yaml": compose}, nil, harmlessInput())
	if strings.Contains(out["compose.yaml"], "nextcloud") {
		t.Errorf("the password's word stayed: %q", out["compose.yaml"])
	}
}

// TestNotAJWK: a mapping is a public JWK only with a "kty" member spelled as JWK members are and
// no member that names a credential; a properties file's "KtY 0" line does not make its password
// public (found by FuzzLineFormats).
func TestNotAJWK(t *testing.T) {
	const pw = "mniWaX3Q5wPQzNYg"
	for key, doc := range map[string]string{
		"b.properties": "db.password:" + pw + "\nKtY 0",
		"jwk.json":     `{"kty": "RSA", "n": "abc", "e": "AQAB", "password": "` + pw + `"}`,
		"client.json":  `{"keys": [{"kty": "RSA", "n": "abc", "e": "AQAB"}], "client_secret": "` + pw + `"}`,
	} {
		out, _, _ := ConfigMap("app", map[string]string{key: doc}, nil, harmlessInput())
		if strings.Contains(out[key], pw) {
			t.Errorf("%s kept its password: %q", key, out[key])
		}
	}
	jwk := `{"kty": "RSA", "kid": "k1", "use": "sig", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw", "e": "AQAB"}`
	out, _, _ := ConfigMap("app", map[string]string{"jwks.json": jwk}, nil, harmlessInput())
	if out["jwks.json"] != jwk {
		t.Errorf("a public JWK changed: %q", out["jwks.json"])
	}
}
