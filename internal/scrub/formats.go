package scrub

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

// maxDocDepth bounds documents inside documents (JSON in a YAML string in a ConfigMap).
const maxDocDepth = 3

// maxDocSize bounds the documents parsed by structure; larger values go to the text scanner,
// whose cost is linear.
const maxDocSize = 4 << 20

// docScrubber scrubs configuration files by their structure.
type docScrubber struct {
	sc     *scrubber
	strict bool
	depth  int
	// tainted: the document is stored under a sensitive key (credentials.json, kubeconfig), so
	// every value in it is sensitive unless a reference or a described, harmless setting.
	tainted bool
	// keepPaths are the scalars (by dotted path) that keepPlain rules keep.
	keepPaths map[string]bool
	// prefix is the path of the scalar this document is nested in ("" for the outermost).
	prefix string
}

// fileFormat is a parser that scrubs a whole file of its shape; ok is false when the file is not of
// that shape (it does not parse), and the next candidate is tried.
type fileFormat func(d *docScrubber, s string) (out string, ok bool)

// document scrubs value by its shape, chosen from the key's file extension and the content. ok is
// false when no structured parser accepted it; the caller then uses the text scanner.
func (d *docScrubber) document(key, value string) (string, bool) {
	if len(value) > maxDocSize {
		return "", false
	}
	for _, f := range formatsFor(key, value) {
		if out, ok := f(d, value); ok {
			return d.sc.afterParser(value, out), true
		}
	}
	return "", false
}

// afterParser is the safety net after any structured pass over orig that gave parsed: the text
// scanner runs over the result (a line the parser read differently from its author, a URL
// taken for a key: value; values generated above are not replaced again), and what it finds
// in the original is replaced wherever the structured pass left it (missedByParser).
func (sc *scrubber) afterParser(orig, parsed string) string {
	return sc.missedByParser(orig, sc.text(parsed))
}

// missedByParser replaces in out what the text scanner finds in the original document and the
// structured pass left. A parser that misreads a file can also break what the scanner would
// have read in it: PHP's 'password' => 'x' in a file named .sh is a command "password" with the
// argument "=" and a redirection to 'x', and once "=" is replaced the pair is gone; a private
// key in a .properties file loses the armour the PEM pass looks for. Values
// shorter than the sweep's minimum or known defaults are left: replacing them everywhere would
// break unrelated text.
func (sc *scrubber) missedByParser(orig, out string) string {
	var found []string
	probe := &scrubber{k: sc.k, scope: sc.scope, seen: func(v string) {
		found = append(found, v)
		// A private key's armour can be what the parser broke ("-----BEGIN RSA PRIVATE" read
		// as a properties key): its body lines are looked for too, as the sweep does.
		for _, p := range pemParts(v) {
			found = append(found, p.text)
		}
	}}
	probe.text(orig)
	slices.SortFunc(found, func(a, b string) int { return len(b) - len(a) }) // a value before its parts
	for _, v := range found {
		if exemptFromSweep(part{text: v, key: "password"}) || sc.kept[v] || !strings.Contains(out, v) {
			continue
		}
		out = strings.ReplaceAll(out, v, sc.value(v, "missed-by-parser", v))
	}
	return out
}

// nested scrubs a document found inside the scalar at path name of another.
func (d *docScrubber) nested(key, name, value string) (string, bool) {
	inner := *d
	inner.depth++
	inner.prefix = name
	if inner.depth > maxDocDepth {
		return "", false
	}
	return inner.document(key, value)
}

var (
	shebang       = regexp.MustCompile(`^#!\s*/(usr/)?(local/)?bin/(env\s+)?(ba|da|z|k)?sh\b`)
	iniSection    = regexp.MustCompile(`(?m)^\s*\[[^\]\n]+\]\s*$`)
	htpasswdLine  = regexp.MustCompile(`^[^:\s/]+:(\$(apr1|2[abxy]?|1|5|6|7|y|argon2i|argon2id|pbkdf2-sha256|pbkdf2-sha512)\$|\{SHA\}|\{SSHA\}|[./0-9A-Za-z]{13}$)`)
	userlistLine  = regexp.MustCompile(`^\s*"[^"]*"\s+"[^"]*"`)
	hclBlockLine  = regexp.MustCompile(`(?m)^\s*[A-Za-z_][A-Za-z0-9_-]*(\s+"[^"\n]*")*\s*\{\s*$`)
	pgpassLine    = regexp.MustCompile(`^[^:\s#]+:(\d+|\*):[^:\s]+:[^:\s]+:\S.*$`)
	yamlKeyLine   = regexp.MustCompile(`(?m)^\s*(- )?[A-Za-z0-9_."'/-]+:(\s|$)`)
	dotenvKeyLine = regexp.MustCompile(`(?m)^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_.]*=`)
)

// formatsFor returns the parsers to try for a file, most likely first.
func formatsFor(key, v string) []fileFormat {
	t := strings.TrimSpace(v)
	if t == "" {
		return nil
	}
	name := strings.ToLower(path.Base(key))
	ext := path.Ext(name)
	// The file's name decides first; the content only when the name says nothing.
	switch {
	case strings.Contains(name, "netrc") || strings.HasPrefix(t, "machine ") || strings.HasPrefix(t, "default "):
		return []fileFormat{directivesFormat}
	case strings.Contains(name, "pgpass") || (strings.Count(firstLine(t), ":") >= 4 && allLines(t, pgpassLine)):
		return []fileFormat{pgpassFormat}
	case strings.Contains(name, "npmrc"):
		return []fileFormat{npmrcFormat}
	case strings.Contains(name, "curlrc"):
		return []fileFormat{curlrcFormat}
	case ext == ".hcl" || ext == ".nomad" || ext == ".tf" || ext == ".tfvars" || ext == ".tfrc" || name == ".terraformrc":
		return []fileFormat{hclFormat}
	case ext == ".json":
		return []fileFormat{jsonFormat, yamlFormat}
	case ext == ".yaml" || ext == ".yml":
		return []fileFormat{yamlFormat}
	case ext == ".toml":
		return []fileFormat{tomlFormat}
	case ext == ".xml" || strings.HasSuffix(name, ".config"):
		return []fileFormat{xmlFormat}
	case ext == ".sh" || ext == ".bash":
		return []fileFormat{shellFormat}
	case ext == ".properties":
		return []fileFormat{propertiesFormat}
	case ext == ".env" || name == ".env" || strings.HasPrefix(name, ".env."):
		return []fileFormat{dotenvFormat}
	case ext == ".ini" || ext == ".cnf":
		return []fileFormat{iniFormat, directivesFormat}
	case ext == ".conf" || ext == ".cfg" || ext == ".acl":
		return []fileFormat{iniFormat, directivesFormat}
	case t[0] == '{' || (t[0] == '[' && !iniSection.MatchString(t)):
		return []fileFormat{jsonFormat, yamlFormat}
	case t[0] == '<':
		return []fileFormat{xmlFormat}
	case strings.HasPrefix(t, "#!") && shebang.MatchString(t):
		return []fileFormat{shellFormat}
	case strings.IndexByte(t, ':') > 0 && allLines(t, htpasswdLine):
		return []fileFormat{htpasswdFormat}
	case t[0] == '"' && allLines(t, userlistLine):
		return []fileFormat{userlistFormat}
	case strings.IndexByte(t, '[') >= 0 && iniSection.MatchString(t):
		return []fileFormat{iniFormat, directivesFormat}
	case strings.Contains(t, "\n") && hclBlockLine.MatchString(t) && strings.Contains(t, " = "):
		return []fileFormat{hclFormat, directivesFormat}
	case strings.Contains(t, "\n") && len(yamlKeyLine.FindAllStringIndex(t, 2)) >= 2:
		return []fileFormat{yamlFormat}
	case strings.Contains(t, "\n") && len(dotenvKeyLine.FindAllStringIndex(t, 2)) >= 2:
		return []fileFormat{dotenvFormat}
	}
	return nil
}

// allLines reports whether every non-blank, non-comment line of t matches re.
func allLines(t string, re *regexp.Regexp) bool {
	n := 0
	for _, line := range strings.Split(t, "\n") {
		l := strings.TrimSpace(line)
		if l == "" || l[0] == '#' || l[0] == ';' {
			continue
		}
		if !re.MatchString(l) {
			return false
		}
		n++
	}
	return n > 0
}

func firstLine(t string) string {
	if i := strings.IndexByte(t, '\n'); i >= 0 {
		return t[:i]
	}
	return t
}
