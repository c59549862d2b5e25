package gen

import (
	"strconv"

	"github.com/brianvoe/gofakeit/v7"
)

// JSON values have the shape a real column's would: every row of a column holds the same
// attributes with values of the same types (a column has a schema, even in jsonb), named after
// what the column holds when its name says (an address, settings, tags).

// jsonKey is one attribute of a column's objects.
type jsonKey struct {
	name string
	kind int // jsonWord, jsonInt, ...
}

const (
	jsonWord = iota
	jsonInt
	jsonBool
	jsonDecimal
	jsonCity
	jsonStreet
	jsonPostcode
	jsonCountry
	jsonLocale
	jsonTheme
	jsonTimezone
)

// lexJSONKey are attribute names for generated JSON objects.
var lexJSONKey = wordList{"color", "size", "material", "weight", "origin", "brand", "style", "rating",
	"warranty", "pattern", "finish", "season", "fit", "capacity", "grade", "edition", "version", "source",
	"channel", "campaign", "device", "locale", "theme", "plan", "tier", "flag", "score", "label"}

// jsonKinds are the value types of lexJSONKey's attributes, by name.
var jsonKinds = map[string]int{"weight": jsonDecimal, "rating": jsonInt, "warranty": jsonInt, "capacity": jsonInt,
	"version": jsonInt, "flag": jsonBool, "score": jsonDecimal, "locale": jsonLocale, "theme": jsonTheme}

var (
	addressKeys  = []jsonKey{{"street", jsonStreet}, {"city", jsonCity}, {"postcode", jsonPostcode}, {"country", jsonCountry}}
	settingsKeys = []jsonKey{{"theme", jsonTheme}, {"locale", jsonLocale}, {"notifications", jsonBool}, {"timezone", jsonTimezone}}
)

// columnKeys picks a column's attributes: three to five of lexJSONKey, fixed by the seed.
func columnKeys(seed uint64) []jsonKey {
	rr := newRowRand(seed)
	rr.at(-1)
	n := int(rr.between(3, 5))
	var keys []jsonKey
	for len(keys) < n {
		name := lexJSONKey.pick(rr)
		dup := false
		for _, k := range keys {
			dup = dup || k.name == name
		}
		if !dup {
			keys = append(keys, jsonKey{name: name, kind: jsonKinds[name]})
		}
	}
	return keys
}

func (k jsonKey) appendValue(dst []byte, rr *rowRand, quoted bool) []byte {
	str := func(s string) []byte {
		if quoted {
			return jsonQuote(dst, s)
		}
		return append(dst, s...)
	}
	switch k.kind {
	case jsonInt:
		return strconv.AppendInt(dst, rr.between(1, 100), 10)
	case jsonBool:
		return strconv.AppendBool(dst, rr.intn(2) == 0)
	case jsonDecimal:
		return appendDecimal(dst, rr.between(1, 100_000), 2)
	case jsonCity:
		return str(lexCity.pick(rr))
	case jsonStreet:
		return str(string(fastStreet(rr, nil)))
	case jsonPostcode:
		return str(string(fastPostcode(rr, nil)))
	case jsonCountry:
		return str(lexCountryAbr.pick(rr))
	case jsonLocale:
		return str(languageCodes.pick(rr))
	case jsonTheme:
		return str(wordList{"light", "dark", "system"}.pick(rr))
	case jsonTimezone:
		return str(timezones.pick(rr))
	}
	return str(lexNoun.pick(rr))
}

func jsonQuote(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, `\u00`...)
			dst = append(dst, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// JSONFn makes a column's JSON values. shape is what a CHECK demands of jsonb_typeof (array,
// string, number, boolean, object; "" when nothing): arrays are lists of words; objects have the
// column's attributes (an address's for address columns, settings' for settings and preferences,
// otherwise three to five fixed by the seed). A column named like tags gets arrays when no
// shape is demanded.
func JSONFn(shape string, sem Semantic, columnName string, seed uint64) AppendFn {
	if shape == "" && isListName(columnName) {
		shape = "array"
	}
	switch shape {
	case "array":
		return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
			dst = append(dst, '[')
			for i := int64(0); i < rr.between(0, 4); i++ {
				if i > 0 {
					dst = append(dst, ", "...)
				}
				dst = jsonQuote(dst, lexNoun.pick(rr))
			}
			return append(dst, ']')
		}
	case "string":
		return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
			return jsonQuote(dst, lexNoun.pick(rr))
		}
	case "number":
		return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
			return strconv.AppendInt(dst, rr.between(0, 1000), 10)
		}
	case "boolean":
		return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
			return strconv.AppendBool(dst, rr.intn(2) == 0)
		}
	}
	keys := columnKeys(seed)
	switch {
	case sem == SemStreet || containsWord(columnName, "address", "location"):
		keys = addressKeys
	case containsWord(columnName, "settings", "preferences", "prefs", "config", "options"):
		keys = settingsKeys
	}
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = jsonQuote(dst, k.name)
			dst = append(dst, ": "...)
			dst = k.appendValue(dst, rr, true)
		}
		return append(dst, '}')
	}
}

func isListName(name string) bool {
	return containsWord(name, "tags", "labels", "keywords", "categories", "topics")
}

func containsWord(name string, words ...string) bool {
	for _, w := range NameTokens(name) {
		for _, x := range words {
			if w == x {
				return true
			}
		}
	}
	return false
}
