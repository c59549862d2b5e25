package plan

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
	"github.com/envmirror/envmirror/internal/seed/pgexpr"
)

// Oracle judges conditions in the database server: the CHECKs the planner does not read (an OR
// across shapes, a CASE, the schema's own functions) are asked of PostgreSQL itself, on
// candidate values, instead of being given up on.
type Oracle interface {
	// Accepts reports which candidate rows pass cond, a condition as the server prints it over
	// the columns names (of the types types, as format_type prints them); rows[i][j] is the text
	// input of column j in row i, nil for NULL. A condition that is true or NULL passes, as a
	// CHECK does; a row whose values the server refuses (a failed cast, an error the condition
	// raises) does not.
	Accepts(cond string, names, types []string, rows [][]*string) ([]bool, error)
}

// oracleCond is a CHECK condition the planner does not read.
type oracleCond struct {
	text   string
	expr   pgexpr.Expr // nil when the parser does not read it
	source string      // "CHECK constraint x", "the CHECK of domain d"
	cols   []*catalog.Column
	// valueType is, for a domain's CHECK, the type of VALUE (the condition reads VALUE, which is
	// cols[0]'s value); "" for a table's CHECK.
	valueType string
}

// The oracle's budget: the first naturalRows rows of the columns' own generators, and as many
// tuples mixing them with the condition's literals. Every candidate is a function of the seed.
const (
	naturalRows = 512
	mixedRows   = 512
)

// applyOracle settles the table's conditions the planner does not read. Conditions sharing a
// column are judged together. For each group the server judges candidate tuples: the first rows
// the columns' generators make, and tuples mixing those values with the condition's literals
// (and NULL where allowed). The columns then draw their values from the tuples that pass.
// A group with a column whose values cannot be replaced (a key, a unique column) keeps its
// generators when every row sampled passes. Otherwise the condition is named in a warning with
// the column rule that would settle it, and treated as before the oracle (see unsupported).
func (b *builder) applyOracle(tb *tableBuild) error {
	for gi, group := range groupConds(tb.oracleConds) {
		if err := b.judgeGroup(tb, gi, group); err != nil {
			return err
		}
	}
	return nil
}

// groupConds joins conditions that share a column (union-find over columns).
func groupConds(conds []oracleCond) [][]oracleCond {
	parent := make([]int, len(conds))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			i = parent[i]
		}
		return i
	}
	owner := map[*catalog.Column]int{}
	for i, c := range conds {
		for _, col := range c.cols {
			if j, ok := owner[col]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[col] = i
			}
		}
	}
	byRoot := map[int][]oracleCond{}
	var roots []int
	for i, c := range conds {
		r := find(i)
		if _, ok := byRoot[r]; !ok {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], c)
	}
	out := make([][]oracleCond, 0, len(roots))
	for _, r := range roots {
		out = append(out, byRoot[r])
	}
	return out
}

func (b *builder) judgeGroup(tb *tableBuild, gi int, group []oracleCond) error {
	cols := groupColumns(group)
	written := map[*catalog.Column]bool{}
	for _, c := range tb.tp.Columns {
		written[c] = true
	}
	replaceable := true
	for _, c := range cols {
		if !written[c] {
			// Left to its default or computed by the database: its values cannot be sampled.
			b.giveUp(tb, group, "it reads a column the generator does not write")
			return nil
		}
		replaceable = replaceable && b.oracleCanReplace(tb, c)
	}
	recipes := make([]gen.Recipe, len(cols))
	for i, c := range cols {
		recipes[i] = b.slots[c].r
	}
	natural := gen.Sample(recipes, naturalRows)
	tuples := natural
	if replaceable && len(cols) > 0 {
		tuples = append(tuples, b.mixedTuples(tb, gi, group, cols, natural)...)
	}
	tuples = b.fitting(cols, tuples)
	passed, err := b.judge(b.withOwnChecks(tb, group, cols), cols, tuples)
	if err != nil {
		b.giveUp(tb, group, err.Error())
		return nil
	}
	if !replaceable && allTrue(passed) {
		return nil // the generators' own values pass: keep them (the load checks every row)
	}
	var pool [][]*string
	seen := map[string]bool{}
	for i, ok := range passed {
		if key := tupleKey(tuples[i]); ok && !seen[key] {
			seen[key] = true
			pool = append(pool, tuples[i])
		}
	}
	if !replaceable || len(pool) == 0 {
		b.giveUp(tb, group, "no candidate value passed it in the server")
		return nil
	}
	if len(cols) == 1 && len(pool) == 1 && pool[0][0] == nil {
		b.giveUp(tb, group, "no candidate value but NULL passed it in the server")
		return nil
	}
	b.drawFromPool(tb, gi, cols, pool)
	return nil
}

// withOwnChecks adds to a group's conditions the other conditions of the table's CHECKs that read
// only the group's columns: values drawn from the tuples that pass replace the columns'
// generators, so they must pass everything those generators honoured. (A domain's CHECKs are
// judged by casting to the domain.)
func (b *builder) withOwnChecks(tb *tableBuild, group []oracleCond, cols []*catalog.Column) []oracleCond {
	out := append([]oracleCond(nil), group...)
	for _, term := range tb.checkTerms {
		inGroup := len(term.cols) > 0
		for _, c := range term.cols {
			inGroup = inGroup && indexOfColumn(cols, c) >= 0
		}
		for _, g := range group {
			inGroup = inGroup && g.text != term.text
		}
		if inGroup {
			out = append(out, term)
		}
	}
	return out
}

// fitting drops the tuples with a text longer than its column allows: a cast to varchar(n)
// would cut it silently where loading refuses it.
func (b *builder) fitting(cols []*catalog.Column, tuples [][]*string) [][]*string {
	out := tuples[:0:0]
	for _, t := range tuples {
		ok := true
		for j, c := range cols {
			if info := b.slots[c].info; t[j] != nil && info.MaxLen > 0 && info.Kind == gen.KindText {
				ok = ok && utf8.RuneCountInString(*t[j]) <= info.MaxLen
			}
		}
		if ok {
			out = append(out, t)
		}
	}
	return out
}

// judge asks the server about every condition of a group; a tuple passes when it passes all.
func (b *builder) judge(group []oracleCond, cols []*catalog.Column, tuples [][]*string) ([]bool, error) {
	passed := make([]bool, len(tuples))
	for i := range passed {
		passed[i] = true
	}
	for _, cond := range group {
		idx := make([]int, len(cond.cols))
		names := make([]string, len(cond.cols))
		types := make([]string, len(cond.cols))
		for j, c := range cond.cols {
			idx[j] = indexOfColumn(cols, c)
			names[j], types[j] = c.Name, c.TypeSQL
			if cond.valueType != "" {
				names[j], types[j] = "value", cond.valueType
			}
		}
		rows := make([][]*string, len(tuples))
		for i, t := range tuples {
			rows[i] = make([]*string, len(idx))
			for j, k := range idx {
				rows[i][j] = t[k]
			}
		}
		ok, err := b.oracle.Accepts(cond.text, names, types, rows)
		if err != nil {
			return nil, err
		}
		for i := range passed {
			passed[i] = passed[i] && ok[i]
		}
	}
	return passed, nil
}

// drawFromPool makes the group's columns draw their values from the tuples that passed: one
// column picks among its values (NULL as often as it would be otherwise, when NULL passed);
// several columns pick whole tuples, so their values stay consistent.
func (b *builder) drawFromPool(tb *tableBuild, gi int, cols []*catalog.Column, pool [][]*string) {
	seed := gen.DeriveSeed(b.spec.Seed, tb.tp.Table.QualifiedName(), "oracle", fmt.Sprint(gi))
	if len(cols) == 1 {
		c := cols[0]
		var values []string
		nullPassed := false
		for _, t := range pool {
			if t[0] == nil {
				nullPassed = true
			} else {
				values = append(values, *t[0])
			}
		}
		np := 0
		if nullPassed {
			np = b.nullPermille(tb, c, gen.GuessSemantic(c.Table.Name, c.Name))
		}
		b.slots[c].r = &gen.ChoiceRecipe{Seed: seed, Values: values, NullPermille: np}
		return
	}
	tuple := &gen.TupleRecipe{Seed: seed, Tuples: pool}
	for i, c := range cols {
		b.slots[c].r = &gen.TupleColumnRecipe{Tuple: tuple, Index: i}
	}
}

// oracleCanReplace says whether a column's generator may be swapped for a draw from judged
// values: not a key, not a column whose values must differ per row, not the user's rule.
func (b *builder) oracleCanReplace(tb *tableBuild, c *catalog.Column) bool {
	if _, ruled := b.rules[c]; ruled {
		return false
	}
	_, inCombo := tb.combo[c]
	return tb.fkOf[c] == nil && !inCombo && !tb.partKeys[c.Name] && !tb.rowUnique[c] && !tb.inUnique[c] && !b.uniqueText(c)
}

// uniqueText says whether a column was planned to hold distinct values per row without a key
// saying so (unique-looking text such as emails).
func (b *builder) uniqueText(c *catalog.Column) bool {
	r, ok := b.slots[c].r.(*gen.TextRecipe)
	return ok && r.Unique
}

// giveUp names a condition nothing honours and falls back to leaving a nullable column NULL.
func (b *builder) giveUp(tb *tableBuild, group []oracleCond, why string) {
	for _, cond := range group {
		b.unsupported(tb, cond, why)
		for _, c := range cond.cols {
			if tb.nullOnly[c] {
				b.slots[c].r = &gen.NullRecipe{}
			}
		}
	}
}

func groupColumns(group []oracleCond) []*catalog.Column {
	var cols []*catalog.Column
	for _, cond := range group {
		for _, c := range cond.cols {
			if indexOfColumn(cols, c) < 0 {
				cols = append(cols, c)
			}
		}
	}
	sort.SliceStable(cols, func(i, j int) bool { return cols[i].Num < cols[j].Num })
	return cols
}

func indexOfColumn(cols []*catalog.Column, c *catalog.Column) int {
	for i, x := range cols {
		if x == c {
			return i
		}
	}
	return -1
}

func allTrue(bs []bool) bool {
	for _, b := range bs {
		if !b {
			return false
		}
	}
	return true
}

func tupleKey(t []*string) string {
	var sb strings.Builder
	for _, v := range t {
		if v == nil {
			sb.WriteString("\x00N")
		} else {
			sb.WriteString("\x00v")
			sb.WriteString(*v)
		}
	}
	return sb.String()
}
