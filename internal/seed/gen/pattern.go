package gen

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// PatternProducer makes strings that match every one of a column's CHECK patterns (regular
// expressions), with gofakeit's Regex generator on the row's random stream. With unique, a
// suffix made of the row number in base 36 makes every value distinct, joined in the first way
// (after "_" or "-", or alone: the code holds neither, so values stay distinct) that still matches the patterns. It fails when a pattern is
// not a regular expression Go reads, or no value it makes matches.
func PatternProducer(patterns []string, unique bool) (textFn, error) {
	var res []*regexp.Regexp
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("pattern CHECK %q is not supported by the generator (%v)", p, err)
		}
		res = append(res, re)
	}
	matches := func(s string) bool {
		for _, re := range res {
			if !re.MatchString(s) {
				return false
			}
		}
		return true
	}
	// Anchors and (?i) are for matching, not for generating.
	source := strings.TrimPrefix(patterns[0], "(?i)")
	draw := func(rr *rowRand) string {
		var v string
		for try := 0; try < 8; try++ {
			if v = rr.f.Regex(source); matches(v) {
				break
			}
		}
		return v
	}
	probe := newRowRand(1)
	probe.at(0)
	sample := draw(probe)
	if !matches(sample) {
		return nil, fmt.Errorf("pattern CHECK %s: the generator's values do not match it", strings.Join(patterns, ", "))
	}
	if !unique {
		return func(rr *rowRand, dst []byte) []byte { return append(dst, draw(rr)...) }, nil
	}
	for _, join := range []func(v, code string) string{
		func(v, code string) string { return v + "_" + code },
		func(v, code string) string { return v + "-" + code },
		func(_, code string) string { return code },
	} {
		if matches(join(sample, "z9")) && matches(join(sample, "0")) {
			return func(rr *rowRand, dst []byte) []byte {
				// The stream is positioned at the row; the row number is its seed's partner.
				return append(dst, join(draw(rr), strconv.FormatInt(rr.row, 36))...)
			}, nil
		}
	}
	return nil, fmt.Errorf("pattern CHECK %s: cannot make unique values that match it", strings.Join(patterns, ", "))
}

// RegexSamples makes up to n strings that match pattern, when it is a regular expression Go
// reads (and more than a plain string): candidates for a condition that tests a pattern in a way
// the planner does not read. The strings depend only on the pattern.
func RegexSamples(pattern string, n int) []string {
	if regexp.QuoteMeta(pattern) == pattern {
		return nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		// PostgreSQL's own syntax: samples of a looser pattern are still good candidates.
		pattern = loosenRegex(pattern)
		if re, err = regexp.Compile(pattern); err != nil {
			return nil
		}
	}
	rr := newRowRand(DeriveSeed(0, "regex-samples", pattern))
	var out []string
	for i := 0; i < 4*n && len(out) < n; i++ {
		rr.at(int64(i))
		if s := rr.f.Regex(strings.TrimPrefix(pattern, "(?i)")); re.MatchString(s) {
			out = append(out, s)
		}
	}
	return out
}

// Sampler is a deterministic random stream for planning decisions (which candidates to try).
type Sampler struct{ rr *rowRand }

// NewSampler starts a stream from a seed.
func NewSampler(seed uint64) *Sampler {
	s := &Sampler{rr: newRowRand(seed)}
	s.rr.at(0)
	return s
}

// Intn returns a value in [0, n); n must be positive.
func (s *Sampler) Intn(n int) int { return int(s.rr.intn(int64(n))) }

var (
	lookaround = regexp.MustCompile(`\(\?<?[=!][^()]*\)`)
	pgEscapes  = strings.NewReplacer(`\m`, `\b`, `\M`, `\b`, `\y`, `\b`, `\Y`, `\B`, `\Z`, `$`, `\A`, `^`,
		`[[:<:]]`, `\b`, `[[:>:]]`, `\b`)
)

// loosenRegex rewrites what Go's regexp package does not read in a PostgreSQL regular expression
// into something close: lookarounds are dropped, word-boundary escapes become \b.
func loosenRegex(pattern string) string {
	return pgEscapes.Replace(lookaround.ReplaceAllString(pattern, ""))
}
