package scrub

import (
	"encoding/base64"
	"encoding/hex"
	"maps"
	"net/url"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// formatSnippet puts a canary in a sensitive place of one file format.
type formatSnippet struct {
	key     string // the ConfigMap key, whose extension picks the parser
	render  func(c string) string
	punct   string
	isValid func(string) error // nil: no validity check for this format
}

// exemptByDesign: canaries that a snippet's place judges harmless by a documented rule, not by
// oversight. A URL path segment after a word that names a credential (/with/key/<segment>) is
// kept when it reads as lower-case words or a short version or number (wordLike: /key/refresh,
// /token/v2), because real paths (/oauth/token/introspect) are made of those.
var exemptByDesign = map[string]func(canary string) bool{
	"hooks.txt": wordLike,
}

// fuzzFormat is the property every structured parser must keep: whatever surrounds a sensitive
// value (fuzzed text before and after it, valid in the format or not), the value does not reach
// the copy, the result is deterministic, the input is not modified, and a file that was valid in
// its format stays valid.
func fuzzFormat(f *testing.F, snippets []formatSnippet, seeds ...[2]string) {
	for i := range snippets {
		for _, s := range seeds {
			f.Add(uint8(i), s[0], s[1], []byte("fuzzCanary0123456789abc"))
		}
	}
	in := PlainInput{Rewriter: NewRewriter("shop-prod", "shop-copy", nil), Keyring: testKeyring(11)}
	f.Fuzz(func(t *testing.T, which uint8, prefix, suffix string, raw []byte) {
		sn := snippets[int(which)%len(snippets)]
		canary := fuzzCanary(raw, sn.punct)
		if mentions(canary, prefix, suffix) || (exemptByDesign[sn.key] != nil && exemptByDesign[sn.key](canary)) {
			t.Skip()
		}
		doc := prefix + sn.render(canary) + suffix
		data := map[string]string{sn.key: doc}
		before := maps.Clone(data)
		out, _, _ := ConfigMap("app", data, nil, in)
		c := &canaries{}
		c.add(canary)
		if l := c.leaks(out[sn.key]); len(l) > 0 {
			t.Fatalf("%s leaks %v:\n in: %q\nout: %q", sn.key, l, doc, out[sn.key])
		}
		if !maps.Equal(data, before) {
			t.Fatal("input modified")
		}
		if again, _, _ := ConfigMap("app", data, nil, in); again[sn.key] != out[sn.key] {
			t.Fatal("not deterministic")
		}
		if sn.isValid != nil && sn.isValid(doc) == nil {
			if err := sn.isValid(out[sn.key]); err != nil {
				t.Fatalf("a valid %s became invalid: %v\n in: %q\nout: %q", sn.key, err, doc, out[sn.key])
			}
		}
	})
}

func FuzzJSONFormat(f *testing.F) {
	fuzzFormat(f, []formatSnippet{
		{"a.json", func(c string) string { return `"password": "` + c + `"` }, anyPunct, validators["json"]},
		{"b.json", func(c string) string { return `{"name": "API_TOKEN", "value": "` + c + `"}` }, anyPunct, validators["json"]},
		{"c.json", func(c string) string { return `"credentials": {"k": "` + c + `"}` }, anyPunct, validators["json"]},
	}, [2]string{"{", "}"}, [2]string{"[{\"a\": 1, ", "}]"}, [2]string{"{\"x\": [", "]}"}, [2]string{"", ""})
}

func FuzzYAMLFormat(f *testing.F) {
	fuzzFormat(f, []formatSnippet{
		{"a.yaml", func(c string) string { return "\npassword: " + c + "\n" }, anyPunct, validators["yaml"]},
		{"b.yaml", func(c string) string { return "\nsecrets:\n  stripe: '" + c + "'\n" }, anyPunct, validators["yaml"]},
		{"c.yml", func(c string) string { return "\n- name: DB_PASSWORD\n  value: \"" + c + "\"\n" }, anyPunct, validators["yaml"]},
		{"d.yaml", func(c string) string { return "\nkey: |\n  " + c + "\n" }, anyPunct, validators["yaml"]},
	}, [2]string{"a: 1", "b: 2"}, [2]string{"# c\nx:\n  y: z", "---\nq: r"}, [2]string{"&a", "*a"}, [2]string{"", ""})
}

func FuzzTOMLFormat(f *testing.F) {
	fuzzFormat(f, []formatSnippet{
		{"a.toml", func(c string) string { return "\npassword = \"" + c + "\"\n" }, anyPunct, validators["toml"]},
		{"b.toml", func(c string) string { return "\n[secrets]\nstripe = '" + c + "'\n" }, anyPunct, validators["toml"]},
		{"c.toml", func(c string) string { return "\nsmtp = { password = \"" + c + "\" }\n" }, anyPunct, validators["toml"]},
	}, [2]string{"a = 1", "[t]\nb = 2"}, [2]string{"# c", "x = [1, 2]"}, [2]string{"", ""})
}

func FuzzXMLFormat(f *testing.F) {
	fuzzFormat(f, []formatSnippet{
		{"a.xml", func(c string) string { return "<password>" + c + "</password>" }, anyPunct, validators["xml"]},
		{"b.xml", func(c string) string { return `<add key="Password" value="` + c + `"/>` }, anyPunct, validators["xml"]},
		{"c.config", func(c string) string { return `<db password="` + c + `"/>` }, anyPunct, validators["xml"]},
		{"d.xml", func(c string) string { return "<property><name>db.password</name><value>" + c + "</value></property>" }, anyPunct, validators["xml"]},
	}, [2]string{"<cfg>", "</cfg>"}, [2]string{"<?xml version=\"1.0\"?><a x=\"1\">", "</a>"}, [2]string{"", ""})
}

func FuzzShellFormat(f *testing.F) {
	fuzzFormat(f, []formatSnippet{
		{"a.sh", func(c string) string { return "\nexport API_TOKEN=" + c + "\n" }, "-_.~+%", validators["sh"]},
		{"b.sh", func(c string) string { return "\nmysql -h db -p" + c + " shop\n" }, "-_.~+%", validators["sh"]},
		{"c.sh", func(c string) string { return "\ncurl -u ops:" + c + " https://x\n" }, "-_.~+%", validators["sh"]},
		{"d.sh", func(c string) string { return "\necho '" + c + "' | docker login --password-stdin\n" }, "-_.~+%", validators["sh"]},
		{"e.sh", func(c string) string { return "\ncat > /etc/app.yaml <<EOF\npassword: " + c + "\nEOF\n" }, "-_.~+%", nil},
	}, [2]string{"#!/bin/sh\nset -e", "exec app"}, [2]string{"if true; then", "fi"}, [2]string{"", ""})
}

func FuzzLineFormats(f *testing.F) {
	fuzzFormat(f, []formatSnippet{
		{"a.ini", func(c string) string { return "\n[db]\npassword = " + c + "\n" }, anyPunct, nil},
		{"a.properties", func(c string) string { return "\ndb.password " + c + "\n" }, anyPunct, nil},
		{"b.properties", func(c string) string { return "\ndb.password:" + c + "\n" }, anyPunct, nil},
		{"a.env", func(c string) string { return "\nexport DB_PASSWORD=\"" + c + "\"\n" }, anyPunct, nil},
		{"redis.conf", func(c string) string { return "\nrequirepass " + c + "\n" }, anyPunct, nil},
		{"nginx.conf", func(c string) string { return "\nproxy_set_header X-Api-Key " + c + ";\n" }, anyPunct, nil},
		{"users", func(c string) string { return "\nadmin:$apr1$x$" + c + "\n" }, "-_.", nil},
		{"userlist.txt", func(c string) string { return "\n\"app\" \"" + c + "\"\n" }, anyPunct, nil},
	}, [2]string{"# c", "x = 1"}, [2]string{"[s]", "[t]\ny: 2"}, [2]string{"\"a\" \"b\"", "listen 80;"}, [2]string{"", ""})
}

// cliTemplates put a canary where a well-known command takes a credential.
var cliTemplates = []func(c string) []string{
	func(c string) []string { return []string{"mysql", "-uroot", "-p" + c} },
	func(c string) []string { return []string{"redis-cli", "-a", c} },
	func(c string) []string { return []string{"curl", "-u", "ops:" + c} },
	func(c string) []string { return []string{"sshpass", "-p", c, "ssh"} },
	func(c string) []string { return []string{"docker", "login", "-p", c} },
	func(c string) []string { return []string{"htpasswd", "-b", "f", "u", c} },
	func(c string) []string { return []string{"openssl", "enc", "-pass", "pass:" + c} },
	func(c string) []string { return []string{"sh", "-c", "mysql -p" + c + " -e 'select 1'"} },
	func(c string) []string { return []string{"sh", "-c", "PGPASSWORD=" + c + " psql"} },
	func(c string) []string { return []string{"aws", "configure", "set", "aws_secret_access_key", c} },
}

// FuzzArgsCommandsNoCanary: a credential where a known command takes it is replaced whatever
// other arguments surround the command.
func FuzzArgsCommandsNoCanary(f *testing.F) {
	for i := range cliTemplates {
		f.Add(uint8(i), "--verbose", "-x", []byte("fuzzCanary0123456789abc"))
	}
	f.Add(uint8(0), "", "", []byte("0000000000000000"))
	in := PlainInput{Keyring: testKeyring(12)}
	f.Fuzz(func(t *testing.T, which uint8, before, after string, raw []byte) {
		canary := fuzzCanary(raw, "-_.~+%")
		if mentions(canary, before, after) {
			t.Skip()
		}
		argv := cliTemplates[int(which)%len(cliTemplates)](canary)
		argv = append(append([]string{argv[0], before}, argv[1:]...), after)
		out, _ := Args("w", "c", argv, in)
		c := &canaries{}
		c.add(canary)
		for i, a := range out {
			if l := c.leaks(a); len(l) > 0 {
				t.Fatalf("args[%d] leaks %v:\n in: %q\nout: %q", i, l, argv, out)
			}
		}
	})
}

// FuzzSweepNoCanary: a prod Secret value that is not exempt by rule is found in any text, in any
// of the encodings the sweep promises, at any place.
func FuzzSweepNoCanary(f *testing.F) {
	f.Add("user:", ":end", []byte("fuzzCanary0123456789abc"), uint8(0))
	f.Add("", "", []byte("Zq9+/=&\"x7"), uint8(3))
	f.Add("{\"auth\":\"", "\"}", []byte("abcdefghijkl"), uint8(5))
	k := testKeyring(13)
	f.Fuzz(func(t *testing.T, before, after string, raw []byte, enc uint8) {
		value := fuzzCanary(raw, anyPunct+"/=&\"@:")
		if exemptFromSweep(part{key: "password", text: value}) || mentions(value, before, after) {
			t.Skip()
		}
		sw := NewSweep([]corev1.Secret{prodSecret("db", "password", value)}, k, nil)
		encoded := []string{value, base64.StdEncoding.EncodeToString([]byte(before + value)), hex.EncodeToString([]byte(value)),
			url.QueryEscape(value), base64.RawURLEncoding.EncodeToString([]byte(value + after)), strings.ToUpper(hex.EncodeToString([]byte(value)))}
		text := before + encoded[int(enc)%len(encoded)] + after
		out, _ := sw.String(text)
		c := &canaries{}
		c.add(value)
		if l := c.leaks(out); len(l) > 0 && len(c.leaks(before+after)) == 0 {
			t.Fatalf("sweep leaks %v:\n in: %q\nout: %q", l, text, out)
		}
		if again, _ := sw.String(text); again != out {
			t.Fatal("not deterministic")
		}
	})
}

// FuzzMatcher compares the anchored-hash matcher with a plain search for each pattern.
func FuzzMatcher(f *testing.F) {
	f.Add("abcdefgh", "bcdefghi", "xxabcdefghiyy abcdefgh")
	f.Add("aaaaaa", "aaaaaaa", "aaaaaaaaaaaa")
	f.Fuzz(func(t *testing.T, p1, p2, s string) {
		var patterns []string
		for _, p := range []string{p1, p2} {
			if len(p) >= anchorLen {
				patterns = append(patterns, p)
			}
		}
		if len(patterns) == 0 {
			return
		}
		got := map[occurrence]bool{}
		for _, o := range newMatcher(patterns, nil).find(s) {
			got[o] = true
		}
		want := map[occurrence]bool{}
		for id, p := range patterns {
			for i := 0; i+len(p) <= len(s); i++ {
				if s[i:i+len(p)] == p {
					want[occurrence{i, i + len(p), int32(id), false}] = true
				}
			}
		}
		if !maps.Equal(got, want) {
			t.Fatalf("patterns %q in %q: got %v, want %v", patterns, s, got, want)
		}
	})
}
