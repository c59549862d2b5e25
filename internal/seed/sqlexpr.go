package seed

import (
	"errors"
	"fmt"
	"strings"
)

// This file parses the small SQL expressions the catalog hands back: CHECK constraints as
// pg_get_constraintdef prints them and partition bounds as pg_get_expr(relpartbound) prints them.
// It understands the shapes those functions produce (casts, ANY (ARRAY[...]), nested AND/OR,
// function calls, row constructors); anything else is reported as an error and the caller treats
// the constraint as not understood.

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokQuotedIdent
	tokNumber
	tokString
	tokOp
	tokPunct // ( ) , [ ] . ::
)

type token struct {
	kind tokenKind
	text string // identifiers lower-cased unless quoted; strings unescaped
}

// maxExprDepth bounds recursion so hostile input (fuzzing) cannot exhaust the stack.
const maxExprDepth = 200

var errExprTooDeep = errors.New("expression nested too deeply")

func tokenize(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			text, n, err := scanQuoted(s[i:], '"', false)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tokQuotedIdent, text})
			i += n
		case c == '\'':
			text, n, err := scanQuoted(s[i:], '\'', false)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tokString, text})
			i += n
		case (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'':
			text, n, err := scanQuoted(s[i+1:], '\'', true)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tokString, text})
			i += n + 1
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			toks = append(toks, token{tokIdent, strings.ToLower(s[i:j])})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := scanNumber(s, i)
			toks = append(toks, token{tokNumber, s[i:j]})
			i = j
		case c == ':' && i+1 < len(s) && s[i+1] == ':':
			toks = append(toks, token{tokPunct, "::"})
			i += 2
		case strings.IndexByte("(),[].", c) >= 0:
			toks = append(toks, token{tokPunct, string(c)})
			i++
		case strings.IndexByte("+-*/<>=~!@#%^&|`?", c) >= 0:
			j := i + 1
			for j < len(s) && strings.IndexByte("+-*/<>=~!@#%^&|`?", s[j]) >= 0 {
				j++
			}
			toks = append(toks, token{tokOp, s[i:j]})
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q at offset %d", c, i)
		}
	}
	return toks, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c == '$' || c >= '0' && c <= '9' }

func scanNumber(s string, i int) int {
	j := i
	for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == '_') {
		j++
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			j = k
		}
	}
	return j
}

// scanQuoted reads a quoted literal starting at s[0] == quote; a doubled quote is one quote.
// With backslashes (E” strings) a backslash escapes the next character.
func scanQuoted(s string, quote byte, backslashes bool) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case backslashes && c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(s[i])
			}
		case c == quote && i+1 < len(s) && s[i+1] == quote:
			b.WriteByte(quote)
			i++
		case c == quote:
			return b.String(), i + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated %c literal", quote)
}

// expr is a node of a parsed expression.
type expr interface{ String() string }

type (
	// constExpr is a literal; text is its SQL text (strings unquoted).
	constExpr struct {
		text     string
		isString bool
		isNull   bool
	}
	colExpr  struct{ name string }
	castExpr struct {
		x   expr
		typ string
	}
	binExpr struct {
		op   string
		l, r expr
	}
	unaryExpr struct {
		op string
		x  expr
	}
	andExpr  struct{ terms []expr }
	orExpr   struct{ terms []expr }
	notExpr  struct{ x expr }
	funcExpr struct {
		name string
		args []expr
	}
	arrayExpr struct{ elems []expr }
	rowExpr   struct{ elems []expr }
	// anyExpr is "l op ANY (r)" or "l op ALL (r)".
	anyExpr struct {
		op  string
		all bool
		l   expr
		r   expr
	}
	inExpr struct {
		x    expr
		list []expr
		not  bool
	}
	isNullExpr struct {
		x   expr
		not bool
	}
	// keywordExpr is MINVALUE, MAXVALUE, DEFAULT, TRUE/FALSE are constExpr.
	keywordExpr struct{ word string }
)

func (e constExpr) String() string {
	if e.isNull {
		return "NULL"
	}
	if e.isString {
		return "'" + strings.ReplaceAll(e.text, "'", "''") + "'"
	}
	return e.text
}
func (e colExpr) String() string     { return e.name }
func (e castExpr) String() string    { return "(" + e.x.String() + ")::" + e.typ }
func (e binExpr) String() string     { return "(" + e.l.String() + " " + e.op + " " + e.r.String() + ")" }
func (e unaryExpr) String() string   { return e.op + e.x.String() }
func (e andExpr) String() string     { return joinExprs(e.terms, " AND ") }
func (e orExpr) String() string      { return joinExprs(e.terms, " OR ") }
func (e notExpr) String() string     { return "NOT " + e.x.String() }
func (e funcExpr) String() string    { return e.name + joinExprs(e.args, ", ") }
func (e arrayExpr) String() string   { return "ARRAY[" + joinExprs(e.elems, ", ") + "]" }
func (e rowExpr) String() string     { return joinExprs(e.elems, ", ") }
func (e keywordExpr) String() string { return strings.ToUpper(e.word) }
func (e anyExpr) String() string {
	q := "ANY"
	if e.all {
		q = "ALL"
	}
	return e.l.String() + " " + e.op + " " + q + " (" + e.r.String() + ")"
}
func (e inExpr) String() string {
	n := ""
	if e.not {
		n = "NOT "
	}
	return e.x.String() + " " + n + "IN " + joinExprs(e.list, ", ")
}
func (e isNullExpr) String() string {
	if e.not {
		return e.x.String() + " IS NOT NULL"
	}
	return e.x.String() + " IS NULL"
}

func joinExprs(es []expr, sep string) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return "(" + strings.Join(parts, sep) + ")"
}

type exprParser struct {
	toks  []token
	pos   int
	depth int
}

// parseExpr parses one SQL expression (the whole input).
func parseExpr(s string) (expr, error) {
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

func (p *exprParser) parseOr() (expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	terms := []expr{first}
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
	return orExpr{terms}, nil
}

func (p *exprParser) parseAnd() (expr, error) {
	first, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	terms := []expr{first}
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
	return andExpr{terms}, nil
}

func (p *exprParser) parseNot() (expr, error) {
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
		return notExpr{x}, nil
	}
	return p.parseComparison()
}

var comparisonOps = map[string]bool{
	"=": true, "<>": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true,
	"~": true, "~*": true, "!~": true, "!~*": true, "~~": true, "~~*": true, "!~~": true, "!~~*": true,
}

func (p *exprParser) parseComparison() (expr, error) {
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
				l = anyExpr{op: t.text, all: all, l: l, r: r}
				continue
			}
			r, err := p.parseAdditive()
			if err != nil {
				return nil, err
			}
			l = binExpr{op: t.text, l: l, r: r}
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
			l = binExpr{op: op, l: l, r: r}
		case t.kind == tokIdent && t.text == "is":
			p.next()
			not := false
			if p.isKeyword("not") {
				p.next()
				not = true
			}
			if !p.isKeyword("null") {
				return nil, fmt.Errorf("unsupported IS %s", p.peek().text)
			}
			p.next()
			l = isNullExpr{x: l, not: not}
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
			l = inExpr{x: l, list: list, not: not}
		case t.kind == tokIdent && t.text == "between":
			p.next()
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
			l = andExpr{[]expr{binExpr{">=", l, lo}, binExpr{"<=", l, hi}}}
		default:
			return l, nil
		}
	}
}

func (p *exprParser) parseParenList() ([]expr, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var list []expr
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

func (p *exprParser) parseAdditive() (expr, error) {
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
		l = binExpr{op: t.text, l: l, r: r}
	}
}

func (p *exprParser) parseMultiplicative() (expr, error) {
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
		l = binExpr{op: t.text, l: l, r: r}
	}
}

func (p *exprParser) parseUnary() (expr, error) {
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
		if c, ok := x.(constExpr); ok && !c.isString && !c.isNull && t.text == "-" {
			return constExpr{text: negateNumber(c.text)}, nil
		}
		if t.text == "+" {
			return x, nil
		}
		return unaryExpr{op: t.text, x: x}, nil
	}
	return p.parsePostfix()
}

func negateNumber(s string) string {
	if strings.HasPrefix(s, "-") {
		return s[1:]
	}
	return "-" + s
}

func (p *exprParser) parsePostfix() (expr, error) {
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
			x = castExpr{x: x, typ: typ}
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
			x = funcExpr{name: "subscript", args: []expr{x}}
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

func (p *exprParser) parsePrimary() (expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	t := p.next()
	switch t.kind {
	case tokNumber:
		return constExpr{text: strings.ReplaceAll(t.text, "_", "")}, nil
	case tokString:
		return constExpr{text: t.text, isString: true}, nil
	case tokQuotedIdent:
		return p.identTail(t.text, true)
	case tokIdent:
		switch t.text {
		case "null":
			return constExpr{isNull: true}, nil
		case "true", "false":
			return constExpr{text: t.text}, nil
		case "minvalue", "maxvalue", "default":
			return keywordExpr{t.text}, nil
		case "array":
			if p.isPunct("[") {
				return p.parseArrayLiteral()
			}
			return nil, fmt.Errorf("unsupported ARRAY subquery")
		case "case", "select", "exists":
			return nil, fmt.Errorf("unsupported %s expression", strings.ToUpper(t.text))
		}
		// Typed literal: date '2020-01-01', interval '1 day'.
		if p.peek().kind == tokString {
			s := p.next()
			return castExpr{x: constExpr{text: s.text, isString: true}, typ: t.text}, nil
		}
		return p.identTail(t.text, false)
	case tokPunct:
		if t.text == "(" {
			first, err := p.parseOr()
			if err != nil {
				return nil, err
			}
			if p.isPunct(",") {
				elems := []expr{first}
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
				return rowExpr{elems}, nil
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
func (p *exprParser) identTail(name string, quoted bool) (expr, error) {
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
			return funcExpr{name: name, args: args}, nil
		}
		return funcExpr{name: strings.ToLower(name), args: args}, nil
	}
	return colExpr{name: name}, nil
}

func (p *exprParser) parseArrayLiteral() (expr, error) {
	if err := p.expectPunct("["); err != nil {
		return nil, err
	}
	var elems []expr
	if p.isPunct("]") {
		p.next()
		return arrayExpr{elems}, nil
	}
	for {
		var e expr
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
		return arrayExpr{elems}, nil
	}
}

// stripCasts removes casts around an expression: (0)::numeric is 0, (status)::text is status.
func stripCasts(e expr) expr {
	for {
		c, ok := e.(castExpr)
		if !ok {
			return e
		}
		e = c.x
	}
}
