package scrub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"text/template"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/envmirror/envmirror/api/v1alpha1"
	"github.com/envmirror/envmirror/internal/tmpl"
)

// TemplateData describes the copy to Secret templates: {{ .Namespace }}, {{ .Branch }},
// {{ .Environment }}.
type TemplateData struct {
	// Namespace is the copy's (target) namespace.
	Namespace string
	// Branch is spec.branch.
	Branch string
	// Environment is the MirrorEnvironment's name.
	Environment string
}

// SecretsInput is everything Secrets needs. Nothing in it is modified.
type SecretsInput struct {
	// Prod holds prod's Secrets (the source namespace). Read only.
	Prod []corev1.Secret
	// Spec is spec.config.secrets.
	Spec v1alpha1.SecretsSpec
	// DevSecrets are the Secrets of the MirrorEnvironment's own namespace, by name: the sources of
	// FromSecret rules and of spec.config.secrets.pullSecretRef.
	DevSecrets map[string]corev1.Secret
	// DevNamespace is the MirrorEnvironment's namespace; it only makes error messages name dev
	// Secrets as namespace/name.
	DevNamespace string
	// Existing holds the copy's current Secrets in the target namespace, by name. Only used to
	// keep a previously issued TLS certificate.
	Existing map[string]corev1.Secret
	// Keyring derives generated values.
	Keyring Keyring
	// Data describes the copy to templates.
	Data TemplateData
	// TLSHosts are the DNS names (and IPs) the copy's TLS certificates cover.
	TLSHosts []string
	// Now is the time certificates are issued and checked at; zero means time.Now().
	Now time.Time
	// Extra are values of the copy that are not prod's, by Secret name and key: the database
	// stand-ins' generated credentials, so that `{{ secret "orders-db" "password" }}` in a
	// DATABASE_URL template agrees with the password the stand-in was given. A prod Secret of
	// the same name takes precedence.
	Extra map[string]map[string][]byte
}

// Counts counts how the copy's Secret values were produced.
type Counts struct {
	// Generated: random values, generated TLS pairs and empty docker configs.
	Generated int32
	// Templated: values rendered from templates.
	Templated int32
	// FromSecret: values taken from dev Secrets (including the pull secret).
	FromSecret int32
	// Kept: prod values copied by explicit Keep rules.
	Kept int32
}

// SecretsResult is the copy's Secrets and how they were made.
type SecretsResult struct {
	// Secrets are the desired copies, sorted by name: same name, type and keys as prod; only
	// Name, Labels (prod's), Annotations (only AnnotationTLSHosts, for generated TLS pairs), Type
	// and Data are set. Namespace and the operator's own labels are the caller's.
	Secrets []corev1.Secret
	// Counts counts the keys by origin.
	Counts Counts
	// Kept lists, sorted, the "secret/key"s whose copy carries prod bytes: those kept by explicit
	// rule, and templates that use a kept value.
	Kept []string
	// Verbatim lists, sorted, the "secret/key"s whose copy is prod's value as is (a Keep rule):
	// what NewSweep must not look for.
	Verbatim []string
	// Unmatched lists, sorted, the rules ("secret" or "secret/key") that name no copied prod Secret
	// or key: typos, or keys prod dropped. They are not errors (prod may change under the spec).
	Unmatched []string
}

// KeyError is a problem producing one key of a copied Secret (or, with Key empty, a rule that
// applies to a whole Secret). Its message never contains a value.
type KeyError struct {
	Secret, Key, Msg string
}

func (e *KeyError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("secret %s: %s", e.Secret, e.Msg)
	}
	return fmt.Sprintf("secret %s key %s: %s", e.Secret, e.Key, e.Msg)
}

// maxTemplateOutput bounds a rendered template: a Secret cannot hold more. (Loops and values that
// grow without bound are refused by internal/tmpl.)
const maxTemplateOutput = 1 << 20

// Secrets returns the copy's Secrets for prod's: same names, types and keys; values by policy.
//
// Each key's policy is the most specific rule's (secret+key over secret-only), else spec.default
// (Generate, the only default allowed). A rule without a policy has it inferred from its template
// or fromSecret.
//   - Generate: Keyring.Value("secret", name, key); a PEM private key for keys named *.key,
//     *key*.pem or ssh-privatekey; a fresh self-signed certificate for tls.crt, tls.key and ca.crt
//     of kubernetes.io/tls Secrets; the pull secret (spec.pullSecretRef) or an empty docker config
//     for .dockerconfigjson / .dockercfg of docker config Secrets.
//   - FromSecret: DevSecrets[fromSecret.name].Data[fromSecret.key, default the rule's key].
//   - Template: text/template with `secret "name" "key"` (the copy's final value of that key of a
//     prod Secret, whatever its policy) and the TemplateData fields; missingkey=error.
//   - Keep: prod's value.
//
// kubernetes.io/service-account-token Secrets are not copied (the copy's token controller makes
// its own), not even with Keep.
//
// On error the result is empty (a partial set of Secrets must not be applied) and the error is
// errors.Join of *KeyError, one per failing key or rule.
func Secrets(in SecretsInput) (SecretsResult, error) {
	if len(in.Keyring) < KeyringSize {
		return SecretsResult{}, fmt.Errorf("keyring is %d bytes, need %d", len(in.Keyring), KeyringSize)
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	rv, errs := newResolver(in)
	if len(errs) > 0 {
		return SecretsResult{}, errors.Join(errs...)
	}
	var res SecretsResult
	for _, name := range sortedKeys(rv.prod) {
		sec := rv.prod[name]
		if skipped(sec) {
			continue
		}
		out := corev1.Secret{Type: sec.Type, Data: make(map[string][]byte, len(sec.Data))}
		out.Name = sec.Name
		out.Labels = maps.Clone(sec.Labels)
		for _, key := range sortedKeys(sec.Data) {
			r := rv.resolve(ref{name, key})
			if r.err != nil {
				errs = append(errs, &KeyError{Secret: name, Key: key, Msg: r.err.Error()})
				continue
			}
			out.Data[key] = r.val
			res.Counts.add(r.origin)
			if r.kept {
				res.Kept = append(res.Kept, name+"/"+key)
			}
			if r.origin == fromKeep {
				res.Verbatim = append(res.Verbatim, name+"/"+key)
			}
		}
		if _, ok := rv.tls[name]; ok {
			out.Annotations = map[string]string{AnnotationTLSHosts: strings.Join(rv.hosts, ",")}
		}
		res.Secrets = append(res.Secrets, out)
	}
	if len(errs) > 0 {
		return SecretsResult{}, errors.Join(errs...)
	}
	sort.Strings(res.Kept)
	sort.Strings(res.Verbatim)
	res.Unmatched = rv.unmatched()
	return res, nil
}

// skipped reports Secrets that are not copied.
func skipped(s *corev1.Secret) bool { return s.Type == corev1.SecretTypeServiceAccountToken }

// ref names a key of a prod Secret.
type ref struct{ secret, key string }

func (r ref) String() string { return r.secret + "/" + r.key }

// origin is where a value came from.
type origin int

const (
	fromGenerate origin = iota
	fromTemplate
	fromDevSecret
	fromKeep
)

func (c *Counts) add(o origin) {
	switch o {
	case fromGenerate:
		c.Generated++
	case fromTemplate:
		c.Templated++
	case fromDevSecret:
		c.FromSecret++
	case fromKeep:
		c.Kept++
	}
}

// resolved is a key's value in the copy.
type resolved struct {
	val    []byte
	origin origin
	kept   bool // carries prod bytes (Keep, or a template over a kept value)
	err    error
}

// rule is a validated SecretRule with its effective policy and parsed template.
type rule struct {
	index  int
	spec   v1alpha1.SecretRule
	policy v1alpha1.SecretPolicy
	tmpl   *template.Template
}

// resolver computes the copy's values lazily, so templates can use any key in any order, with
// memoization (each value computed once, so templates and the keys they use agree) and cycle
// detection.
type resolver struct {
	in       SecretsInput
	prod     map[string]*corev1.Secret
	byKey    map[ref]*rule
	bySecret map[string]*rule
	rules    []*rule
	memo     map[ref]resolved
	stack    []ref  // keys being resolved, outermost first
	taint    []bool // per template being executed: used a kept value
	tls      map[string]tlsResult
	hosts    []string
}

type tlsResult struct {
	pair tlsPair
	err  error
}

func newResolver(in SecretsInput) (*resolver, []error) {
	rv := &resolver{
		in:       in,
		prod:     map[string]*corev1.Secret{},
		byKey:    map[ref]*rule{},
		bySecret: map[string]*rule{},
		memo:     map[ref]resolved{},
		tls:      map[string]tlsResult{},
		hosts:    normalizeHosts(in.TLSHosts),
	}
	for i := range in.Prod {
		if _, dup := rv.prod[in.Prod[i].Name]; !dup {
			rv.prod[in.Prod[i].Name] = &in.Prod[i]
		}
	}
	var errs []error
	if d := in.Spec.Default; d != "" && d != v1alpha1.SecretGenerate {
		errs = append(errs, fmt.Errorf("spec.config.secrets.default is %q; only Generate is allowed (keep prod values per key with a rule)", d))
	}
	for i, spec := range in.Spec.Rules {
		r, err := rv.newRule(i, spec)
		if err != nil {
			errs = append(errs, &KeyError{Secret: spec.Secret, Key: spec.Key, Msg: fmt.Sprintf("rule %d: %v", i, err)})
			continue
		}
		if err := rv.index(r); err != nil {
			errs = append(errs, &KeyError{Secret: spec.Secret, Key: spec.Key, Msg: err.Error()})
		}
	}
	return rv, errs
}

// newRule validates a rule and infers its policy.
func (rv *resolver) newRule(i int, spec v1alpha1.SecretRule) (*rule, error) {
	r := &rule{index: i, spec: spec, policy: spec.Policy}
	if r.policy == "" {
		switch {
		case spec.Template != "":
			r.policy = v1alpha1.SecretTemplate
		case spec.FromSecret != nil:
			r.policy = v1alpha1.SecretFromSecret
		default:
			return nil, errors.New("a rule needs a policy, a template or fromSecret")
		}
	}
	switch r.policy {
	case v1alpha1.SecretGenerate, v1alpha1.SecretKeep, v1alpha1.SecretFromSecret, v1alpha1.SecretTemplate:
	default:
		return nil, fmt.Errorf("unknown policy %q (Generate, FromSecret, Template or Keep)", r.policy)
	}
	if spec.Secret == "" {
		return nil, errors.New("a rule names a secret")
	}
	if (spec.Template != "") != (r.policy == v1alpha1.SecretTemplate) {
		return nil, fmt.Errorf("policy %s and a template do not go together: policy Template needs a template, and a template needs policy Template", r.policy)
	}
	if (spec.FromSecret != nil) != (r.policy == v1alpha1.SecretFromSecret) {
		return nil, fmt.Errorf("policy %s and fromSecret do not go together: policy FromSecret needs fromSecret, and fromSecret needs policy FromSecret", r.policy)
	}
	if spec.FromSecret != nil && spec.FromSecret.Name == "" {
		return nil, errors.New("fromSecret needs a name")
	}
	if r.policy == v1alpha1.SecretTemplate {
		if spec.Key == "" {
			return nil, errors.New("a template rule names a key")
		}
		// internal/tmpl: no loops, and no function builds a value past its bound, so a template
		// costs at most a few times its length in MaxOutput.
		t, err := tmpl.Parse(ref{spec.Secret, spec.Key}.String(), spec.Template, template.FuncMap{"secret": rv.secretFunc})
		if err != nil {
			return nil, fmt.Errorf("parsing the template: %v", err)
		}
		r.tmpl = t
	}
	return r, nil
}

// index files a rule under its secret and key, refusing two rules for the same target: which one
// wins would be a guess, and one of them may be a Keep.
func (rv *resolver) index(r *rule) error {
	target := "secret " + r.spec.Secret
	var prev *rule
	if r.spec.Key == "" {
		prev = rv.bySecret[r.spec.Secret]
		rv.bySecret[r.spec.Secret] = r
	} else {
		k := ref{r.spec.Secret, r.spec.Key}
		target += " key " + r.spec.Key
		prev = rv.byKey[k]
		rv.byKey[k] = r
	}
	rv.rules = append(rv.rules, r)
	if prev != nil {
		return fmt.Errorf("rules %d and %d both set %s; keep one", prev.index, r.index, target)
	}
	return nil
}

// ruleFor returns the most specific rule for a key, or nil for the default (Generate).
func (rv *resolver) ruleFor(r ref) *rule {
	if x := rv.byKey[r]; x != nil {
		return x
	}
	return rv.bySecret[r.secret]
}

// resolve returns the copy's value of a key, computing it once.
func (rv *resolver) resolve(r ref) resolved {
	if res, ok := rv.memo[r]; ok {
		return res
	}
	for i, s := range rv.stack {
		if s == r {
			return resolved{err: &cycleError{chain: canonicalCycle(rv.stack[i:])}}
		}
	}
	rv.stack = append(rv.stack, r)
	res := rv.compute(r)
	rv.stack = rv.stack[:len(rv.stack)-1]
	rv.memo[r] = res
	return res
}

func (rv *resolver) compute(r ref) resolved {
	sec, ok := rv.prod[r.secret]
	switch {
	case !ok:
		return resolved{err: fmt.Errorf("prod has no Secret %s (templates can use the keys of prod's Secrets, as copied, and of the database stand-ins' credentials)", r.secret)}
	case skipped(sec):
		return resolved{err: fmt.Errorf("Secret %s is a service account token, which is not copied", r.secret)}
	}
	val, ok := sec.Data[r.key]
	if !ok {
		return resolved{err: fmt.Errorf("prod Secret %s has no key %s", r.secret, r.key)}
	}
	rl := rv.ruleFor(r)
	if rl == nil {
		return rv.generate(sec, r)
	}
	switch rl.policy {
	case v1alpha1.SecretKeep:
		return resolved{val: bytes.Clone(val), origin: fromKeep, kept: true}
	case v1alpha1.SecretFromSecret:
		return rv.fromDevSecret(r, rl.spec.FromSecret)
	case v1alpha1.SecretTemplate:
		return rv.render(r, rl)
	}
	return rv.generate(sec, r)
}

// generate produces a generated value, shaped by the Secret's type where that matters.
func (rv *resolver) generate(sec *corev1.Secret, r ref) resolved {
	switch {
	case sec.Type == corev1.SecretTypeTLS &&
		(r.key == corev1.TLSCertKey || r.key == corev1.TLSPrivateKeyKey || r.key == corev1.ServiceAccountRootCAKey):
		t := rv.tlsFor(sec)
		if t.err != nil {
			return resolved{err: t.err}
		}
		if r.key == corev1.TLSPrivateKeyKey {
			return resolved{val: bytes.Clone(t.pair.key)}
		}
		return resolved{val: bytes.Clone(t.pair.cert)} // tls.crt, and ca.crt: the same self-signed cert
	case sec.Type == corev1.SecretTypeDockerConfigJson && r.key == corev1.DockerConfigJsonKey:
		return rv.dockerConfig(false)
	case sec.Type == corev1.SecretTypeDockercfg && r.key == corev1.DockerConfigKey:
		return rv.dockerConfig(true)
	}
	return resolved{val: rv.in.Keyring.generate(r.key, "secret", r.secret, r.key)}
}

// tlsFor returns the copy's certificate for a TLS Secret: the existing copy's when still good,
// else a new one. Computed once per Secret so tls.crt, tls.key and ca.crt agree.
func (rv *resolver) tlsFor(sec *corev1.Secret) tlsResult {
	if t, ok := rv.tls[sec.Name]; ok {
		return t
	}
	cn := tlsCommonName(rv.in.Data.Environment)
	var t tlsResult
	var existing *corev1.Secret
	if e, ok := rv.in.Existing[sec.Name]; ok {
		existing = &e
	}
	if p, ok := reusableTLS(existing, sec, rv.hosts, cn, rv.in.Now); ok {
		t.pair = p
	} else {
		t.pair, t.err = issueTLS(rv.hosts, cn, rv.in.Now)
	}
	rv.tls[sec.Name] = t
	return t
}

// dockerConfig is the pull secret's config when spec.pullSecretRef is set, else an empty one.
// legacy asks for the .dockercfg format (the "auths" object alone).
func (rv *resolver) dockerConfig(legacy bool) resolved {
	ref := rv.in.Spec.PullSecretRef
	if ref == nil {
		if legacy {
			return resolved{val: []byte(`{}`)}
		}
		return resolved{val: []byte(`{"auths":{}}`)}
	}
	dev, ok := rv.in.DevSecrets[ref.Name]
	if !ok {
		return resolved{err: fmt.Errorf("spec.config.secrets.pullSecretRef: dev Secret %s not found", rv.devName(ref.Name))}
	}
	cfg, ok := dev.Data[corev1.DockerConfigJsonKey]
	if !ok {
		return resolved{err: fmt.Errorf("spec.config.secrets.pullSecretRef: dev Secret %s has no key %s", rv.devName(ref.Name), corev1.DockerConfigJsonKey)}
	}
	if !legacy {
		return resolved{val: bytes.Clone(cfg), origin: fromDevSecret}
	}
	var parsed struct {
		Auths json.RawMessage `json:"auths"`
	}
	if err := json.Unmarshal(cfg, &parsed); err != nil || len(parsed.Auths) == 0 {
		return resolved{err: fmt.Errorf("spec.config.secrets.pullSecretRef: dev Secret %s: %s is not a docker config with auths", rv.devName(ref.Name), corev1.DockerConfigJsonKey)}
	}
	return resolved{val: bytes.Clone(parsed.Auths), origin: fromDevSecret}
}

// fromDevSecret takes a value from a Secret in the MirrorEnvironment's namespace.
func (rv *resolver) fromDevSecret(r ref, src *v1alpha1.SecretKeyRef) resolved {
	key := src.Key
	if key == "" {
		key = r.key
	}
	dev, ok := rv.in.DevSecrets[src.Name]
	if !ok {
		return resolved{err: fmt.Errorf("fromSecret: dev Secret %s not found", rv.devName(src.Name))}
	}
	v, ok := dev.Data[key]
	if !ok {
		return resolved{err: fmt.Errorf("fromSecret: dev Secret %s has no key %s", rv.devName(src.Name), key)}
	}
	return resolved{val: bytes.Clone(v), origin: fromDevSecret}
}

func (rv *resolver) devName(name string) string {
	if rv.in.DevNamespace == "" {
		return name
	}
	return rv.in.DevNamespace + "/" + name
}

// sortedKeys returns the keys of m in order, for deterministic iteration.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys

}
