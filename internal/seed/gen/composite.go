package gen

import (
	"github.com/brianvoe/gofakeit/v7"
)

// CompositeFn makes values of a composite type, ("1 Main St","Springfield",), each field by its
// type and name as an array element would be; a field nothing generates is NULL (empty). nil
// when no field can be generated.
func CompositeFn(info TypeInfo) AppendFn {
	fields := make([]ElemFn, len(info.Fields))
	any := false
	for i, f := range info.Fields {
		if f.Kind == KindComposite {
			if inner := CompositeFn(f); inner != nil {
				fields[i] = func(f *gofakeit.Faker, rr *rowRand) string { return string(inner(f, rr, 0, nil)) }
			}
		} else {
			fields[i] = ElementFn(f, GuessSemantic("", info.FieldNames[i]))
		}
		any = any || fields[i] != nil
	}
	if !any {
		return nil
	}
	return func(f *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		dst = append(dst, '(')
		for i, field := range fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			if field == nil {
				continue // NULL
			}
			dst = append(dst, '"')
			for _, c := range []byte(field(f, rr)) {
				if c == '"' || c == '\\' {
					dst = append(dst, c)
				}
				dst = append(dst, c)
			}
			dst = append(dst, '"')
		}
		return append(dst, ')')
	}
}
