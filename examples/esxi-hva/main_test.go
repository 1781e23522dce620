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

	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func checkSummary(t *testing.T, s *summary, out string) {
	t.Helper()
	assert.Equal(t, []string{"running", "running", "halted", "running", "terminated"}, s.States)
	assert.Zero(t, s.VMsLeft, "no VM left")
	assert.False(t, s.FolderLeft, "no instance folder left")
	assert.True(t, s.Cached, "the image stays cached")
	assert.Equal(t, int64(2), s.FlatRequests, "the flat was read twice: the registration's md5 check and the one download")
	require.Len(t, s.Hosts, 1)
	assert.Equal(t, "hva.demo", s.Hosts[0].NodeID)
	assert.Equal(t, "online", s.Hosts[0].Status)
	require.Len(t, s.Images, 1)
	assert.Contains(t, out, "all steps passed")
	assert.Contains(t, out, "image    [##############################] 100%", "the progress bar reaches the end")
}

func TestSimulateInProcess(t *testing.T) {
	var out bytes.Buffer
	f, err := parseFlags([]string{"--simulate", "--in-process"}, &out)
	require.NoError(t, err)
	s, err := simulateSummary(context.Background(), f, &out, quiet())
	require.NoError(t, err, out.String())
	assert.False(t, s.OverAMQP)
	checkSummary(t, s, out.String())
	assert.Contains(t, s.Events, "hva/instance_started")
	assert.Contains(t, s.Events, "hva/instance_terminated")
}

func TestSimulateOverRabbitMQ(t *testing.T) {
	url := testenv.AMQPVhostURL(t, "esxi-hva-examples")
	var out bytes.Buffer
	f, err := parseFlags([]string{"--simulate", "-s", url}, &out)
	require.NoError(t, err)
	s, err := simulateSummary(context.Background(), f, &out, quiet())
	require.NoError(t, err, out.String())
	assert.True(t, s.OverAMQP, "a broker answers, so the jobs go over AMQP")
	checkSummary(t, s, out.String())
	assert.Contains(t, out.String(), "hva.demo is online")
}

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
	assert.Equal(t, "amqp://127.0.0.1:5672/", broker)
	f, err = parseFlags([]string{"-e", env, "-i", "esxi1", "-s", "amqp://10.0.0.1:5672/"}, &errOut)
	require.NoError(t, err)
	id, broker, err = settings(f, quiet())
	require.NoError(t, err)
	assert.Equal(t, "hva.esxi1", id, "flags win")
	assert.Equal(t, "amqp://10.0.0.1:5672/", broker)
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
	assert.Equal(t, "amqp://10.1.2.3:5673/", broker)
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
