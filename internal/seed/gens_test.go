package seed

import (
	"strings"
	"testing"
	"time"
)

func TestGuessSemantic(t *testing.T) {
	tests := []struct {
		table, column string
		want          semantic
	}{
		{"users", "email", semEmail},
		{"users", "contact_email", semEmail},
		{"users", "firstName", semFirstName},
		{"users", "last_name", semLastName},
		{"customers", "name", semFullName},
		{"products", "name", semProductName},
		{"categories", "name", semCategory},
		{"vendors", "name", semCompany},
		{"users", "username", semUsername},
		{"users", "phone_number", semPhone},
		{"addresses", "address_line1", semStreet},
		{"addresses", "city", semCity},
		{"addresses", "postal_code", semPostcode},
		{"addresses", "country_code", semCountryCode},
		{"orders", "ip_address", semIPv4},
		{"products", "sku", semSKU},
		{"posts", "slug", semSlug},
		{"products", "unit_price", semPrice},
		{"orders", "total", semPrice},
		{"order_items", "quantity", semQuantity},
		{"users", "created_at", semCreatedAt},
		{"users", "updated_at", semUpdatedAt},
		{"users", "deleted_at", semDeletedAt},
		{"users", "date_of_birth", semBirthDate},
		{"users", "password_hash", semSecret},
		{"orders", "status", semStatus},
		{"posts", "body", semParagraph},
		{"products", "description", semSentence},
		{"payments", "currency", semCurrency},
		{"events", "processed_at", semTimestamp},
		{"misc", "xyzzy", semNone},
	}
	for _, tt := range tests {
		if got := guessSemantic(tt.table, tt.column); got != tt.want {
			t.Errorf("guessSemantic(%s, %s) = %q, want %q", tt.table, tt.column, got, tt.want)
		}
	}
}

func TestNameTokens(t *testing.T) {
	got := strings.Join(nameTokens("shippingAddress_ID"), ",")
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
	r := &textRecipe{seed: deriveSeed(42, "public.users", "email"), produce: fastEmail, unique: true, emailStyle: true}
	a, b := r.instantiate(newInstContext()), r.instantiate(newInstContext())
	for _, row := range []int64{5, 0, 99, 5} {
		if x, y := string(a.appendValue(nil, row)), string(b.appendValue(nil, row)); x != y {
			t.Fatalf("row %d: %q != %q", row, x, y)
		}
	}
	other := &textRecipe{seed: deriveSeed(43, "public.users", "email"), produce: fastEmail}
	if string(other.instantiate(newInstContext()).appendValue(nil, 5)) == string(a.appendValue(nil, 5)) {
		t.Error("another seed gives the same value")
	}
}

func TestAppendDateMatchesTime(t *testing.T) {
	for _, days := range []int64{-719162, -1, 0, 59, 365 * 30, 20089, 2932896} {
		want := time.Unix(days*secondsPerDay, 0).UTC().Format("2006-01-02")
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
	if v, ok := parseDecimalUnits("-12.345", 2); !ok || v != -1234 {
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
	combo := &comboRecipe{seed: 9, sizes: []int64{7}, counter: true}
	p := combo.picker(newInstContext())
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
