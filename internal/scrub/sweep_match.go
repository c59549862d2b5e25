package scrub

import "sort"

// anchorLen is the length of the prefix each pattern is indexed by: the sweep's shortest pattern.
const anchorLen = minSweepLen

// filterBits sizes the bit set that rejects most text positions before a map lookup: 2^22 bits
// (512 KiB) keep the false-positive rate low for hundreds of thousands of patterns.
const filterBits = 22

// matcher finds every occurrence of many long, unrelated patterns (the encodings of prod Secret
// values) in one pass: a rolling window of the text's last anchorLen bytes is tested against a
// bit set of the patterns' anchors, then looked up, then compared in full. A pattern's anchor is
// the anchorLen bytes at whichever of a few offsets the fewest other patterns share: values
// often share a prefix or suffix ("postgres://app:", "LOG_LEVEL=info"), and text full of that
// prefix must not cost a comparison with every such pattern.
//
// Aho–Corasick was the first choice, but the maintained Go implementations compile a dense DFA:
// tens of thousands of random 40-byte patterns share no prefixes, which took 22 s and 750 MB to
// build and scanned at under 3 MB/s. Random patterns are exactly what an anchored hash suits.
//
// Anchors are taken from the ASCII lower-case form of text and patterns, so a pattern marked
// foldable also matches text in another case (an upper-cased password); the others (base64) are
// compared exactly.
type matcher struct {
	patterns []string
	fold     []bool
	byAnchor map[uint64][]anchored
	filter   []uint64
}

// anchored is a pattern whose anchor starts offset bytes into it.
type anchored struct {
	pattern int32
	offset  int32
}

// occurrence is pattern p found at text[start:end]; folded when the text's case differs.
type occurrence struct {
	start, end int
	pattern    int32
	folded     bool
}

// lowerASCII maps each byte to its ASCII lower case.
var lowerASCII = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if isUpper(byte(i)) {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()

// newMatcher indexes patterns; fold[i] says pattern i may match in another ASCII case (nil: none
// may).
func newMatcher(patterns []string, fold []bool) *matcher {
	if fold == nil {
		fold = make([]bool, len(patterns))
	}
	m := &matcher{patterns: patterns, fold: fold, byAnchor: map[uint64][]anchored{}, filter: make([]uint64, 1<<filterBits/64)}
	uses := map[uint64]int{}
	for _, p := range patterns {
		for _, o := range anchorOffsets(p) {
			uses[anchorOf(p[o:])]++
		}
	}
	for i, p := range patterns {
		best, bestUses := -1, 0
		for _, o := range anchorOffsets(p) {
			if n := uses[anchorOf(p[o:])]; best < 0 || n < bestUses {
				best, bestUses = o, n
			}
		}
		if best < 0 {
			continue // shorter than an anchor: the sweep never adds such patterns
		}
		a := anchorOf(p[best:])
		m.byAnchor[a] = append(m.byAnchor[a], anchored{int32(i), int32(best)})
		h := filterHash(a)
		m.filter[h/64] |= 1 << (h % 64)
	}
	return m
}

// anchorOffsets are where a pattern's anchor may start: its start, end, middle and quarters.
func anchorOffsets(p string) []int {
	last := len(p) - anchorLen
	if last < 0 {
		return nil
	}
	return []int{last / 2, 0, last, last / 4, last * 3 / 4}
}

// anchorOf reads an anchor with bit 5 of every byte set, which lower-cases ASCII letters (and
// merges a few pairs of other bytes, which the comparison after the lookup tells apart).
func anchorOf(s string) uint64 {
	var a uint64
	for i := 0; i < anchorLen; i++ {
		a = a<<8 | uint64(s[i]|0x20)
	}
	return a
}

func filterHash(a uint64) uint64 { return (a * 0x9E3779B97F4A7C15) >> (64 - filterBits) }

// find returns every occurrence of every pattern in s, ordered by start (overlaps included).
func (m *matcher) find(s string) []occurrence {
	if m == nil || len(m.byAnchor) == 0 || len(s) < anchorLen {
		return nil
	}
	var out []occurrence
	const mask = 1<<(8*anchorLen) - 1
	var a uint64
	for i := 0; i < len(s); i++ {
		a = (a<<8 | uint64(s[i]|0x20)) & mask
		if i < anchorLen-1 {
			continue
		}
		h := filterHash(a)
		if m.filter[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		at := i - anchorLen + 1
		for _, c := range m.byAnchor[a] {
			p, start := m.patterns[c.pattern], at-int(c.offset)
			if start < 0 || len(s)-start < len(p) {
				continue
			}
			switch t := s[start : start+len(p)]; {
			case t == p:
				out = append(out, occurrence{start, start + len(p), c.pattern, false})
			case m.fold[c.pattern] && equalFoldASCII(t, p):
				out = append(out, occurrence{start, start + len(p), c.pattern, true})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// lowerASCIIString lower-cases the ASCII letters of s and nothing else, so that every byte keeps
// its offset (strings.ToLower rewrites invalid UTF-8, which moves them).
func lowerASCIIString(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII[c]
	}
	return string(b)
}

// equalFoldASCII compares a and b (of equal length) ignoring ASCII case.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII[a[i]] != lowerASCII[b[i]] {
			return false
		}
	}
	return true
}
