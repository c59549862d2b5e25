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
