package pgexpr

import (
	"fmt"
)

// This file parses the small SQL expressions the catalog hands back: CHECK constraints as
// pg_get_constraintdef prints them and partition bounds as pg_get_expr(relpartbound) prints them.
// It understands the shapes those functions produce (casts, ANY (ARRAY[...]), nested AND/OR,
// function calls, row constructors); anything else is reported as an error and the caller treats
// the constraint as not understood.

type exprParser struct {
	toks  []token
	pos   int
	depth int
}

// Parse parses one SQL expression (the whole input).
func Parse(s string) (Expr, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &exprParser{toks: toks}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokEOF {
		return nil, fmt.Errorf("unexpected %q", p.peek().text)
	}
	return e, nil
}

func (p *exprParser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{kind: tokEOF}
}

func (p *exprParser) peekAt(k int) token {
	if p.pos+k < len(p.toks) {
		return p.toks[p.pos+k]
	}
	return token{kind: tokEOF}
}

func (p *exprParser) next() token {
	t := p.peek()
	if p.pos < len(p.toks) {
		p.pos++
	}
	return t
}

func (p *exprParser) isKeyword(word string) bool {
	t := p.peek()
	return t.kind == tokIdent && t.text == word
}

func (p *exprParser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tokPunct && t.text == s
}

func (p *exprParser) expectPunct(s string) error {
	if !p.isPunct(s) {
		return fmt.Errorf("expected %q, found %q", s, p.peek().text)
	}
	p.pos++
	return nil
}

func (p *exprParser) enter() error {
	p.depth++
	if p.depth > maxExprDepth {
		return errExprTooDeep
	}
	return nil
}

func (p *exprParser) leave() { p.depth-- }

func (p *exprParser) parseOr() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for p.isKeyword("or") {
		p.next()
		t, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return Or{terms}, nil
}

func (p *exprParser) parseAnd() (Expr, error) {
	first, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for p.isKeyword("and") {
		p.next()
		t, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return And{terms}, nil
}

func (p *exprParser) parseNot() (Expr, error) {
	if p.isKeyword("not") {
		p.next()
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	}
	return p.parseComparison()
}

var comparisonOps = map[string]bool{
	"=": true, "<>": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true,
	"~": true, "~*": true, "!~": true, "!~*": true, "~~": true, "~~*": true, "!~~": true, "!~~*": true,
}

func (p *exprParser) parseComparison() (Expr, error) {
	l, err := p.parseAdditive()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case t.kind == tokOp && comparisonOps[t.text]:
			p.next()
			if p.isKeyword("any") || p.isKeyword("all") || p.isKeyword("some") {
				all := p.next().text == "all"
				if err := p.expectPunct("("); err != nil {
					return nil, err
				}
				r, err := p.parseOr()
				if err != nil {
					return nil, err
				}
				if err := p.expectPunct(")"); err != nil {
					return nil, err
				}
				l = Any{Op: t.text, All: all, L: l, R: r}
				continue
			}
			r, err := p.parseAdditive()
			if err != nil {
				return nil, err
			}
			l = Binary{Op: t.text, L: l, R: r}
		case t.kind == tokIdent && (t.text == "like" || t.text == "ilike"):
			p.next()
			r, err := p.parseAdditive()
			if err != nil {
				return nil, err
			}
			op := "~~"
			if t.text == "ilike" {
				op = "~~*"
			}
			l = Binary{Op: op, L: l, R: r}
		case t.kind == tokIdent && t.text == "is":
			p.next()
			var err error
			if l, err = p.parseIs(l); err != nil {
				return nil, err
			}
		case t.kind == tokIdent && (t.text == "in" || t.text == "not" && p.peekAt(1).kind == tokIdent && p.peekAt(1).text == "in"):
			not := t.text == "not"
			p.next()
			if not {
				p.next()
			}
			list, err := p.parseParenList()
			if err != nil {
				return nil, err
			}
			l = In{X: l, List: list, Not: not}
		case t.kind == tokIdent && t.text == "between":
			p.next()
			var err error
			if l, err = p.parseBetween(l); err != nil {
				return nil, err
			}
		default:
			return l, nil
		}
	}
}

func (p *exprParser) parseParenList() ([]Expr, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var list []Expr
	if p.isPunct(")") {
		p.next()
		return list, nil
	}
	for {
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		list = append(list, e)
		if p.isPunct(",") {
			p.next()
			continue
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		return list, nil
	}
}

func (p *exprParser) parseAdditive() (Expr, error) {
	l, err := p.parseMultiplicative()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tokOp || comparisonOps[t.text] || t.text == "*" || t.text == "/" || t.text == "%" {
			return l, nil
		}
		p.next()
		r, err := p.parseMultiplicative()
		if err != nil {
			return nil, err
		}
		l = Binary{Op: t.text, L: l, R: r}
	}
}

func (p *exprParser) parseMultiplicative() (Expr, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tokOp || t.text != "*" && t.text != "/" && t.text != "%" {
			return l, nil
		}
		p.next()
		r, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		l = Binary{Op: t.text, L: l, R: r}
	}
}

// parseBetween reads "lo AND hi" after x BETWEEN, as x >= lo AND x <= hi.
func (p *exprParser) parseBetween(x Expr) (Expr, error) {
	lo, err := p.parseAdditive()
	if err != nil {
		return nil, err
	}
	if !p.isKeyword("and") {
		return nil, fmt.Errorf("expected AND in BETWEEN")
	}
	p.next()
	hi, err := p.parseAdditive()
	if err != nil {
		return nil, err
	}
	return And{[]Expr{Binary{">=", x, lo}, Binary{"<=", x, hi}}}, nil
}

// parseIs reads what follows IS: [NOT] NULL, [NOT] TRUE/FALSE, [NOT] DISTINCT FROM x.
func (p *exprParser) parseIs(l Expr) (Expr, error) {
	not := false
	if p.isKeyword("not") {
		p.next()
		not = true
	}
	switch {
	case p.isKeyword("null"):
		p.next()
		return IsNull{X: l, Not: not}, nil
	case p.isKeyword("true") || p.isKeyword("false"):
		return IsBool{X: l, Value: p.next().text == "true", Not: not}, nil
	case p.isKeyword("distinct") && p.peekAt(1).kind == tokIdent && p.peekAt(1).text == "from":
		p.next()
		p.next()
		r, err := p.parseAdditive()
		if err != nil {
			return nil, err
		}
		op := "IS DISTINCT FROM"
		if not {
			op = "IS NOT DISTINCT FROM"
		}
		return Binary{Op: op, L: l, R: r}, nil
	}
	return nil, fmt.Errorf("unsupported IS %s", p.peek().text)
}
