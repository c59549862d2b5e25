package pgexpr

import "strings"

// Expr is a node of a parsed expression.
type Expr interface{ String() string }

type (
	// Const is a literal; text is its SQL text (strings unquoted).
	Const struct {
		Text     string
		IsString bool
		IsNull   bool
	}
	Col  struct{ Name string }
	Cast struct {
		X    Expr
		Type string
	}
	Binary struct {
		Op   string
		L, R Expr
	}
	Unary struct {
		Op string
		X  Expr
	}
	And  struct{ Terms []Expr }
	Or   struct{ Terms []Expr }
	Not  struct{ X Expr }
	Func struct {
		Name string
		Args []Expr
	}
	Array struct{ Elems []Expr }
	Row   struct{ Elems []Expr }
	// Any is "l op ANY (r)" or "l op ALL (r)".
	Any struct {
		Op  string
		All bool
		L   Expr
		R   Expr
	}
	In struct {
		X    Expr
		List []Expr
		Not  bool
	}
	IsNull struct {
		X   Expr
		Not bool
	}
	// IsBool is "x IS [NOT] TRUE" or "x IS [NOT] FALSE" (NULL is neither).
	IsBool struct {
		X     Expr
		Value bool
		Not   bool
	}
	// Case is CASE [Operand] WHEN Whens[i] THEN Thens[i] ... [ELSE Else] END; Operand and
	// Else are nil when absent.
	Case struct {
		Operand      Expr
		Whens, Thens []Expr
		Else         Expr
	}
	// Keyword is MINVALUE, MAXVALUE, DEFAULT, TRUE/FALSE are constExpr.
	Keyword struct{ Word string }
)

func (e Const) String() string {
	if e.IsNull {
		return "NULL"
	}
	if e.IsString {
		return "'" + strings.ReplaceAll(e.Text, "'", "''") + "'"
	}
	return e.Text
}

func (e Col) String() string { return e.Name }

func (e Cast) String() string { return "(" + e.X.String() + ")::" + e.Type }

func (e Binary) String() string { return "(" + e.L.String() + " " + e.Op + " " + e.R.String() + ")" }

func (e Unary) String() string { return e.Op + e.X.String() }

func (e And) String() string { return joinExprs(e.Terms, " AND ") }

func (e Or) String() string { return joinExprs(e.Terms, " OR ") }

func (e Not) String() string { return "NOT " + e.X.String() }

func (e Func) String() string { return e.Name + joinExprs(e.Args, ", ") }

func (e Array) String() string { return "ARRAY[" + joinExprs(e.Elems, ", ") + "]" }

func (e Row) String() string { return joinExprs(e.Elems, ", ") }

func (e Keyword) String() string { return strings.ToUpper(e.Word) }

func (e Any) String() string {
	q := "ANY"
	if e.All {
		q = "ALL"
	}
	return e.L.String() + " " + e.Op + " " + q + " (" + e.R.String() + ")"
}

func (e In) String() string {
	n := ""
	if e.Not {
		n = "NOT "
	}
	return e.X.String() + " " + n + "IN " + joinExprs(e.List, ", ")
}

func (e IsNull) String() string {
	if e.Not {
		return e.X.String() + " IS NOT NULL"
	}
	return e.X.String() + " IS NULL"
}

func (e IsBool) String() string {
	s := e.X.String() + " IS "
	if e.Not {
		s += "NOT "
	}
	if e.Value {
		return s + "TRUE"
	}
	return s + "FALSE"
}

func (e Case) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	if e.Operand != nil {
		b.WriteString(" " + e.Operand.String())
	}
	for i := range e.Whens {
		b.WriteString(" WHEN " + e.Whens[i].String() + " THEN " + e.Thens[i].String())
	}
	if e.Else != nil {
		b.WriteString(" ELSE " + e.Else.String())
	}
	return b.String() + " END"
}

func joinExprs(es []Expr, sep string) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return "(" + strings.Join(parts, sep) + ")"
}

// StripCasts removes casts around an expression: (0)::numeric is 0, (status)::text is status.
func StripCasts(e Expr) Expr {
	for {
		c, ok := e.(Cast)
		if !ok {
			return e
		}
		e = c.X
	}
}
