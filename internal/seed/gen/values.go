package gen

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/brianvoe/gofakeit/v7"
)

// Producers of values that are neither free text nor ordered: UUIDs, JSON, network addresses,
// bytes, bits, arrays, ranges. Each appends the value's text input (COPY escaping is done by the
// generator).

type AppendFn = func(f *gofakeit.Faker, rr *rowRand, row int64, dst []byte) []byte

func appendUUID(dst []byte, hi, lo uint64) []byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return append(dst, out[:]...)
}

// UUIDFn makes random version-4 UUIDs. With unique, the low 62 bits are a bijection of the row
// number (the variant takes the other two), so no two rows collide.
func UUIDFn(unique bool, seed uint64) AppendFn {
	if !unique {
		return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
			return appendUUID(dst, rr.u64(), rr.u64())
		}
	}
	perm := seed | 1 // odd multiplier: a bijection modulo 2^62
	return func(_ *gofakeit.Faker, rr *rowRand, row int64, dst []byte) []byte {
		lo := (uint64(row)*perm + seed) & (1<<62 - 1)
		return appendUUID(dst, rr.u64(), lo)
	}
}

// InetFn makes IPv4 addresses (networks for cidr). With unique, addresses count up from 10.0.0.0
// (and continue in IPv6 past 2^24 rows).
func InetFn(info TypeInfo, unique bool, v6 bool) AppendFn {
	return func(f *gofakeit.Faker, rr *rowRand, row int64, dst []byte) []byte {
		switch {
		case unique && row < 1<<24 && !v6:
			dst = append(dst, "10."...)
			dst = strconv.AppendInt(dst, row>>16&255, 10)
			dst = append(dst, '.')
			dst = strconv.AppendInt(dst, row>>8&255, 10)
			dst = append(dst, '.')
			dst = strconv.AppendInt(dst, row&255, 10)
			if info.CIDR {
				dst = append(dst, "/32"...)
			}
			return dst
		case unique:
			dst = append(dst, "fd00::"...)
			dst = strconv.AppendUint(dst, uint64(row)>>16&0xffff, 16)
			dst = append(dst, ':')
			dst = strconv.AppendUint(dst, uint64(row)&0xffff, 16)
			if info.CIDR {
				dst = append(dst, "/128"...)
			}
			return dst
		case v6:
			return append(dst, f.IPv6Address()...)
		case info.CIDR:
			for i := 0; i < 3; i++ {
				dst = strconv.AppendInt(dst, rr.between(1, 254), 10)
				dst = append(dst, '.')
			}
			return append(dst, "0/24"...)
		}
		for i := 0; i < 4; i++ {
			if i > 0 {
				dst = append(dst, '.')
			}
			dst = strconv.AppendInt(dst, rr.between(1, 254), 10)
		}
		return dst
	}
}

func MACFn(bytes int) AppendFn {
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		v := rr.u64()
		for i := 0; i < bytes; i++ {
			if i > 0 {
				dst = append(dst, ':')
			}
			b := byte(v >> (8 * i))
			if i == 0 {
				b = b&0xfe | 0x02 // locally administered unicast: never a real vendor's address
			}
			dst = append(dst, "0123456789abcdef"[b>>4], "0123456789abcdef"[b&15])
		}
		return dst
	}
}

// ByteaFn makes 16 random bytes in hex input format; with unique the first 8 are the row number.
func ByteaFn(unique bool) AppendFn {
	return func(_ *gofakeit.Faker, rr *rowRand, row int64, dst []byte) []byte {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], rr.u64())
		if unique {
			binary.BigEndian.PutUint64(b[:8], uint64(row))
		}
		binary.BigEndian.PutUint64(b[8:], rr.u64())
		dst = append(dst, `\x`...)
		return hex.AppendEncode(dst, b[:])
	}
}

func BitFn(info TypeInfo) AppendFn {
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		n := info.MaxLen
		if !info.FixedLen {
			limit := int64(64)
			if info.MaxLen > 0 {
				limit = int64(min(info.MaxLen, 64))
			}
			n = int(rr.between(1, limit))
		}
		v := rr.u64()
		for i := 0; i < n; i++ {
			if i%64 == 63 {
				v = rr.u64()
			}
			dst = append(dst, byte('0'+v>>(i%64)&1))
		}
		return dst
	}
}

// lettersOnly keeps ASCII letters, so words are safe in tsvector and XML input.
func lettersOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "word"
	}
	return b.String()
}

func TSVectorFn() AppendFn {
	return func(f *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		n := int(rr.between(2, 6))
		for i := 0; i < n; i++ {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = append(dst, strings.ToLower(lettersOnly(f.Word()))...)
		}
		return dst
	}
}

func XMLFn() AppendFn {
	return func(f *gofakeit.Faker, _ *rowRand, _ int64, dst []byte) []byte {
		dst = append(dst, "<note>"...)
		dst = append(dst, lettersOnly(f.Word())...)
		return append(dst, "</note>"...)
	}
}

func PointFn() AppendFn {
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		dst = append(dst, '(')
		dst = appendDecimal(dst, rr.between(-1800000, 1800000), 4)
		dst = append(dst, ',')
		dst = appendDecimal(dst, rr.between(-900000, 900000), 4)
		return append(dst, ')')
	}
}

func TimetzFn() AppendFn {
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		dst = AppendOrdinal(dst, rr.between(0, SecondsPerDay-1), TypeInfo{Kind: KindTime})
		return append(dst, "+00"...)
	}
}

func IntervalFn() AppendFn {
	units := []string{" minutes", " hours", " days"}
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		dst = strconv.AppendInt(dst, rr.between(1, 90), 10)
		return append(dst, units[rr.intn(int64(len(units)))]...)
	}
}

// ElemFn produces one array element's text (unquoted).
type ElemFn = func(f *gofakeit.Faker, rr *rowRand) string

// PickFn draws elements from a list.
func PickFn(values []string) ElemFn {
	return func(_ *gofakeit.Faker, rr *rowRand) string { return values[rr.intn(int64(len(values)))] }
}

// SampleElements returns n elements of a generator, a function of the seed.
func SampleElements(elem ElemFn, seed uint64, n int) []string {
	rr := newRowRand(seed)
	out := make([]string, n)
	for i := range out {
		out[i] = elem(rr.at(int64(i)), rr)
	}
	return out
}

// ElementFn produces one array element's text (unquoted), or nil for element types arrays are
// not generated for.
func ElementFn(elem TypeInfo, sem Semantic) ElemFn {
	switch elem.Kind {
	case KindText:
		produce := TextProducer(sem, elem.MaxLen)
		if sem == SemNone {
			produce = fastWord
		}
		return func(_ *gofakeit.Faker, rr *rowRand) string {
			return string(truncateRuneBytes(produce(rr, nil), elemLimit(elem)))
		}
	case KindInt:
		return func(_ *gofakeit.Faker, rr *rowRand) string {
			return strconv.FormatInt(rr.between(max(elem.IntMin, 1), min(elem.IntMax, 1000)), 10)
		}
	case KindNumeric, KindFloat, KindMoney:
		return func(_ *gofakeit.Faker, rr *rowRand) string {
			return string(appendDecimal(nil, rr.between(0, 100000), 2))
		}
	case KindBool:
		return func(_ *gofakeit.Faker, rr *rowRand) string { return strconv.FormatBool(rr.intn(2) == 0) }
	case KindUUID:
		return func(_ *gofakeit.Faker, rr *rowRand) string { return string(appendUUID(nil, rr.u64(), rr.u64())) }
	case KindDate, KindTimestamp, KindTimestamptz:
		span := DefaultSpan(elem)
		top := OrdinalEpoch(elem)
		return func(_ *gofakeit.Faker, rr *rowRand) string {
			return string(AppendOrdinal(nil, rr.between(top-span, top-1), elem))
		}
	case KindEnum:
		if len(elem.Labels) == 0 {
			return nil
		}
		return func(_ *gofakeit.Faker, rr *rowRand) string { return elem.Labels[rr.intn(int64(len(elem.Labels)))] }
	case KindInet:
		return func(f *gofakeit.Faker, _ *rowRand) string { return f.IPv4Address() }
	case KindJSON:
		doc := JSONFn("object", SemNone, "", 0)
		return func(f *gofakeit.Faker, rr *rowRand) string { return string(doc(f, rr, 0, nil)) }
	}
	return nil
}

func elemLimit(elem TypeInfo) int {
	if elem.MaxLen > 0 {
		return elem.MaxLen
	}
	return 1 << 20
}

// OrdinalEpoch is the epoch in a time type's ordinal unit.
func OrdinalEpoch(info TypeInfo) int64 {
	if info.Kind == KindDate {
		return epoch.Unix() / SecondsPerDay
	}
	return epoch.Unix()
}

// ArrayFn makes one-dimensional arrays of minItems to maxItems elements.
func ArrayFn(elem ElemFn, minItems, maxItems int) AppendFn {
	return func(f *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		n := int(rr.between(int64(minItems), int64(maxItems)))
		dst = append(dst, '{')
		for i := 0; i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '"')
			for _, c := range []byte(elem(f, rr)) {
				if c == '"' || c == '\\' {
					dst = append(dst, '\\')
				}
				dst = append(dst, c)
			}
			dst = append(dst, '"')
		}
		return append(dst, '}')
	}
}

// RangeFn makes non-empty ranges [a,b) of the range's subtype.
func RangeFn(sub TypeInfo) AppendFn {
	if !sub.IsOrdinal() {
		return nil
	}
	lo, hi := rangeSpan(sub)
	width := max((hi-lo)/50, 1)
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		a := rr.between(lo, hi)
		return appendRange(dst, a, a+rr.between(1, width), sub)
	}
}

// MultirangeFn makes multiranges of one to three disjoint, ascending ranges of the subtype.
func MultirangeFn(sub TypeInfo) AppendFn {
	if !sub.IsOrdinal() {
		return nil
	}
	lo, hi := rangeSpan(sub)
	width := max((hi-lo)/200, 2)
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		dst = append(dst, '{')
		a := rr.between(lo, hi)
		for i := int64(0); i < rr.between(1, 3); i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			b := a + rr.between(1, width)
			dst = appendRange(dst, a, b, sub)
			a = b + rr.between(1, width) // a gap, so the ranges stay apart
		}
		return append(dst, '}')
	}
}

func rangeSpan(sub TypeInfo) (lo, hi int64) {
	switch sub.Kind {
	case KindDate, KindTimestamp, KindTimestamptz:
		hi = OrdinalEpoch(sub)
		return hi - DefaultSpan(sub), hi
	}
	return 0, DefaultSpan(sub)
}

func appendRange(dst []byte, a, b int64, sub TypeInfo) []byte {
	dst = append(dst, '[', '"')
	dst = AppendOrdinal(dst, a, sub)
	dst = append(dst, '"', ',', '"')
	dst = AppendOrdinal(dst, b, sub)
	return append(dst, '"', ')')
}
