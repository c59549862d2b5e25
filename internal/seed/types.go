package seed

import (
	"math"
	"strings"
)

// valueKind is how values of a base type are generated and written.
type valueKind int

const (
	kUnknown valueKind = iota
	kInt
	kNumeric
	kFloat
	kMoney
	kText
	kBool
	kDate
	kTimestamp
	kTimestamptz
	kTime
	kTimetz
	kInterval
	kUUID
	kJSON
	kInet
	kMacaddr
	kMacaddr8
	kBytea
	kBit
	kTSVector
	kXML
	kPoint
	kEnum
	kArray
	kRange
)

// typeInfo is a column's base type with the details generation honours.
type typeInfo struct {
	kind valueKind
	name string // the base type's name, for messages
	// intMin/intMax bound integer types.
	intMin, intMax int64
	// precision/scale of numeric; precision 0 when unconstrained.
	precision, scale int
	// maxLen is the length limit of varchar(n), char(n), bit(n); 0 when none.
	maxLen int
	// fixedLen is true for char(n) and bit(n).
	fixedLen bool
	labels   []string // enum labels
	elem     *typeInfo
	rangeSub *typeInfo
	cidr     bool
}

// isOrdinal says whether values are generated as integers in some unit (and so can be ordered
// and related to other columns): integers, numerics, dates, timestamps, times.
func (t typeInfo) isOrdinal() bool {
	switch t.kind {
	case kInt, kNumeric, kFloat, kMoney, kDate, kTimestamp, kTimestamptz, kTime:
		return true
	}
	return false
}

// ordinalScale is the number of decimal digits an ordinal unit has (0 for integers and times).
func (t typeInfo) ordinalScale() int {
	switch t.kind {
	case kNumeric:
		if t.precision == 0 {
			return 2
		}
		return min(t.scale, 6)
	case kFloat:
		return 4
	case kMoney:
		return 2
	}
	return 0
}

// ordinalFamily groups kinds whose ordinals compare: numbers with numbers, instants with instants.
func (t typeInfo) ordinalFamily() int {
	switch t.kind {
	case kInt, kNumeric, kFloat, kMoney:
		return 1
	case kDate:
		return 2
	case kTimestamp, kTimestamptz:
		return 3
	case kTime:
		return 4
	}
	return 0
}

func typeInfoOf(t *pgType, typmod int32) typeInfo {
	if t == nil {
		return typeInfo{kind: kUnknown, name: "unknown"}
	}
	ti := typeInfo{name: t.Display}
	if t.Kind == 'e' {
		ti.kind, ti.labels = kEnum, t.Labels
		return ti
	}
	if t.Category == 'A' && t.Elem != nil {
		base, mod := t.Elem, typmod
		for i := 0; base.Kind == 'd' && base.Base != nil && i < 32; i++ {
			if mod < 0 {
				mod = base.BaseTypMod
			}
			base = base.Base
		}
		elem := typeInfoOf(base, mod)
		ti.kind, ti.elem = kArray, &elem
		return ti
	}
	if t.Kind == 'r' {
		sub := typeInfoOf(t.RangeSub, -1)
		ti.kind, ti.rangeSub = kRange, &sub
		return ti
	}
	switch t.Schema + "." + t.Name {
	case "pg_catalog.int2":
		ti.kind, ti.intMin, ti.intMax = kInt, math.MinInt16, math.MaxInt16
	case "pg_catalog.int4":
		ti.kind, ti.intMin, ti.intMax = kInt, math.MinInt32, math.MaxInt32
	case "pg_catalog.int8":
		ti.kind, ti.intMin, ti.intMax = kInt, math.MinInt64, math.MaxInt64
	case "pg_catalog.oid":
		ti.kind, ti.intMin, ti.intMax = kInt, 1, math.MaxUint32
	case "pg_catalog.numeric":
		ti.kind = kNumeric
		if typmod >= 4 {
			m := typmod - 4
			ti.precision = int((m >> 16) & 0xffff)
			scale := int(m & 0x7ff)
			if scale > 1023 { // negative scales (PostgreSQL 15+) are stored as 11-bit two's complement
				scale -= 2048
			}
			ti.scale = max(scale, 0)
		}
	case "pg_catalog.float4", "pg_catalog.float8":
		ti.kind = kFloat
	case "pg_catalog.money":
		ti.kind = kMoney
	case "pg_catalog.text", "pg_catalog.name":
		ti.kind = kText
		if t.Name == "name" {
			ti.maxLen = 63
		}
	case "pg_catalog.varchar":
		ti.kind = kText
		if typmod >= 4 {
			ti.maxLen = int(typmod - 4)
		}
	case "pg_catalog.bpchar":
		ti.kind, ti.maxLen, ti.fixedLen = kText, 1, true
		if typmod >= 4 {
			ti.maxLen = int(typmod - 4)
		}
	case "pg_catalog.char":
		ti.kind, ti.maxLen = kText, 1
	case "pg_catalog.bool":
		ti.kind = kBool
	case "pg_catalog.date":
		ti.kind = kDate
	case "pg_catalog.timestamp":
		ti.kind = kTimestamp
	case "pg_catalog.timestamptz":
		ti.kind = kTimestamptz
	case "pg_catalog.time":
		ti.kind = kTime
	case "pg_catalog.timetz":
		ti.kind = kTimetz
	case "pg_catalog.interval":
		ti.kind = kInterval
	case "pg_catalog.uuid":
		ti.kind = kUUID
	case "pg_catalog.json", "pg_catalog.jsonb":
		ti.kind = kJSON
	case "pg_catalog.inet":
		ti.kind = kInet
	case "pg_catalog.cidr":
		ti.kind, ti.cidr = kInet, true
	case "pg_catalog.macaddr":
		ti.kind = kMacaddr
	case "pg_catalog.macaddr8":
		ti.kind = kMacaddr8
	case "pg_catalog.bytea":
		ti.kind = kBytea
	case "pg_catalog.bit":
		ti.kind, ti.maxLen, ti.fixedLen = kBit, 1, true
		if typmod > 0 {
			ti.maxLen = int(typmod)
		}
	case "pg_catalog.varbit":
		ti.kind = kBit
		if typmod > 0 {
			ti.maxLen = int(typmod)
		}
	case "pg_catalog.tsvector":
		ti.kind = kTSVector
	case "pg_catalog.xml":
		ti.kind = kXML
	case "pg_catalog.point":
		ti.kind = kPoint
	default:
		// Extension types that read text input (citext, ...) are strings.
		if t.Category == 'S' || strings.EqualFold(t.Name, "citext") {
			ti.kind = kText
		}
	}
	return ti
}
