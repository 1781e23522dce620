package registry

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPairFromFlat(t *testing.T) {
	tests := []struct {
		in, desc, base, key string
	}{
		{"http://192.168.2.98/ubuntu-lucid-esxi-64-flat.vmdk", "http://192.168.2.98/ubuntu-lucid-esxi-64.vmdk", "http://192.168.2.98/", "ubuntu-lucid-esxi-64-flat.vmdk"},
		{"https://h:8443/a-flat/b-flat/x-flat-flat.vmdk", "https://h:8443/a-flat/b-flat/x-flat.vmdk", "https://h:8443/a-flat/b-flat/", "x-flat-flat.vmdk"},
		{"http://flat-host-flat/d/disk-flat.vmdk", "http://flat-host-flat/d/disk.vmdk", "http://flat-host-flat/d/", "disk-flat.vmdk"},
		{"http://h/my%20disk-flat.vmdk", "http://h/my%20disk.vmdk", "http://h/", "my%20disk-flat.vmdk"},
		{"file:///var/images/disk-flat.vmdk", "file:///var/images/disk.vmdk", "file:///var/images/", "disk-flat.vmdk"},
		{"http://h/disk-flat", "http://h/disk", "http://h/", "disk-flat"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := PairFromFlat(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.in, p.FlatURI)
			assert.Equal(t, tt.desc, p.DescriptorURI)
			assert.Equal(t, tt.base, p.BaseURI)
			assert.Equal(t, tt.key, p.ObjectKey)
			assert.Equal(t, p.FlatURI, p.BaseURI+p.ObjectKey)
		})
	}
	p, err := PairFromFlat("http://h/my%20disk-flat.vmdk")
	require.NoError(t, err)
	assert.Equal(t, "my disk.vmdk", p.DescriptorName())
}

func TestPairFromFlatRefuses(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"http://h/disk.vmdk", `has no "-flat"`},
		{"http://h-flat/dir-flat/disk.vmdk", `has no "-flat"`},
		{"http://h/-flat.vmdk", "nothing before"},
		{"http://h/", `has no "-flat"`},
		{"ftp://h/disk-flat.vmdk", "scheme"},
		{"disk-flat.vmdk", "scheme"},
		{"http:///disk-flat.vmdk", "no host"},
		{"http://user:pw@h/disk-flat.vmdk", "user info"},
		{"http://h/disk-flat.vmdk?sig=1", "query"},
		{"http://h/disk-flat.vmdk#x", "fragment"},
		{"http://h/%zz-flat.vmdk", "not a URI"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := PairFromFlat(tt.in)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "flat uri", ve.Field)
			assert.Contains(t, err.Error(), tt.msg)
			assert.NotContains(t, err.Error(), ":pw@", "passwords never reach messages")
		})
	}
}

func TestTrimUUID(t *testing.T) {
	u, err := TrimUUID("hn", "hn-esxi1")
	require.NoError(t, err)
	assert.Equal(t, "esxi1", u)
	u, err = TrimUUID("hn", "esxi_1")
	require.NoError(t, err)
	assert.Equal(t, "esxi_1", u)
	for _, bad := range []string{"wmi-x", "hn-", "", "hn-a b", strings.Repeat("a", 256)} {
		_, err := TrimUUID("hn", bad)
		assert.ErrorIs(t, err, ErrInvalid, bad)
	}
}

func TestParseAPIError(t *testing.T) {
	e := ParseAPIError(404, []byte(`{"error":"Dcmgr::Endpoints::UnknownHostNode","message":"hn-x","code":"114"}`))
	assert.Equal(t, "Dcmgr::Endpoints::UnknownHostNode", e.Class)
	assert.Equal(t, "114", e.Code)
	assert.Equal(t, "hn-x", e.Message)
	assert.True(t, errors.Is(e, ErrNotFound))

	e = ParseAPIError(400, []byte(`{"error":"X","message":"m","code":143}`))
	assert.Equal(t, "143", e.Code, "a numeric code is accepted too")

	e = ParseAPIError(500, []byte("<h1>Internal Server Error</h1>"))
	assert.Empty(t, e.Class)
	assert.Equal(t, "<h1>Internal Server Error</h1>", e.Message)
	assert.False(t, errors.Is(e, ErrNotFound))
	assert.Contains(t, e.Error(), "500 Internal Server Error")

	e = ParseAPIError(502, []byte(strings.Repeat("x", 1000)))
	assert.Len(t, e.Message, 203)
}

func TestParseTime(t *testing.T) {
	for _, in := range []string{"2012-03-29T10:00:00Z", "2012-03-29 10:00:00 UTC", "2012-03-29 19:00:00 +0900", "2012-03-29 10:00:00"} {
		tm, err := ParseTime(in)
		require.NoError(t, err, in)
		assert.Equal(t, "2012-03-29T10:00:00Z", tm.Format("2006-01-02T15:04:05Z07:00"), in)
	}
	_, err := ParseTime("yesterday")
	assert.ErrorContains(t, err, "yesterday")

	var v struct{ T Time }
	require.NoError(t, jsonUnmarshal(`{"T":null}`, &v))
	assert.True(t, v.T.IsZero())
	b, err := v.T.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
	require.Error(t, jsonUnmarshal(`{"T":5}`, &v))
}
