package testenv_test

import (
	"fmt"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

func TestRequireTCPPassesForAListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	testenv.RequireTCP(t, "a test listener", ln.Addr().String())
	// Reaching this line means the check did not skip or fail.
	assert.False(t, t.Skipped())
}

func TestRequireCommandFindsSh(t *testing.T) {
	p := testenv.RequireCommand(t, "sh")
	assert.NotEmpty(t, p)
}

func TestMissingThingsSkipOutsideCI(t *testing.T) {
	t.Setenv("CI", "")
	var skipped bool
	ok := t.Run("inner", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		testenv.RequireCommand(t, "esxi-hva-no-such-command")
	})
	assert.True(t, ok)
	assert.True(t, skipped, "outside CI a missing tool skips")
}

func ExampleInCI() {
	fmt.Println(testenv.DefaultAMQPURL)
	// Output: amqp://guest:guest@127.0.0.1:5672/
}
