package scrub

import (
	"bytes"
	"path"
	"regexp"
	"sort"
	"strconv"
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
	// Uncertain lists, in key order and at most maxUncertain, the values decided without a rule
	// that makes the decision sure (see Uncertain); UncertainOmitted counts those left off.
	Uncertain        []Uncertain
	UncertainOmitted int
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
//   - binaryData under sensitive keys is generated; other binaryData is opened (UTF-8, UTF-16 and
//     single-byte text, gzip, tar and zip archives, nested: see payload.go), scrubbed like data
//     and written back in its own encoding and format; real binary is kept (the Sweep still looks
//     for prod values in it), and reported as uncertain (replaced in Strict mode unless it is an
//     image, a font or another known medium).
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
		var unsure []Uncertain
		keep, paths := keepsConfigMap(in.KeepPlain, name, key), keptPaths(in.KeepPlain, name, "", key)
		outData[key], n, unsure = in.plainValue(data[key], keep, paths, key, "configmap", name, key)
		rep.add(key, n)
		rep.addUncertain(key, unsure)
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
		case (sensitive || qualified) && len(v) > 0 && !kept && !publishedValue(key, string(v)):
			outBinary[key] = in.Keyring.generate(key, "configmap", name, key)
			rep.add(key, 1)
		case !kept:
			p := payloadScrubber{in: in, key: key, scope: []string{"configmap", name, "binary", key}}
			outBinary[key] = append([]byte(nil), p.bytes(v, key, 0)...)
			rep.add(key, p.n)
			sc := scrubber{uncertain: p.uncertain}
			rep.addUncertain(key, sc.uncertainUnder(key))
		default:
			outBinary[key] = append([]byte(nil), v...)
		}
	}
	sort.Strings(rep.Keys)
	return outData, outBinary, rep
}

// isText reports UTF-8 text, binaryData that is really a text file: valid UTF-8 with at most a
// stray NUL byte (one byte in twenty; binary data that is valid UTF-8 has many more).
func isText(b []byte) bool {
	return utf8.Valid(b) && fewInTwenty(bytes.Count(b, []byte{0}), len(b))
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
			var unsure []Uncertain
			keep, paths := keepsWorkload(in.KeepPlain, workload, e.Name), keptPaths(in.KeepPlain, "", workload, e.Name)
			e.Value, n, unsure = in.plainValue(e.Value, keep, paths, e.Name, "env", workload, container, e.Name)
			rep.add(e.Name, n)
			rep.addUncertain(e.Name, unsure)
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
//     values not proven harmless too);
//   - a KeepPlain rule naming this workload and "args[N]" keeps element N as it is, and
//     "args[N]#path" the value at path inside it (a flag of a script: args[2]#ref).
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
	var unsure []Uncertain
	for i, a := range args {
		flag := pendingFlag
		pendingFlag = ""
		before := len(sc.uncertain)
		// args[N]#path keeps one value inside element N (a flag of a sh -c script), as the
		// report of that value names it.
		d.keepPaths = keptPaths(in.KeepPlain, "", workload, argKey(i))
		switch {
		case keepsWorkload(in.KeepPlain, workload, argKey(i)):
			out[i] = in.Rewriter.Rewrite(a) // kept by a rule naming its index
		case len(creds[i]) > 0:
			var spans []span
			for _, c := range creds[i] {
				spans = append(spans, span{c.start, c.end, sc.value(a[c.start:c.end], "cli", strings.TrimLeft(c.name, "-"))})
			}
			out[i] = in.Rewriter.Rewrite(applySpans(a, spans))
		case flag != "" && !looksLikeFlag(a):
			if !IsSensitive(flag, a) || keepsWorkload(in.KeepPlain, workload, flag) || (referenceKey(flag) && referenceValue(a)) || pointsAtSecret(flag, a) {
				out[i] = in.Rewriter.Rewrite(a)
				continue
			}
			out[i] = string(in.Keyring.generate(flag, "args", workload, container, "flag", flag))
			rep.Generated++
		case i > 0 && isScriptFlag(args[i-1]) && shellBefore(args[:i-1]):
			out[i] = in.Rewriter.Rewrite(d.commandLine(a, "script"))
		default:
			pendingFlag = separateFlag(a)
			out[i] = in.Rewriter.Rewrite(d.argument(a))
		}
		for _, u := range sc.uncertain[before:] {
			if u.Path == "arg" {
				u.Path = ""
			}
			u.Key = argKey(i)
			unsure = append(unsure, u)
		}
	}
	rep.Generated += int32(sc.n)
	for _, u := range unsure {
		rep.addUncertain(u.Key, []Uncertain{u})
	}
	return out, rep
}

// flagName is an option's name as programs spell it: a word after "--", or one to three letters
// after "-" (-c, -ec). A longer run after one dash (-pS3cr3t) may hold an attached value.
var flagName = regexp.MustCompile(`^(--[A-Za-z][A-Za-z0-9_.-]*|-[A-Za-z]{1,3})$`)

// argument scrubs one element of a command line. Strict mode replaces what is not provably
// harmless, but an option's name is the program's vocabulary, never a credential: replacing
// "-c" or "--port=8080" broke the command. So a flag keeps its name and only a value after "="
// is judged.
func (d docScrubber) argument(a string) string {
	if !d.strict {
		return d.plain(a, "arg")
	}
	name, value, hasValue := strings.Cut(a, "=")
	if !flagName.MatchString(name) {
		return d.plain(a, "arg")
	}
	if !hasValue {
		return a
	}
	return name + "=" + d.plain(value, "arg")
}

// argKey names an argument by its index in command + args, as a keepPlain rule's key does
// (workload w, key "args[3]").
func argKey(i int) string { return "args[" + strconv.Itoa(i) + "]" }

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
func (in PlainInput) plainValue(v string, keep bool, keepPaths map[string]bool, key string, scope ...string) (string, int32, []Uncertain) {
	strict := in.Mode == PlainStrict
	if keep || (referenceKey(key) && referenceValue(v)) || pointsAtSecret(key, v) || publicMaterial(v) || indirectValue(strings.TrimSpace(v)) {
		return in.Rewriter.Rewrite(v), 0, nil
	}
	if !strict && publicClient(key, v) {
		return in.Rewriter.Rewrite(v), 0, []Uncertain{{Decision: UncertainKept, Reason: ReasonPublicByDesign}}
	}
	sc := &scrubber{k: in.Keyring, scope: scope}
	d := docScrubber{sc: sc, strict: strict, keepPaths: keepPaths}
	out, n := d.plainValue(v, key, in)
	return out, n, sc.uncertainUnder(key)
}

// plainValue is PlainInput.plainValue once kept values are set aside.
func (d *docScrubber) plainValue(v, key string, in PlainInput) (string, int32) {
	sc, scope := d.sc, d.sc.scope
	if userListFile(key) {
		// users.properties (ActiveMQ, Artemis), realm.properties (Jetty): user=password lines.
		d.tainted = true
	} else if sensitive, _ := classifyKey(key); IsSensitive(key, v) && (sensitive || !multiLine(v)) {
		// A file of a known shape keeps its structure; under a key naming secrets (secrets.yaml,
		// credentials.json) every value in it is tainted, while a client's credentials file
		// (kubeconfig, .netrc, .pgpass) is judged by its own structure. Anything else under a
		// sensitive key is replaced whole.
		d.tainted = taints(key) && !credentialFile(key)
		if out, ok := d.document(key, v); ok && (multiLine(v) || structured(v) || credentialFile(key)) {
			return in.Rewriter.Rewrite(out), int32(max(sc.n, 1))
		}
		if connectionKey(key) && !d.strict {
			if out, ok := sc.connection(v); ok {
				return in.Rewriter.Rewrite(out), int32(max(sc.n, 1))
			}
		}
		if prefix, def, ok := referenceDefault(v); ok && !d.strict {
			return in.Rewriter.Rewrite(prefix + sc.value(def, "kv", key) + "}"), 1
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

// publishedValue reports a whole value published by design (see publicValue): public key
// material, public client configuration, a browser key under a key that names one.
func publishedValue(key, v string) bool {
	return publicMaterial(strings.TrimSpace(v)) || publicClient(key, v)
}

// publicClient reports public client configuration: a public DSN, a publishable key, a browser
// key under a key that names one. Unlike key material, this is a judgment (reported as
// uncertain, replaced in Strict mode).
func publicClient(key, v string) bool {
	t := strings.TrimSpace(v)
	return publicClientValue(t) || publicBrowserKey(key, t)
}

// credentialFileFragments name the files command-line clients keep credentials in, whose
// formats say which field is the secret: they are judged by structure, not tainted whole.
var credentialFileFragments = []string{"kubeconfig", "dockerconfig", "dockercfg", "npmrc", "netrc", "pgpass", "pypirc", "gitcredentials", "htpasswd"}

func credentialFile(key string) bool {
	joined := strings.Join(keyWords(key), "")
	for _, f := range credentialFileFragments {
		if strings.Contains(joined, f) {
			return true
		}
	}
	return false
}

func multiLine(v string) bool { return strings.Contains(strings.TrimSpace(v), "\n") }

// structured reports a one-line JSON object or array: a document, not a token.
func structured(v string) bool {
	t := strings.TrimSpace(v)
	return len(t) > 1 && ((t[0] == '{' && t[len(t)-1] == '}') || (t[0] == '[' && t[len(t)-1] == ']'))
}

// pointsAtSecret reports a key that names a secret by its id in a secret store
// (--secret-id prod/shop/db, DB_SECRET_ID=arn:...) when the value is a path or an ARN. (A bare
// id may be Vault AppRole's secret_id, which is a credential.)
func pointsAtSecret(key, v string) bool {
	w := keyWords(key)
	n := len(w)
	if n < 2 || w[n-1] != "id" || w[n-2] != "secret" {
		return false
	}
	t := strings.TrimSpace(v)
	return (strings.Contains(t, "/") && referenceValue(t)) || indirectValue(t)
}

// userListFiles are properties files whose lines are user=password (ActiveMQ's and Artemis'
// users.properties, Jetty's realm.properties): every value in them is a credential.
var userListFiles = map[string]bool{"users.properties": true, "realm.properties": true, "user.properties": true}

func userListFile(key string) bool {
	name := strings.ToLower(path.Base(key))
	return userListFiles[name] || strings.HasSuffix(name, "-users.properties") || strings.HasSuffix(name, "-realm.properties")
}

// keptPaths returns the paths inside the value of key that keepPlain rules keep: a rule naming
// the ConfigMap (or the workload) and key#path keeps the scalar at path (features.partner_ref),
// the rest of the document still scrubbed.
func keptPaths(rules []v1alpha1.PlainValueRule, configMap, workload, key string) map[string]bool {
	var out map[string]bool
	for _, r := range rules {
		if (configMap != "" && r.ConfigMap == configMap) || (workload != "" && r.Workload == workload) {
			if p, ok := strings.CutPrefix(r.Key, key+"#"); ok && p != "" {
				if out == nil {
					out = map[string]bool{}
				}
				out[p] = true
			}
		}
	}
	return out
}
