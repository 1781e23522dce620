package rubymarshal

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// MaxKeyText is the most bytes KeyText returns (plus a "..." marker).
const MaxKeyText = 256

// KeyText returns the text a decoded hash key becomes in a map keyed by
// strings: a String's or Symbol's text, and for any other key (an
// Integer, an Array...) a description like fmt.Sprint's, cut after
// MaxKeyText bytes. It stops walking the key there, so a key that expands
// to millions of values through object links costs no more than a short
// one.
func KeyText(k any) string {
	if s, ok := keyString(k); ok {
		return s
	}
	w := keyWriter{}
	w.value(k)
	return w.b.String()
}

type keyWriter struct {
	b    strings.Builder
	full bool
}

func (w *keyWriter) write(s string) {
	if w.full {
		return
	}
	if room := MaxKeyText - w.b.Len(); len(s) > room {
		w.b.WriteString(s[:room])
		w.b.WriteString("...")
		w.full = true
		return
	}
	w.b.WriteString(s)
}

func (w *keyWriter) value(v any) {
	if w.full {
		return
	}
	switch x := v.(type) {
	case nil:
		w.write("<nil>")
	case bool:
		w.write(strconv.FormatBool(x))
	case int64:
		w.write(strconv.FormatInt(x, 10))
	case float64:
		w.write(strconv.FormatFloat(x, 'g', -1, 64))
	case *big.Int:
		if x.BitLen() > 4*MaxKeyText {
			w.write(fmt.Sprintf("<Integer of %d bits>", x.BitLen()))
			return
		}
		w.write(x.String())
	case time.Time:
		w.write(x.String())
	case []any:
		w.write("[")
		for i, e := range x {
			if i > 0 {
				w.write(" ")
			}
			w.value(e)
			if w.full {
				return
			}
		}
		w.write("]")
	case *Hash:
		w.write("{")
		for i, p := range x.Pairs {
			if i > 0 {
				w.write(" ")
			}
			w.value(p.Key)
			w.write(":")
			w.value(p.Value)
			if w.full {
				return
			}
		}
		w.write("}")
	default:
		if s, ok := keyString(v); ok {
			w.write(s)
			return
		}
		w.write(fmt.Sprintf("%T", v))
	}
}
