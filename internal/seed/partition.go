package seed

import (
	"fmt"
	"strings"
)

// partitionBound is a partition's bound as pg_get_expr(relpartbound) prints it.
type partitionBound struct {
	isDefault bool
	// from/to for range partitions (lower inclusive, upper exclusive), in for list partitions;
	// hash partitions have neither: every value routes somewhere.
	from, to []boundValue
	in       []boundValue
	hash     bool
}

// boundValue is one literal of a bound, or MINVALUE/MAXVALUE/NULL.
type boundValue struct {
	text             string
	minValue, maxVal bool
	null             bool
	isString         bool
}

func parsePartitionBound(s string) (partitionBound, error) {
	toks, err := tokenize(s)
	if err != nil {
		return partitionBound{}, err
	}
	p := &exprParser{toks: toks}
	if p.isKeyword("default") {
		return partitionBound{isDefault: true}, nil
	}
	for _, w := range []string{"for", "values"} {
		if !p.isKeyword(w) {
			return partitionBound{}, fmt.Errorf("partition bound %q: expected %s", s, strings.ToUpper(w))
		}
		p.next()
	}
	var b partitionBound
	switch {
	case p.isKeyword("from"):
		p.next()
		if b.from, err = p.parseBoundList(); err != nil {
			return b, err
		}
		if !p.isKeyword("to") {
			return b, fmt.Errorf("partition bound %q: expected TO", s)
		}
		p.next()
		if b.to, err = p.parseBoundList(); err != nil {
			return b, err
		}
	case p.isKeyword("in"):
		p.next()
		if b.in, err = p.parseBoundList(); err != nil {
			return b, err
		}
	case p.isKeyword("with"):
		b.hash = true
		return b, nil
	default:
		return b, fmt.Errorf("partition bound %q: unsupported form", s)
	}
	if p.peek().kind != tokEOF {
		return b, fmt.Errorf("partition bound %q: unexpected %q", s, p.peek().text)
	}
	return b, nil
}

func (p *exprParser) parseBoundList() ([]boundValue, error) {
	list, err := p.parseParenList()
	if err != nil {
		return nil, err
	}
	out := make([]boundValue, 0, len(list))
	for _, e := range list {
		switch x := stripCasts(e).(type) {
		case keywordExpr:
			out = append(out, boundValue{minValue: x.word == "minvalue", maxVal: x.word == "maxvalue"})
		case constExpr:
			out = append(out, boundValue{text: x.text, null: x.isNull, isString: x.isString})
		default:
			return nil, fmt.Errorf("unsupported partition bound value %s", e)
		}
	}
	return out, nil
}
