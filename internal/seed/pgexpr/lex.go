package pgexpr

import (
	"errors"
	"fmt"
	"strings"
)

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
	pos  int    // byte offset in the input
	end  int    // byte offset after the token
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
			toks = append(toks, token{tokQuotedIdent, text, i, i + n})
			i += n
		case c == '\'':
			text, n, err := scanQuoted(s[i:], '\'', false)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tokString, text, i, i + n})
			i += n
		case (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'':
			text, n, err := scanQuoted(s[i+1:], '\'', true)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tokString, text, i, i + n + 1})
			i += n + 1
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			toks = append(toks, token{tokIdent, strings.ToLower(s[i:j]), i, j})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := scanNumber(s, i)
			toks = append(toks, token{tokNumber, s[i:j], i, j})
			i = j
		case c == ':' && i+1 < len(s) && s[i+1] == ':':
			toks = append(toks, token{tokPunct, "::", i, i + 2})
			i += 2
		case strings.IndexByte("(),[].", c) >= 0:
			toks = append(toks, token{tokPunct, string(c), i, i + 1})
			i++
		case strings.IndexByte("+-*/<>=~!@#%^&|`?", c) >= 0:
			j := i + 1
			for j < len(s) && strings.IndexByte("+-*/<>=~!@#%^&|`?", s[j]) >= 0 {
				j++
			}
			toks = append(toks, token{tokOp, s[i:j], i, j})
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
