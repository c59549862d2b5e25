package contract

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// SpecEnv is the environment variable the seeding Job reads its Spec from (as JSON).
const SpecEnv = "ENVMIRROR_SEED_SPEC"

// DefaultRowsPerTable is the row count of tables the spec does not name, when the spec does not
// set one (the API's default).
const DefaultRowsPerTable = 1000

// MaxRowsPerTable bounds row counts, as the API does.
const MaxRowsPerTable = 100_000_000

// Spec is what the seeding program is asked to do. The operator builds it from a DatabaseSpec
// (SpecFromAPI) and passes it to the Job as JSON in ENVMIRROR_SEED_SPEC.
type Spec struct {
	// Seed makes the data reproducible: the same schema, counts and seed give the same bytes.
	Seed int64 `json:"seed"`
	// DefaultRows is the row count of tables not named in Tables.
	DefaultRows int64 `json:"defaultRows"`
	// Tables sets row counts by "schema.table" or "table" (a bare name matches that table in
	// every schema).
	Tables map[string]int64 `json:"tables,omitempty"`
	// Columns override the generator chosen for a column.
	Columns []ColumnRule `json:"columns,omitempty"`
	// Scale seeds each table with this fraction of prod's estimated rows (0 < Scale <= 1; 0 is
	// unset). It needs prod's statistics, which the schema Job copies (SchemaJobScript); tables
	// named in Tables keep their count, tables without an estimate get DefaultRows.
	Scale float64 `json:"scale,omitempty"`
	// MinRows and MaxRows bound each scaled table's count (0 is unset).
	MinRows int64 `json:"minRows,omitempty"`
	MaxRows int64 `json:"maxRows,omitempty"`
}

// ColumnRule sets the generator of one column.
type ColumnRule struct {
	Table     string   `json:"table"`
	Column    string   `json:"column"`
	Generator string   `json:"generator"`
	Values    []string `json:"values,omitempty"`
}

// Generators are the generator names a ColumnRule may use: exactly v1alpha1.ColumnGenerator's enum.
var Generators = []string{
	"email", "firstName", "lastName", "fullName", "username", "phone", "street", "city", "state",
	"postcode", "country", "countryCode", "company", "jobTitle", "url", "domain", "ipv4", "ipv6",
	"uuid", "word", "sentence", "paragraph", "productName", "price", "currency", "date",
	"timestamp", "boolean", "integer", "decimal", "null", "constant", "oneOf",
}

func isGenerator(name string) bool {
	for _, g := range Generators {
		if g == name {
			return true
		}
	}
	return false
}

// Hash identifies the spec: equal specs hash equally; any change that alters the data changes it.
// The operator stores it in status and reseeds from scratch when it changes.
func (s Spec) Hash() string {
	canonical := s
	if len(canonical.Tables) == 0 {
		canonical.Tables = nil
	}
	// encoding/json writes map keys sorted, so the encoding is canonical.
	b, err := json.Marshal(canonical)
	if err != nil {
		// A Spec holds only strings and numbers: Marshal cannot fail.
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// ParseSpec decodes and validates a Spec from JSON. Unknown fields are rejected so a typo does
// not silently seed the defaults.
func ParseSpec(data []byte) (Spec, error) {
	var s Spec
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Spec{}, fmt.Errorf("seed spec: %w", err)
	}
	if dec.More() {
		return Spec{}, fmt.Errorf("seed spec: unexpected data after the JSON object")
	}
	if err := s.Validate(); err != nil {
		return Spec{}, err
	}
	return s, nil
}

// Validate reports the first problem of a spec, naming the field.
func (s Spec) Validate() error {
	if s.DefaultRows < 0 || s.DefaultRows > MaxRowsPerTable {
		return fmt.Errorf("seed spec: defaultRows %d is outside 0..%d", s.DefaultRows, MaxRowsPerTable)
	}
	if err := s.validateScale(); err != nil {
		return err
	}
	names := make([]string, 0, len(s.Tables))
	for name := range s.Tables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		n := s.Tables[name]
		if strings.TrimSpace(name) == "" {
			return fmt.Errorf("seed spec: tables has an empty table name")
		}
		if n < 0 || n > MaxRowsPerTable {
			return fmt.Errorf("seed spec: tables[%q] = %d is outside 0..%d", name, n, MaxRowsPerTable)
		}
	}
	for i, c := range s.Columns {
		where := fmt.Sprintf("seed spec: columns[%d] (%s.%s)", i, c.Table, c.Column)
		switch {
		case c.Table == "" || c.Column == "":
			return fmt.Errorf("%s: table and column are required", where)
		case !isGenerator(c.Generator):
			return fmt.Errorf("%s: unknown generator %q (known: %s)", where, c.Generator, strings.Join(Generators, ", "))
		case c.Generator == "constant" && len(c.Values) != 1:
			return fmt.Errorf("%s: the constant generator takes exactly one value, got %d", where, len(c.Values))
		case c.Generator == "oneOf" && len(c.Values) == 0:
			return fmt.Errorf("%s: the oneOf generator needs values", where)
		case c.Generator != "constant" && c.Generator != "oneOf" && len(c.Values) > 0:
			return fmt.Errorf("%s: values are only used by the constant and oneOf generators", where)
		}
	}
	return nil
}

func (s Spec) validateScale() error {
	switch {
	case s.Scale < 0 || s.Scale > 1 || s.Scale != s.Scale:
		return fmt.Errorf("seed spec: scale %v is outside (0, 1]", s.Scale)
	case s.MinRows < 0 || s.MinRows > MaxRowsPerTable:
		return fmt.Errorf("seed spec: minRows %d is outside 0..%d", s.MinRows, MaxRowsPerTable)
	case s.MaxRows < 0 || s.MaxRows > MaxRowsPerTable:
		return fmt.Errorf("seed spec: maxRows %d is outside 0..%d", s.MaxRows, MaxRowsPerTable)
	case s.MaxRows > 0 && s.MinRows > s.MaxRows:
		return fmt.Errorf("seed spec: minRows %d is above maxRows %d", s.MinRows, s.MaxRows)
	}
	return nil
}

// ScaledRows is a table's row count under Scale: the fraction of prod's estimate, rounded, within
// MinRows and MaxRows. ok is false when the spec does not scale or prod's estimate is unknown
// (negative: the table was never analyzed).
func (s Spec) ScaledRows(prodRows float64) (rows int64, ok bool) {
	if s.Scale <= 0 || prodRows < 0 {
		return 0, false
	}
	n := int64(prodRows*s.Scale + 0.5)
	if s.MinRows > 0 && n < s.MinRows {
		n = s.MinRows
	}
	if s.MaxRows > 0 && n > s.MaxRows {
		n = s.MaxRows
	}
	return min(n, MaxRowsPerTable), true
}
