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

// Passwords written unescaped with '/', '?', '#' or '@' (net/url then
// fails, or takes part of the password for the host, path or query) never
// survive String, URL or Err, whatever the URL around them.
func TestPasswordsThatBreakParsing(t *testing.T) {
	passwords := []string{"pa/ss", "pa?ss", "pa#ss", "p@ss", "12/secret", "80?secret", "p@ss/w@rd", "a/b?c#d@e", "s3cr3t//x", "%zz/pw"}
	shapes := []string{
		"amqp://guest:%s@127.0.0.1:5672/",
		"amqp://guest:%s@broker.example:5672/vhost",
		"http://bob:%s@images.example/backups/bo-x-flat.vmdk",
		"https://bob:%s@images.example:8443/a/b-flat.vmdk?sig=abc#frag",
		"http://%s@h/x",
	}
	for _, pw := range passwords {
		for _, shape := range shapes {
			in := strings.Replace(shape, "%s", pw, 1)
			out := String(in)
			assert.NotContains(t, out, pw, "String(%q) = %q", in, out)
			if u, err := url.Parse(in); err == nil {
				assert.NotContains(t, URL(u), pw, "URL(%q)", in)
			} else {
				assert.NotContains(t, Err(err).Error(), pw, "Err of parsing %q", in)
				assert.NotContains(t, Err(err).Error(), pw[:2], "Err of parsing %q quotes no part of it", in)
				assert.ErrorIs(t, Err(err), ErrBadURL)
			}
		}
	}
	// The host survives when the password is the only oddity.
	assert.Equal(t, "amqp://127.0.0.1:5672/", String("amqp://guest:pa/ss@127.0.0.1:5672/"))
	assert.Equal(t, "http://h/x?", String("http://bob:p@ss/w@rd@h/x?tok=1"))
	assert.Equal(t, "file:///var/lib/a@b/img-flat.vmdk", String("file:///var/lib/a@b/img-flat.vmdk"), "no authority, no user information")
}

// FuzzString checks that no password of a URL that parses survives, that
// a query or fragment never does, and that the only '?' left is the
// trailing marker of a dropped query.
func FuzzString(f *testing.F) {
	f.Add("http://bob:secret@h/x?tok=1#f")
	f.Add("amqp://u:p@ss@host/v")
	f.Add("http://bob:pw@h/%zz?tok=1")
	f.Add("00a?00a?")
	f.Add("amqp://guest:pa/ss@127.0.0.1:5672/")
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if strings.Contains(out, "#") {
			t.Fatalf("String(%q) = %q keeps a fragment", s, out)
		}
		if i := strings.IndexByte(out, '?'); i >= 0 && i != len(out)-1 {
			t.Fatalf("String(%q) = %q keeps text after a '?'", s, out)
		}
		u, err := url.Parse(s)
		if err != nil {
			return
		}
		if pw, ok := u.User.Password(); ok && len(pw) >= 4 && !strings.Contains(u.Host+u.Path, pw) {
			if strings.Contains(out, pw) {
				t.Fatalf("String(%q) = %q keeps the password %q", s, out, pw)
			}
		}
		// The '?' that marks a dropped query is not part of the query:
		// "00a?00a?" is the path "00a" and the query "00a?", redacted
		// to "00a?", which holds no query.
		kept := strings.TrimSuffix(out, "?")
		if len(u.RawQuery) >= 4 && !strings.Contains(u.Host+u.EscapedPath(), u.RawQuery) && strings.Contains(kept, u.RawQuery) {
			t.Fatalf("String(%q) = %q keeps the query %q", s, out, u.RawQuery)
		}
	})
}
