package scrub

import (
	"strings"

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
}

// PlainReport counts what scrubbing changed.
type PlainReport struct {
	// Generated counts values replaced: whole values under sensitive keys and each embedded
	// credential.
	Generated int32
}

// ConfigMap returns the copy's data and binaryData for prod ConfigMap name:
//   - a value under a sensitive key (IsSensitive) is replaced by Keyring.Value("configmap", name,
//     key) (a private key PEM for keys named like *.key), unless a KeepPlain rule names this
//     configMap and key;
//   - every other value has embedded credentials replaced (URL passwords, sensitive key=value,
//     key: value, "key": "value", export KEY=value, --key=value / --key value, <key>x</key>,
//     Bearer/Basic credentials, JWTs, private key PEM blocks, self-identifying tokens such as
//     ghp_... or sk_live_...) and is then rewritten;
//   - binaryData is kept, except under sensitive keys, where it is generated. (binaryData is not
//     UTF-8 by definition, so there is no text to scrub.)
//
// Kept values are rewritten but not scrubbed. The inputs are not modified; nil maps stay nil.
func ConfigMap(name string, data map[string]string, binaryData map[string][]byte, in PlainInput) (map[string]string, map[string][]byte, PlainReport) {
	var rep PlainReport
	var outData map[string]string
	if data != nil {
		outData = make(map[string]string, len(data))
	}
	for key, v := range data {
		outData[key] = in.plainValue(v, keepsConfigMap(in.KeepPlain, name, key), key, &rep, "configmap", name, key)
	}
	var outBinary map[string][]byte
	if binaryData != nil {
		outBinary = make(map[string][]byte, len(binaryData))
	}
	for key, v := range binaryData {
		sensitive, qualified := classifyKey(key)
		if (sensitive || qualified) && len(v) > 0 && !keepsConfigMap(in.KeepPlain, name, key) {
			outBinary[key] = in.Keyring.generate(key, "configmap", name, key)
			rep.Generated++
			continue
		}
		outBinary[key] = append([]byte(nil), v...)
	}
	return outData, outBinary, rep
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
			e.Value = in.plainValue(e.Value, keepsWorkload(in.KeepPlain, workload, e.Name), e.Name, &rep, "env", workload, container, e.Name)
		}
		out[i] = *e
	}
	return out, rep
}

// Args returns a copy of a container's command or args: embedded credentials replaced as in Env
// values, plus the element after a sensitive flag given as its own element ("--password", "x"),
// replaced by Keyring.Value("args", workload, container, "flag", flag) unless it is a variable
// reference such as $(DB_PASSWORD) or a KeepPlain rule names this workload and the flag (without
// dashes). The next element is taken for the value even when it starts with a dash, unless it is
// a long flag (--x) or a lone short one (-x). Every element is then rewritten.
func Args(workload, container string, args []string, in PlainInput) ([]string, PlainReport) {
	var rep PlainReport
	if args == nil {
		return nil, rep
	}
	out := make([]string, len(args))
	pendingFlag := ""
	for i, a := range args {
		flag := pendingFlag
		pendingFlag = ""
		if flag != "" && !looksLikeFlag(a) {
			if !IsSensitive(flag, a) || keepsWorkload(in.KeepPlain, workload, flag) {
				out[i] = in.Rewriter.Rewrite(a)
				continue
			}
			out[i] = string(in.Keyring.generate(flag, "args", workload, container, "flag", flag))
			rep.Generated++
			continue
		}
		pendingFlag = separateFlag(a)
		sc := scrubber{k: in.Keyring, scope: []string{"args", workload, container}}
		out[i] = in.Rewriter.Rewrite(sc.text(a))
		rep.Generated += int32(sc.n)
	}
	return out, rep
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

// plainValue scrubs one plain value under key: generated when sensitive (and not kept), else
// embedded credentials replaced; rewritten unless generated.
func (in PlainInput) plainValue(v string, keep bool, key string, rep *PlainReport, scope ...string) string {
	if keep {
		return in.Rewriter.Rewrite(v)
	}
	if IsSensitive(key, v) {
		rep.Generated++
		return string(in.Keyring.generate(key, scope...))
	}
	sc := scrubber{k: in.Keyring, scope: scope}
	out := in.Rewriter.Rewrite(sc.text(v))
	rep.Generated += int32(sc.n)
	return out
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
