package scrub

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// keepCase is one object scrubbed by one of the package's calls. Its values are all either
// harmless or uncertain, so that once every uncertain entry is kept by the rule its report names
// the object comes out byte-identical.
type keepCase struct {
	name string
	// rule makes the keepPlain rule for a key of this object (configMap or workload).
	rule func(key string) v1alpha1.PlainValueRule
	// scrub returns the object, rendered, and the report.
	scrub func(in PlainInput) (string, PlainReport)
	// input is the object as it was given, rendered as scrub renders its result.
	input string
	// value is the uncertain value (randomRef unless set).
	value string
}

func configMapKeepCase(name string, data map[string]string, binary map[string][]byte) keepCase {
	render := func(d map[string]string, b map[string][]byte) string { return fmt.Sprintf("%q %q", d, b) }
	return keepCase{
		name: name,
		rule: func(key string) v1alpha1.PlainValueRule { return v1alpha1.PlainValueRule{ConfigMap: "app", Key: key} },
		scrub: func(in PlainInput) (string, PlainReport) {
			d, b, rep := ConfigMap("app", maps.Clone(data), maps.Clone(binary), in)
			return render(d, b), rep
		},
		input: render(data, binary),
	}
}

// withValue names the uncertain value of c when it is not randomRef as c renders it.
func withValue(c keepCase, v string) keepCase {
	c.value = strings.Trim(fmt.Sprintf("%q", v), `"`)
	return c
}

func workloadRule(key string) v1alpha1.PlainValueRule {
	return v1alpha1.PlainValueRule{Workload: "api", Key: key}
}

func envKeepCase(name string, env ...corev1.EnvVar) keepCase {
	return keepCase{name: name, rule: workloadRule, input: fmt.Sprint(env), scrub: func(in PlainInput) (string, PlainReport) {
		out, rep := Env("api", "app", slices.Clone(env), in)
		return fmt.Sprint(out), rep
	}}
}

func argsKeepCase(name string, argv ...string) keepCase {
	return keepCase{name: name, rule: workloadRule, input: fmt.Sprintf("%q", argv), scrub: func(in PlainInput) (string, PlainReport) {
		out, rep := Args("api", "app", slices.Clone(argv), in)
		return fmt.Sprintf("%q", out), rep
	}}
}

func labelsKeepCase(name string, labels map[string]string) keepCase {
	return keepCase{name: name, rule: workloadRule, input: fmt.Sprintf("%q", labels), scrub: func(in PlainInput) (string, PlainReport) {
		out, rep := Labels("api", maps.Clone(labels), in)
		return fmt.Sprintf("%q", out), rep
	}}
}

// keepCases hold every kind of uncertain report: a whole value, a scalar at a path in each
// document format, a value nested in a document or in base64, an archive member, an archive
// that cannot be opened, binary data copied unread, public client configuration and flag salts
// (kept), and the same in env, args (an element and a script) and labels.
func keepCases() []keepCase {
	r := randomRef
	dsn := "https://0f3a9c1d8e7b6a5f4e3d2c1b0a9f8e7d@o450123.ingest.sentry.io/5501234"
	archive, broken, blob := tgz(file{"conf/app.yaml", "partner:\n  ref: " + r + "\n"}), "\x1f\x8b\x08\x00garbage", noise(512)
	salt := `{"flags": {"checkout": {"key": "checkout", "on": true, "salt": "Qk9bUqW0hGx7zYWJ", "variations": [true, false], "fallthrough": {"variation": 0}}}}`
	return []keepCase{
		configMapKeepCase("whole value", map[string]string{"MISC": r}, nil),
		configMapKeepCase("yaml path", map[string]string{"features.yaml": "features:\n  beta: true\n  partner_ref: " + r + "\n"}, nil),
		configMapKeepCase("yaml list item", map[string]string{"refs.yaml": "refs:\n  - name: partner\n    ref: " + r + "\n  - " + r + "x\n"}, nil),
		configMapKeepCase("json path", map[string]string{"app.json": `{"partner": {"ref": "` + r + `", "enabled": true}}`}, nil),
		configMapKeepCase("toml path", map[string]string{"app.toml": "[partner]\nref = \"" + r + "\"\nenabled = true\n"}, nil),
		configMapKeepCase("properties path", map[string]string{"app.properties": "partner.ref=" + r + "\npartner.enabled=true\n"}, nil),
		configMapKeepCase("ini path", map[string]string{"app.ini": "[partner]\nref = " + r + "\nenabled = true\n"}, nil),
		configMapKeepCase("xml path", map[string]string{"app.xml": "<config><partner><ref>" + r + "</ref></partner></config>\n"}, nil),
		configMapKeepCase("shell script", map[string]string{"run.sh": "#!/bin/sh\nexec /app --ref " + r + "\n"}, nil),
		configMapKeepCase("dotenv", map[string]string{".env": "PARTNER_REF=" + r + "\nLOG_LEVEL=info\n"}, nil),
		configMapKeepCase("json in yaml", map[string]string{"app.yaml": "partner: '{\"ref\": \"" + r + "\"}'\n"}, nil),
		withValue(configMapKeepCase("base64 document", map[string]string{"app.yaml.b64": b64("partner:\n  ref: " + r + "\n")}, nil), b64("partner:\n  ref: "+r+"\n")),
		withValue(configMapKeepCase("archive member", nil, map[string][]byte{"bundle.tgz": []byte(archive)}), archive),
		configMapKeepCase("latin-1 text", nil, map[string][]byte{"partner.properties": []byte(latin1("# Société\npartner.ref=" + r + "\n"))}),
		withValue(configMapKeepCase("archive unreadable", nil, map[string][]byte{"broken.tgz": []byte(broken)}), broken),
		withValue(configMapKeepCase("binary unread", nil, map[string][]byte{"model.bin": []byte(blob)}), blob),
		withValue(configMapKeepCase("public client", map[string]string{"SENTRY_DSN": dsn}, nil), dsn),
		withValue(configMapKeepCase("flag salt", map[string]string{"flags.json": salt}, nil), "Qk9bUqW0hGx7zYWJ"),
		envKeepCase("env whole value", corev1.EnvVar{Name: "PARTNER_REF", Value: r}),
		envKeepCase("env json path", corev1.EnvVar{Name: "PARTNER_JSON", Value: `{"partner": {"ref": "` + r + `"}}`}),
		withValue(envKeepCase("env public client", corev1.EnvVar{Name: "SENTRY_DSN", Value: dsn}), dsn),
		argsKeepCase("args element", "/app", "--port=8080", r),
		argsKeepCase("args flag value", "/app", "--partner-ref", r),
		argsKeepCase("args script", "/bin/sh", "-c", "exec /app --ref "+r),
		labelsKeepCase("label", map[string]string{"build-ref": r, "app": "api"}),
	}
}

// TestUncertainKeptByItsRule: every uncertain value, of every kind, is kept byte-identical by
// the keepPlain rule its report names (Uncertain.KeepKey), and is no longer reported as replaced:
// the whole object comes out as it went in (its other values are harmless). The same rules keep
// the value in Strict mode, which reports nothing (it replaces what is not proven harmless) and
// also replaces values around it.
func TestUncertainKeptByItsRule(t *testing.T) {
	for _, c := range keepCases() {
		t.Run(c.name, func(t *testing.T) {
			in := PlainInput{Keyring: testKeyring(9)}
			out, rep := c.scrub(in)
			if len(rep.Uncertain) == 0 {
				t.Fatalf("nothing reported: %s", out)
			}
			replaced := false
			for _, u := range rep.Uncertain {
				in.KeepPlain = append(in.KeepPlain, c.rule(u.KeepKey()))
				replaced = replaced || u.Decision == UncertainReplaced
			}
			if replaced == (out == c.input) {
				t.Errorf("report %v does not match what changed:\n in %s\nout %s", rep.Uncertain, c.input, out)
			}
			kept, again := c.scrub(in)
			if kept != c.input {
				t.Errorf("rules %v did not keep it:\n in %s\nout %s", in.KeepPlain, c.input, kept)
			}
			for _, u := range again.Uncertain {
				if u.Decision == UncertainReplaced {
					t.Errorf("still reported as replaced: %v", u)
				}
			}
			in.Mode = PlainStrict
			if strict, _ := c.scrub(in); !strings.Contains(strict, cmp.Or(c.value, randomRef)) {
				t.Errorf("Strict with rules %v did not keep it:\n in %s\nout %s", in.KeepPlain, c.input, strict)
			}
		})
	}
}

// TestUncertainNestedPath: a value in a document nested in a scalar is reported with the
// scalar's path before its own, so that a rule cannot be read as naming a top-level key.
func TestUncertainNestedPath(t *testing.T) {
	data := map[string]string{"app.yaml": "partner: '{\"ref\": \"" + randomRef + "\"}'\nref: " + randomRef + "x\n"}
	_, _, rep := ConfigMap("app", data, nil, PlainInput{Keyring: testKeyring(9)})
	var keys []string
	for _, u := range rep.Uncertain {
		keys = append(keys, u.KeepKey())
	}
	if want := []string{"app.yaml#partner.ref", "app.yaml#ref"}; !slices.Equal(keys, want) {
		t.Errorf("keep keys %q, want %q", keys, want)
	}
}
