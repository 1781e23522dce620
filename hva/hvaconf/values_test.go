package hvaconf

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormatValueAndKind(t *testing.T) {
	tests := []struct {
		v    any
		text string
		kind string
	}{
		{nil, "nil", "nil"},
		{"a\"b", `"a\"b"`, "string"},
		{Password("pw"), "***", "string"},
		{Symbol("s"), ":s", "symbol"},
		{Expr("a + b"), "a + b", "Ruby expression"},
		{true, "true", "boolean"},
		{int64(-3), "-3", "integer"},
		{2.0, "2.0", "float"},
		{1.5e300, "1.5e+300", "float"},
		{[]any{int64(1), "x"}, `[1, "x"]`, "array"},
		{map[string]any{"b": int64(1), "a": nil}, `{"a" => nil, "b" => 1}`, "hash"},
		{uint8(1), "1", "uint8"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			assert.Equal(t, tt.text, formatValue(tt.v))
			assert.Equal(t, tt.kind, kindOf(tt.v))
		})
	}
}

func TestPasswordTypeErrorsNameOnlyTheKind(t *testing.T) {
	for src, want := range map[string]string{
		"1":      "an integer (not shown)",
		"1.5":    "a float (not shown)",
		"true":   "a boolean (not shown)",
		":pw":    "a symbol (not shown)",
		"['pw']": "an array (not shown)",
		"{a: 1}": "a hash (not shown)",
	} {
		_, _, err := config(t, "config.esxi_password = "+src)
		require.Error(t, err, src)
		assert.Equal(t, "hva.conf:1: esxi_password: want a string, got "+want, err.Error())
	}
}

func TestPassword(t *testing.T) {
	p := Password("pw")
	assert.Equal(t, "***", p.String())
	assert.Equal(t, "***", p.LogValue().String())
	assert.Equal(t, "pw", string(p))
	assert.Equal(t, "", Password("").String())
}

func TestClip(t *testing.T) {
	assert.Equal(t, "short", clip("short"))
	long := strings.Repeat("a", 59) + "é" + strings.Repeat("b", 10)
	got := clip(long)
	assert.Equal(t, strings.Repeat("a", 59)+"...", got, "a UTF-8 sequence is not split")
	assert.LessOrEqual(t, len(clip(strings.Repeat("x", 1000))), 63)
}

func TestErrorStrings(t *testing.T) {
	assert.Equal(t, "f:3: expected x", (&SyntaxError{File: "f", Line: 3, Msg: "expected x"}).Error())
	assert.Equal(t, "f:2: k: bad", (&ValueError{File: "f", Line: 2, Key: "k", Msg: "bad"}).Error())
	assert.Equal(t, "f: k: bad", (&ValueError{File: "f", Key: "k", Msg: "bad"}).Error())
	assert.ErrorIs(t, &ValueError{}, ErrInvalidValue)
	assert.NotErrorIs(t, &ValueError{}, ErrSyntax)
	assert.NotErrorIs(t, &SyntaxError{}, ErrInvalidValue)
}

func TestTokenDescriptions(t *testing.T) {
	for src, want := range map[string]string{
		"config.x = }":   "found '}'",
		"config.x = ]":   "found ']'",
		"config.x :sym":  "found symbol :sym",
		"config.x 'str'": "found string",
		":sym":           "found symbol :sym",
		"1":              "found '1'",
	} {
		_, err := Parse("hva.conf", strings.NewReader(src))
		require.Error(t, err, src)
		assert.Contains(t, err.Error(), want, src)
	}
}
