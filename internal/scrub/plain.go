package scrub

import (
	"bytes"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// PlainInput is what scrubbing plain (non-Secret) values needs.
type PlainInput struct {
	// Rewriter points source-namespace references and the user's rewrite rules at the copy; nil
	// rewrites nothing.
	Rewriter *Rewriter
	// Keyring derives generated values.
	Keyring Keyring
	// KeepPlain lists the sensitive-looking plain values the user allows to be copied as they are
	// (still rewritten).
	KeepPlain []v1alpha1.PlainValueRule
	// Mode is spec.config.plainValues: PlainScrub (the default, also for "") or PlainStrict.
	Mode PlainMode
}

// PlainMode says what happens to plain values that are not recognised as credentials.
type PlainMode string

const (
	// PlainScrub replaces what is recognised as a credential: by key, by path and siblings in a
	// structured file, by command, by rule, or as a random-looking token.
	PlainScrub PlainMode = "Scrub"
	// PlainStrict also replaces every value not proven harmless: numbers, booleans, durations,
	// host names and URLs without credentials, paths and enum-like words stay; in free text,
	// each token is judged.
	PlainStrict PlainMode = "Strict"
)

// PlainReport counts what scrubbing changed.
type PlainReport struct {
	// Generated counts values replaced: whole values under sensitive keys and each embedded
	// credential.
	Generated int32
	// Keys lists, sorted, the keys (ConfigMap keys, env names) with at least one replacement.
	Keys []string
}

func (r *PlainReport) add(key string, n int32) {
	if n > 0 {
		r.Generated += n
		r.Keys = append(r.Keys, key)
	}
}

// ConfigMap returns the copy's data and binaryData for prod ConfigMap name:
//   - a value under a sensitive key (IsSensitive) is replaced by Keyring.Value("configmap", name,
//     key) (a private key PEM for keys named like *.key), unless a KeepPlain rule names this
//     configMap and key, or the key names a reference and the value looks like a name;
//   - a file of a known shape (JSON, YAML, TOML, INI, properties, .env, XML, shell, directive
//     files such as nginx.conf or redis.conf, htpasswd, pgbouncer user lists) is scrubbed by its
//     structure, each value judged by its path and siblings and replaced in place;
//   - any other value has embedded credentials replaced (URL passwords, sensitive key=value,
//     key: value, "key": "value", export KEY=value, --key=value / --key value, <key>x</key>,
//     Bearer/Basic credentials, JWTs, private key PEM blocks, tokens gitleaks' rules recognise,
//     a random-looking token);
//   - in Strict mode, every value not proven harmless is replaced as well;
//   - binaryData under sensitive keys is generated; other binaryData that is UTF-8 text is
//     scrubbed like data, real binary is kept (the Sweep still looks for prod values in it).
//
// Every value is then rewritten. Kept values are rewritten but not scrubbed. The report counts
// the replacements of this ConfigMap. The inputs are not modified; nil maps stay nil.
func ConfigMap(name string, data map[string]string, binaryData map[string][]byte, in PlainInput) (map[string]string, map[string][]byte, PlainReport) {
	var rep PlainReport
	var outData map[string]string
	if data != nil {
		outData = make(map[string]string, len(data))
	}
	for _, key := range sortedKeys(data) {
		var n int32
		outData[key], n = in.plainValue(data[key], keepsConfigMap(in.KeepPlain, name, key), key, "configmap", name, key)
		rep.add(key, n)
	}
	var outBinary map[string][]byte
	if binaryData != nil {
		outBinary = make(map[string][]byte, len(binaryData))
	}
	for _, key := range sortedKeys(binaryData) {
		v := binaryData[key]
		kept := keepsConfigMap(in.KeepPlain, name, key)
		sensitive, qualified := classifyKey(key)
		switch {
		case (sensitive || qualified) && len(v) > 0 && !kept:
			outBinary[key] = in.Keyring.generate(key, "configmap", name, key)
			rep.add(key, 1)
		case !kept && isText(v):
			out, n := in.plainValue(string(v), false, key, "configmap", name, "binary", key)
			outBinary[key] = []byte(out)
			rep.add(key, n)
		default:
			outBinary[key] = append([]byte(nil), v...)
		}
	}
	sort.Strings(rep.Keys)
	return outData, outBinary, rep
}

// isText reports UTF-8 text without NUL bytes: binaryData that is really a text file.
func isText(b []byte) bool {
	return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
}

// Env returns a copy of a container's env: the Value of a sensitive name is replaced by
// Keyring.Value("env", workload, container, name) unless a KeepPlain rule names this workload and
// name; other values have embedded credentials replaced and are rewritten. Entries with ValueFrom
// are copied untouched (they reference Secrets and ConfigMaps that are scrubbed themselves).
func Env(workload, container string, env []corev1.EnvVar, in PlainInput) ([]corev1.EnvVar, PlainReport) {
	var rep PlainReport
	if env == nil {
		return nil, rep
	}
	out := make([]corev1.EnvVar, len(env))
	for i := range env {
		e := env[i].DeepCopy()
		if e.ValueFrom == nil {
			var n int32
			e.Value, n = in.plainValue(e.Value, keepsWorkload(in.KeepPlain, workload, e.Name), e.Name, "env", workload, container, e.Name)
			rep.add(e.Name, n)
		}
		out[i] = *e
	}
	sort.Strings(rep.Keys)
	return out, rep
}

// Args returns a copy of a container's command and args (pass them joined, as one argv, so a
// "sh -c" in the command is seen with its script in the args):
//   - the credentials a well-known command takes (mysql -pX, redis-cli -a X, curl -u user:X,
//     sshpass -p X, docker login -p X, htpasswd -b f u X, ...; see commandCredentials) are
//     replaced by Keyring.Value("args", workload, container, "cli", flag);
//   - the element after a sensitive flag given as its own element ("--password", "x") is
//     replaced by Keyring.Value("args", workload, container, "flag", flag) unless it is a variable
//     reference such as $(DB_PASSWORD) or a KeepPlain rule names this workload and the flag
//     (without dashes). The next element is taken for the value even when it starts with a dash,
//     unless it is a long flag (--x) or a lone short one (-x);
//   - the script after "sh -c" is scrubbed as a shell script (see shellFormat);
//   - every other element has embedded credentials replaced as in Env values (in Strict mode,
//     values not proven harmless too).
//
// Every element is then rewritten.
func Args(workload, container string, args []string, in PlainInput) ([]string, PlainReport) {
	var rep PlainReport
	if args == nil {
		return nil, rep
	}
	out := make([]string, len(args))
	sc := &scrubber{k: in.Keyring, scope: []string{"args", workload, container}}
	d := docScrubber{sc: sc, strict: in.Mode == PlainStrict}
	literal := make([]bool, len(args))
	for i := range literal {
		literal[i] = !varRef.MatchString(args[i])
	}
	creds := map[int][]credArg{}
	for _, c := range commandCredentials(args, literal) {
		creds[c.index] = append(creds[c.index], c)
	}
	pendingFlag := ""
	for i, a := range args {
		flag := pendingFlag
		pendingFlag = ""
		switch {
		case len(creds[i]) > 0:
			var spans []span
			for _, c := range creds[i] {
				spans = append(spans, span{c.start, c.end, sc.value(a[c.start:c.end], "cli", strings.TrimLeft(c.name, "-"))})
			}
			out[i] = in.Rewriter.Rewrite(applySpans(a, spans))
		case flag != "" && !looksLikeFlag(a):
			if !IsSensitive(flag, a) || keepsWorkload(in.KeepPlain, workload, flag) || (referenceKey(flag) && referenceValue(a)) {
				out[i] = in.Rewriter.Rewrite(a)
				continue
			}
			out[i] = string(in.Keyring.generate(flag, "args", workload, container, "flag", flag))
			rep.Generated++
		case i > 0 && isScriptFlag(args[i-1]) && shellBefore(args[:i-1]):
			out[i] = in.Rewriter.Rewrite(d.commandLine(a, "script"))
		default:
			pendingFlag = separateFlag(a)
			out[i] = in.Rewriter.Rewrite(d.plain(a, "arg"))
		}
	}
	rep.Generated += int32(sc.n)
	return out, rep
}

// isScriptFlag: the flag before a shell's script: -c, or short flags ending in c (-ec, -lc).
func isScriptFlag(a string) bool {
	return len(a) >= 2 && a[0] == '-' && a[1] != '-' && a[len(a)-1] == 'c'
}

// shellBefore reports whether a shell is the command of argv (possibly behind wrappers).
func shellBefore(argv []string) bool {
	for _, a := range argv {
		if isShell(path.Base(a)) {
			return true
		}
	}
	return false
}

// separateFlag returns the name of a sensitive (or qualified) flag written alone, as in
// "--password" followed by its value in the next element; "" otherwise.
func separateFlag(a string) string {
	if !strings.HasPrefix(a, "-") || strings.ContainsAny(a, "= \t") {
		return ""
	}
	name := strings.TrimLeft(a, "-")
	if len(a)-len(name) > 2 || name == "" {
		return ""
	}
	if sensitive, qualified := classifyKey(name); sensitive || qualified {
		return name
	}
	return ""
}

// plainValue scrubs one plain value under key: generated when sensitive (and not kept, nor a
// reference), else scrubbed by its structure or as text; rewritten unless generated. It returns
// the number of replacements.
func (in PlainInput) plainValue(v string, keep bool, key string, scope ...string) (string, int32) {
	if keep || (referenceKey(key) && referenceValue(v)) {
		return in.Rewriter.Rewrite(v), 0
	}
	sc := &scrubber{k: in.Keyring, scope: scope}
	d := docScrubber{sc: sc, strict: in.Mode == PlainStrict}
	if IsSensitive(key, v) {
		// A credentials file of a known shape keeps its structure, every value in it tainted;
		// anything else under a sensitive key is replaced whole.
		d.tainted = true
		if out, ok := d.document(key, v); ok && strings.Contains(strings.TrimSpace(v), "\n") {
			return in.Rewriter.Rewrite(out), int32(max(sc.n, 1))
		}
		return string(in.Keyring.generate(key, scope...)), 1
	}
	out, ok := d.document(key, v)
	if !ok {
		out = d.plain(v, key)
	}
	return in.Rewriter.Rewrite(out), int32(sc.n)
}

func keepsConfigMap(rules []v1alpha1.PlainValueRule, name, key string) bool {
	for _, r := range rules {
		if r.ConfigMap != "" && r.ConfigMap == name && r.Key == key {
			return true
		}
	}
	return false
}

func keepsWorkload(rules []v1alpha1.PlainValueRule, workload, key string) bool {
	for _, r := range rules {
		if r.Workload != "" && r.Workload == workload && r.Key == key {
			return true
		}
	}
	return false
}
