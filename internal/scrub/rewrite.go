package scrub

import (
	"sort"
	"strings"

	"github.com/envmirror/envmirror/api/v1alpha1"
)

// Rewriter points references to the source namespace at the target namespace and applies the
// user's literal rewrite rules. The zero value and a nil *Rewriter rewrite nothing.
type Rewriter struct {
	src, tgt string
	// tgtIsSvc: the target namespace is literally "svc", so "x.SRC.SRC" becomes "x.TGT.svc"; the
	// first label must then be treated as a cluster DNS reference too.
	tgtIsSvc bool
	rules    []v1alpha1.RewriteRule // longest From first; duplicates removed (first wins)
}

// NewRewriter returns a Rewriter from sourceNamespace to targetNamespace with the given literal
// rules. Rules with an empty From are ignored; when two rules have the same From the first wins.
// Cluster DNS names are not rewritten when either namespace is empty or they are equal.
func NewRewriter(sourceNamespace, targetNamespace string, rules []v1alpha1.RewriteRule) *Rewriter {
	r := &Rewriter{}
	if sourceNamespace != "" && targetNamespace != "" && !strings.EqualFold(sourceNamespace, targetNamespace) {
		r.src, r.tgt = sourceNamespace, targetNamespace
		r.tgtIsSvc = strings.EqualFold(targetNamespace, "svc")
	}
	seen := map[string]bool{}
	for _, rule := range rules {
		if rule.From == "" || seen[rule.From] {
			continue
		}
		seen[rule.From] = true
		r.rules = append(r.rules, rule)
	}
	sort.SliceStable(r.rules, func(i, j int) bool { return len(r.rules[i].From) > len(r.rules[j].From) })
	return r
}

// Rewrite returns s with
//
//  1. cluster DNS names of the source namespace pointed at the target: "svc.SRC", "svc.SRC.svc",
//     "svc.SRC.svc.cluster.local" (and any other cluster domain after ".svc"), with or without a
//     trailing dot, wherever they stand (URLs, host:port, comma lists). SRC must be a whole label
//     preceded by another label: "api.SRC.example.com" (SRC is a label of another domain) and
//     "svc.SRC-old" (a different label) are left alone;
//  2. each rule's literal From replaced by its To.
//
// Matches are taken from the left; where several start at the same place the longest rule wins,
// then a DNS reference. Replaced text is never scanned again, so rules do not apply to each
// other's output. Time is linear in len(s) per rule: no From is compared at every position, so
// long rules over long values cannot stall the operator.
func (r *Rewriter) Rewrite(s string) string {
	if r == nil || (r.src == "" && len(r.rules) == 0) {
		return s
	}
	var b strings.Builder
	copied := 0
	emit := func(upto int, parts ...string) {
		if b.Len() == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[copied:upto])
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	// next[i] caches where rule i next matches at or after the scan position: -2 unknown, -1
	// never again. A rule is searched again only once the scan has passed its cached match, so
	// each rule's searches cover disjoint stretches of s.
	next := make([]int, len(r.rules))
	for i := range next {
		next[i] = -2
	}
	for pos := 0; pos < len(s); {
		rule, at := -1, len(s)
		for i := range r.rules {
			if next[i] == -1 {
				continue
			}
			if next[i] < pos {
				j := strings.Index(s[pos:], r.rules[i].From)
				if j < 0 {
					next[i] = -1
					continue
				}
				next[i] = pos + j
			}
			if next[i] < at { // strict: at a tie the earlier, longer rule wins
				rule, at = i, next[i]
			}
		}
		if d, n := r.nextDNS(s, pos, at); n > 0 {
			// Keep whatever followed the namespace label (".svc") as written.
			emit(d, ".", r.tgt, s[d+1+len(r.src):d+n])
			pos, copied = d+n, d+n
			continue
		}
		if rule < 0 {
			break
		}
		emit(at, r.rules[rule].To)
		pos = at + len(r.rules[rule].From)
		copied = pos
	}
	if copied == 0 {
		return s
	}
	emit(len(s))
	return b.String()
}

// nextDNS returns where the first reference to the source namespace in s[from:before] starts and
// its length; n is 0 when there is none.
func (r *Rewriter) nextDNS(s string, from, before int) (at, n int) {
	if r.src == "" {
		return 0, 0
	}
	for i := from; i < before; i++ {
		j := strings.IndexByte(s[i:before], '.')
		if j < 0 {
			return 0, 0
		}
		i += j
		if n := r.dnsAt(s, i); n > 0 {
			return i, n
		}
	}
	return 0, 0
}

// dnsAt returns how many bytes from s[i] (a '.') form a reference to the source namespace: ".SRC"
// or ".SRC.svc"; 0 when there is none.
func (r *Rewriter) dnsAt(s string, i int) int {
	if r.src == "" || s[i] != '.' || i == 0 || !isLabelChar(s[i-1]) {
		return 0
	}
	j := i + 1 + len(r.src)
	if j > len(s) || !strings.EqualFold(s[i+1:j], r.src) {
		return 0
	}
	if endOfHost(s, j) {
		return j - i
	}
	// ".SRC.svc" is cluster DNS whatever follows (cluster.local or a custom cluster domain).
	// Consume ".svc" so a namespace itself named "svc" is not matched twice.
	if k := j + len(".svc"); k <= len(s) && strings.EqualFold(s[j:k], ".svc") && (k == len(s) || !isLabelChar(s[k])) {
		return k - i
	}
	if r.tgtIsSvc && r.labelIsSrc(s, j) {
		return j - i
	}
	return 0
}

// labelIsSrc reports whether s[j:] is ".SRC" ending a label: with a target namespace named "svc"
// that label becomes ".svc", turning the label before it into a cluster DNS reference.
func (r *Rewriter) labelIsSrc(s string, j int) bool {
	k := j + 1 + len(r.src)
	return k <= len(s) && s[j] == '.' && strings.EqualFold(s[j+1:k], r.src) && (k == len(s) || !isLabelChar(s[k]))
}

// endOfHost reports whether a host name ends at s[j]: end of string, a byte that cannot continue
// it, or a trailing root dot not followed by another label.
func endOfHost(s string, j int) bool {
	if j == len(s) {
		return true
	}
	if s[j] == '.' {
		return j+1 == len(s) || !isLabelChar(s[j+1])
	}
	return !isLabelChar(s[j])
}

// isLabelChar: letters, digits, '-' and '_' (SRV names such as _http._tcp.svc.ns).
func isLabelChar(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }
