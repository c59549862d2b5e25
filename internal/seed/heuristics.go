package seed

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/brianvoe/gofakeit/v7"
)

// semantic is what a column holds, guessed from its name (and its table's name) or set by a
// column rule. The names that are also generator names mean the same.
type semantic string

const (
	semNone        semantic = ""
	semEmail       semantic = "email"
	semFirstName   semantic = "firstName"
	semLastName    semantic = "lastName"
	semFullName    semantic = "fullName"
	semUsername    semantic = "username"
	semPhone       semantic = "phone"
	semStreet      semantic = "street"
	semCity        semantic = "city"
	semState       semantic = "state"
	semPostcode    semantic = "postcode"
	semCountry     semantic = "country"
	semCountryCode semantic = "countryCode"
	semCompany     semantic = "company"
	semJobTitle    semantic = "jobTitle"
	semURL         semantic = "url"
	semDomain      semantic = "domain"
	semIPv4        semantic = "ipv4"
	semIPv6        semantic = "ipv6"
	semUUID        semantic = "uuid"
	semWord        semantic = "word"
	semSentence    semantic = "sentence"
	semParagraph   semantic = "paragraph"
	semProductName semantic = "productName"
	semPrice       semantic = "price"
	semCurrency    semantic = "currency"
	semDate        semantic = "date"
	semTimestamp   semantic = "timestamp"
	semBoolean     semantic = "boolean"
	semInteger     semantic = "integer"
	semDecimal     semantic = "decimal"

	// Guessed only, never named by rules.
	semSlug      semantic = "slug"
	semSKU       semantic = "sku"
	semCode      semantic = "code"
	semSecret    semantic = "secret"
	semTitle     semantic = "title"
	semCategory  semantic = "category"
	semColor     semantic = "color"
	semLanguage  semantic = "language"
	semTimezone  semantic = "timezone"
	semGender    semantic = "gender"
	semStatus    semantic = "status"
	semLatitude  semantic = "latitude"
	semLongitude semantic = "longitude"
	semQuantity  semantic = "quantity"
	semAge       semantic = "age"
	semYear      semantic = "year"
	semRating    semantic = "rating"
	semPercent   semantic = "percent"
	semCount     semantic = "count"
	semPosition  semantic = "position"
	semBirthDate semantic = "birthDate"
	semCreatedAt semantic = "createdAt"
	semUpdatedAt semantic = "updatedAt"
	semDeletedAt semantic = "deletedAt"
	semFutureAt  semantic = "futureAt"
	semMAC       semantic = "mac"
)

// nameTokens splits a column name into lower-case words: "shippingAddress_id" -> shipping,
// address, id.
func nameTokens(name string) []string {
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
	sem semantic
	// compact names (words joined, e.g. "firstname") and single words that select the rule.
	compact []string
	words   []string
}

// nameRules are tried in order; the first match wins. Compact names match the whole column
// name; words match any word of it.
var nameRules = []nameRule{
	{semEmail, []string{"email", "emailaddress", "mail"}, []string{"email"}},
	{semFirstName, []string{"firstname", "givenname", "forename"}, nil},
	{semLastName, []string{"lastname", "surname", "familyname"}, []string{"surname"}},
	{semFullName, []string{"fullname", "displayname", "contactname", "customername", "author", "authorname", "ownername", "recipient", "recipientname"}, nil},
	{semUsername, []string{"username", "login", "handle", "nickname", "screenname", "userhandle"}, nil},
	{semPhone, nil, []string{"phone", "mobile", "telephone", "tel", "fax", "cell", "msisdn"}},
	{semIPv4, []string{"ip", "ipaddress", "ipaddr", "remoteaddr", "remoteip", "clientip", "lastip"}, nil},
	{semMAC, []string{"mac", "macaddress", "macaddr", "clientmac"}, nil},
	{semStreet, []string{"address", "addressline", "addressline1", "addressline2", "line1", "line2", "addr", "streetaddress", "address1", "address2"}, []string{"street"}},
	{semCity, []string{"city", "town", "locality"}, []string{"city"}},
	{semPostcode, []string{"zip", "zipcode", "postcode", "postalcode", "postal"}, []string{"zip", "postcode", "zipcode"}},
	{semCountryCode, []string{"countrycode", "countryiso", "isocountry", "countryiso2", "iso2"}, nil},
	{semCountry, []string{"country", "nationality"}, []string{"country"}},
	{semState, []string{"state", "province", "region", "county", "statecode"}, []string{"province"}},
	{semCurrency, []string{"currency", "currencycode", "ccy"}, []string{"currency"}},
	{semURL, []string{"url", "website", "homepage", "link", "href", "uri", "avatar", "image", "photo", "picture", "thumbnail", "logo"}, []string{"url", "uri", "website"}},
	{semDomain, []string{"domain", "hostname", "host", "domainname"}, nil},
	{semCompany, []string{"company", "organization", "organisation", "employer", "vendor", "supplier", "brand", "businessname", "companyname", "merchant"}, []string{"company"}},
	{semJobTitle, []string{"jobtitle", "occupation", "job", "profession"}, nil},
	{semSlug, []string{"slug", "permalink", "handleslug"}, []string{"slug"}},
	{semSKU, []string{"sku", "productcode", "partnumber", "barcode", "ean", "upc", "isbn"}, []string{"sku"}},
	{semSecret, []string{"password", "passwd", "passwordhash", "secret", "token", "apikey", "salt", "hash", "digest", "signature", "otp", "accesstoken", "refreshtoken"}, []string{"password", "secret", "token", "hash"}},
	{semParagraph, []string{"body", "content", "bio", "about", "text", "details", "html", "markdown"}, []string{"body", "bio"}},
	{semSentence, []string{"description", "desc", "notes", "note", "comment", "comments", "summary", "remarks", "message", "reason", "caption", "subject", "headline"}, []string{"description", "notes", "comment"}},
	{semTitle, []string{"title"}, []string{"title"}},
	{semColor, []string{"color", "colour"}, []string{"color", "colour"}},
	{semLanguage, []string{"language", "locale", "lang", "languagecode"}, nil},
	{semTimezone, []string{"timezone", "tz", "tzname"}, nil},
	{semGender, []string{"gender", "sex"}, nil},
	{semStatus, []string{"status", "state", "kind", "type", "stage", "phase"}, []string{"status"}},
	{semLatitude, []string{"lat", "latitude"}, []string{"latitude"}},
	{semLongitude, []string{"lng", "lon", "long", "longitude"}, []string{"longitude"}},
	{semPrice, []string{"price", "amount", "total", "subtotal", "cost", "balance", "fee", "tax", "discount", "revenue", "salary", "payment", "charge", "spend", "budget", "value"}, []string{"price", "amount", "total", "cost", "fee", "tax", "salary", "revenue", "balance"}},
	{semQuantity, []string{"quantity", "qty", "units"}, []string{"quantity", "qty"}},
	{semAge, []string{"age"}, nil},
	{semYear, []string{"year"}, []string{"year"}},
	{semRating, []string{"rating", "stars", "score", "grade"}, []string{"rating", "stars"}},
	{semPercent, []string{"percent", "pct", "percentage", "ratio", "rate"}, []string{"percent", "percentage", "pct"}},
	{semCount, []string{"count", "stock", "inventory", "points", "views", "likes", "visits", "attempts", "retries"}, []string{"count", "stock", "points"}},
	{semPosition, []string{"position", "sortorder", "sort", "rank", "priority", "sequence", "seq", "lineno", "linenumber", "ordinal", "idx", "index", "order"}, []string{"position", "rank", "priority"}},
	{semBirthDate, []string{"dob", "birthday", "birthdate", "dateofbirth", "born", "bornon", "bornat"}, []string{"birth", "birthday"}},
	{semCreatedAt, []string{"createdat", "created", "insertedat", "createdon", "registeredat", "signedupat", "joinedat", "occurredat", "timestamp"}, []string{"created"}},
	{semUpdatedAt, []string{"updatedat", "modifiedat", "changedat", "updated", "modified", "updatedon", "lastmodified"}, []string{"updated", "modified"}},
	{semDeletedAt, []string{"deletedat", "archivedat", "removedat", "cancelledat", "canceledat", "deleted", "archived", "bannedat", "revokedat"}, []string{"deleted", "archived"}},
	{semFutureAt, []string{"expiresat", "expiry", "expires", "expiration", "dueat", "duedate", "due", "validuntil", "endsat", "enddate", "deadline", "expireson"}, []string{"expires", "expiry", "due", "deadline"}},
	{semUUID, []string{"uuid", "guid", "externalid", "publicid"}, []string{"uuid", "guid"}},
	{semProductName, []string{"productname", "itemname"}, nil},
}

// tableKinds guesses what a table's "name" column holds from the table's name.
var tableKinds = []struct {
	sem   semantic
	words []string
}{
	{semProductName, []string{"product", "products", "item", "items", "article", "articles", "sku", "skus", "goods", "listing", "listings"}},
	{semCompany, []string{"company", "companies", "organization", "organizations", "organisation", "organisations", "vendor", "vendors", "supplier", "suppliers", "brand", "brands", "merchant", "merchants", "store", "stores", "shop", "shops", "tenant", "tenants"}},
	{semCategory, []string{"category", "categories", "tag", "tags", "genre", "genres", "group", "groups", "department", "departments", "team", "teams", "role", "roles", "type", "types", "label", "labels", "collection", "collections", "topic", "topics"}},
	{semCity, []string{"city", "cities"}},
	{semCountry, []string{"country", "countries"}},
}

// guessSemantic guesses what a column holds from its name, and for a bare "name" from its table.
func guessSemantic(table, column string) semantic {
	words := nameTokens(column)
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
			for _, tw := range nameTokens(table) {
				for _, w := range k.words {
					if tw == w {
						return k.sem
					}
				}
			}
		}
		return semFullName
	}
	if len(words) > 0 && words[len(words)-1] == "name" {
		return semFullName
	}
	if len(words) > 0 && (words[len(words)-1] == "at" || words[len(words)-1] == "on") {
		return semTimestamp
	}
	return semNone
}

var statusWords = wordList{"active", "inactive", "pending", "archived"}
var genderWords = wordList{"female", "male", "nonbinary", "unspecified"}
var languageCodes = wordList{"en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "ja", "zh", "ko"}
var timezones = wordList{"UTC", "Europe/Berlin", "Europe/London", "Europe/Paris", "America/New_York", "America/Chicago", "America/Los_Angeles", "Asia/Tokyo", "Asia/Singapore", "Australia/Sydney"}
var currencies = wordList{"EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK"}

func pickString(f *gofakeit.Faker, list []string) string { return list[f.IntN(len(list))] }

// textProducer returns the producer of a semantic's strings, given the length limit.
func textProducer(sem semantic, maxLen int) textFn {
	switch sem {
	case semEmail:
		return fastEmail
	case semFirstName:
		return fastFirstName
	case semLastName:
		return fastLastName
	case semFullName:
		return fastFullName
	case semUsername:
		return fastUsername
	case semPhone:
		return fastPhone
	case semStreet:
		return fastStreet
	case semCity:
		return pickFn(lexCity)
	case semState:
		if maxLen > 0 && maxLen < 6 {
			return pickFn(lexStateAbr)
		}
		return pickFn(lexState)
	case semPostcode:
		return fastPostcode
	case semCountry:
		if maxLen > 0 && maxLen <= 3 {
			return pickFn(lexCountryAbr)
		}
		return pickFn(lexCountry)
	case semCountryCode:
		return pickFn(lexCountryAbr)
	case semCompany:
		return fastCompany
	case semJobTitle:
		return fastJobTitle
	case semURL:
		return fastURL
	case semDomain:
		return fastDomain
	case semIPv4:
		return stringFn(func(rr *rowRand) string { return rr.f.IPv4Address() })
	case semIPv6:
		return stringFn(func(rr *rowRand) string { return rr.f.IPv6Address() })
	case semMAC:
		return stringFn(func(rr *rowRand) string { return rr.f.MacAddress() })
	case semUUID:
		return func(rr *rowRand, dst []byte) []byte { return appendUUID(dst, rr.u64(), rr.u64()) }
	case semWord:
		return fastWord
	case semSentence:
		return fastSentence
	case semParagraph:
		return fastParagraph
	case semProductName:
		return fastProductName
	case semCurrency:
		return pickFn(currencies)
	case semSlug:
		return fastSlug
	case semSKU:
		return fastSKU
	case semCode:
		return func(rr *rowRand, dst []byte) []byte {
			for i := 0; i < 4; i++ {
				dst = append(dst, byte('A'+rr.intn(26)))
			}
			return dst
		}
	case semSecret:
		return func(rr *rowRand, dst []byte) []byte {
			for i := 0; i < 4; i++ {
				v := rr.u64()
				for j := 0; j < 16; j++ {
					dst = append(dst, "0123456789abcdef"[v>>(4*j)&15])
				}
			}
			return dst
		}
	case semTitle:
		return fastTitle
	case semCategory:
		return fastCategory
	case semColor:
		return stringFn(func(rr *rowRand) string { return rr.f.Color() })
	case semLanguage:
		return pickFn(languageCodes)
	case semTimezone:
		return pickFn(timezones)
	case semGender:
		return pickFn(genderWords)
	case semStatus:
		return pickFn(statusWords)
	case semPrice:
		return func(rr *rowRand, dst []byte) []byte { return appendDecimal(dst, rr.between(100, 99999), 2) }
	case semDecimal:
		return func(rr *rowRand, dst []byte) []byte { return appendDecimal(dst, rr.between(0, 1000000), 2) }
	case semInteger:
		return func(rr *rowRand, dst []byte) []byte { return strconv.AppendInt(dst, rr.between(0, 10000), 10) }
	case semBoolean:
		return pickFn(wordList{"true", "false"})
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

// numberRange is the usual range of a numeric semantic, as decimal strings.
func numberRange(sem semantic) (lo, hi string) {
	switch sem {
	case semPrice:
		return "1", "999.99"
	case semQuantity:
		return "1", "10"
	case semAge:
		return "18", "90"
	case semYear:
		return "1990", "2025"
	case semRating:
		return "1", "5"
	case semPercent:
		return "0", "100"
	case semCount:
		return "0", "1000"
	case semPosition:
		return "0", "100"
	case semLatitude:
		return "-90", "90"
	case semLongitude:
		return "-180", "180"
	}
	return "0", "10000"
}

// parseDecimalUnits reads a decimal literal as an integer count of 10^-scale units, rounding
// toward zero. It accepts what PostgreSQL prints for numeric constants.
func parseDecimalUnits(s string, scale int) (int64, bool) {
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
