package plan

import (
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
	"github.com/envmirror/envmirror/internal/seed/gen"
)

// Rows should read as one story: a customer's email is made of the customer's name, an account
// is updated after it was created and an order placed after its customer signed up, a booking
// ends after it starts. This file finds what a schema implies without saying.

// personParts are the semantics that describe the person a row is about.
var personParts = map[gen.Semantic]gen.PersonPart{
	gen.SemFirstName: gen.PartFirstName, gen.SemLastName: gen.PartLastName, gen.SemFullName: gen.PartFullName,
	gen.SemEmail: gen.PartEmail, gen.SemUsername: gen.PartUsername,
}

// planPersons makes the row's name, email and username columns describe one person, when the
// table has at least two of them that the generator is free to write, or a full name that must
// be unique (then every row is another person, whose name stays a name).
func (b *builder) planPersons(tb *tableBuild) {
	t := tb.tp.Table
	parts := map[*catalog.Column]gen.PersonPart{}
	distinct := false
	for _, c := range t.Columns {
		part, ok := personParts[gen.GuessSemantic(t.Name, c.Name)]
		if !ok || !b.freeText(tb, c) {
			continue
		}
		if tb.rowUnique[c] && (part == gen.PartFirstName || part == gen.PartLastName) {
			continue // a unique first name alone cannot stay a name past the list: see textRecipe
		}
		distinct = distinct || tb.rowUnique[c] && part == gen.PartFullName
		parts[c] = part
	}
	if len(parts) < 2 && !distinct {
		return
	}
	tb.person = &gen.PersonRecipe{Seed: gen.DeriveSeed(b.spec.Seed, t.QualifiedName(), "person"), Distinct: distinct}
	tb.personParts = parts
}

// freeText says whether a column is text the generator chooses freely: not a key's, not a
// rule's, not constrained to a list or a pattern (an email pattern excepted: person emails
// have the shape every email pattern asks).
func (b *builder) freeText(tb *tableBuild, c *catalog.Column) bool {
	if b.slots[c].info.Kind != gen.KindText || c.Generated != 0 || tb.fkOf[c] != nil || tb.partKeys[c.Name] || tb.nullOnly[c] {
		return false
	}
	if _, ruled := b.rules[c]; ruled {
		return false
	}
	if _, inCombo := tb.combo[c]; inCombo {
		return false
	}
	for _, cond := range tb.oracleConds {
		if indexOfColumn(cond.cols, c) >= 0 {
			return false // the server decides what passes
		}
	}
	if f := tb.facts[c.Name]; f != nil {
		if len(f.allowed[c.Name]) > 0 || f.minLength[c.Name] > 0 {
			return false
		}
		for _, p := range f.patterns[c.Name] {
			if !strings.Contains(p, "@") {
				return false
			}
		}
	}
	return true
}

// personRecipe writes a column that describes the row's person.
func (b *builder) personRecipe(tb *tableBuild, c *catalog.Column, part gen.PersonPart) gen.Recipe {
	maxLen := b.slots[c].info.MaxLen
	if f := tb.facts[c.Name]; f != nil && f.maxLength[c.Name] > 0 && (maxLen == 0 || f.maxLength[c.Name] < maxLen) {
		maxLen = f.maxLength[c.Name]
	}
	return &gen.PersonColumnRecipe{
		Person: tb.person, Part: part, MaxLen: maxLen, Seed: b.seedOf(c),
		Unique:       tb.rowUnique[c] || looksUnique(c),
		NullPermille: b.nullPermille(tb, c, gen.GuessSemantic(c.Table.Name, c.Name)),
	}
}

// looksUnique says whether a column's name says its values identify a row (an email, a
// username, a slug, a token, a code): people expect them distinct even without a unique index.
func looksUnique(c *catalog.Column) bool {
	switch gen.GuessSemantic(c.Table.Name, c.Name) {
	case gen.SemEmail, gen.SemUsername, gen.SemSlug, gen.SemCode:
		return true
	case gen.SemSecret:
		return strings.Contains(strings.ToLower(c.Name), "token") || strings.Contains(strings.ToLower(c.Name), "key")
	}
	return false
}

// startWords name the start of a span; endWords[i] its possible ends.
var spanWords = map[string][]string{
	"start": {"end", "finish", "stop"}, "starts": {"ends", "finishes", "stops"}, "started": {"ended", "finished", "stopped", "completed"},
	"begin": {"end"}, "begins": {"ends"}, "from": {"to", "until", "till", "through", "thru"}, "open": {"close"},
	"opens": {"closes"}, "opened": {"closed"}, "checkin": {"checkout"}, "arrival": {"departure"}, "min": {"max"},
}

// impliedRelations are the orders a table's column names imply: updated and deleted after
// created, a span's end after its start (starts_at/ends_at, valid_from/valid_until,
// period_start/period_end).
func impliedRelations(t *catalog.Table, rels []relation) []relation {
	var out []relation
	add := func(later, earlier *catalog.Column) {
		if later != nil && earlier != nil && later != earlier && !relatedPair(rels, later.Name, earlier.Name) &&
			!relatedPair(out, later.Name, earlier.Name) {
			out = append(out, relation{left: later.Name, op: ">=", right: earlier.Name, implied: true})
		}
	}
	created := firstWithSemantic(t, gen.SemCreatedAt)
	add(firstWithSemantic(t, gen.SemUpdatedAt), created)
	add(firstWithSemantic(t, gen.SemDeletedAt), created)
	for _, c := range t.Columns {
		words := gen.NameTokens(c.Name)
		for i, w := range words {
			for _, end := range spanWords[w] {
				other := append(append(append([]string(nil), words[:i]...), end), words[i+1:]...)
				add(columnWithTokens(t, other), c)
			}
		}
	}
	return out
}

func firstWithSemantic(t *catalog.Table, sem gen.Semantic) *catalog.Column {
	for _, c := range t.Columns {
		if gen.GuessSemantic(t.Name, c.Name) == sem {
			return c
		}
	}
	return nil
}

func columnWithTokens(t *catalog.Table, words []string) *catalog.Column {
	for _, c := range t.Columns {
		if strings.Join(gen.NameTokens(c.Name), "_") == strings.Join(words, "_") {
			return c
		}
	}
	return nil
}

// followParents makes a row's creation time come after its parents': an order's created_at
// after its customer's, a review's after its order's. Parents are read through the row's own
// foreign key picks (not deferred, not the table itself).
func (b *builder) followParents(tb *tableBuild) {
	t := tb.tp.Table
	child := firstWithSemantic(t, gen.SemCreatedAt)
	if child == nil {
		return
	}
	r, ok := b.slots[child].r.(*gen.OrdinalRecipe)
	if !ok || r.Unique {
		return
	}
	for _, fk := range t.ForeignKeys {
		if fk.RefTable == t || b.deferred[fk] || len(fk.Columns) == 0 || tb.fkOf[fk.Columns[0]] == nil {
			continue
		}
		parent := firstWithSemantic(fk.RefTable, gen.SemCreatedAt)
		if parent == nil || b.slots[parent].info.OrdinalFamily() != b.slots[child].info.OrdinalFamily() {
			continue
		}
		r.Lower = append(r.Lower, gen.OrdRef{Ref: &gen.ParentValueRecipe{FK: tb.fkOf[fk.Columns[0]], Parent: b.slots[parent]}})
	}
}
