package gen

import (
	"hash/fnv"
	"math/bits"
	"math/rand/v2"

	"github.com/brianvoe/gofakeit/v7"
)

// Every value is a pure function of (seed, table, column, row): the random source is re-seeded
// from the row number before each value. That makes a table's contents independent of how rows
// are batched or which tables load in parallel, and lets a child table compute the key of any
// parent row without reading the parent.

// mix64 is SplitMix64's finaliser: a cheap bijective scrambler of 64-bit values.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// DeriveSeed names a random stream: the spec's seed plus the parts (table, column, purpose).
func DeriveSeed(seed int64, parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	return mix64(uint64(seed) ^ h.Sum64())
}

// rowRand is a per-column random stream that is re-seeded for each row.
type rowRand struct {
	row  int64
	seed uint64
	pcg  rand.PCG
	f    *gofakeit.Faker
}

func newRowRand(seed uint64) *rowRand {
	r := &rowRand{seed: seed}
	// Unlocked: each stream is used by one goroutine only.
	r.f = gofakeit.NewFaker(&r.pcg, false)
	return r
}

// at positions the stream at a row and returns the faker drawing from it.
func (r *rowRand) at(row int64) *gofakeit.Faker {
	r.row = row
	r.pcg.Seed(r.seed, mix64(uint64(row)+r.seed))
	return r.f
}

func (r *rowRand) u64() uint64 { return r.pcg.Uint64() }

// intn returns a value in [0, n); n must be positive.
func (r *rowRand) intn(n int64) int64 {
	hi, _ := bits.Mul64(r.pcg.Uint64(), uint64(n))
	return int64(hi)
}

// between returns a value in [lo, hi] (inclusive); hi < lo gives lo.
func (r *rowRand) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	span := uint64(hi - lo)
	if span == ^uint64(0) {
		return int64(r.pcg.Uint64())
	}
	h, _ := bits.Mul64(r.pcg.Uint64(), span+1)
	return lo + int64(h)
}

// chance reports true with probability permille/1000.
func (r *rowRand) chance(permille int) bool {
	return permille > 0 && r.intn(1000) < int64(permille)
}

// affinePerm is a bijection of [0, n): i -> (a*i + c) mod n with a coprime to n. It spreads
// row numbers over a value space without repeating any.
type affinePerm struct {
	n, a, c uint64
}

func newAffinePerm(n uint64, seed uint64) affinePerm {
	if n <= 1 {
		return affinePerm{n: n, a: 1}
	}
	a := mix64(seed)%n | 1
	for gcd(a, n) != 1 {
		a = (a + 2) % n
		if a == 0 {
			a = 1
		}
	}
	return affinePerm{n: n, a: a, c: mix64(seed^0x9e3779b97f4a7c15) % n}
}

func (p affinePerm) apply(i uint64) uint64 {
	if p.n <= 1 {
		return 0
	}
	hi, lo := bits.Mul64(p.a, i%p.n)
	_, rem := bits.Div64(hi%p.n, lo, p.n)
	sum, carry := bits.Add64(rem, p.c, 0)
	if carry != 0 || sum >= p.n {
		sum -= p.n
	}
	return sum
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
