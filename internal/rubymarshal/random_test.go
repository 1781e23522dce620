package rubymarshal

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"time"
)

// randomValue builds a random value in decoded form (what Decode returns
// for its own Encode output), depth levels deep at most.
type valueGen struct {
	r *rand.Rand
	n int // counter making hash keys unique
}

func newValueGen(seed uint64) *valueGen {
	return &valueGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *valueGen) value(depth int) any {
	k := g.r.IntN(16)
	if depth <= 0 && k >= 13 {
		k = g.r.IntN(13)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return g.r.IntN(2) == 0
	case 2, 3:
		return g.integer()
	case 4:
		return g.float()
	case 5, 6:
		return g.str()
	case 7:
		return Binary(g.bytes(g.r.IntN(8)))
	case 8:
		encs := []string{"US-ASCII", "Shift_JIS", "EUC-JP", "ISO-8859-1", "UTF-16LE"}
		enc := encs[g.r.IntN(len(encs))]
		b := g.bytes(g.r.IntN(8))
		if enc == "US-ASCII" {
			for i := range b {
				b[i] &= 0x7f
			}
		}
		return EncString{S: string(b), Encoding: enc}
	case 9, 10:
		return g.symbol()
	case 11, 12:
		return g.time()
	case 13, 14:
		n := g.r.IntN(5)
		a := make([]any, n)
		for i := range a {
			a[i] = g.value(depth - 1)
		}
		return a
	default:
		h := &Hash{}
		n := g.r.IntN(5)
		for i := 0; i < n; i++ {
			h.Pairs = append(h.Pairs, Pair{Key: g.key(), Value: g.value(depth - 1)})
		}
		if g.r.IntN(5) == 0 {
			h.Default = g.value(0)
			if h.Default == nil {
				h.Default = int64(0)
			}
		}
		return h
	}
}

// key returns a hash key no other key of the run equals in Ruby (eql?).
func (g *valueGen) key() any {
	g.n++
	switch g.r.IntN(5) {
	case 0:
		return fmt.Sprintf("k%d", g.n)
	case 1:
		return int64(g.n)
	case 2:
		return Binary(fmt.Sprintf("b%d", g.n))
	}
	return Symbol(fmt.Sprintf("k%d", g.n))
}

func (g *valueGen) integer() any {
	switch g.r.IntN(6) {
	case 0:
		return int64(g.r.IntN(256) - 128)
	case 1:
		return int64(g.r.Int32())
	case 2:
		return int64(g.r.Uint64())
	case 3:
		x := new(big.Int).SetBytes(g.bytes(8 + g.r.IntN(12)))
		x.Add(x, new(big.Int).Lsh(big.NewInt(1), 63)) // beyond int64
		if g.r.IntN(2) == 0 {
			x.Neg(x)
			x.Sub(x, big.NewInt(1))
		}
		return x
	case 4:
		edges := []int64{fixnumMax, fixnumMin, fixnumMax + 1, fixnumMin - 1, math.MaxInt64, math.MinInt64, 0, -1, 122, 123, -123, -124}
		return edges[g.r.IntN(len(edges))]
	}
	return int64(g.r.IntN(1<<20) - 1<<19)
}

func (g *valueGen) float() float64 {
	switch g.r.IntN(6) {
	case 0:
		specials := []float64{math.Inf(1), math.Inf(-1), math.NaN(), math.Copysign(0, -1), 0, 1e100, 5e-324, math.MaxFloat64}
		return specials[g.r.IntN(len(specials))]
	case 1:
		return float64(g.r.IntN(100000)) / 100
	case 2:
		return g.r.NormFloat64() * math.Pow(10, float64(g.r.IntN(40)-20))
	}
	f := math.Float64frombits(g.r.Uint64())
	if math.IsNaN(f) {
		return math.NaN()
	}
	return f
}

func (g *valueGen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return b
}

func (g *valueGen) str() string {
	parts := []string{"", "a", "hva.esxi1", "é", "✓", "日本", " ", "\x00", "\n", "i-demo"}
	var s string
	for i := g.r.IntN(4); i > 0; i-- {
		s += parts[g.r.IntN(len(parts))]
	}
	if g.r.IntN(10) == 0 {
		s += "\xff" // invalid UTF-8 stays a UTF-8 String in Ruby
	}
	return s
}

func (g *valueGen) symbol() Symbol {
	names := []string{"a", "state", "running", "terminated", "E", "encoding", "héllo", "nano_num", "zone", "x_y?", "@iv"}
	return Symbol(names[g.r.IntN(len(names))])
}

func (g *valueGen) time() time.Time {
	sec := g.r.Int64N(200*365*86400) - 70*365*86400 // 1900..2100
	if g.r.IntN(10) == 0 {
		sec = g.r.Int64N(1<<40) - 1<<39 // far years, extension bytes
	}
	var nsec int64
	switch g.r.IntN(3) {
	case 1:
		nsec = g.r.Int64N(1e6) * 1000
	case 2:
		nsec = g.r.Int64N(1e9)
	}
	t := time.Unix(sec, nsec)
	switch g.r.IntN(4) {
	case 0:
		return t.UTC()
	case 1:
		return t.In(time.FixedZone("", (g.r.IntN(28*4)-14*4)*15*60))
	case 2:
		return t.In(time.FixedZone("JST", 9*3600))
	}
	return t.In(time.FixedZone("", g.r.IntN(86399*2)-86399))
}
