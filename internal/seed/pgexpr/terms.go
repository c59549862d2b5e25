package pgexpr

import "strings"

// Term is one condition of an expression's top-level AND, with its text as the server printed
// it, so a condition the generator does not understand can still be handed back to the server.
type Term struct {
	Text string
	// Expr is the parsed condition; nil when the parser does not read it (Err says why).
	Expr Expr
	Err  error
}

// Terms splits an expression at its top-level ANDs and parses each condition on its own: one
// condition the parser cannot read (a CASE, a subscript) does not hide the others.
func Terms(s string) []Term {
	var out []Term
	for _, text := range SplitAnd(s) {
		e, err := Parse(text)
		out = append(out, Term{Text: text, Expr: e, Err: err})
	}
	return out
}

// SplitAnd splits an expression at the ANDs outside any parentheses, CASE ... END and
// BETWEEN ... AND, after removing parentheses that enclose all of it, and splits the parts the
// same way: "((a AND b) AND c)" is a, b, c. Text the lexer cannot read is one condition.
func SplitAnd(s string) []string {
	s = stripEnclosingParens(strings.TrimSpace(s))
	parts := splitTopLevelAnd(s)
	if len(parts) <= 1 {
		return parts
	}
	var out []string
	for _, p := range parts {
		out = append(out, SplitAnd(p)...)
	}
	return out
}

func splitTopLevelAnd(s string) []string {
	toks, err := tokenize(s)
	if err != nil || len(toks) == 0 {
		return appendTerm(nil, s)
	}
	var out []string
	depth, cases, betweens, start := 0, 0, 0, 0
	for _, t := range toks {
		switch {
		case t.kind == tokPunct && (t.text == "(" || t.text == "["):
			depth++
		case t.kind == tokPunct && (t.text == ")" || t.text == "]"):
			depth--
		case t.kind != tokIdent || depth != 0:
		case t.text == "case":
			cases++
		case t.text == "end" && cases > 0:
			cases--
		case t.text == "between" && cases == 0:
			betweens++
		case t.text == "and" && cases == 0 && betweens > 0:
			betweens--
		case t.text == "and" && cases == 0:
			out = appendTerm(out, s[start:t.pos])
			start = t.end
		}
	}
	return appendTerm(out, s[start:])
}

func appendTerm(out []string, text string) []string {
	if text = stripEnclosingParens(strings.TrimSpace(text)); text != "" {
		out = append(out, text)
	}
	return out
}

// stripEnclosingParens removes parentheses around the whole of s: "((a > 0))" is "a > 0", while
// "(a > 0) OR (b > 0)" stays as it is.
func stripEnclosingParens(s string) string {
	for len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		toks, err := tokenize(s)
		if err != nil || len(toks) < 2 {
			return s
		}
		depth := 0
		for i, t := range toks {
			if t.kind != tokPunct {
				continue
			}
			switch t.text {
			case "(":
				depth++
			case ")":
				depth--
				if depth == 0 && i != len(toks)-1 {
					return s // the first parenthesis closes before the end
				}
			}
		}
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// collectTokens tokenizes s and returns, in order and without duplicates, pick's text for each
// token it keeps ("" drops the token); nil when s does not tokenize.
func collectTokens(s string, pick func(toks []token, i int) string) []string {
	toks, err := tokenize(s)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for i := range toks {
		if text := pick(toks, i); text != "" && !seen[text] {
			seen[text] = true
			out = append(out, text)
		}
	}
	return out
}

func isPunctAt(toks []token, i int, texts ...string) bool {
	if i < 0 || i >= len(toks) || toks[i].kind != tokPunct {
		return false
	}
	for _, t := range texts {
		if toks[i].text == t {
			return true
		}
	}
	return false
}

// Literals lists the string and number constants of an expression's text, in order, without
// duplicates: the values a condition names are the first candidates for passing it.
func Literals(s string) []string {
	return collectTokens(s, func(toks []token, i int) string {
		t := toks[i]
		switch {
		case t.kind == tokString:
			return t.text
		case t.kind == tokNumber && i > 0 && toks[i-1].kind == tokOp && toks[i-1].text == "-":
			return "-" + t.text
		case t.kind == tokNumber:
			return t.text
		}
		return ""
	})
}

// Identifiers lists the names an expression's text may use as columns: identifiers that are not
// called as functions, not type names after "::" and not part of a qualified name's prefix.
// Keywords are included; callers keep the names that are columns.
func Identifiers(s string) []string {
	return collectTokens(s, func(toks []token, i int) string {
		t := toks[i]
		if t.kind != tokIdent && t.kind != tokQuotedIdent || isPunctAt(toks, i-1, "::") || isPunctAt(toks, i+1, "(", ".") {
			return ""
		}
		return t.text
	})
}

// operatorKeywords may stand before a parenthesis without calling a function.
var operatorKeywords = map[string]bool{"and": true, "or": true, "not": true, "in": true, "any": true, "all": true,
	"some": true, "exists": true, "when": true, "then": true, "else": true, "is": true, "like": true, "ilike": true,
	"similar": true, "to": true, "between": true, "case": true, "values": true, "from": true}

// Functions lists the functions an expression's text calls (by their name without schema).
func Functions(s string) []string {
	return collectTokens(s, func(toks []token, i int) string {
		t := toks[i]
		if (t.kind == tokIdent && !operatorKeywords[t.text] || t.kind == tokQuotedIdent) && isPunctAt(toks, i+1, "(") {
			return t.text
		}
		return ""
	})
}

// StringLiterals lists the quoted strings of any SQL or PL/pgSQL text, skipping what is not a
// string (it reads function bodies, which the expression lexer does not).
func StringLiterals(s string) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case s[i] == '\'':
			backslashes := i > 0 && (s[i-1] == 'E' || s[i-1] == 'e')
			text, n, err := scanQuoted(s[i:], '\'', backslashes)
			if err != nil {
				return out
			}
			if !seen[text] {
				seen[text] = true
				out = append(out, text)
			}
			i += n - 1
		}
	}
	return out
}
