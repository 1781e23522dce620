package rubymarshal_test

import (
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/esxi-hva/esxi-hva/internal/rubymarshal"
)

func TestClassName(t *testing.T) {
	type mySymbol string
	type myString string
	for _, tc := range []struct {
		v    any
		want string
	}{
		{nil, "nil"},
		{true, "true/false"},
		{int64(1), "Integer"},
		{uint8(1), "Integer"},
		{big.NewInt(1), "Integer"},
		{1.5, "Float"},
		{float32(1.5), "Float"},
		{"s", "String"},
		{myString("s"), "String"},
		{rubymarshal.Binary("b"), "String"},
		{rubymarshal.EncString{S: "e", Encoding: "US-ASCII"}, "String"},
		{[]byte("b"), "String"},
		{rubymarshal.Symbol("running"), "Symbol"},
		{mySymbol("running"), "Symbol"},
		{time.Unix(0, 0), "Time"},
		{[]any{1}, "Array"},
		{[]string{"a"}, "Array"},
		{map[string]any{}, "Hash"},
		{&rubymarshal.Hash{}, "Hash"},
		{struct{}{}, "struct {}"},
	} {
		assert.Equal(t, tc.want, rubymarshal.ClassName(tc.v), "%#v", tc.v)
	}
}
