package gen

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/brianvoe/gofakeit/v7"
)

// Semantic is what a column holds, guessed from its name (and its table's name) or set by a
// column rule. The names that are also generator names mean the same.
type Semantic string

const (
	SemNone        Semantic = ""
	SemEmail       Semantic = "email"
	SemFirstName   Semantic = "firstName"
	SemLastName    Semantic = "lastName"
	SemFullName    Semantic = "fullName"
	SemUsername    Semantic = "username"
	SemPhone       Semantic = "phone"
	SemStreet      Semantic = "street"
	SemCity        Semantic = "city"
	SemState       Semantic = "state"
	SemPostcode    Semantic = "postcode"
	SemCountry     Semantic = "country"
	SemCountryCode Semantic = "countryCode"
	SemCompany     Semantic = "company"
	SemJobTitle    Semantic = "jobTitle"
	SemURL         Semantic = "url"
	SemDomain      Semantic = "domain"
	SemIPv4        Semantic = "ipv4"
	SemIPv6        Semantic = "ipv6"
	SemUUID        Semantic = "uuid"
	SemWord        Semantic = "word"
	SemSentence    Semantic = "sentence"
	SemParagraph   Semantic = "paragraph"
	SemProductName Semantic = "productName"
	SemPrice       Semantic = "price"
	SemCurrency    Semantic = "currency"
	SemDate        Semantic = "date"
	SemTimestamp   Semantic = "timestamp"
	SemBoolean     Semantic = "boolean"
	SemInteger     Semantic = "integer"
	SemDecimal     Semantic = "decimal"

	// Guessed only, never named by rules.
	SemSlug      Semantic = "slug"
	SemSKU       Semantic = "sku"
	SemCode      Semantic = "code"
	SemSecret    Semantic = "secret"
	SemTitle     Semantic = "title"
	SemCategory  Semantic = "category"
	SemColor     Semantic = "color"
	SemLanguage  Semantic = "language"
	SemTimezone  Semantic = "timezone"
	SemGender    Semantic = "gender"
	SemStatus    Semantic = "status"
	SemLatitude  Semantic = "latitude"
	SemLongitude Semantic = "longitude"
	SemQuantity  Semantic = "quantity"
	SemAge       Semantic = "age"
	SemYear      Semantic = "year"
	SemRating    Semantic = "rating"
	SemPercent   Semantic = "percent"
	SemCount     Semantic = "count"
	SemPosition  Semantic = "position"
	SemBirthDate Semantic = "birthDate"
	SemCreatedAt Semantic = "createdAt"
	SemUpdatedAt Semantic = "updatedAt"
	SemDeletedAt Semantic = "deletedAt"
	SemFutureAt  Semantic = "futureAt"
	SemMAC       Semantic = "mac"
)

// NameTokens splits a column name into lower-case words: "shippingAddress_id" -> shipping,
// address, id.
func NameTokens(name string) []string {
	var words []string
	var cur []rune
	prevLower := false
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for _, r := range name {
		switch {
		case r == '_' || r == '-' || r == ' ' || r == '.':
			flush()
			prevLower = false
		case unicode.IsUpper(r) && prevLower:
			flush()
			cur = append(cur, r)
			prevLower = false
		default:
			cur = append(cur, r)
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		}
	}
	flush()
	return words
}

type nameRule struct {
	sem Semantic
	// compact names (words joined, e.g. "firstname") and single words that select the rule.
	compact []string
	words   []string
}

// nameRules are tried in order; the first match wins. Compact names match the whole column
// name; words match any word of it.
var nameRules = []nameRule{
	{SemEmail, []string{"email", "emailaddress", "mail"}, []string{"email"}},
	{SemFirstName, []string{"firstname", "givenname", "forename"}, nil},
	{SemLastName, []string{"lastname", "surname", "familyname"}, []string{"surname"}},
	{SemFullName, []string{"fullname", "displayname", "contactname", "customername", "author", "authorname", "ownername", "recipient", "recipientname"}, nil},
	{SemUsername, []string{"username", "login", "handle", "nickname", "screenname", "userhandle"}, nil},
	{SemPhone, nil, []string{"phone", "mobile", "telephone", "tel", "fax", "cell", "msisdn"}},
	{SemIPv4, []string{"ip", "ipaddress", "ipaddr", "remoteaddr", "remoteip", "clientip", "lastip"}, nil},
	{SemMAC, []string{"mac", "macaddress", "macaddr", "clientmac"}, nil},
	{SemStreet, []string{"address", "addressline", "addressline1", "addressline2", "line1", "line2", "addr", "streetaddress", "address1", "address2"}, []string{"street"}},
	{SemCity, []string{"city", "town", "locality"}, []string{"city"}},
	{SemPostcode, []string{"zip", "zipcode", "postcode", "postalcode", "postal"}, []string{"zip", "postcode", "zipcode"}},
	{SemCountryCode, []string{"countrycode", "countryiso", "isocountry", "countryiso2", "iso2"}, nil},
	{SemCountry, []string{"country", "nationality"}, []string{"country"}},
	{SemState, []string{"state", "province", "region", "county", "statecode"}, []string{"province"}},
	{SemCurrency, []string{"currency", "currencycode", "ccy"}, []string{"currency"}},
	{SemURL, []string{"url", "website", "homepage", "link", "href", "uri", "avatar", "image", "photo", "picture", "thumbnail", "logo"}, []string{"url", "uri", "website"}},
	{SemDomain, []string{"domain", "hostname", "host", "domainname"}, nil},
	{SemCompany, []string{"company", "organization", "organisation", "employer", "vendor", "supplier", "brand", "businessname", "companyname", "merchant"}, []string{"company"}},
	{SemJobTitle, []string{"jobtitle", "occupation", "job", "profession"}, nil},
	{SemSlug, []string{"slug", "permalink", "handleslug"}, []string{"slug"}},
	{SemSKU, []string{"sku", "productcode", "partnumber", "barcode", "ean", "upc", "isbn"}, []string{"sku"}},
	{SemSecret, []string{"password", "passwd", "passwordhash", "secret", "token", "apikey", "salt", "hash", "digest", "signature", "otp", "accesstoken", "refreshtoken"}, []string{"password", "secret", "token", "hash"}},
	{SemParagraph, []string{"body", "content", "bio", "about", "text", "details", "html", "markdown"}, []string{"body", "bio"}},
	{SemSentence, []string{"description", "desc", "notes", "note", "comment", "comments", "summary", "remarks", "message", "reason", "caption", "subject", "headline"}, []string{"description", "notes", "comment"}},
	{SemTitle, []string{"title"}, []string{"title"}},
	{SemColor, []string{"color", "colour"}, []string{"color", "colour"}},
	{SemLanguage, []string{"language", "locale", "lang", "languagecode"}, nil},
	{SemTimezone, []string{"timezone", "tz", "tzname"}, nil},
	{SemGender, []string{"gender", "sex"}, nil},
	{SemStatus, []string{"status", "state", "kind", "type", "stage", "phase"}, []string{"status"}},
	{SemLatitude, []string{"lat", "latitude"}, []string{"latitude"}},
	{SemLongitude, []string{"lng", "lon", "long", "longitude"}, []string{"longitude"}},
	{SemPrice, []string{"price", "amount", "total", "subtotal", "cost", "balance", "fee", "tax", "discount", "revenue", "salary", "payment", "charge", "spend", "budget", "value"}, []string{"price", "amount", "total", "cost", "fee", "tax", "salary", "revenue", "balance"}},
	{SemQuantity, []string{"quantity", "qty", "units"}, []string{"quantity", "qty"}},
	{SemAge, []string{"age"}, nil},
	{SemYear, []string{"year"}, []string{"year"}},
	{SemRating, []string{"rating", "stars", "score", "grade"}, []string{"rating", "stars"}},
	{SemPercent, []string{"percent", "pct", "percentage", "ratio", "rate"}, []string{"percent", "percentage", "pct"}},
	{SemCount, []string{"count", "stock", "inventory", "points", "views", "likes", "visits", "attempts", "retries"}, []string{"count", "stock", "points"}},
	{SemPosition, []string{"position", "sortorder", "sort", "rank", "priority", "sequence", "seq", "lineno", "linenumber", "ordinal", "idx", "index", "order"}, []string{"position", "rank", "priority"}},
	{SemBirthDate, []string{"dob", "birthday", "birthdate", "dateofbirth", "born", "bornon", "bornat"}, []string{"birth", "birthday"}},
	{SemCreatedAt, []string{"createdat", "created", "insertedat", "createdon", "registeredat", "signedupat", "joinedat", "occurredat", "timestamp"}, []string{"created"}},
	{SemUpdatedAt, []string{"updatedat", "modifiedat", "changedat", "updated", "modified", "updatedon", "lastmodified"}, []string{"updated", "modified"}},
	{SemDeletedAt, []string{"deletedat", "archivedat", "removedat", "cancelledat", "canceledat", "deleted", "archived", "bannedat", "revokedat"}, []string{"deleted", "archived"}},
	{SemFutureAt, []string{"expiresat", "expiry", "expires", "expiration", "dueat", "duedate", "due", "validuntil", "endsat", "enddate", "deadline", "expireson"}, []string{"expires", "expiry", "due", "deadline"}},
	{SemUUID, []string{"uuid", "guid", "externalid", "publicid"}, []string{"uuid", "guid"}},
	{SemProductName, []string{"productname", "itemname"}, nil},
	{SemCode, []string{"code", "couponcode", "promocode", "vouchercode", "referralcode", "invitecode", "shortcode", "accesscode"}, nil},
}

// tableKinds guesses what a table's "name" column holds from the table's name.
var tableKinds = []struct {
	sem   Semantic
	words []string
}{
	{SemProductName, []string{"product", "products", "item", "items", "article", "articles", "sku", "skus", "goods", "listing", "listings"}},
	{SemCompany, []string{"company", "companies", "organization", "organizations", "organisation", "organisations", "vendor", "vendors", "supplier", "suppliers", "brand", "brands", "merchant", "merchants", "store", "stores", "shop", "shops", "tenant", "tenants"}},
	{SemCategory, []string{"category", "categories", "tag", "tags", "genre", "genres", "group", "groups", "department", "departments", "team", "teams", "role", "roles", "type", "types", "label", "labels", "collection", "collections", "topic", "topics"}},
	{SemCity, []string{"city", "cities"}},
	{SemCountry, []string{"country", "countries"}},
}

// GuessSemantic guesses what a column holds from its name, and for a bare "name" from its table.
func GuessSemantic(table, column string) Semantic {
	words := NameTokens(column)
	compact := strings.Join(words, "")
	for _, r := range nameRules {
		for _, c := range r.compact {
			if compact == c {
				return r.sem
			}
		}
	}
	for _, r := range nameRules {
		for _, w := range r.words {
			for _, word := range words {
				if word == w {
					return r.sem
				}
			}
		}
	}
	if compact == "name" {
		for _, k := range tableKinds {
			for _, tw := range NameTokens(table) {
				for _, w := range k.words {
					if tw == w {
						return k.sem
					}
				}
			}
		}
		return SemFullName
	}
	if len(words) > 0 && words[len(words)-1] == "name" {
		return SemFullName
	}
	if len(words) > 0 && (words[len(words)-1] == "at" || words[len(words)-1] == "on") {
		return SemTimestamp
	}
	return SemNone
}

var statusWords = wordList{"active", "inactive", "pending", "archived"}
var genderWords = wordList{"female", "male", "nonbinary", "unspecified"}
var languageCodes = wordList{"en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "ja", "zh", "ko"}
var timezones = wordList{"UTC", "Europe/Berlin", "Europe/London", "Europe/Paris", "America/New_York", "America/Chicago", "America/Los_Angeles", "Asia/Tokyo", "Asia/Singapore", "Australia/Sydney"}
var currencies = wordList{"EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK"}

func pickString(f *gofakeit.Faker, list []string) string { return list[f.IntN(len(list))] }

// TextProducer returns the producer of a semantic's strings, given the length limit.
func TextProducer(sem Semantic, maxLen int) textFn {
	if p, ok := fixedProducers[sem]; ok {
		return p
	}
	switch sem {
	case SemState:
		if maxLen > 0 && maxLen < 6 {
			return pickFn(lexStateAbr)
		}
		return pickFn(lexState)
	case SemCountry:
		if maxLen > 0 && maxLen <= 3 {
			return pickFn(lexCountryAbr)
		}
		return pickFn(lexCountry)
	case SemCode:
		return func(rr *rowRand, dst []byte) []byte {
			for i := 0; i < 4; i++ {
				dst = append(dst, byte('A'+rr.intn(26)))
			}
			return dst
		}
	case SemSecret:
		return func(rr *rowRand, dst []byte) []byte {
			for i := 0; i < 4; i++ {
				v := rr.u64()
				for j := 0; j < 16; j++ {
					dst = append(dst, "0123456789abcdef"[v>>(4*j)&15])
				}
			}
			return dst
		}
	}
	return defaultTextProducer(maxLen)
}

// defaultTextProducer makes text for columns nothing is known about: words that fit the limit.
// It never derives anything from anywhere but the random stream.
func defaultTextProducer(maxLen int) textFn {
	switch {
	case maxLen > 0 && maxLen <= 4:
		return func(rr *rowRand, dst []byte) []byte {
			for i := 0; i < maxLen; i++ {
				dst = append(dst, byte('A'+rr.intn(26)))
			}
			return dst
		}
	case maxLen > 0 && maxLen <= 24:
		return fastWord
	case maxLen > 0 && maxLen <= 80:
		return fastTitle
	}
	return fastSentence
}

func truncateWords(s string, n int) string {
	words := strings.Fields(s)
	if len(words) > n {
		words = words[:n]
	}
	return strings.Join(words, " ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// NumberRange is the usual range of a numeric semantic, as decimal strings.
func NumberRange(sem Semantic) (lo, hi string) {
	switch sem {
	case SemPrice:
		return "1", "999.99"
	case SemQuantity:
		return "1", "10"
	case SemAge:
		return "18", "90"
	case SemYear:
		return "1990", "2025"
	case SemRating:
		return "1", "5"
	case SemPercent:
		return "0", "100"
	case SemCount:
		return "0", "1000"
	case SemPosition:
		return "0", "100"
	case SemLatitude:
		return "-90", "90"
	case SemLongitude:
		return "-180", "180"
	}
	return "0", "10000"
}

// ParseDecimalUnits reads a decimal literal as an integer count of 10^-scale units, rounding
// toward zero. It accepts what PostgreSQL prints for numeric constants.
func ParseDecimalUnits(s string, scale int) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f > 9e18 || f < -9e18 {
			return 0, false
		}
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, false
	}
	var v int64
	for _, c := range intPart {
		if c < '0' || c > '9' || v > (1<<62)/10 {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	for i := 0; i < scale; i++ {
		d := int64(0)
		if i < len(frac) {
			if frac[i] < '0' || frac[i] > '9' {
				return 0, false
			}
			d = int64(frac[i] - '0')
		}
		if v > (1<<62)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

// fixedProducers are the producers of the semantics whose values do not depend on a length limit.
var fixedProducers = map[Semantic]textFn{
	SemEmail:       fastEmail,
	SemFirstName:   fastFirstName,
	SemLastName:    fastLastName,
	SemFullName:    fastFullName,
	SemUsername:    fastUsername,
	SemPhone:       fastPhone,
	SemStreet:      fastStreet,
	SemCity:        pickFn(lexCity),
	SemPostcode:    fastPostcode,
	SemCountryCode: pickFn(lexCountryAbr),
	SemCompany:     fastCompany,
	SemJobTitle:    fastJobTitle,
	SemURL:         fastURL,
	SemDomain:      fastDomain,
	SemIPv4:        stringFn(func(rr *rowRand) string { return rr.f.IPv4Address() }),
	SemIPv6:        stringFn(func(rr *rowRand) string { return rr.f.IPv6Address() }),
	SemMAC:         stringFn(func(rr *rowRand) string { return rr.f.MacAddress() }),
	SemUUID:        func(rr *rowRand, dst []byte) []byte { return appendUUID(dst, rr.u64(), rr.u64()) },
	SemWord:        fastWord,
	SemSentence:    fastSentence,
	SemParagraph:   fastParagraph,
	SemProductName: fastProductName,
	SemCurrency:    pickFn(currencies),
	SemSlug:        fastSlug,
	SemSKU:         fastSKU,
	SemTitle:       fastTitle,
	SemCategory:    fastCategory,
	SemColor:       stringFn(func(rr *rowRand) string { return rr.f.Color() }),
	SemLanguage:    pickFn(languageCodes),
	SemTimezone:    pickFn(timezones),
	SemGender:      pickFn(genderWords),
	SemStatus:      pickFn(statusWords),
	SemPrice:       func(rr *rowRand, dst []byte) []byte { return appendDecimal(dst, rr.between(100, 99999), 2) },
	SemDecimal:     func(rr *rowRand, dst []byte) []byte { return appendDecimal(dst, rr.between(0, 1000000), 2) },
	SemInteger:     func(rr *rowRand, dst []byte) []byte { return strconv.AppendInt(dst, rr.between(0, 10000), 10) },
	SemBoolean:     pickFn(wordList{"true", "false"}),
}
