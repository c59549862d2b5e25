package pgexpr

import (
	"fmt"
	"strings"
)

func (p *exprParser) parseUnary() (Expr, error) {
	t := p.peek()
	if t.kind == tokOp && (t.text == "-" || t.text == "+") {
		p.next()
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if c, ok := x.(Const); ok && !c.IsString && !c.IsNull && t.text == "-" {
			return Const{Text: negateNumber(c.Text)}, nil
		}
		if t.text == "+" {
			return x, nil
		}
		return Unary{Op: t.text, X: x}, nil
	}
	return p.parsePostfix()
}

func negateNumber(s string) string {
	if strings.HasPrefix(s, "-") {
		return s[1:]
	}
	return "-" + s
}

func (p *exprParser) parsePostfix() (Expr, error) {
	x, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isPunct("::"):
			p.next()
			typ, err := p.parseTypeName()
			if err != nil {
				return nil, err
			}
			x = Cast{X: x, Type: typ}
		case p.isPunct("["):
			// Subscripts and slices: keep the base expression, drop the subscript.
			p.next()
			for !p.isPunct("]") {
				if p.peek().kind == tokEOF {
					return nil, fmt.Errorf("unterminated subscript")
				}
				p.next()
			}
			p.next()
			x = Func{Name: "subscript", Args: []Expr{x}}
		default:
			return x, nil
		}
	}
}

// multiWordTypes lists the words that may continue a type name after its first word.
var typeNameContinuations = map[string]bool{
	"varying": true, "with": true, "without": true, "time": true, "zone": true, "precision": true,
}

func (p *exprParser) parseTypeName() (string, error) {
	t := p.next()
	if t.kind != tokIdent && t.kind != tokQuotedIdent {
		return "", fmt.Errorf("expected a type name, found %q", t.text)
	}
	name := t.text
	for p.isPunct(".") {
		p.next()
		part := p.next()
		if part.kind != tokIdent && part.kind != tokQuotedIdent {
			return "", fmt.Errorf("expected a type name after '.'")
		}
		name += "." + part.text
	}
	for p.peek().kind == tokIdent && typeNameContinuations[p.peek().text] {
		name += " " + p.next().text
	}
	if p.isPunct("(") {
		p.next()
		var mods []string
		for !p.isPunct(")") {
			m := p.next()
			switch m.kind {
			case tokEOF:
				return "", fmt.Errorf("unterminated type modifier")
			case tokNumber, tokIdent:
				mods = append(mods, m.text)
			}
		}
		p.next()
		name += "(" + strings.Join(mods, ",") + ")"
		// "timestamp(3) with time zone"
		for p.peek().kind == tokIdent && typeNameContinuations[p.peek().text] {
			name += " " + p.next().text
		}
	}
	for p.isPunct("[") && p.peekAt(1).kind == tokPunct && p.peekAt(1).text == "]" {
		p.next()
		p.next()
		name += "[]"
	}
	return name, nil
}

func (p *exprParser) parsePrimary() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	t := p.next()
	switch t.kind {
	case tokNumber:
		return Const{Text: strings.ReplaceAll(t.text, "_", "")}, nil
	case tokString:
		return Const{Text: t.text, IsString: true}, nil
	case tokQuotedIdent:
		return p.identTail(t.text, true)
	case tokIdent:
		switch t.text {
		case "null":
			return Const{IsNull: true}, nil
		case "true", "false":
			return Const{Text: t.text}, nil
		case "minvalue", "maxvalue", "default":
			return Keyword{t.text}, nil
		case "array":
			if p.isPunct("[") {
				return p.parseArrayLiteral()
			}
			return nil, fmt.Errorf("unsupported ARRAY subquery")
		case "case":
			return p.parseCase()
		case "select", "exists":
			return nil, fmt.Errorf("unsupported %s expression", strings.ToUpper(t.text))
		}
		// Typed literal: date '2020-01-01', interval '1 day'.
		if p.peek().kind == tokString {
			s := p.next()
			return Cast{X: Const{Text: s.text, IsString: true}, Type: t.text}, nil
		}
		return p.identTail(t.text, false)
	case tokPunct:
		if t.text == "(" {
			first, err := p.parseOr()
			if err != nil {
				return nil, err
			}
			if p.isPunct(",") {
				elems := []Expr{first}
				for p.isPunct(",") {
					p.next()
					e, err := p.parseOr()
					if err != nil {
						return nil, err
					}
					elems = append(elems, e)
				}
				if err := p.expectPunct(")"); err != nil {
					return nil, err
				}
				return Row{elems}, nil
			}
			if err := p.expectPunct(")"); err != nil {
				return nil, err
			}
			return first, nil
		}
	}
	if t.kind == tokEOF {
		return nil, fmt.Errorf("unexpected end of expression")
	}
	return nil, fmt.Errorf("unexpected %q", t.text)
}

// identTail finishes an identifier: a qualified name, or a function call.
func (p *exprParser) identTail(name string, quoted bool) (Expr, error) {
	for p.isPunct(".") {
		p.next()
		part := p.next()
		if part.kind != tokIdent && part.kind != tokQuotedIdent {
			return nil, fmt.Errorf("expected a name after '.'")
		}
		name = part.text // a qualified column: keep the column's own name
		quoted = part.kind == tokQuotedIdent
	}
	if p.isPunct("(") {
		args, err := p.parseParenList()
		if err != nil {
			return nil, err
		}
		if quoted {
			return Func{Name: name, Args: args}, nil
		}
		return Func{Name: strings.ToLower(name), Args: args}, nil
	}
	return Col{Name: name}, nil
}

func (p *exprParser) parseArrayLiteral() (Expr, error) {
	if err := p.expectPunct("["); err != nil {
		return nil, err
	}
	var elems []Expr
	if p.isPunct("]") {
		p.next()
		return Array{elems}, nil
	}
	for {
		var e Expr
		var err error
		if p.isPunct("[") { // nested array: ARRAY[[1,2],[3,4]]
			e, err = p.parseArrayLiteral()
		} else {
			e, err = p.parseOr()
		}
		if err != nil {
			return nil, err
		}
		elems = append(elems, e)
		if p.isPunct(",") {
			p.next()
			continue
		}
		if err := p.expectPunct("]"); err != nil {
			return nil, err
		}
		return Array{elems}, nil
	}
}

// parseCase reads CASE [operand] WHEN x THEN y ... [ELSE z] END (after CASE).
func (p *exprParser) parseCase() (Expr, error) {
	var c Case
	if !p.isKeyword("when") {
		operand, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		c.Operand = operand
	}
	for p.isKeyword("when") {
		p.next()
		when, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if !p.isKeyword("then") {
			return nil, fmt.Errorf("CASE: expected THEN, got %q", p.peek().text)
		}
		p.next()
		then, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		c.Whens, c.Thens = append(c.Whens, when), append(c.Thens, then)
	}
	if len(c.Whens) == 0 {
		return nil, fmt.Errorf("CASE without WHEN")
	}
	if p.isKeyword("else") {
		p.next()
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		c.Else = e
	}
	if !p.isKeyword("end") {
		return nil, fmt.Errorf("CASE: expected END, got %q", p.peek().text)
	}
	p.next()
	return c, nil
}
