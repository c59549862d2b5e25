package scrub

import (
	"math"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// provenHarmless reports values that hold no secret by their shape alone: what Strict mode keeps
// and the sweep does not look for. Numbers, quantities, durations, booleans, versions, IP
// addresses and CIDRs, host names and host:port, URLs without userinfo whose path segments and
// query values are themselves harmless, paths made of harmless segments, UUIDs and enum-like
// words (identifiers that do not look random). A comma or blank separated list is harmless when
// every item is.
func provenHarmless(v string) bool {
	t := strings.TrimSpace(v)
	if len(t) > maxHarmless {
		return false
	}
	if harmlessValue(t) || descriptiveValue(t) {
		return true
	}
	if strings.Contains(t, ",") {
		items := strings.FieldsFunc(t, func(r rune) bool { return r == ',' })
		for _, it := range items {
			if !harmlessAtom(strings.TrimSpace(it)) {
				return false
			}
		}
		return len(items) > 0
	}
	return harmlessAtom(t)
}

// describedValue reports values a qualified key (PASSWORD_HASH_ALGORITHM, TOKEN_TTL, API_KEY_FILE)
// holds when it describes a credential: proven harmless, or any identifier that is not random
// and not a known token (argon2id, utf8mb4).
func describedValue(v string) bool {
	t := strings.TrimSpace(v)
	return provenHarmless(t) || (enumWord.MatchString(t) && !looksRandom(t) && !hasTokenPrefix(t)) || describedShape(t)
}

// harmlessAtom is provenHarmless for one item without blanks or commas.
func harmlessAtom(t string) bool {
	switch {
	case t == "":
		return true
	case harmlessValue(t), descriptiveValue(t), numberLike.MatchString(t), uuidLike.MatchString(t):
		return true
	case net.ParseIP(t) != nil:
		return true
	}
	if _, _, err := net.ParseCIDR(t); err == nil {
		return true
	}
	if strings.Contains(t, "://") {
		return harmlessURL(t)
	}
	if strings.HasPrefix(t, "/") || strings.HasPrefix(t, "./") || strings.HasPrefix(t, "~/") {
		return harmlessPath(t)
	}
	if h, p, err := net.SplitHostPort(t); err == nil && allDigits(p) {
		return harmlessAtom(h)
	}
	return enumWord.MatchString(t) && enumSegments(t) && !looksRandom(t) && !hasTokenPrefix(t)
}

// enumSegments: each part of an enum-like word (between . - _ / + @) is letters, digits, letters
// followed by at most three digits (PKCS12, v2, http2), or camelCase words. Letters and digits
// interleaved (hunter2hunter2) or a long digit tail (jdoe1984) are how passwords and user names
// look, not settings.
func enumSegments(t string) bool {
	for _, seg := range strings.FieldsFunc(t, func(r rune) bool { return strings.ContainsRune(".-_/+@", r) }) {
		letters := strings.TrimRight(seg, "0123456789")
		switch {
		case allLetters(letters) && len(letters) >= 12 && !camelWords(seg) && strings.ToLower(letters) != letters && strings.ToUpper(letters) != letters:
			return false // mixed case in no word's pattern: how a token looks, not a setting
		case letters == "" || allLetters(seg):
		case allLetters(letters) && len(seg)-len(letters) <= 3:
		case camelWords(seg):
		default:
			return false
		}
	}
	return true
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
	}
	return s != ""
}

// numberLike: integers, decimals, hex and exponent forms, percentages, semantic versions and
// Kubernetes quantities.
var numberLike = regexp.MustCompile(`^(?i:[+-]?(0x[0-9a-f]+|[0-9]+(\.[0-9]+)*([eE][+-]?[0-9]+)?)(%|[kmgtpe]i?|m)?|v[0-9]+(\.[0-9]+)*([-+][a-z0-9.]+)?)$`)

// dnsName: lowercase DNS labels, at least two, the last all letters (a TLD or "local").
var dnsName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}\.?$`)

var uuidLike = regexp.MustCompile(`^(?i:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// enumWord: an identifier such as "info", "eu-west-1", "orders_db", "X-CSRF-Token",
// "application/json", "PKCS12" or "orders.shop.svc.cluster.local".
var enumWord = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*([.\-/+@][A-Za-z0-9_]+)*\.?$`)

// harmlessURL: a URL without userinfo whose path segments and query values are harmless. A
// token in the path (a Slack webhook) or the query (an Azure SAS "sig=") makes it not harmless.
func harmlessURL(t string) bool {
	u, err := url.Parse(t)
	if err != nil || u.User != nil || u.Opaque != "" {
		return false
	}
	if u.Host != "" && !harmlessAtom(strings.TrimSuffix(u.Host, ".")) && net.ParseIP(u.Hostname()) == nil {
		return false
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg != "" && !harmlessAtom(seg) {
			return false
		}
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			if IsSensitive(k, v) || !harmlessAtom(v) {
				return false
			}
		}
	}
	return u.Fragment == "" || harmlessAtom(u.Fragment)
}

// harmlessPath: an absolute or relative path whose segments are harmless words.
func harmlessPath(t string) bool {
	for _, seg := range strings.Split(t, "/") {
		if seg != "" && seg != "." && seg != ".." && seg != "~" && !harmlessAtom(seg) {
			return false
		}
	}
	return true
}

// looksRandom reports a token that looks generated rather than written by a person: at least 12
// characters from the base64/base62 alphabets, with enough entropy and mixed character classes,
// and not made of camelCase words. Hex strings (digests, commit ids) and UUIDs are not random
// tokens by this test: they are common harmless configuration, and a hex credential is caught by
// its key, a rule or the sweep.
func looksRandom(t string) bool {
	if len(t) < 12 || len(t) > maxHarmless {
		return false
	}
	// A flag or a key=value pair is not one token: the pair and flag passes judge its value, and
	// replacing it whole would lose the flag's name ("--db-password=…" must stay a flag).
	if strings.HasPrefix(t, "-") {
		return false
	}
	if i := strings.IndexByte(t, '='); i >= 0 && strings.TrimRight(t[i:], "=") != "" {
		return false
	}
	// A DNS name ("auth.shop-prod-34.svc.cluster.local"), a path or an API group and version
	// (client.authentication.k8s.io/v1beta1) mixes letters and digits too.
	if dnsName.MatchString(t) || filePath.MatchString(t) || lowerIdentifier(t) {
		return false
	}
	var upper, lower, digit, other int
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case isUpper(c):
			upper++
		case isLower(c):
			lower++
		case isDigit(c):
			digit++
		case strings.IndexByte("+/=_-.~", c) >= 0:
			other++
		default:
			return false
		}
	}
	if isHex(t) || uuidLike.MatchString(t) {
		return false
	}
	classes := boolInt(upper > 0) + boolInt(lower > 0) + boolInt(digit > 0)
	e := entropy(t)
	switch {
	case classes == 3 && e >= 3.5:
		return !camelWords(t)
	case classes == 2 && digit >= 2 && upper+lower >= 2 && len(t) >= 20 && e >= 3.7:
		return !camelWords(t)
	case classes == 2 && digit == 0 && len(t) >= 20 && e >= 4.0:
		return !camelWords(t) // mixed-case letters only, in no word's pattern
	}
	return false
}

// camelWords reports identifiers made of words of three or more letters, each followed by at
// most three digits: "sha256WithRSAEncryption", "maxPoolSize", "HTTP2Enabled".
func camelWords(t string) bool {
	for _, w := range words(t) {
		letters := strings.TrimRight(w, "0123456789")
		if len(letters) < 3 || len(w)-len(letters) > 3 || strings.IndexFunc(letters, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 ||
			consonantRun(letters) >= 5 {
			return false
		}
	}
	return true
}

// consonantRun is the longest run of consonants in a lower-case word: words people write have
// short ones ("strength", "http"); random letters ("lnvqgf") have long ones.
func consonantRun(w string) int {
	longest, run := 0, 0
	for i := 0; i < len(w); i++ {
		if strings.IndexByte("aeiouy", w[i]) >= 0 {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}

func isHex(t string) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !isDigit(c) && (c|0x20 < 'a' || c|0x20 > 'f') {
			return false
		}
	}
	return t != ""
}

// entropy is the Shannon entropy of s in bits per byte.
func entropy(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	var e float64
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			e -= p * math.Log2(p)
		}
	}
	return e
}

var (
	// cronExpr: five or six cron fields (or a @macro).
	cronExpr = regexp.MustCompile(`^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|([0-9*/,?LW#A-Za-z-]+\s+){4,5}[0-9*/,?LW#A-Za-z-]+)$`)
	// isoDuration: P7D, PT15M, P1Y2M.
	isoDuration = regexp.MustCompile(`^P(\d+[YMWD])*(T(\d+[HMS])+)?$`)
	// digestRef: sha256:<hex>, an algorithm-prefixed digest.
	digestRef = regexp.MustCompile(`^(?i:sha1|sha224|sha256|sha384|sha512|md5|blake2b|blake3):[0-9a-f]{16,}$`)
	// phcParams: the parameters of a PHC hash string without its salt and digest
	// ($argon2id$v=19$m=65536,t=3,p=4).
	phcParams = regexp.MustCompile(`^\$[a-z0-9-]+(\$v=\d+)?(\$[a-z]+=\d+(,[a-z]+=\d+)*)?$`)
	// paramList: name=number or name:number pairs (m=65536,t=3,p=4; N=16384 r=8 p=1;
	// pbkdf2-sha256:600000).
	paramList = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*[=:]\d+([,; ]+[A-Za-z][A-Za-z0-9_-]*[=:]\d+)*$`)
	// regexMeta: what regular expressions are written with.
	regexMeta = regexp.MustCompile(`\\[dwsDWSbB.]|\[[^\]]+\]|\{\d+(,\d*)?\}|\(\?[=!:]|\.\*|\.\+|^\^|\$$`)
)

// describedShape reports values a qualified key holds when it describes a credential by a
// structure of its own: cron schedules, durations, digests, hash parameters, regular expressions,
// policy expressions (length(12) and digits(1)), command lines and relative paths made of harmless
// words, name:value settings and alphabets tokens are drawn from.
func describedShape(t string) bool {
	switch {
	case len(t) > maxHarmless || t == "":
		return false
	case cronExpr.MatchString(t), isoDuration.MatchString(t), digestRef.MatchString(t), phcParams.MatchString(t), paramList.MatchString(t):
		return true
	case len(regexMeta.FindAllStringIndex(t, 3)) >= 2 && !hasRandomRun(t):
		return true
	case alphabet(t):
		return true
	}
	return harmlessWords(t)
}

// harmlessWords: words (split at blanks, parentheses, commas, colons and '=') that are each
// harmless atoms, relative paths or flags: "cat /run/secrets/db", "length(12) and digits(1)",
// "header:X-Api-Key", ".ssh/authorized_keys".
func harmlessWords(t string) bool {
	n := 0
	for _, w := range strings.FieldsFunc(t, func(r rune) bool { return strings.ContainsRune(" \t(),:=[]\"'", r) }) {
		w = strings.TrimLeft(w, "-.")
		if w != "" && !harmlessAtom(w) && !relativePath(w) {
			return false
		}
		n++
	}
	return n > 0
}

// relativePath: a path whose segments are harmless words, a leading dot allowed (.ssh/x).
func relativePath(w string) bool {
	if !strings.Contains(w, "/") {
		return false
	}
	for _, seg := range strings.Split(w, "/") {
		if seg = strings.TrimLeft(seg, "."); seg != "" && !harmlessAtom(seg) {
			return false
		}
	}
	return true
}

// hasRandomRun reports a random-looking run of letters and digits inside t.
func hasRandomRun(t string) bool {
	for _, f := range strings.FieldsFunc(t, func(r rune) bool { return !(r < 128 && isAlnum(byte(r))) }) {
		if looksRandom(f) {
			return true
		}
	}
	return false
}

// alphabet reports the characters tokens are drawn from, each once and mostly in order
// (ABCDEFGHJKLMNPQRSTUVWXYZ23456789): a random token repeats characters or leaves their order.
func alphabet(t string) bool {
	if len(t) < 16 || len(t) > 128 {
		return false
	}
	seen := map[byte]bool{}
	ascending := 0
	for i := 0; i < len(t); i++ {
		if seen[t[i]] {
			return false
		}
		seen[t[i]] = true
		if i > 0 && t[i] > t[i-1] {
			ascending++
		}
	}
	return ascending*10 >= (len(t)-1)*8
}

// lowerIdentifier reports lower-case words and digits joined by '.', '/' or '-' in three or
// more short segments: how API groups, package names and paths are written, not tokens.
func lowerIdentifier(t string) bool {
	segs := strings.FieldsFunc(t, func(r rune) bool { return r == '.' || r == '/' || r == '-' })
	if len(segs) < 3 {
		return false
	}
	for _, seg := range segs {
		if len(seg) > 15 {
			return false
		}
		for i := 0; i < len(seg); i++ {
			if !isLower(seg[i]) && !isDigit(seg[i]) {
				return false
			}
		}
	}
	return true
}
