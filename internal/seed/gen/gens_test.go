package gen

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestGuessSemantic(t *testing.T) {
	tests := []struct {
		table, column string
		want          Semantic
	}{
		{"users", "email", SemEmail},
		{"users", "contact_email", SemEmail},
		{"users", "firstName", SemFirstName},
		{"users", "last_name", SemLastName},
		{"customers", "name", SemFullName},
		{"products", "name", SemProductName},
		{"categories", "name", SemCategory},
		{"vendors", "name", SemCompany},
		{"users", "username", SemUsername},
		{"users", "phone_number", SemPhone},
		{"addresses", "address_line1", SemStreet},
		{"addresses", "city", SemCity},
		{"addresses", "postal_code", SemPostcode},
		{"addresses", "country_code", SemCountryCode},
		{"orders", "ip_address", SemIPv4},
		{"products", "sku", SemSKU},
		{"posts", "slug", SemSlug},
		{"products", "unit_price", SemPrice},
		{"orders", "total", SemPrice},
		{"order_items", "quantity", SemQuantity},
		{"users", "created_at", SemCreatedAt},
		{"users", "updated_at", SemUpdatedAt},
		{"users", "deleted_at", SemDeletedAt},
		{"users", "date_of_birth", SemBirthDate},
		{"users", "password_hash", SemSecret},
		{"orders", "status", SemStatus},
		{"posts", "body", SemParagraph},
		{"products", "description", SemSentence},
		{"payments", "currency", SemCurrency},
		{"events", "processed_at", SemTimestamp},
		{"misc", "xyzzy", SemNone},
	}
	for _, tt := range tests {
		if got := GuessSemantic(tt.table, tt.column); got != tt.want {
			t.Errorf("guessSemantic(%s, %s) = %q, want %q", tt.table, tt.column, got, tt.want)
		}
	}
}

func TestNameTokens(t *testing.T) {
	got := strings.Join(NameTokens("shippingAddress_ID"), ",")
	if got != "shipping,address,id" {
		t.Errorf("nameTokens = %s", got)
	}
}

// TestAppendUniqueNeverCollides checks the argument in appendUnique's comment: whatever the
// base strings, distinct rows give distinct values, also under case folding and length limits.
func TestAppendUniqueNeverCollides(t *testing.T) {
	for _, maxLen := range []int{0, 6, 12, 40} {
		for _, email := range []bool{false, true} {
			seen := map[string]int64{}
			rr := newRowRand(1)
			for row := int64(0); row < 20000; row++ {
				rr.at(row)
				base := []string{"a-1", "a", "A-1@x.io", "a@x.io", "Ann+3@x.io", "o'kon"}[rr.intn(6)]
				v := strings.ToLower(string(appendUnique([]byte(base), row, maxLen, email)))
				if maxLen > 0 && len([]rune(v)) > maxLen {
					t.Fatalf("value %q longer than %d", v, maxLen)
				}
				if prev, dup := seen[v]; dup {
					t.Fatalf("rows %d and %d both give %q (maxLen %d, email %v)", prev, row, v, maxLen, email)
				}
				seen[v] = row
			}
		}
	}
}

func TestGeneratorsAreDeterministic(t *testing.T) {
	r := &TextRecipe{Seed: DeriveSeed(42, "public.users", "email"), Produce: fastEmail, Unique: true, EmailStyle: true}
	a, b := r.Instantiate(NewInstContext()), r.Instantiate(NewInstContext())
	for _, row := range []int64{5, 0, 99, 5} {
		if x, y := string(a.AppendValue(nil, row)), string(b.AppendValue(nil, row)); x != y {
			t.Fatalf("row %d: %q != %q", row, x, y)
		}
	}
	other := &TextRecipe{Seed: DeriveSeed(43, "public.users", "email"), Produce: fastEmail}
	if string(other.Instantiate(NewInstContext()).AppendValue(nil, 5)) == string(a.AppendValue(nil, 5)) {
		t.Error("another seed gives the same value")
	}
}

func TestAppendDateMatchesTime(t *testing.T) {
	for _, days := range []int64{-719162, -1, 0, 59, 365 * 30, 20089, 2932896} {
		want := time.Unix(days*SecondsPerDay, 0).UTC().Format("2006-01-02")
		if got := string(appendDate(nil, days)); got != want {
			t.Errorf("appendDate(%d) = %s, want %s", days, got, want)
		}
	}
	if got := string(appendDateTime(nil, -1)); got != "1969-12-31 23:59:59" {
		t.Errorf("appendDateTime(-1) = %s", got)
	}
}

func TestAppendDecimal(t *testing.T) {
	for _, tc := range []struct {
		v     int64
		scale int
		want  string
	}{{12345, 2, "123.45"}, {-5, 2, "-0.05"}, {7, 0, "7"}, {100, 3, "0.100"}} {
		if got := string(appendDecimal(nil, tc.v, tc.scale)); got != tc.want {
			t.Errorf("appendDecimal(%d, %d) = %s, want %s", tc.v, tc.scale, got, tc.want)
		}
	}
	if v, ok := ParseDecimalUnits("-12.345", 2); !ok || v != -1234 {
		t.Errorf("parseDecimalUnits = %d, %v", v, ok)
	}
}

func TestAffinePermIsBijective(t *testing.T) {
	for _, n := range []uint64{1, 2, 7, 12, 1000, 4096} {
		p := newAffinePerm(n, 12345)
		seen := make([]bool, n)
		for i := uint64(0); i < n; i++ {
			v := p.apply(i)
			if v >= n || seen[v] {
				t.Fatalf("n=%d: %d maps to %d twice or out of range", n, i, v)
			}
			seen[v] = true
		}
	}
}

func TestComboCounterGivesDistinctTuples(t *testing.T) {
	combo := &ComboRecipe{Seed: 9, Sizes: []int64{7}, Counter: true}
	p := combo.picker(NewInstContext())
	seen := map[[2]int64]bool{}
	for row := int64(0); row < 100; row++ {
		key := [2]int64{p.digit(row, 0), p.count}
		if seen[key] {
			t.Fatalf("row %d repeats %v", row, key)
		}
		seen[key] = true
	}
}

func TestAppendEscaped(t *testing.T) {
	if got := string(appendEscaped(nil, "a\\b\tc\nd\re")); got != `a\\b\tc\nd\re` {
		t.Errorf("appendEscaped = %q", got)
	}
}

func TestRegexSamplesLoosensPostgresSyntax(t *testing.T) {
	for _, p := range []string{`^[a-z]+(?=-)[a-z-]*$`, `^\mfoo[0-9]{2}\M$`, `^[A-Z]{3}$`} {
		got := RegexSamples(p, 4)
		if len(got) == 0 {
			t.Errorf("RegexSamples(%q) made nothing", p)
		}
	}
	if got := RegexSamples("plain", 3); got != nil {
		t.Errorf("a plain string is its own candidate, got %q", got)
	}
	if a, b := RegexSamples(`^[a-z]{5}$`, 3), RegexSamples(`^[a-z]{5}$`, 3); !reflect.DeepEqual(a, b) {
		t.Errorf("samples differ between calls: %q, %q", a, b)
	}
}
