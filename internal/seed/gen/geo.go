package gen

import (
	"strconv"
	"strings"

	"github.com/brianvoe/gofakeit/v7"
)

// GeoInfo is what a PostGIS column's type modifier says: geometry(MultiPolygon, 4326),
// geography(Point), geometry (anything, no SRID).
type GeoInfo struct {
	Geography bool
	// Shape is the geometry type: Point, LineString, Polygon, MultiPoint, MultiLineString,
	// MultiPolygon, GeometryCollection ("" when the modifier allows any: points are made).
	Shape string
	SRID  int
	Z, M  bool
}

// geoShapes are PostGIS's geometry type numbers (liblwgeom's POINTTYPE...COLLECTIONTYPE).
var geoShapes = []string{"", "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"}

// geoInfoOf decodes a geometry or geography type modifier (PostGIS's gserialized_typmod.h:
// SRID in bits 8-28 with a sign bit, the type in bits 2-7, Z in bit 1, M in bit 0). Geography's
// SRID defaults to 4326.
func geoInfoOf(geography bool, typmod int32) GeoInfo {
	g := GeoInfo{Geography: geography}
	if typmod >= 0 {
		g.SRID = int(((typmod & 0x0FFFFF00) - (typmod & 0x10000000)) >> 8)
		if t := int(typmod&0xFC) >> 2; t < len(geoShapes) {
			g.Shape = geoShapes[t]
		}
		g.Z, g.M = typmod&2 != 0, typmod&1 != 0
	}
	if geography && g.SRID == 0 {
		g.SRID = 4326
	}
	return g
}

// degrees says whether coordinates are longitudes and latitudes (geography, the common
// geographic SRIDs, or no SRID at all); otherwise they are metres of a projection.
func (g GeoInfo) degrees() bool {
	switch g.SRID {
	case 0, 4326, 4269, 4258, 4283, 4674, 4019, 4148:
		return true
	}
	return g.Geography
}

// GeoFn makes valid EWKT of the column's shape, dimensions and SRID: points by default, small
// squares for polygons (closed, counter-clockwise), short lines, collections of a few.
func GeoFn(g GeoInfo) AppendFn {
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		if g.SRID != 0 {
			dst = append(dst, "SRID="...)
			dst = strconv.AppendInt(dst, int64(g.SRID), 10)
			dst = append(dst, ';')
		}
		shape := g.Shape
		if shape == "" {
			shape = "Point"
		}
		dst = g.appendDims(append(dst, strings.ToUpper(shape)...))
		dst = append(dst, ' ')
		return g.appendBody(dst, rr, shape)
	}
}

func (g GeoInfo) appendBody(dst []byte, rr *rowRand, shape string) []byte {
	x, y := g.anchor(rr)
	step := g.step()
	switch shape {
	case "Point":
		return g.appendCoords(append(dst, '('), rr, [][2]int64{{x, y}}, ')')
	case "LineString":
		return g.appendCoords(append(dst, '('), rr, g.line(rr, x, y, step), ')')
	case "Polygon":
		return g.appendCoords(append(dst, "(("...), rr, square(x, y, step), ')', ')')
	case "MultiPoint":
		return appendParts(dst, rr.between(1, 3), func(dst []byte, i int64) []byte {
			return g.appendCoords(append(dst, '('), rr, [][2]int64{{x + 3*i*step, y}}, ')')
		})
	case "MultiLineString":
		return appendParts(dst, rr.between(1, 2), func(dst []byte, i int64) []byte {
			return g.appendCoords(append(dst, '('), rr, g.line(rr, x, y+3*i*step, step), ')')
		})
	case "MultiPolygon":
		return appendParts(dst, rr.between(1, 2), func(dst []byte, i int64) []byte {
			return g.appendCoords(append(dst, "(("...), rr, square(x+3*i*step, y, step), ')', ')')
		})
	}
	// GeometryCollection: a point and a line.
	dst = append(dst, "(POINT"...)
	dst = g.appendDims(dst)
	dst = g.appendCoords(append(dst, " ("...), rr, [][2]int64{{x, y}}, ')')
	dst = append(dst, ",LINESTRING"...)
	dst = g.appendDims(dst)
	return g.appendCoords(append(dst, " ("...), rr, g.line(rr, x+step, y, step), ')', ')')
}

// appendParts writes a multi-geometry's parts, (part, part, ...), each a few steps apart.
func appendParts(dst []byte, n int64, part func(dst []byte, i int64) []byte) []byte {
	dst = append(dst, '(')
	for i := int64(0); i < n; i++ {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = part(dst, i)
	}
	return append(dst, ')')
}

func (g GeoInfo) appendDims(dst []byte) []byte {
	switch {
	case g.Z && g.M:
		return append(dst, " ZM"...)
	case g.Z:
		return append(dst, " Z"...)
	case g.M:
		return append(dst, " M"...)
	}
	return dst
}

// Coordinates are integers of 10^-6 degrees or millimetres.
const geoScale = 6

// anchor picks where a value lies: anywhere on land-ish latitudes for degrees, within a
// country-sized square of metres otherwise.
func (g GeoInfo) anchor(rr *rowRand) (int64, int64) {
	if g.degrees() {
		return rr.between(-179_000_000, 178_000_000), rr.between(-80_000_000, 79_000_000)
	}
	return rr.between(100_000_000_000, 900_000_000_000), rr.between(100_000_000_000, 900_000_000_000)
}

// step is the size of a generated polygon's side: about a kilometre.
func (g GeoInfo) step() int64 {
	if g.degrees() {
		return 10_000 // 0.01 degrees
	}
	return 1_000_000_000 // 1 km in millimetres
}

func (g GeoInfo) line(rr *rowRand, x, y, step int64) [][2]int64 {
	n := rr.between(2, 4)
	pts := make([][2]int64, n)
	for i := int64(0); i < n; i++ {
		pts[i] = [2]int64{x + i*step, y + rr.between(0, step)}
	}
	return pts
}

func square(x, y, d int64) [][2]int64 {
	return [][2]int64{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}
}

func (g GeoInfo) appendCoords(dst []byte, rr *rowRand, pts [][2]int64, closing ...byte) []byte {
	for i, p := range pts {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendDecimal(dst, p[0], geoScale)
		dst = append(dst, ' ')
		dst = appendDecimal(dst, p[1], geoScale)
		if g.Z {
			dst = append(dst, ' ')
			dst = strconv.AppendInt(dst, rr.between(0, 3000), 10)
		}
		if g.M {
			dst = append(dst, ' ')
			dst = strconv.AppendInt(dst, rr.between(0, 1000), 10)
		}
	}
	return append(dst, closing...)
}

// HstoreFn makes hstore values: a few "key"=>"value" pairs, keys from a fixed set per column.
func HstoreFn(seed uint64) AppendFn {
	keys := columnKeys(seed)
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		n := int(rr.between(1, int64(len(keys))))
		for i := 0; i < n; i++ {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, '"')
			dst = append(dst, keys[i].name...)
			dst = append(dst, `"=>"`...)
			dst = keys[i].appendValue(dst, rr, false)
			dst = append(dst, '"')
		}
		return dst
	}
}

// LtreeFn makes label paths such as top.science.astronomy (letters only: every PostgreSQL
// version's ltree reads them).
func LtreeFn() AppendFn {
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		n := int(rr.between(1, 4))
		for i := 0; i < n; i++ {
			if i > 0 {
				dst = append(dst, '.')
			}
			dst = append(dst, lettersOnly(lexNoun.pick(rr))...)
		}
		return dst
	}
}
