package isono_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// normalize drops indentation and blank lines, so that the README's
// snippet and the Example's body compare by their code.
func normalize(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// The README's embedding example is Example's body: both stay true.
func TestReadmeEmbeddingExampleMatchesExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)## Embedding `hva` in a custom agent.*?```go\n(.*?)```").FindSubmatch(readme)
	require.NotNil(t, m, "README has an embedding section with a Go block")

	src, err := os.ReadFile("example_test.go")
	require.NoError(t, err)
	body := regexp.MustCompile(`(?s)func Example\(\) \{\n(.*?)\n\}\n`).FindSubmatch(src)
	require.NotNil(t, body, "example_test.go has func Example")
	require.Equal(t, normalize(string(body[1])), normalize(string(m[1])))
}
