package pgexpr

import (
	"fmt"
	"strings"
)

// Bound is a partition's bound as pg_get_expr(relpartbound) prints it.
type Bound struct {
	IsDefault bool
	// from/to for range partitions (lower inclusive, upper exclusive), in for list partitions;
	// hash partitions have neither: every value routes somewhere.
	From, To []BoundValue
	In       []BoundValue
	Hash     bool
}

// BoundValue is one literal of a bound, or MINVALUE/MAXVALUE/NULL.
type BoundValue struct {
	Text               string
	MinValue, MaxValue bool
	Null               bool
	IsString           bool
}

func ParseBound(s string) (Bound, error) {
	toks, err := tokenize(s)
	if err != nil {
		return Bound{}, err
	}
	p := &exprParser{toks: toks}
	if p.isKeyword("default") {
		return Bound{IsDefault: true}, nil
	}
	for _, w := range []string{"for", "values"} {
		if !p.isKeyword(w) {
			return Bound{}, fmt.Errorf("partition bound %q: expected %s", s, strings.ToUpper(w))
		}
		p.next()
	}
	var b Bound
	switch {
	case p.isKeyword("from"):
		p.next()
		if b.From, err = p.parseBoundList(); err != nil {
			return b, err
		}
		if !p.isKeyword("to") {
			return b, fmt.Errorf("partition bound %q: expected TO", s)
		}
		p.next()
		if b.To, err = p.parseBoundList(); err != nil {
			return b, err
		}
	case p.isKeyword("in"):
		p.next()
		if b.In, err = p.parseBoundList(); err != nil {
			return b, err
		}
	case p.isKeyword("with"):
		b.Hash = true
		return b, nil
	default:
		return b, fmt.Errorf("partition bound %q: unsupported form", s)
	}
	if p.peek().kind != tokEOF {
		return b, fmt.Errorf("partition bound %q: unexpected %q", s, p.peek().text)
	}
	return b, nil
}

func (p *exprParser) parseBoundList() ([]BoundValue, error) {
	list, err := p.parseParenList()
	if err != nil {
		return nil, err
	}
	out := make([]BoundValue, 0, len(list))
	for _, e := range list {
		switch x := StripCasts(e).(type) {
		case Keyword:
			out = append(out, BoundValue{MinValue: x.Word == "minvalue", MaxValue: x.Word == "maxvalue"})
		case Const:
			out = append(out, BoundValue{Text: x.Text, Null: x.IsNull, IsString: x.IsString})
		default:
			return nil, fmt.Errorf("unsupported partition bound value %s", e)
		}
	}
	return out, nil
}
