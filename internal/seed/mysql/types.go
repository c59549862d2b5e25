package mysql

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/envmirror/envmirror/internal/seed/catalog"
)

// column is one row of information_schema.COLUMNS, with what mapping it needs.
type column struct {
	table, name, dataType, columnType, nullable, extra string
	position                                           int
	defaultValue                                       *string
	charMax                                            *int64
	precision, scale                                   *int64
	srid                                               *int64
}

// conversion says how a column's value, written as PostgreSQL's text input, is turned into the
// column's value in LOAD DATA's SET clause ("" when it is loaded as it is). %s is the variable.
type conversion string

const (
	convNone     conversion = ""
	convBool     conversion = "(%s = 't')"
	convHex      conversion = "UNHEX(SUBSTRING(%s, 3))"
	convBits     conversion = "CAST(CONV(%s, 2, 10) AS UNSIGNED)"
	convGeometry conversion = "ST_GeomFromText(SUBSTRING_INDEX(%s, ';', -1)%s)"
)

var enumLabel = regexp.MustCompile(`'((?:[^'\\]|''|\\.)*)'`)

// labels reads the members of enum('a','b') or set('a','b').
func labels(columnType string) []string {
	var out []string
	for _, m := range enumLabel.FindAllStringSubmatch(columnType, -1) {
		l := strings.ReplaceAll(m[1], "''", "'")
		l = strings.ReplaceAll(l, `\\`, `\`)
		out = append(out, l)
	}
	return out
}

// typeOf maps a MySQL or MariaDB column type to a catalog type, its modifier (as PostgreSQL's
// would be) and the conversion its values need.
func typeOf(c column, jsonColumns map[string]bool) (*catalog.Type, int32, conversion) {
	ct := strings.ToLower(c.columnType)
	unsigned := strings.Contains(ct, "unsigned")
	pg := func(name string, category byte) *catalog.Type {
		return &catalog.Type{Schema: "pg_catalog", Name: name, Kind: 'b', Category: category, Display: c.columnType}
	}
	integer := func(bits uint) *catalog.Type {
		t := &catalog.Type{Schema: "mysql", Name: c.dataType, Kind: 'b', Category: 'N', Display: c.columnType,
			Native: &catalog.NativeType{Integer: true}}
		if unsigned {
			t.Native.IntMin, t.Native.IntMax = 0, int64(math.MaxInt64)
			if bits < 64 {
				t.Native.IntMax = 1<<bits - 1
			}
		} else {
			t.Native.IntMin, t.Native.IntMax = -1<<(bits-1), 1<<(bits-1)-1
		}
		return t
	}
	switch c.dataType {
	case "tinyint":
		if strings.HasPrefix(ct, "tinyint(1)") {
			return pg("bool", 'B'), -1, convBool
		}
		return integer(8), -1, convNone
	case "bool", "boolean":
		return pg("bool", 'B'), -1, convBool
	case "smallint":
		return integer(16), -1, convNone
	case "mediumint":
		return integer(24), -1, convNone
	case "int", "integer":
		return integer(32), -1, convNone
	case "bigint":
		return integer(64), -1, convNone
	case "year":
		t := integer(16)
		t.Native.IntMin, t.Native.IntMax = 1901, 2155
		return t, -1, convNone
	case "decimal", "numeric":
		p, s := int64(10), int64(0)
		if c.precision != nil {
			p = *c.precision
		}
		if c.scale != nil {
			s = *c.scale
		}
		return pg("numeric", 'N'), int32(p<<16|s) + 4, convNone
	case "float":
		return pg("float4", 'N'), -1, convNone
	case "double", "real":
		return pg("float8", 'N'), -1, convNone
	case "bit":
		if ct == "bit(1)" {
			return pg("bool", 'B'), -1, convBool
		}
		n := int32(1)
		if c.precision != nil {
			n = int32(*c.precision)
		}
		return pg("bit", 'V'), n, convBits
	case "enum", "set":
		// A SET gets one member per row.
		return &catalog.Type{Schema: "mysql", Name: c.dataType, Kind: 'e', Category: 'E', Display: c.columnType,
			Labels: labels(c.columnType)}, -1, convNone
	case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
		"geometrycollection", "geomcollection":
		return geometryType(c), -1, convGeometry
	}
	return otherTypeOf(c, jsonColumns)
}

// otherTypeOf maps the text, binary, time and JSON types (see typeOf).
func otherTypeOf(c column, jsonColumns map[string]bool) (*catalog.Type, int32, conversion) {
	pg := func(name string, category byte) *catalog.Type {
		return &catalog.Type{Schema: "pg_catalog", Name: name, Kind: 'b', Category: category, Display: c.columnType}
	}
	switch c.dataType {
	case "char", "varchar":
		if jsonColumns[c.name] {
			return pg("json", 'U'), -1, convNone
		}
		name := "varchar"
		if c.dataType == "char" {
			name = "bpchar"
		}
		n := int32(255)
		if c.charMax != nil && *c.charMax < math.MaxInt32-4 {
			n = int32(*c.charMax)
		}
		return pg(name, 'S'), n + 4, convNone
	case "tinytext", "text", "mediumtext", "longtext":
		if jsonColumns[c.name] {
			return pg("json", 'U'), -1, convNone
		}
		t := pg("text", 'S')
		if c.dataType == "tinytext" {
			t.Native = &catalog.NativeType{MaxLen: 255}
		}
		return t, -1, convNone
	case "json":
		return pg("json", 'U'), -1, convNone
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return pg("bytea", 'U'), -1, convHex
	case "date":
		return pg("date", 'D'), -1, convNone
	case "datetime", "timestamp":
		return pg("timestamp", 'D'), -1, convNone
	case "time":
		return pg("time", 'D'), -1, convNone
	case "uuid":
		return pg("uuid", 'U'), -1, convNone
	case "inet4", "inet6":
		return pg("inet", 'I'), -1, convNone
	}
	return &catalog.Type{Schema: "mysql", Name: c.dataType, Kind: 'b', Category: 'X', Display: c.columnType}, -1, convNone
}

var geometryShapes = map[string]string{"point": "Point", "linestring": "LineString", "polygon": "Polygon",
	"multipoint": "MultiPoint", "multilinestring": "MultiLineString", "multipolygon": "MultiPolygon",
	"geometrycollection": "GeometryCollection", "geomcollection": "GeometryCollection"}

func geometryType(c column) *catalog.Type {
	n := &catalog.NativeType{Geometry: true, Shape: geometryShapes[c.dataType]}
	if c.srid != nil {
		n.SRID = int(*c.srid)
	}
	return &catalog.Type{Schema: "mysql", Name: c.dataType, Kind: 'b', Category: 'G', Display: c.columnType, Native: n}
}

// geometryArgs are the arguments after the text of ST_GeomFromText: the SRID, and on MySQL 8
// the axis order of geographic SRIDs (the generator writes longitude first).
func geometryArgs(srid int, mariadb bool) string {
	if srid == 0 {
		return ""
	}
	if mariadb {
		return ", " + strconv.Itoa(srid)
	}
	return ", " + strconv.Itoa(srid) + ", 'axis-order=long-lat'"
}
