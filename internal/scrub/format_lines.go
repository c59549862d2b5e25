package scrub

import (
	"regexp"
	"strings"
)

// Line-oriented formats (INI, Java properties, .env, htpasswd, pgbouncer user lists) have no
// maintained Go parser that reports where a value lies; they are simple enough that their lines
// are read here, each value with its byte range, and judged like any other document's.

// line is one line of s: s[start:end], without its newline.
type line struct{ start, end int }

func splitLines(s string) []line {
	var out []line
	for start := 0; start <= len(s); {
		e := lineEnd(s, start)
		end := e
		if end > start && s[end-1] == '\r' {
			end--
		}
		out = append(out, line{start, end})
		if e >= len(s) {
			break
		}
		start = e + 1
	}
	return out
}

// valueNode makes a scalar of s[vs:ve], unquoting a quoted value (the quotes stay in the file).
func valueNode(key, s string, vs, ve int) *docNode {
	vs, ve = unquoteRange(s, vs, ve)
	return scalarNode(key, s[vs:ve], vs, ve, keepAsIs)
}

// unquoteRange returns the inside of s[vs:ve] when it is one quoted word, else the range itself.
// Triple quotes count as one quote (Grafana's """#password;""", which holds ; and #).
func unquoteRange(s string, vs, ve int) (int, int) {
	if ve-vs >= 6 && strings.HasPrefix(s[vs:ve], `"""`) && strings.HasSuffix(s[vs:ve], `"""`) {
		return vs + 3, ve - 3
	}
	if ve-vs >= 2 && (s[vs] == '"' || s[vs] == '\'') && s[ve-1] == s[vs] {
		return vs + 1, ve - 1
	}
	return vs, ve
}

// keepAsIs writes a value as it is: generated values need no quoting or escaping.
func keepAsIs(v string) string { return v }

// iniFormat: [section] headers, key = value and key: value lines, ; and # comments.
func iniFormat(d *docScrubber, s string) (string, bool) { return iniWithSeparators(d, s, "=:") }

// npmrcFormat reads npm's and pnpm's .npmrc: INI whose keys hold colons
// (//registry.npm.example.com/:_authToken, @scope:registry), so only '=' separates a value.
func npmrcFormat(d *docScrubber, s string) (string, bool) { return iniWithSeparators(d, s, "=") }

// iniWithSeparators is an INI reader whose keys end at the first of seps.
func iniWithSeparators(d *docScrubber, s, seps string) (string, bool) {
	root := &docNode{isMap: true}
	section := root
	for _, l := range splitLines(s) {
		t := strings.TrimSpace(s[l.start:l.end])
		switch {
		case t == "" || t[0] == ';' || t[0] == '#':
			continue
		case t[0] == '[' && t[len(t)-1] == ']':
			name := strings.TrimSpace(t[1 : len(t)-1])
			section = &docNode{key: name, isMap: true, taint: credentialSections[strings.ToLower(name)]}
			root.kids = append(root.kids, section)
			continue
		}
		sep := strings.IndexAny(s[l.start:l.end], seps)
		if sep <= 0 && continuation(s, l, section) {
			continue // an indented line continues the value above (Python's configparser)
		}
		if sep <= 0 {
			return "", false
		}
		sep += l.start
		key := strings.TrimSpace(s[l.start:sep])
		vs, ve := trimmedRange(s, sep+1, l.end)
		n := valueNode(key, s, vs, ve)
		if vs == ve {
			n.leaf, n.isMap = false, true // an empty value, continued on the next lines
		}
		section.kids = append(section.kids, n)
	}
	return applyEdits(s, d.judge(root)), true
}

// credentialSections are INI sections whose entries are user = password (CouchDB's [admins]).
var credentialSections = map[string]bool{"admins": true}

// continuation reports an indented line after a key with an empty value, which INI dialects
// (Python's configparser, .pypirc, .gitconfig) read as the value's next line. The line is
// judged as a value of that key.
func continuation(s string, l line, section *docNode) bool {
	if l.start >= l.end || (s[l.start] != ' ' && s[l.start] != '\t') || len(section.kids) == 0 {
		return false
	}
	last := section.kids[len(section.kids)-1]
	vs, ve := trimmedRange(s, l.start, l.end)
	section.kids = append(section.kids, valueNode(last.key, s, vs, ve))
	return true
}

// trimmedRange returns [start,end) without surrounding blanks.
func trimmedRange(s string, start, end int) (int, int) {
	for start < end && (s[start] == ' ' || s[start] == '\t') {
		start++
	}
	for end > start && (s[end-1] == ' ' || s[end-1] == '\t') {
		end--
	}
	return start, end
}

// propertiesFormat: Java properties, with "=", ":" or blanks between key and value, # and !
// comments, and values continued on the next line after a backslash.
func propertiesFormat(d *docScrubber, s string) (string, bool) {
	root := &docNode{isMap: true}
	lines := splitLines(s)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		ks, _ := trimmedRange(s, l.start, l.end)
		if ks == l.end || s[ks] == '#' || s[ks] == '!' {
			continue
		}
		ke := ks
		for ke < l.end && !strings.ContainsRune("=: \t", rune(s[ke])) {
			if s[ke] == '\\' {
				ke++
			}
			ke++
		}
		ke = min(ke, l.end)
		vs := skipBlanks(s, ke)
		if vs < l.end && (s[vs] == '=' || s[vs] == ':') {
			vs = skipBlanks(s, vs+1)
		}
		ve := l.end
		for continued(s, l.start, ve) && i+1 < len(lines) {
			i++
			ve = lines[i].end
		}
		if vs < ve {
			n := scalarNode(s[ks:ke], s[vs:ve], vs, ve, keepAsIs)
			root.kids = append(root.kids, n)
		}
	}
	return applyEdits(s, d.judge(root)), true
}

// continued reports a properties line ending in an odd number of backslashes.
func continued(s string, start, end int) bool {
	n := 0
	for end-1-n >= start && s[end-1-n] == '\\' {
		n++
	}
	return n%2 == 1
}

// dotenvFormat: KEY=value lines, optionally exported, values unquoted (to a " #" comment),
// single-quoted or double-quoted (possibly over several lines).
func dotenvFormat(d *docScrubber, s string) (string, bool) {
	root := &docNode{isMap: true}
	for i := 0; i < len(s); {
		le := lineEnd(s, i)
		ks := skipBlanks(s, i)
		if strings.HasPrefix(s[ks:le], "export ") {
			ks = skipBlanks(s, ks+len("export "))
		}
		eq := strings.IndexByte(s[ks:le], '=')
		if ks == le || s[ks] == '#' || eq < 0 {
			if t := strings.TrimSpace(s[ks:le]); t != "" && t[0] != '#' {
				return "", false
			}
			i = le + 1
			continue
		}
		key := strings.TrimSpace(s[ks : ks+eq])
		vs := ks + eq + 1
		ve := le
		if vs < len(s) && (s[vs] == '"' || s[vs] == '\'') {
			ext := quoted(s, vs)
			vs, ve = ext.start, ext.end
			le = lineEnd(s, max(ext.next-1, vs))
		} else if c := strings.Index(s[vs:le], " #"); c >= 0 {
			ve = vs + c
		}
		_, ve = trimmedRange(s, vs, ve)
		ve = strings.LastIndexFunc(s[:ve], func(r rune) bool { return r != '\r' }) + 1
		if vs < ve {
			root.kids = append(root.kids, scalarNode(key, s[vs:ve], vs, ve, keepAsIs))
		}
		i = le + 1
	}
	return applyEdits(s, d.judge(root)), true
}

// htpasswdFormat: user:hash lines; every hash is sensitive.
func htpasswdFormat(d *docScrubber, s string) (string, bool) {
	root := &docNode{isMap: true}
	for _, l := range splitLines(s) {
		c := strings.IndexByte(s[l.start:l.end], ':')
		if c < 0 {
			continue
		}
		root.kids = append(root.kids, scalarNode("password", s[l.start+c+1:l.end], l.start+c+1, l.end, keepAsIs))
	}
	return applyEdits(s, d.judge(root)), true
}

// userlistFormat: pgbouncer's userlist.txt, "user" "password" per line.
func userlistFormat(d *docScrubber, s string) (string, bool) {
	root := &docNode{isMap: true}
	for _, l := range splitLines(s) {
		if vs, ve := userlistPassword(s, l); vs >= 0 {
			root.kids = append(root.kids, scalarNode("password", s[vs:ve], vs, ve, keepAsIs))
		}
	}
	return applyEdits(s, d.judge(root)), true
}

// userlistPassword returns where the password of a "user" "password" line lies, or -1.
func userlistPassword(s string, l line) (int, int) {
	ls := skipBlanks(s, l.start)
	if ls >= l.end || s[ls] != '"' {
		return -1, -1
	}
	first := quoted(s[:l.end], ls)
	second := skipBlanks(s, first.next)
	if second >= l.end || s[second] != '"' {
		return -1, -1
	}
	ext := quoted(s[:l.end], second)
	return ext.start, ext.end
}

// directiveSecrets are directives whose first argument is a credential though their names do not
// say so; directivePasswords give the argument's position (1 = first) for the others: Redis'
// requirepass, SNMP's communities, ProFTPD's SQLConnectInfo (connection, user, password).
var (
	directiveSecrets   = map[string]bool{"requirepass": true, "masterauth": true, "rocommunity": true, "rwcommunity": true, "rocommunity6": true, "rwcommunity6": true}
	directivePasswords = map[string]int{"sqlconnectinfo": 3, "com2sec": 3, "com2sec6": 3}
)

func communityDirective(name string) bool {
	return strings.Contains(strings.ToLower(name), "community")
}

// directivePassword is the position (0-based, among the arguments) of a directive's credential,
// or -1.
func directivePassword(name string) int {
	n := strings.ToLower(name)
	if directiveSecrets[n] {
		return 0
	}
	if p, ok := directivePasswords[n]; ok {
		return p - 1
	}
	return -1
}

// directiveOps are what stands between a name and its value, or compares a variable with a
// literal (nginx's if, Lua): never a value themselves. After a regular-expression match the
// operand is a pattern, not a credential.
var (
	directiveSeparators = map[string]bool{"=": true, "=>": true, ":": true}
	literalComparisons  = map[string]bool{"==": true, "!=": true, "~=": true, "=": true}
	patternComparisons  = map[string]bool{"~": true, "!~": true, "~*": true, "!~*": true, "=~": true}
)

// directivesFormat: configuration made of "directive arg arg...;" lines, as nginx, Redis,
// HAProxy, Fluent Bit, Apache and sshd write it, with "#" comments, { } blocks and [SECTION]
// headers. An argument is judged under the directive's name, or under the argument before it
// when that one names a secret (proxy_set_header X-Api-Key <secret>, stats auth <user:pass>,
// user admin password <hash>); "key = value" lines are judged like INI's.
func directivesFormat(d *docScrubber, s string) (string, bool) {
	root := &docNode{isMap: true}
	for _, l := range splitLines(s) {
		words := shellWords(s, l.start, l.end)
		if len(words) == 0 || s[words[0].start] == '#' {
			continue
		}
		name := s[words[0].start:words[0].end]
		if !directiveName.MatchString(name) {
			continue // not a directive (a YAML or JSON line in a mixed file): the text scanner's
		}
		if len(words) > 2 && s[words[1].start:words[1].end] == "=" {
			words = append(words[:1], words[2:]...)
		}
		root.kids = append(root.kids, directiveArgs(s, name, words[1:]))
	}
	return applyEdits(s, d.judge(root)), true
}

// directiveArgs judges the arguments of one directive: under the directive's name, or under the
// argument before when that one names a secret (proxy_set_header X-Api-Key <secret>, user admin
// password <hash>, sentinel auth-pass <master> <secret>: a name between the two is skipped when
// the secret is the last argument). Separators and comparison operators are not arguments; the
// operand of a regular-expression match is a pattern and stays.
func directiveArgs(s, name string, words []line) *docNode {
	group := &docNode{key: name, isMap: true}
	prev, forced, pattern := name, false, false
	pos := directivePassword(name)
	for i, w := range words {
		arg := s[w.start:w.end]
		if arg == ";" || arg == "{" || arg == "}" || strings.HasPrefix(arg, "#") {
			break
		}
		switch {
		case patternComparisons[arg]:
			pattern = true
			continue
		case directiveSeparators[arg] || literalComparisons[arg] || strings.Trim(arg, "(){}[];,") == "":
			continue
		case pattern:
			pattern, prev = false, name
			continue // a regular expression a value must match
		}
		key := name
		switch {
		case i == pos:
			forced = true
		case argName.MatchString(prev) && IsSensitiveKey(prev):
			key = prev
			if i == len(words)-2 && enumWord.MatchString(arg) && !looksRandom(arg) {
				key = "name" // sentinel auth-pass <master> <secret>: the secret comes last
			}
		case strings.HasPrefix(arg, ">") && strings.EqualFold(name, "user"):
			key, w.start = "password", w.start+1 // a Redis ACL password
		}
		if forced && communityDirective(name) {
			key, forced = "community", false // SNMP's default "public" stays, see valueDecidedWords
		}
		n := valueNode(key, s, w.start, w.end)
		n.forced, forced = forced, false
		group.kids = append(group.kids, n)
		if key != "name" {
			prev = strings.TrimSuffix(arg, ";")
		}
	}
	return group
}

// argName: an argument that can name the next one (auth-pass, X-Api-Key), not a value (a path,
// a number, an address).
var argName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// directiveName: a directive, a block's end, a [SECTION] or an Apache <Tag>.
var directiveName = regexp.MustCompile(`^(@?[A-Za-z_][A-Za-z0-9_.-]*|\}|\[[^\]]+\]|</?[A-Za-z]+>?)$`)

// shellWords splits s[start:end] into blank-separated words, a quoted word being one word with
// its quotes and a trailing ';' its own word.
func shellWords(s string, start, end int) []line {
	var out []line
	for i := skipBlanks(s, start); i < end; i = skipBlanks(s, i) {
		if s[i] == '"' || s[i] == '\'' {
			ext := quoted(s[:end], i)
			out = append(out, line{i, min(ext.next, end)})
			i = min(ext.next, end)
			continue
		}
		j := i
		for j < end && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		if j-i > 1 && s[j-1] == ';' {
			out = append(out, line{i, j - 1}, line{j - 1, j})
		} else {
			out = append(out, line{i, j})
		}
		i = j
	}
	return out
}

// pgpassFormat: libpq's password file, host:port:database:user:password per line, ':' and '\\'
// escaped by a backslash. The fifth field is the password.
func pgpassFormat(d *docScrubber, s string) (string, bool) {
	root := &docNode{isMap: true}
	for _, l := range splitLines(s) {
		t := strings.TrimSpace(s[l.start:l.end])
		if t == "" || t[0] == '#' {
			continue
		}
		field, start := 0, l.start
		for i := l.start; i < l.end && field < 4; i++ {
			switch s[i] {
			case '\\':
				i++
			case ':':
				field, start = field+1, i+1
			}
		}
		if field < 4 || start >= l.end {
			return "", false
		}
		n := scalarNode("password", s[start:l.end], start, l.end, keepAsIs)
		n.forced = true
		root.kids = append(root.kids, n)
	}
	return applyEdits(s, d.judge(root)), true
}

// curlrcFormat: curl's config file, "name = value", "name value" or "--name value" per line;
// user and proxy-user hold user:password, of which the part after the colon is the secret.
func curlrcFormat(d *docScrubber, s string) (string, bool) {
	root := &docNode{isMap: true}
	for _, l := range splitLines(s) {
		ks := skipBlanks(s, l.start)
		if ks >= l.end || s[ks] == '#' {
			continue
		}
		ke := ks
		for ke < l.end && s[ke] != ' ' && s[ke] != '\t' && s[ke] != '=' && s[ke] != ':' {
			ke++
		}
		name := strings.TrimLeft(s[ks:ke], "-")
		vs := skipBlanks(s, ke)
		if vs < l.end && (s[vs] == '=' || s[vs] == ':') {
			vs = skipBlanks(s, vs+1)
		}
		_, ve := trimmedRange(s, vs, l.end)
		if vs >= ve {
			continue
		}
		n := valueNode(name, s, vs, ve)
		if name == "user" || name == "proxy-user" || name == "u" || name == "U" {
			c := strings.IndexByte(n.value, ':')
			if c < 0 {
				continue // the user alone
			}
			n = scalarNode("password", n.value[c+1:], n.start+c+1, n.end, keepAsIs)
			n.forced = true
		}
		root.kids = append(root.kids, n)
	}
	return applyEdits(s, d.judge(root)), true
}
