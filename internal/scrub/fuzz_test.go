package scrub

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// fuzzCanary turns fuzz bytes into a canary of 16 to 48 characters: letters, digits and the
// given punctuation, starting with a letter or digit. Delimiters are left out because a secret
// holding one (a blank after "--password=", a quote inside "...") is ambiguous in its format and
// the property could not say what must be replaced.
func fuzzCanary(raw []byte, punct string) string {
	alphabet := base62Digits + punct
	b := make([]byte, 0, 48)
	for i, c := range raw {
		if len(b) == 48 {
			break
		}
		if i == 0 {
			b = append(b, base62Digits[int(c)%62])
			continue
		}
		b = append(b, alphabet[int(c)%len(alphabet)])
	}
	if len(b) < 16 {
		sum := sha256.Sum256(raw)
		b = append(b, base62(sum[:], 16-len(b))...)
	}
	return string(b)
}

// mentions reports whether any text holds a fragment of the canary: then a leak in the output
// could come from there, and the input is skipped.
func mentions(canary string, texts ...string) bool {
	c := &canaries{}
	c.add(canary)
	for _, t := range texts {
		if len(c.leaks(t)) > 0 {
			return true
		}
	}
	return false
}

// singleLine reports formats that stay on one line (usable inside a command line).
func singleLine(format string) bool { return !strings.Contains(format, "\n") }

var fuzzPlainSeeds = []struct {
	key, prefix, suffix string
}{
	{"config.yaml", "server:\n  port: 8080", "log: debug"},
	{"app.properties", "a=b", "c=d"},
	{"DATABASE_URL", "", ""},
	{".env", "export A=1", "B=\"two\""},
	{"settings.json", "{", "}"},
	{"run.sh", "#!/bin/sh\nset -e", "exec app \"$@\""},
	{"x", "password: |", "  indented: true"},
	{"x", "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"},
	{"x", "token=\"unterminated", "'"},
	{"x", "<config>", "</config>"},
	{"x", "key: >", "\tkey2: \\"},
	{"x", "http://a:b@", "@c"},
	{"x", "\r\n\r", "\x00\xff"},
}

func FuzzConfigMapNoCanary(f *testing.F) {
	for i, s := range fuzzPlainSeeds {
		f.Add(uint8(i), s.key, s.prefix, s.suffix, []byte(fmt.Sprintf("seed-canary-%d-xyz", i)))
	}
	for i := range embeddedFormats {
		f.Add(uint8(i), "config", "a: 1", "b: 2", []byte("QWERTYUIOPasdfghjkl0123"))
	}
	in := PlainInput{Rewriter: NewRewriter("shop-prod", "shop-copy", nil), Keyring: testKeyring(7)}
	f.Fuzz(func(t *testing.T, format uint8, key, prefix, suffix string, raw []byte) {
		fm := embeddedFormats[int(format)%len(embeddedFormats)]
		canary := fuzzCanary(raw, fm.punct)
		if mentions(canary, key, prefix, suffix) {
			t.Skip()
		}
		snippet := fm.render(canary)
		sensitive := sensitiveNames[int(format)%len(sensitiveNames)]
		data := map[string]string{
			key:       prefix + "\n" + snippet + "\n" + suffix,
			sensitive: canary,
		}
		if singleLine(snippet) {
			data[key+".inline"] = prefix + " " + snippet + " " + suffix
		}
		before := maps.Clone(data)
		binary := map[string][]byte{"keystore.p12": []byte(canary)}

		out, outBinary, _ := ConfigMap("app", data, binary, in)

		c := &canaries{}
		c.add(canary)
		for k, v := range out {
			if l := c.leaks(v); len(l) > 0 {
				t.Fatalf("%s leaks %v:\n in: %q\nout: %q", k, l, data[k], v)
			}
		}
		if l := c.leaks(string(outBinary["keystore.p12"])); len(l) > 0 {
			t.Fatalf("binaryData leaks %v", l)
		}
		if !maps.Equal(data, before) {
			t.Fatal("input modified")
		}
		if again, _, _ := ConfigMap("app", data, binary, in); !maps.Equal(out, again) {
			t.Fatal("not deterministic")
		}
	})
}

func FuzzEnvNoCanary(f *testing.F) {
	for i, s := range fuzzPlainSeeds {
		f.Add(uint8(i), s.key, s.prefix, s.suffix, []byte(fmt.Sprintf("seed-canary-%d-xyz", i)))
	}
	f.Add(uint8(3), "JAVA_OPTS", "-Xmx1g", "-Dfoo=bar", []byte("0123456789abcdefABCDEF"))
	in := PlainInput{Rewriter: NewRewriter("shop-prod", "shop-copy", nil), Keyring: testKeyring(7)}
	f.Fuzz(func(t *testing.T, format uint8, name, prefix, suffix string, raw []byte) {
		fm := embeddedFormats[int(format)%len(embeddedFormats)]
		canary := fuzzCanary(raw, fm.punct)
		if mentions(canary, name, prefix, suffix) {
			t.Skip()
		}
		snippet := fm.render(canary)
		env := []corev1.EnvVar{
			{Name: name, Value: prefix + "\n" + snippet + "\n" + suffix},
			{Name: sensitiveNames[int(format)%len(sensitiveNames)], Value: canary},
			{Name: name, Value: snippet},
		}
		if singleLine(snippet) {
			env = append(env, corev1.EnvVar{Name: name, Value: strings.ReplaceAll(prefix, "\n", " ") + " " + snippet + " " + strings.ReplaceAll(suffix, "\n", " ")})
		}
		before := slices.Clone(env)

		out, _ := Env("api", "app", env, in)

		c := &canaries{}
		c.add(canary)
		for i, e := range out {
			if l := c.leaks(e.Value); len(l) > 0 {
				t.Fatalf("env[%d] %s leaks %v:\n in: %q\nout: %q", i, e.Name, l, env[i].Value, e.Value)
			}
		}
		if !reflect.DeepEqual(env, before) {
			t.Fatal("input modified")
		}
	})
}

func FuzzArgsNoCanary(f *testing.F) {
	f.Add(uint8(0), "--db-password", "app", "--port=1", []byte("canary-one-two-three"))
	f.Add(uint8(5), "-c", "sh", "echo", []byte("0000000000000000"))
	f.Add(uint8(20), "--token", "--x", "", []byte("AbCdEfGhIjKlMnOp"))
	in := PlainInput{Rewriter: NewRewriter("shop-prod", "shop-copy", nil), Keyring: testKeyring(7)}
	f.Fuzz(func(t *testing.T, format uint8, flag, prefix, suffix string, raw []byte) {
		fm := embeddedFormats[int(format)%len(embeddedFormats)]
		canary := fuzzCanary(raw, fm.punct)
		if mentions(canary, flag, prefix, suffix) {
			t.Skip()
		}
		snippet := fm.render(canary)
		sensitive := sensitiveNames[int(format)%len(sensitiveNames)]
		args := []string{
			prefix, snippet, suffix,
			"--" + sensitive, canary,
			"-" + sensitive, canary,
			flag, snippet,
		}
		if singleLine(snippet) {
			args = append(args, prefix+"\n"+snippet+"\n"+suffix, "sh -c '"+snippet+" && "+snippet+"'")
		}
		before := slices.Clone(args)

		out, _ := Args("api", "app", args, in)

		c := &canaries{}
		c.add(canary)
		for i, a := range out {
			if l := c.leaks(a); len(l) > 0 {
				t.Fatalf("args[%d] leaks %v:\n in: %q\nout: %q\nall in: %q", i, l, args[i], a, args)
			}
		}
		if !slices.Equal(args, before) {
			t.Fatal("input modified")
		}
	})
}

// FuzzSecretsNoCanary builds prod Secrets (types, keys) and rules (policies, templates) from the
// fuzz layout, fills every value with a canary, and checks that only Keep keys (and templates
// over them) carry one, that Kept reports exactly those, and that errors carry none.
func FuzzSecretsNoCanary(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{5, 2, 2, 2, 2, 4, 4, 4, 4, 1, 1, 1})
	f.Add([]byte{3, 0, 3, 3, 3, 9, 200, 17, 4, 4, 4, 0, 0, 255})
	f.Add([]byte("a kept template over a generated tls key"))
	types := []corev1.SecretType{corev1.SecretTypeOpaque, corev1.SecretTypeTLS, corev1.SecretTypeDockerConfigJson,
		corev1.SecretTypeServiceAccountToken, corev1.SecretTypeBasicAuth, corev1.SecretTypeDockercfg, corev1.SecretTypeSSHAuth}
	keyNames := []string{"password", "tls.crt", "tls.key", "ca.crt", ".dockerconfigjson", ".dockercfg", "token",
		"server.key", "username", "url", "ssh-privatekey", "config.json"}
	f.Fuzz(func(t *testing.T, layout []byte) {
		next := func() int {
			if len(layout) == 0 {
				return 0
			}
			b := layout[0]
			layout = layout[1:]
			return int(b)
		}
		c := &canaries{seed: "fuzz-secrets"}
		var prod []corev1.Secret
		var refs []ref
		for i, n := 0, 1+next()%5; i < n; i++ {
			s := corev1.Secret{Type: types[next()%len(types)], Data: map[string][]byte{}}
			s.Name = fmt.Sprintf("s%d", i)
			s.Annotations = map[string]string{"last-applied": "x"}
			for j, m := 0, 1+next()%4; j < m; j++ {
				k := keyNames[next()%len(keyNames)]
				s.Data[k] = []byte(c.next())
				s.Annotations["last-applied"] += string(s.Data[k])
			}
			for k := range s.Data {
				refs = append(refs, ref{s.Name, k})
			}
			prod = append(prod, s)
		}
		sort.Slice(refs, func(i, j int) bool { return refs[i].String() < refs[j].String() })
		var rules []v1alpha1.SecretRule
		for _, r := range refs {
			switch next() % 6 {
			case 1:
				rules = append(rules, v1alpha1.SecretRule{Secret: r.secret, Key: r.key, Policy: v1alpha1.SecretKeep})
			case 2:
				rules = append(rules, v1alpha1.SecretRule{Secret: r.secret, Key: r.key, Policy: v1alpha1.SecretGenerate})
			case 3:
				rules = append(rules, v1alpha1.SecretRule{Secret: r.secret, Key: r.key, FromSecret: &v1alpha1.SecretKeyRef{Name: "stripe-test", Key: "secret-key"}})
			case 4, 5:
				dep := refs[next()%len(refs)]
				rules = append(rules, v1alpha1.SecretRule{Secret: r.secret, Key: r.key,
					Template: fmt.Sprintf(`x-{{ secret %q %q }}-{{ .Branch }}`, dep.secret, dep.key)})
			}
		}
		if next()%2 == 1 && len(prod) > 0 {
			rules = append(rules, v1alpha1.SecretRule{Secret: prod[0].Name, Policy: v1alpha1.SecretKeep})
		}
		in := secretsInput(prod, rules...)
		if next()%2 == 1 {
			in.Spec.PullSecretRef = &v1alpha1.LocalObjectReference{Name: "pull"}
		}
		res, err := Secrets(in)
		if err != nil {
			if l := c.leaks(err.Error()); len(l) > 0 {
				t.Fatalf("error leaks %v: %v", l, err)
			}
			return
		}
		want := expectedKept(prod, rules)
		allowed := map[string]bool{}
		for _, k := range want {
			allowed[k] = true
		}
		checkSecretsNoCanary(t, c, res, allowed)
		if !slices.Equal(res.Kept, want) {
			t.Fatalf("Kept = %v, want %v", res.Kept, want)
		}
	})
}

// expectedKept computes, independently of the resolver, the keys whose copy carries prod bytes:
// Keep rules (key rules over secret rules) and templates that reach one, transitively.
func expectedKept(prod []corev1.Secret, rules []v1alpha1.SecretRule) []string {
	byKey, bySecret := map[string]v1alpha1.SecretRule{}, map[string]v1alpha1.SecretRule{}
	for _, r := range rules {
		if r.Key == "" {
			bySecret[r.Secret] = r
		} else {
			byKey[r.Secret+"/"+r.Key] = r
		}
	}
	ruleOf := func(id string) (v1alpha1.SecretRule, bool) {
		if r, ok := byKey[id]; ok {
			return r, true
		}
		r, ok := bySecret[strings.SplitN(id, "/", 2)[0]]
		return r, ok
	}
	tmplRef := regexp.MustCompile(`secret "([^"]*)" "([^"]*)"`)
	var kept func(id string, depth int) bool
	kept = func(id string, depth int) bool {
		r, ok := ruleOf(id)
		switch {
		case !ok || depth > 50:
			return false
		case r.Policy == v1alpha1.SecretKeep:
			return true
		case r.Template != "":
			m := tmplRef.FindStringSubmatch(r.Template)
			return m != nil && kept(m[1]+"/"+m[2], depth+1)
		}
		return false
	}
	var out []string
	for _, s := range prod {
		if s.Type == corev1.SecretTypeServiceAccountToken {
			continue
		}
		for k := range s.Data {
			if kept(s.Name+"/"+k, 0) {
				out = append(out, s.Name+"/"+k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// dnsRef finds references to namespace src that Rewrite should have rewritten: a label, a dot,
// src as a whole label, then the end of the host name or ".svc". Written independently of dnsAt.
func dnsRef(src string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)[a-z0-9_-]\.` + regexp.QuoteMeta(src) +
		`(\.svc([^a-z0-9_-]|$)|[^a-z0-9_.-]|\.([^a-z0-9_-]|$)|$)`)
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

func FuzzRewrite(f *testing.F) {
	f.Add("shop-prod", "shop-copy", "http://orders.shop-prod.svc.cluster.local:8080,a.shop-prod rds.example.com", "rds.example.com", "orders-db", "x")
	f.Add("prod", "svc", "x.prod.prod.svc a.prod.", "a", "b", "c")
	f.Add("svc", "dev", "a.svc.svc.svc.svc", ".svc", "", "svc")
	f.Add("a", "b", "x.a.svc.a.a.svc.", "x.a", "x.a.svc", "y")
	f.Add("ns", "ns2", "api.ns.example.com svc.ns-old _x._tcp.y.ns.svc", "ns", "NS", "ns")
	f.Fuzz(func(t *testing.T, src, tgt, s, from1, to1, to2 string) {
		rules := []v1alpha1.RewriteRule{{From: from1, To: to1}, {From: to1, To: to2}}
		r := NewRewriter(src, tgt, rules)
		out := r.Rewrite(s)
		if again := r.Rewrite(s); again != out {
			t.Fatalf("not deterministic: %q vs %q", out, again)
		}

		// Rules do not chain: each rule's From becomes its To, not what another rule makes of it.
		if from1 != "" {
			if got := NewRewriter("", "", rules).Rewrite(from1); got != to1 {
				t.Fatalf("Rewrite(%q) = %q with rules %v, want %q", from1, got, rules, to1)
			}
		}
		// Rules alone behave like strings.Replacer given the rules longest first (leftmost match,
		// then the longest, never overlapping).
		var pairs []string
		seen := map[string]bool{}
		sorted := slices.Clone(rules)
		sort.SliceStable(sorted, func(i, j int) bool { return len(sorted[i].From) > len(sorted[j].From) })
		for _, rl := range sorted {
			if rl.From != "" && !seen[rl.From] {
				seen[rl.From] = true
				pairs = append(pairs, rl.From, rl.To)
			}
		}
		if len(pairs) > 0 {
			if got, want := NewRewriter("", "", rules).Rewrite(s), strings.NewReplacer(pairs...).Replace(s); got != want {
				t.Fatalf("rules %v: Rewrite(%q) = %q, strings.Replacer gives %q", rules, s, got, want)
			}
		}

		// Without rules no reference to a valid source namespace survives. (A source namespace
		// named "svc" is excluded: there "x.TGT.svc" is itself a reference to it.)
		if !dnsLabel.MatchString(src) || !dnsLabel.MatchString(tgt) || src == tgt || src == "svc" {
			return
		}
		dnsOnly := NewRewriter(src, tgt, nil).Rewrite(s)
		if loc := dnsRef(src).FindStringIndex(dnsOnly); loc != nil {
			t.Fatalf("%s->%s: Rewrite(%q) = %q still refers to %s at %q", src, tgt, s, dnsOnly, src, dnsOnly[loc[0]:loc[1]])
		}
		// ...and text without the source namespace is untouched.
		if !strings.Contains(strings.ToLower(s), src) && dnsOnly != s {
			t.Fatalf("Rewrite(%q) = %q changed text without %s", s, dnsOnly, src)
		}
	})
}

// FuzzScrubText runs the embedded-credential passes over arbitrary text: they must not panic,
// must be deterministic, and must leave text without any separator, URL or marker alone. (A
// self-identifying token, by its prefix such as sk_live_ or by a gitleaks rule, is a marker: such
// tokens are replaced anywhere.)
func FuzzScrubText(f *testing.F) {
	for _, fm := range embeddedFormats {
		f.Add(fm.render("CANARYcanary0123"))
	}
	f.Add("password: |\n")
	f.Add("token:\n\n")
	f.Add("a=\"\\")
	f.Add("<password></password")
	f.Add("-----BEGIN PRIVATE KEY-----")
	f.Add("x://@")
	f.Add("--token \\\n")
	f.Add("Basic ")
	f.Add("eyJ.eyJ.")
	f.Fuzz(func(t *testing.T, s string) {
		sc := scrubber{k: testKeyring(3), scope: []string{"f"}}
		out := sc.text(s)
		sc2 := scrubber{k: testKeyring(3), scope: []string{"f"}}
		if again := sc2.text(s); again != out || sc2.n != sc.n {
			t.Fatalf("not deterministic: %q vs %q", out, again)
		}
		if !strings.ContainsAny(s, "=:<-/ \t") && !strings.Contains(s, "eyJ") && !hasTokenPrefix(s) &&
			len(detectionRules().find(s)) == 0 && out != s {
			t.Fatalf("changed text without any structure: %q -> %q", s, out)
		}
		if sc.n == 0 && out != s {
			t.Fatalf("changed text without counting: %q -> %q", s, out)
		}
	})
}
