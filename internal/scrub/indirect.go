package scrub

import (
	"regexp"
	"strings"
)

// Values that say where the real value is, for a runtime, a platform or a template engine to
// fill in: the copy must carry them byte for byte (they resolve to the copy's own Secrets), and
// none of them holds a credential.

// providerNames are the config providers of ${provider:...} references: Kafka's file, directory
// and env providers, Vault, AWS and GCP secret managers, Kubernetes Secrets.
var providerNames = map[string]bool{
	"file": true, "directory": true, "dir": true, "env": true, "vault": true, "aws": true,
	"awssm": true, "secretsmanager": true, "ssm": true, "gcp": true, "gcpsm": true, "azure": true,
	"azkv": true, "k8s": true, "kubernetes": true, "secret": true, "sys": true,
}

var (
	// springPlaceholder: ${NAME:default}, whose default (possibly empty) is judged on its own.
	springPlaceholder = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_.\-\[\]]*):(.*)\}$`)
	// indirectShapes match a whole value that only points at the real one.
	indirectShapes = []*regexp.Regexp{
		regexp.MustCompile(`^\$__(file|env|vault)\{[^{}]+\}$`),                                         // Grafana
		regexp.MustCompile(`^@Microsoft\.KeyVault\([^()]+\)$`),                                         // Azure App Service
		regexp.MustCompile(`^(>>)?vault:[A-Za-z0-9_./-]+(#[A-Za-z0-9_.-]+)*$`),                         // bank-vaults
		regexp.MustCompile(`^ref\+[a-z0-9]+://\S+$`),                                                   // vals
		regexp.MustCompile(`^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{0,12}:[A-Za-z0-9_./:@+=,-]+$`), // AWS ARNs
		regexp.MustCompile(`^projects/[a-z0-9-]+/secrets/[A-Za-z0-9_-]+(/versions/[A-Za-z0-9]+)?$`),    // GCP Secret Manager
		regexp.MustCompile(`^file:///?[A-Za-z0-9_./-]+$`),
		regexp.MustCompile(`^%\(ENV_[A-Za-z0-9_]+\)s$`),           // supervisord
		regexp.MustCompile(`^:['"]?[A-Za-z_][A-Za-z0-9_]*['"]?$`), // psql variables
	}
	// envLookup: a lookup of an environment variable written in a configuration language or a
	// settings file that is code: ENV['X'], ENV.fetch("X"), os.environ["X"], os.getenv('X'),
	// process.env.X, System.getenv("X"), Ruby's "#{ENV['X']}", Spring's #{systemEnvironment['X']}.
	envLookup = regexp.MustCompile(`^(#\{\s*)?(ENV\[\s*['"][A-Za-z0-9_.]+['"]\s*\]|ENV\.fetch\(\s*['"][A-Za-z0-9_.]+['"]\s*\)|os\.environ\[\s*['"][A-Za-z0-9_.]+['"]\s*\]|os\.environ\.get\(\s*['"][A-Za-z0-9_.]+['"]\s*\)|os\.getenv\(\s*['"][A-Za-z0-9_.]+['"]\s*\)|process\.env(\.[A-Za-z0-9_]+|\[\s*['"][A-Za-z0-9_.]+['"]\s*\])|System\.getenv\(\s*"[A-Za-z0-9_.]+"\s*\)|(systemEnvironment|environment|systemProperties)\[\s*'[A-Za-z0-9_.]+'\s*\])(\s*\})?`)
	// erbTag: an ERB output tag around an expression.
	erbTag = regexp.MustCompile(`^<%=?-?\s*(.*?)\s*-?%>$`)
	// templateAction: a Go, Helm, consul-template or CloudFormation action.
	templateAction = regexp.MustCompile(`\{\{[^{}]*\}\}`)
	// mappingLiteral: a quoted key and a colon, which no template language's expression has
	// outside a mapping literal (JSON doubled in braces, a Jinja dict).
	mappingLiteral = regexp.MustCompile(`["']\s*:`)
	// quotedLiteral: a quoted string inside an expression.
	quotedLiteral = regexp.MustCompile(`"[^"]*"|'[^']*'`)
	// authScheme: an HTTP authorization scheme before a reference (Bearer ${TOKEN}).
	authScheme = regexp.MustCompile(`^(?i:bearer|basic|token|apikey|api-key|digest|sso-key)\s+`)
)

// indirectValue reports a value that only says where the real one is (see the shapes above).
// A default written into the reference (${DB_PASSWORD:hunter2}, ENV.fetch("X") { "y" }) must be
// harmless itself.
func indirectValue(t string) bool {
	if len(t) < 3 || len(t) > maxHarmless || !strings.ContainsAny(t, "${}%<(`:[./") {
		return false // every shape below holds one of these
	}
	if strings.ContainsAny(t, " \t") {
		if m := authScheme.FindStringIndex(t); m != nil {
			t = t[m[1]:]
			return varRef.MatchString(t) || indirectValue(t)
		}
	}
	if !indirectStart(t) {
		return false
	}
	if m := springPlaceholder.FindStringSubmatch(t); m != nil {
		if providerNames[strings.ToLower(m[1])] {
			return true // ${file:/path:key}, ${env:NAME}, ${vault:path:key}
		}
		def := strings.TrimSpace(m[2])
		return def == "" || harmlessValue(def) || varRef.MatchString(def)
	}
	for _, re := range indirectShapes {
		if re.MatchString(t) {
			return true
		}
	}
	if m := erbTag.FindStringSubmatch(t); m != nil {
		return envLookupExpr(m[1])
	}
	if strings.HasPrefix(t, "{{") && strings.HasSuffix(t, "}}") {
		return templateOnly(t)
	}
	if inner, ok := commandSubstitution(t); ok {
		f := strings.Fields(inner)
		return len(f) > 0 && f[0] != "echo" && f[0] != "printf" && f[0] != "print" && harmlessWords(inner)
	}
	return envLookupExpr(t)
}

// commandSubstitution returns the command of a whole-value $(...) or `...`: the runtime runs it
// (cat /run/secrets/x) and the value never appears in the configuration.
func commandSubstitution(t string) (string, bool) {
	switch {
	case strings.HasPrefix(t, "$(") && strings.HasSuffix(t, ")") && !strings.HasPrefix(t, "$(("):
		return t[2 : len(t)-1], true
	case len(t) > 2 && t[0] == '`' && t[len(t)-1] == '`':
		return t[1 : len(t)-1], true
	}
	return "", false
}

// envLookupExpr: an environment lookup, optionally with a harmless default (ENV.fetch("X") { 5 },
// os.getenv("X", "info")).
func envLookupExpr(t string) bool {
	n := envLookupAt(t)
	if n == 0 {
		return false
	}
	rest := strings.TrimSpace(t[n:])
	rest = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(rest, "{"), "}"))
	return rest == "" || harmlessValue(strings.Trim(rest, `"'`))
}

// envLookupAt returns the length of an environment lookup at the start of s, or 0.
func envLookupAt(s string) int {
	if !strings.HasPrefix(s, "ENV") && !strings.HasPrefix(s, "os.") && !strings.HasPrefix(s, "process.env") &&
		!strings.HasPrefix(s, "System.getenv") && !strings.HasPrefix(s, "#{") && !strings.HasPrefix(s, "system") &&
		!strings.HasPrefix(s, "environment[") {
		return 0
	}
	m := envLookup.FindStringIndex(s)
	if m == nil {
		return 0
	}
	if strings.HasPrefix(s, "#{") && !strings.HasSuffix(strings.TrimSpace(s[:m[1]]), "}") {
		return 0
	}
	return m[1]
}

// templateOnly: text made only of template actions and blanks, whose quoted literals are names
// or paths ({{ .Data.password }}, {{ key "shop/api/token" }}, {{resolve:secretsmanager:x}}).
func templateOnly(t string) bool {
	if strings.TrimSpace(templateAction.ReplaceAllString(t, "")) != "" {
		return false
	}
	for _, a := range templateAction.FindAllString(t, -1) {
		if mappingLiteral.MatchString(a) {
			return false // {{"name": "API_TOKEN", "value": "x"}}: a mapping's values are data
		}
		for _, q := range quotedLiteral.FindAllString(a, -1) {
			if lit := q[1 : len(q)-1]; lit != "" && !referenceValue(lit) {
				return false
			}
		}
	}
	return true
}

// indirectPrefixes start every shape indirectValue knows: a cheap test before its expressions.
var indirectPrefixes = []string{
	"${", "$__", "$(", "`", "@Microsoft", "vault:", ">>vault:", "ref+", "arn:", "projects/", "file:", "%(ENV_", ":",
	"<%", "{{", "ENV", "os.", "process.env", "System.getenv", "#{", "system", "environment[",
}

func indirectStart(t string) bool {
	for _, p := range indirectPrefixes {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// referenceDefault splits a reference whose default is written into it (Spring's
// ${DB_PASSWORD:hunter2}, the shell's ${DB_PASSWORD:-hunter2}): only the default can be a
// credential, and the copy keeps the reference so its own value still takes precedence. A
// default that holds another reference, or a config provider's reference, is not split.
func referenceDefault(v string) (prefix, def string, ok bool) {
	m := springPlaceholder.FindStringSubmatchIndex(v)
	if m == nil || providerNames[strings.ToLower(v[m[2]:m[3]])] {
		return "", "", false
	}
	ds := m[4]
	if v[ds:m[5]] != "" && v[ds] == '-' {
		ds++ // the shell's :-
	}
	def = v[ds:m[5]]
	if strings.TrimSpace(def) == "" || strings.ContainsAny(def, "${}") {
		return "", "", false
	}
	return v[:ds], def, true
}
