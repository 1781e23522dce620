package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestRunRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "hva.conf")
	require.NoError(t, os.WriteFile(broken, []byte("config.esxi_ipaddress = \"192.168.2.25\n"), 0o600))
	env := filepath.Join(dir, "wakame-vdc")
	require.NoError(t, os.WriteFile(env, []byte("AMQP_SERVER=127.0.0.1\nHVA_ID=esxi9\n"), 0o600))
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-c", broken, "-e", env}, &out, &errOut)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "hva.conf:1", "a broken hva.conf is reported with file:line")

	err = run(context.Background(), []string{"-log-level", "loud"}, &out, &errOut)
	require.ErrorContains(t, err, "-log-level")
	err = run(context.Background(), []string{"-e", filepath.Join(dir, "missing")}, &out, &errOut)
	require.ErrorContains(t, err, "missing")

	f, err := parseFlags([]string{"-e", env}, &errOut)
	require.NoError(t, err)
	id, broker, err := settings(f, quiet())
	require.NoError(t, err)
	assert.Equal(t, "hva.esxi9", id, "HVA_ID of the environment file")
	assert.Equal(t, "amqp://127.0.0.1:5672/", broker.URL)
	f, err = parseFlags([]string{"-e", env, "-i", "esxi1", "-s", "amqp://10.0.0.1:5672/"}, &errOut)
	require.NoError(t, err)
	id, broker, err = settings(f, quiet())
	require.NoError(t, err)
	assert.Equal(t, "hva.esxi1", id, "flags win")
	assert.Equal(t, "amqp://10.0.0.1:5672/", broker.URL)
}

// Wakame's packaged environment file ends in shell code: the agent keeps
// the assignments and goes on.
func TestSettingsFromAPackagedDefaultsFile(t *testing.T) {
	env := filepath.Join(t.TempDir(), "wakame-vdc")
	require.NoError(t, os.WriteFile(env, []byte("AMQP_SERVER=10.1.2.3\nAMQP_PORT=5673\nHVA_ID=esxi2\n[ -f /etc/wakame-vdc/local ] && . /etc/wakame-vdc/local\n"), 0o600))
	f, err := parseFlags([]string{"-e", env}, io.Discard)
	require.NoError(t, err)
	id, broker, err := settings(f, quiet())
	require.NoError(t, err)
	assert.Equal(t, "hva.esxi2", id)
	assert.Equal(t, "amqp://10.1.2.3:5673/", broker.URL)
}

func TestRedactURLHidesPasswords(t *testing.T) {
	for in, want := range map[string]string{
		"amqp://guest:guest@127.0.0.1:5672/": "amqp://guest:xxxxx@127.0.0.1:5672/",
		"amqp://u:p@ss@broker:5672/vdc":      "amqp://u:xxxxx@broker:5672/vdc", // an "@" in the password
		"amqp://127.0.0.1/":                  "amqp://127.0.0.1/",
		"amqp://u:secret@broker/%zz":         "(unparsable URL)",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-h"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "usage: esxi-hva")
	assert.Contains(t, errOut.String(), "no subcommands")
	assert.Contains(t, errOut.String(), "-metrics-addr")
	assert.Contains(t, errOut.String(), "-version")
}
