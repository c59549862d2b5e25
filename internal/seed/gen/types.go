package gen

import (
	"math"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
)

// ValueKind is how values of a base type are generated and written.
type ValueKind int

const (
	KindUnknown ValueKind = iota
	KindInt
	KindNumeric
	KindFloat
	KindMoney
	KindText
	KindBool
	KindDate
	KindTimestamp
	KindTimestamptz
	KindTime
	KindTimetz
	KindInterval
	KindUUID
	KindJSON
	KindInet
	KindMacaddr
	KindMacaddr8
	KindBytea
	KindBit
	KindTSVector
	KindXML
	KindPoint
	KindEnum
	KindArray
	KindRange
	KindMultirange
	KindGeo // PostGIS geometry and geography
	KindHstore
	KindLtree
	KindVector    // pgvector's vector(n), halfvec(n) and sparsevec(n)
	KindComposite // a composite type (CREATE TYPE address AS (street text, ...))
)

// TypeInfo is a column's base type with the details generation honours.
type TypeInfo struct {
	Kind ValueKind
	Name string // the base type's name, for messages
	// intMin/intMax bound integer types.
	IntMin, IntMax int64
	// precision/scale of numeric; precision 0 when unconstrained.
	Precision, Scale int
	// maxLen is the length limit of varchar(n), char(n), bit(n); 0 when none.
	MaxLen int
	// fixedLen is true for char(n) and bit(n).
	FixedLen bool
	Labels   []string // enum labels
	Elem     *TypeInfo
	RangeSub *TypeInfo
	CIDR     bool
	Geo      GeoInfo
	// Dim is a vector's declared dimension (its type modifier; <= 0 when undeclared); Sparse is
	// true for sparsevec.
	Dim    int
	Sparse bool
	// Fields and FieldNames are a composite type's attributes.
	Fields     []TypeInfo
	FieldNames []string
}

// isOrdinal says whether values are generated as integers in some unit (and so can be ordered
// and related to other columns): integers, numerics, dates, timestamps, times.
func (t TypeInfo) IsOrdinal() bool {
	switch t.Kind {
	case KindInt, KindNumeric, KindFloat, KindMoney, KindDate, KindTimestamp, KindTimestamptz, KindTime:
		return true
	}
	return false
}

// ordinalScale is the number of decimal digits an ordinal unit has (0 for integers and times).
func (t TypeInfo) OrdinalScale() int {
	switch t.Kind {
	case KindNumeric:
		if t.Precision == 0 {
			return 2
		}
		return min(t.Scale, 6)
	case KindFloat:
		return 4
	case KindMoney:
		return 2
	}
	return 0
}

// ordinalFamily groups kinds whose ordinals compare: numbers with numbers, instants with instants.
func (t TypeInfo) OrdinalFamily() int {
	switch t.Kind {
	case KindInt, KindNumeric, KindFloat, KindMoney:
		return 1
	case KindDate:
		return 2
	case KindTimestamp, KindTimestamptz:
		return 3
	case KindTime:
		return 4
	}
	return 0
}

func TypeInfoOf(t *catalog.Type, typmod int32) TypeInfo {
	if t == nil {
		return TypeInfo{Kind: KindUnknown, Name: "unknown"}
	}
	ti := TypeInfo{Name: t.Display}
	if n := t.Native; n != nil {
		return nativeTypeInfo(ti, t, typmod)
	}
	if t.Kind == 'e' {
		ti.Kind, ti.Labels = KindEnum, t.Labels
		return ti
	}
	if t.Kind == 'c' {
		return compositeInfo(ti, t)
	}
	if t.Category == 'A' && t.Elem != nil {
		base, mod := t.Elem, typmod
		for i := 0; base.Kind == 'd' && base.Base != nil && i < 32; i++ {
			if mod < 0 {
				mod = base.BaseTypMod
			}
			base = base.Base
		}
		elem := TypeInfoOf(base, mod)
		ti.Kind, ti.Elem = KindArray, &elem
		return ti
	}
	if t.Kind == 'r' || t.Kind == 'm' {
		sub := TypeInfoOf(t.RangeSub, -1)
		ti.Kind, ti.RangeSub = KindRange, &sub
		if t.Kind == 'm' {
			ti.Kind = KindMultirange
		}
		return ti
	}
	// Extension types, wherever the extension was installed.
	switch t.Name {
	case "geometry", "geography":
		ti.Kind, ti.Geo = KindGeo, geoInfoOf(t.Name == "geography", typmod)
		return ti
	case "hstore":
		ti.Kind = KindHstore
		return ti
	case "ltree":
		ti.Kind = KindLtree
		return ti
	case "vector", "halfvec", "sparsevec":
		ti.Kind, ti.Dim, ti.Sparse = KindVector, int(typmod), t.Name == "sparsevec"
		return ti
	}
	if kind, ok := plainKinds[t.Schema+"."+t.Name]; ok {
		ti.Kind = kind
		return ti
	}
	if t.Schema+"."+t.Name == "pg_catalog.cidr" {
		ti.Kind, ti.CIDR = KindInet, true
		return ti
	}
	if sizedTypeInfo(&ti, t, typmod) {
		return ti
	}
	// Extension types that read text input (citext, ...) are strings.
	if t.Category == 'S' || strings.EqualFold(t.Name, "citext") {
		ti.Kind = KindText
	}
	return ti
}

// DefaultSpan is the width of an open-ended interval: two years of time, or 10000.
func DefaultSpan(info TypeInfo) int64 {
	switch info.Kind {
	case KindDate:
		return 730
	case KindTimestamp, KindTimestamptz:
		return 730 * SecondsPerDay
	case KindTime:
		return SecondsPerDay - 1
	}
	s := int64(10000)
	for i := 0; i < info.OrdinalScale(); i++ {
		s *= 10
	}
	return s
}

// plainKinds are the built-in types whose values need nothing from the type modifier.
var plainKinds = map[string]ValueKind{
	"pg_catalog.float4": KindFloat, "pg_catalog.float8": KindFloat, "pg_catalog.money": KindMoney,
	"pg_catalog.text": KindText, "pg_catalog.bool": KindBool, "pg_catalog.date": KindDate,
	"pg_catalog.timestamp": KindTimestamp, "pg_catalog.timestamptz": KindTimestamptz,
	"pg_catalog.time": KindTime, "pg_catalog.timetz": KindTimetz, "pg_catalog.interval": KindInterval,
	"pg_catalog.uuid": KindUUID, "pg_catalog.json": KindJSON, "pg_catalog.jsonb": KindJSON,
	"pg_catalog.inet": KindInet, "pg_catalog.macaddr": KindMacaddr, "pg_catalog.macaddr8": KindMacaddr8,
	"pg_catalog.bytea": KindBytea, "pg_catalog.tsvector": KindTSVector, "pg_catalog.xml": KindXML,
	"pg_catalog.point": KindPoint,
}

// sizedTypeInfo fills in the built-in types whose limits come from their type and modifier:
// integers, numeric(p,s), varchar(n), char(n), bit(n). It reports whether t is one of them.
func sizedTypeInfo(ti *TypeInfo, t *catalog.Type, typmod int32) bool {
	switch t.Schema + "." + t.Name {
	case "pg_catalog.int2":
		ti.Kind, ti.IntMin, ti.IntMax = KindInt, math.MinInt16, math.MaxInt16
	case "pg_catalog.int4":
		ti.Kind, ti.IntMin, ti.IntMax = KindInt, math.MinInt32, math.MaxInt32
	case "pg_catalog.int8":
		ti.Kind, ti.IntMin, ti.IntMax = KindInt, math.MinInt64, math.MaxInt64
	case "pg_catalog.oid":
		ti.Kind, ti.IntMin, ti.IntMax = KindInt, 1, math.MaxUint32
	case "pg_catalog.numeric":
		ti.Kind = KindNumeric
		if typmod >= 4 {
			m := typmod - 4
			ti.Precision = int((m >> 16) & 0xffff)
			scale := int(m & 0x7ff)
			if scale > 1023 { // negative scales (PostgreSQL 15+) are stored as 11-bit two's complement
				scale -= 2048
			}
			ti.Scale = max(scale, 0)
		}
	case "pg_catalog.name":
		ti.Kind, ti.MaxLen = KindText, 63
	case "pg_catalog.varchar":
		ti.Kind = KindText
		if typmod >= 4 {
			ti.MaxLen = int(typmod - 4)
		}
	case "pg_catalog.bpchar", "pg_catalog.char":
		ti.Kind, ti.MaxLen, ti.FixedLen = KindText, 1, t.Name == "bpchar"
		if typmod >= 4 {
			ti.MaxLen = int(typmod - 4)
		}
	case "pg_catalog.bit", "pg_catalog.varbit":
		ti.Kind, ti.FixedLen = KindBit, t.Name == "bit"
		if ti.FixedLen {
			ti.MaxLen = 1
		}
		if typmod > 0 {
			ti.MaxLen = int(typmod)
		}
	default:
		return false
	}
	return true
}

// nativeTypeInfo is the TypeInfo of another engine's type (catalog.NativeType); the types it
// shares with PostgreSQL are read as PostgreSQL's.
func nativeTypeInfo(ti TypeInfo, t *catalog.Type, typmod int32) TypeInfo {
	n := t.Native
	switch {
	case n.Integer:
		ti.Kind, ti.IntMin, ti.IntMax = KindInt, n.IntMin, n.IntMax
	case n.Geometry:
		ti.Kind, ti.Geo = KindGeo, GeoInfo{Shape: n.Shape, SRID: n.SRID}
	default:
		shared := *t
		shared.Native = nil
		ti = TypeInfoOf(&shared, typmod)
		if n.MaxLen > 0 && (ti.MaxLen == 0 || n.MaxLen < ti.MaxLen) {
			ti.MaxLen = n.MaxLen
		}
	}
	return ti
}

// compositeInfo is the TypeInfo of a composite type: its fields', through their domains.
func compositeInfo(ti TypeInfo, t *catalog.Type) TypeInfo {
	ti.Kind = KindComposite
	for _, f := range t.Fields {
		base, mod := f.Type, f.TypMod
		for i := 0; base != nil && base.Kind == 'd' && base.Base != nil && i < 32; i++ {
			if mod < 0 {
				mod = base.BaseTypMod
			}
			base = base.Base
		}
		field := TypeInfo{Kind: KindUnknown}
		if base != nil && base != t {
			field = TypeInfoOf(base, mod)
		}
		ti.Fields, ti.FieldNames = append(ti.Fields, field), append(ti.FieldNames, f.Name)
	}
	return ti
}
