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
	return provenHarmless(t) || (enumWord.MatchString(t) && !looksRandom(t) && !hasTokenPrefix(t))
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
	// A DNS name ("auth.shop-prod-34.svc.cluster.local") mixes letters and digits too.
	if dnsName.MatchString(t) {
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
	}
	return false
}

// camelWords reports identifiers made of words of three or more letters, each followed by at
// most three digits: "sha256WithRSAEncryption", "maxPoolSize", "HTTP2Enabled".
func camelWords(t string) bool {
	for _, w := range words(t) {
		letters := strings.TrimRight(w, "0123456789")
		if len(letters) < 3 || len(w)-len(letters) > 3 || strings.IndexFunc(letters, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
			return false
		}
	}
	return true
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
