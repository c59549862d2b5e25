package gen

import "testing"

func TestTriangularCoversEveryPairOnce(t *testing.T) {
	for _, n := range []int64{2, 3, 7, 100} {
		seen := map[[2]int64]bool{}
		for k := int64(0); k < n*(n-1)/2; k++ {
			a, b := triangular(k, n)
			if a < 0 || b <= a || b >= n || seen[[2]int64{a, b}] {
				t.Fatalf("n=%d k=%d: pair (%d, %d)", n, k, a, b)
			}
			seen[[2]int64{a, b}] = true
		}
	}
}

func TestPairsAreDistinctAndOrdered(t *testing.T) {
	keys := &OrdinalRecipe{Seed: 1, Info: TypeInfo{Kind: KindInt, IntMin: 1, IntMax: 1 << 40}, Lo: 1, Hi: 1 << 40, Unique: true, Step: 1,
		Unit: OrdinalUnit{Family: TypeInfo{Kind: KindInt}.OrdinalFamily()}}
	for _, ordered := range []bool{false, true} {
		r := &PairRecipe{Seed: 3, ParentRows: 50, Ordered: ordered, Unique: true, Ref: keys}
		ctx := NewInstContext()
		a, b := (&PairColumnRecipe{Pair: r}).Instantiate(ctx), (&PairColumnRecipe{Pair: r, Second: true}).Instantiate(ctx)
		seen := map[string]bool{}
		for row := int64(0); row < r.Capacity(); row++ {
			va, vb := string(a.AppendValue(nil, row)), string(b.AppendValue(nil, row))
			oa, _ := ordinalAt(a, row)
			ob, _ := ordinalAt(b, row)
			if va == vb || seen[va+","+vb] || ordered && oa >= ob {
				t.Fatalf("ordered=%v row %d: pair (%s, %s) repeats, is equal or out of order", ordered, row, va, vb)
			}
			seen[va+","+vb] = true
		}
	}
}
