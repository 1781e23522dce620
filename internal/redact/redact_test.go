package redact

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestURL(t *testing.T) {
	u, _ := url.Parse("https://bob:pw@h/a/disk-flat.vmdk?token=abc#frag")
	assert.Equal(t, "https://h/a/disk-flat.vmdk?", URL(u))
	u, _ = url.Parse("amqp://guest:guest@127.0.0.1:5672/vhost")
	assert.Equal(t, "amqp://127.0.0.1:5672/vhost", URL(u))
	assert.Equal(t, "", URL(nil))
	u, _ = url.Parse("file:///var/lib/img-flat.vmdk")
	assert.Equal(t, "file:///var/lib/img-flat.vmdk", URL(u), "nothing to drop")
}

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"http://bob:p@ss@h/x?tok":            "http://h/x?",
		"http://bob:pw@h/%zz?tok=1":          "http://h/%zz", // does not parse
		"amqp://u:p@ss@host/%zz":             "amqp://host/%zz",
		"amqp://u:secret@host:5672/%zz#x":    "amqp://host:5672/%zz",
		"no scheme at all":                   "no%20scheme%20at%20all",
		"http://h/path?sig=abc&Expires=1234": "http://h/path?",
	} {
		assert.Equal(t, want, String(in), "String(%q)", in)
	}
}

func TestErr(t *testing.T) {
	_, err := http.Get("http://bob:secret@127.0.0.1:1/x?sig=abc")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sig=abc", "net/http names the URL with its query")
	assert.NotContains(t, Err(err).Error(), "sig=abc")
	assert.NotContains(t, Err(err).Error(), "bob")
	plain := errors.New("plain")
	assert.Same(t, plain, Err(plain))
}

// FuzzString checks that no password of a URL that parses survives.
func FuzzString(f *testing.F) {
	f.Add("http://bob:secret@h/x?tok=1#f")
	f.Add("amqp://u:p@ss@host/v")
	f.Add("http://bob:pw@h/%zz?tok=1")
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		u, err := url.Parse(s)
		if err != nil {
			return
		}
		if pw, ok := u.User.Password(); ok && len(pw) >= 4 && !strings.Contains(u.Host+u.Path, pw) {
			if strings.Contains(out, pw) {
				t.Fatalf("String(%q) = %q keeps the password %q", s, out, pw)
			}
		}
		if u.RawQuery != "" && len(u.RawQuery) >= 4 && !strings.Contains(u.Host+u.EscapedPath(), u.RawQuery) && strings.Contains(out, u.RawQuery) {
			t.Fatalf("String(%q) = %q keeps the query %q", s, out, u.RawQuery)
		}
	})
}
