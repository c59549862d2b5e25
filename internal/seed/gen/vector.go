package gen

import (
	"math"
	"strconv"

	"github.com/brianvoe/gofakeit/v7"
)

// undeclaredDim is the dimension of a vector column declared without one.
const undeclaredDim = 3

// VectorFn makes pgvector values of the column's declared dimension: embeddings, so each is
// scaled to unit length ("[0.0312,-0.1204,...]"); a sparsevec keeps a few of its dimensions
// ("{1:0.5,7:-0.25}/1536").
func VectorFn(info TypeInfo) AppendFn {
	dim := info.Dim
	if dim <= 0 {
		dim = undeclaredDim
	}
	if info.Sparse {
		return sparseVectorFn(dim)
	}
	values := make([]float64, dim)
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		var norm float64
		for i := range values {
			values[i] = float64(rr.between(-10000, 10000)) / 10000
			norm += values[i] * values[i]
		}
		scale := 1.0
		if norm > 0 {
			scale = 1 / math.Sqrt(norm)
		}
		dst = append(dst, '[')
		for i, v := range values {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendFloat(dst, v*scale, 'f', 4, 64)
		}
		return append(dst, ']')
	}
}

func sparseVectorFn(dim int) AppendFn {
	return func(_ *gofakeit.Faker, rr *rowRand, _ int64, dst []byte) []byte {
		n := int(rr.between(1, int64(min(dim, 8))))
		step := max(dim/n, 1)
		dst = append(dst, '{')
		for i := 0; i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			index := i*step + int(rr.intn(int64(step))) + 1 // 1-based, increasing
			dst = strconv.AppendInt(dst, int64(min(index, dim)), 10)
			dst = append(dst, ':')
			dst = strconv.AppendFloat(dst, float64(rr.between(-1000, 1000))/1000, 'f', 3, 64)
		}
		dst = append(dst, "}/"...)
		return strconv.AppendInt(dst, int64(dim), 10)
	}
}
