package scrub

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
)

// excludedRules are gitleaks rules this package does not run. generic-api-key judges any
// "key/token/secret = value" by entropy: the pairs, flags and structured passes judge the same
// text knowing its structure, and that rule's guesses (a CSRF_TOKEN_HEADER name, a
// DYNAMODB_PARTITION_KEY) would replace harmless values. kubernetes-secret-yaml matches Secret
// manifests whose data the structured YAML pass already judges by path. private-key is the
// privateKeys pass's job, which puts a valid generated key in place of the block.
var excludedRules = map[string]bool{"generic-api-key": true, "kubernetes-secret-yaml": true, "private-key": true}

// detectionRules are gitleaks' maintained rules for self-identifying credentials (about 200
// vendors' token formats: cloud keys, SaaS tokens, webhooks, private keys), loaded once from the
// rule set the gitleaks module ships (config.DefaultConfig), the same way gitleaks loads it. Only
// the rule set is used: gitleaks' detector brings archive readers, a WebAssembly regexp engine and
// git plumbing an operator has no use for.
var detectionRules = sync.OnceValue(func() *ruleSet {
	rs, err := loadRules(config.DefaultConfig)
	if err != nil {
		panic("scrub: gitleaks' bundled rule set does not load: " + err.Error()) // a dependency bug
	}
	return rs
})

// ruleSet runs gitleaks rules over text: a keyword prefilter (case-insensitive, as gitleaks
// does), then each candidate rule's regular expression, secret group, entropy threshold and
// allowlists.
type ruleSet struct {
	rules       []config.Rule
	global      []*config.Allowlist
	always      []int            // rules without keywords
	byKeyword   map[string][]int // lower-case keyword -> rules
	keywordTrie *ahocorasick.Trie
}

func loadRules(toml string) (*ruleSet, error) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(toml)); err != nil {
		return nil, err
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		return nil, err
	}
	cfg, err := vc.Translate()
	if err != nil {
		return nil, err
	}
	rs := &ruleSet{global: cfg.Allowlists, byKeyword: map[string][]int{}}
	ids := make([]string, 0, len(cfg.Rules))
	for id := range cfg.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var keywords []string
	for _, id := range ids {
		r := cfg.Rules[id]
		if r.Regex == nil || r.SkipReport || excludedRules[id] {
			continue
		}
		i := len(rs.rules)
		rs.rules = append(rs.rules, r)
		if len(r.Keywords) == 0 {
			rs.always = append(rs.always, i)
		}
		for _, kw := range r.Keywords {
			kw = strings.ToLower(kw)
			if rs.byKeyword[kw] == nil {
				keywords = append(keywords, kw)
			}
			rs.byKeyword[kw] = append(rs.byKeyword[kw], i)
		}
	}
	if len(rs.rules) == 0 {
		return nil, fmt.Errorf("no rules")
	}
	rs.keywordTrie = ahocorasick.NewTrieBuilder().AddStrings(keywords).Build()
	return rs, nil
}

// ruleMatch is a credential a rule found: s[start:end] is the secret (the rule's secret group).
type ruleMatch struct {
	start, end int
	rule       string
}

// find returns the credentials the rules find in s, ordered by start. Only the lines holding
// something token-like are searched (see tokenLines): every rule's credential is a token, and
// most configuration lines hold none, which makes the search several times faster.
func (rs *ruleSet) find(s string) []ruleMatch {
	var out []ruleMatch
	for _, ch := range tokenLines(s) {
		for _, m := range rs.findIn(s[ch[0]:ch[1]]) {
			out = append(out, ruleMatch{m.start + ch[0], m.end + ch[0], m.rule})
		}
	}
	return out
}

// minRuleToken is the shortest token segment tokenLines looks for.
const minRuleToken = 12

// tokenLines returns the runs of consecutive lines of s that hold a token-like segment:
// minRuleToken or more letters, digits and "_-+=" mixing upper and lower case, or letters and
// digits. Host names, paths, words and identifiers have no such segment; every credential format
// the rules know has one.
func tokenLines(s string) [][2]int {
	var out [][2]int
	lineStart, has := 0, false
	run, upper, lower, digit := 0, false, false, false
	for i := 0; i <= len(s); i++ {
		if i < len(s) && (isAlnum(s[i]) || strings.IndexByte("_-+=", s[i]) >= 0) {
			c := s[i]
			run++
			upper, lower, digit = upper || isUpper(c), lower || isLower(c), digit || isDigit(c)
			has = has || (run >= minRuleToken && ((upper && lower) || (digit && (upper || lower)) || (upper && run >= 16)))
			continue
		}
		run, upper, lower, digit = 0, false, false, false
		if i < len(s) && s[i] != '\n' {
			continue
		}
		if has {
			if n := len(out); n > 0 && out[n-1][1] >= lineStart-1 {
				out[n-1][1] = i
			} else {
				out = append(out, [2]int{lineStart, i})
			}
		}
		lineStart, has = i+1, false
	}
	return out
}

// findIn runs the candidate rules (by keyword) over s.
func (rs *ruleSet) findIn(s string) []ruleMatch {
	candidates := map[int]bool{}
	for _, i := range rs.always {
		candidates[i] = true
	}
	for _, m := range rs.keywordTrie.MatchString(strings.ToLower(s)) {
		for _, i := range rs.byKeyword[m.MatchString()] {
			candidates[i] = true
		}
	}
	order := make([]int, 0, len(candidates))
	for i := range candidates {
		order = append(order, i)
	}
	sort.Ints(order)
	var out []ruleMatch
	for _, i := range order {
		out = append(out, rs.apply(&rs.rules[i], s)...)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].start < out[b].start })
	return out
}

// apply runs one rule over s, as gitleaks' detector does for a finding: the secret group (or the
// first non-empty group, or the whole match), the entropy threshold, then the allowlists.
func (rs *ruleSet) apply(r *config.Rule, s string) []ruleMatch {
	var out []ruleMatch
	for _, idx := range r.Regex.FindAllStringSubmatchIndex(s, -1) {
		start, end := idx[0], idx[1]
		switch {
		case r.SecretGroup > 0 && 2*r.SecretGroup+1 < len(idx) && idx[2*r.SecretGroup] >= 0:
			start, end = idx[2*r.SecretGroup], idx[2*r.SecretGroup+1]
		case r.SecretGroup == 0:
			for g := 1; 2*g+1 < len(idx); g++ {
				if idx[2*g] >= 0 && idx[2*g+1] > idx[2*g] {
					start, end = idx[2*g], idx[2*g+1]
					break
				}
			}
		}
		secret := s[start:end]
		if secret == "" || (r.Entropy != 0 && entropy(secret) <= r.Entropy) {
			continue
		}
		match, line := s[idx[0]:idx[1]], lineAround(s, idx[0], idx[1])
		if allowed(rs.global, secret, match, line) || allowed(r.Allowlists, secret, match, line) {
			continue
		}
		out = append(out, ruleMatch{start, end, r.RuleID})
	}
	return out
}

// allowed applies gitleaks allowlists to a finding. Commit and path criteria cannot hold here (a
// ConfigMap value has neither), so an AND allowlist that needs them never allows.
func allowed(lists []*config.Allowlist, secret, match, line string) bool {
	for _, a := range lists {
		target := secret
		switch a.RegexTarget {
		case "match":
			target = match
		case "line":
			target = line
		}
		regex := a.RegexAllowed(target)
		stop, _ := a.ContainsStopWord(secret)
		if a.MatchCondition == config.AllowlistMatchAnd {
			ok := len(a.Commits) == 0 && len(a.Paths) == 0 && (len(a.Regexes) > 0 || len(a.StopWords) > 0)
			if len(a.Regexes) > 0 {
				ok = ok && regex
			}
			if len(a.StopWords) > 0 {
				ok = ok && stop
			}
			if ok {
				return true
			}
			continue
		}
		if regex || stop {
			return true
		}
	}
	return false
}

// lineAround returns the lines holding s[start:end].
func lineAround(s string, start, end int) string {
	ls := strings.LastIndexByte(s[:start], '\n') + 1
	le := end + strings.IndexByte(s[end:], '\n')
	if le < end {
		le = len(s)
	}
	return s[ls:le]
}

// ruleTokens replaces the credentials gitleaks' rules find in s. A lower-case prefix such as
// "sk_live_" or "glpat-" is kept: it is not secret and tells the reader what the value stands for.
// Values this scrubber generated are not replaced again.
func (sc *scrubber) ruleTokens(s string) string {
	matches := detectionRules().find(s)
	spans := make([]span, 0, len(matches))
	for i, m := range matches {
		start := m.start + tokenPrefixLen(s[m.start:m.end])
		if strings.Contains(s[m.start:m.end], "://") {
			start = m.start + urlSecretStart(s[m.start:m.end])
		}
		if c := strings.IndexByte(s[start:m.end], ':'); userPassRules[m.rule] && c > 0 && start+c+1 < m.end {
			start += c + 1 // the user stays: curl -u admin:<stand-in>
		}
		if !sc.fresh(s[start:m.end]) {
			continue
		}
		spans = append(spans, span{start, m.end, sc.value(s[start:m.end], "rule", m.rule, fmt.Sprint(i))})
	}
	return applySpans(s, spans)
}

// urlSecretStart is where the secret of a URL a rule matched begins (a webhook's token path):
// after its scheme, host and the leading path segments that read as words
// (https://hooks.slack.com/services/), so the copy keeps a URL that still parses as one. The last
// segment is always taken for the secret; a URL with userinfo, or with no path, is replaced from
// its start.
func urlSecretStart(tok string) int {
	scheme := strings.Index(tok, "://")
	rest := tok[scheme+3:]
	slash := strings.IndexByte(rest, '/')
	if slash < 0 || strings.ContainsAny(rest[:slash], "@") {
		return 0
	}
	at := scheme + 3 + slash + 1
	for at < len(tok) {
		seg := tok[at:]
		if e := strings.IndexAny(seg, "/?#"); e >= 0 {
			seg = seg[:e]
		}
		if seg == "" || len(seg) > 32 || !nameWord.MatchString(strings.ToLower(seg)) || at+len(seg) >= len(tok) {
			break
		}
		at += len(seg) + 1
	}
	if at >= len(tok) {
		return 0
	}
	return at
}

// userPassRules are the rules whose match is user:password; only the password is secret.
var userPassRules = map[string]bool{"curl-auth-user": true}

// tokenPrefixLen is the length of a token's type prefix: lower-case letters, '_' and '-', ending
// in '_' or '-', at most 12 bytes, followed by at least minTokenBody bytes.
func tokenPrefixLen(tok string) int {
	n := 0
	for i := 0; i < len(tok) && i < 12; i++ {
		c := tok[i]
		if !isLower(c) && c != '_' && c != '-' {
			break
		}
		if c == '_' || c == '-' {
			n = i + 1
		}
	}
	if len(tok)-n < minTokenBody {
		return 0
	}
	return n
}

// nameWord: a lower-case word, at most three digits after it: how a URL's path segments that
// name a service read (services, hooks, v1), unlike the ids and tokens after them.
var nameWord = regexp.MustCompile(`^[a-z]+[0-9]{0,3}$`)
