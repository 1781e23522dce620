package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/internal/testenv"
	"github.com/esxi-hva/esxi-hva/internal/testlog"
)

// The agent's system user in the tests: a uid and gid no account has.
const agentUID, agentGID = 64123, 64123

// install writes content as the unit's install lines do: owner root, group
// the agent's, the given mode. Without root the files are the test's own.
func install(t *testing.T, path, content string, mode os.FileMode, gid int) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	if os.Geteuid() == 0 {
		require.NoError(t, os.Chown(path, 0, gid))
	}
	require.NoError(t, os.Chmod(path, mode))
}

// openUp lets other users traverse the directories from dir up to the
// test's temporary root (t.TempDir makes them 0700).
func openUp(t *testing.T, dir string) {
	t.Helper()
	for d := dir; d != os.TempDir() && d != "/" && d != "."; d = filepath.Dir(d) {
		require.NoError(t, os.Chmod(d, 0o755))
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// agentRun is one start of the agent binary as the unprivileged user.
type agentRun struct {
	cmd    *exec.Cmd
	stderr *testlog.Buffer
	done   chan error
}

func startAgent(t *testing.T, bin string, args ...string) *agentRun {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: agentUID, Gid: agentGID, Groups: []uint32{}}}
	}
	r := &agentRun{cmd: cmd, stderr: &testlog.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = io.Discard, r.stderr
	require.NoError(t, cmd.Start())
	go func() { r.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

// The unit's way: a system user and group, hva.conf and the environment
// file 0640 root:esxi-hva, the broker password in a file of its own, no
// secret on the command line. The agent started that way reads its
// configuration, reaches the simulator and the broker (given in the seed's
// form -s amqp://HOST:PORT/, vhost "/", issue 12.6), answers /healthz and
// /metrics, and stops cleanly on SIGTERM.
func TestAgentStartsAsItsUnprivilegedUser(t *testing.T) {
	raw := testenv.AMQPURL(t)
	bu, err := url.Parse(raw)
	require.NoError(t, err)
	brokerUser := bu.User.Username()
	brokerPassword, _ := bu.User.Password()
	if brokerUser == "" {
		brokerUser, brokerPassword = "guest", "guest"
	}
	bin := buildAgent(t)
	openUp(t, filepath.Dir(bin))
	sim := esxitest.New(t)

	dir := t.TempDir()
	openUp(t, dir)
	// The hva.conf an operator writes (Go's %q quoting is Ruby's for these
	// plain values).
	conf := fmt.Sprintf(`config.esxi_ipaddress = %q
config.esxi_datacenter = %q
config.esxi_datastore = %q
config.esxi_username = %q
config.esxi_password = %q
config.esxi_thumbprint = %q
config.esxi_portgroup = %q
config.edge_networking = "netfilter"
config.image_cache_budget = 0
config.use_linked_clone = false
config.concurrency = 2
config.soft_poweroff_timeout = 60
`, sim.Config.Host, sim.Config.Datacenter, sim.Config.Datastore, sim.Config.Username, sim.Config.Password, sim.Thumbprint, sim.Config.PortGroup)
	hvaConf := filepath.Join(dir, "hva.conf")
	install(t, hvaConf, conf, 0o640, agentGID)
	pwFile := filepath.Join(dir, "amqp-password")
	install(t, pwFile, brokerPassword+"\n", 0o640, agentGID)
	id := fmt.Sprintf("unpriv%d", time.Now().UnixNano()%1e9)
	envFile := filepath.Join(dir, "wakame-vdc")
	install(t, envFile, fmt.Sprintf("HVA_ID=%s\nAMQP_USER=%s\nAMQP_PASSWORD_FILE=%s\n", id, brokerUser, pwFile), 0o640, agentGID)

	seedForm := "amqp://" + bu.Host + "/" // the seed's -s: no credentials, vhost "/"
	metrics := freeAddr(t)
	a := startAgent(t, bin, "-c", hvaConf, "-e", envFile, "-s", seedForm, "-metrics-addr", metrics, "-log-format", "json")

	// Up: /healthz says the broker is connected and the ESXi session alive.
	var code int
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-a.done:
			t.Fatalf("the agent exited (%v):\n%s", err, a.stderr.String())
		default:
		}
		if resp, err := http.Get("http://" + metrics + "/healthz"); err == nil {
			code = resp.StatusCode
			resp.Body.Close()
			if code == http.StatusOK {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, http.StatusOK, code, a.stderr.String())

	pid := a.cmd.Process.Pid
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	if os.Geteuid() == 0 {
		assert.Regexp(t, fmt.Sprintf(`(?m)^Uid:\s+%d\s+%d`, agentUID, agentUID), string(status), "the agent runs as its own user")
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	require.NoError(t, err)
	for _, secret := range []string{sim.Config.Password, brokerPassword} {
		assert.NotContains(t, string(cmdline), ":"+secret+"@", "no secret on the command line")
	}
	assert.NotContains(t, string(cmdline), sim.Config.Password)

	resp, err := http.Get("http://" + metrics + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), "esxi_hva_broker_connected 1")
	assert.Contains(t, string(body), "esxi_hva_jobs_in_flight 0")
	assert.Contains(t, string(body), "esxi_hva_esxi_relogins_total 0")

	require.NoError(t, a.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-a.done:
		require.NoError(t, err, "a clean stop on SIGTERM:\n%s", a.stderr.String())
	case <-time.After(45 * time.Second):
		t.Fatal("the agent did not stop on SIGTERM")
	}

	logs := a.stderr.String()
	assertJSONLines(t, logs)
	assert.Contains(t, logs, `"node_id":"hva.`+id+`"`)
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		assert.LessOrEqual(t, strings.Count(line, `"node_id"`), 1, "node_id once per line: %s", line)
	}
	assert.NotContains(t, logs, sim.Config.Password, "no ESXi password in the logs")
	if brokerPassword != "" {
		assert.NotContains(t, logs, ":"+brokerPassword+"@", "no broker password in the logs")
	}
}

// The modes matter: a secret the agent's group cannot read stops it at
// start, with the file named (so the test above really ran unprivileged).
func TestAgentCannotReadAFileOutsideItsGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start the agent as another user; the test above covers the modes as the current user")
	}
	bin := buildAgent(t)
	openUp(t, filepath.Dir(bin))
	dir := t.TempDir()
	openUp(t, dir)
	hvaConf := filepath.Join(dir, "hva.conf")
	install(t, hvaConf, "config.esxi_ipaddress = \"127.0.0.1\"\n", 0o600, 0) // root:root 0600
	envFile := filepath.Join(dir, "wakame-vdc")
	install(t, envFile, "HVA_ID=x\n", 0o640, agentGID)
	a := startAgent(t, bin, "-c", hvaConf, "-e", envFile, "-s", "amqp://127.0.0.1:1/")
	select {
	case err := <-a.done:
		require.Error(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the agent did not stop")
	}
	assert.Contains(t, a.stderr.String(), "permission denied")
	assert.Contains(t, a.stderr.String(), hvaConf)
}

// The unit passes systemd-analyze verify, run on a copy of the system's
// units with the agent binary where ExecStart expects it.
func TestUnitVerifies(t *testing.T) {
	analyze := testenv.RequireCommand(t, "systemd-analyze")
	unit, err := os.ReadFile("esxi-hva.service")
	require.NoError(t, err)
	text := string(unit)
	assert.Contains(t, text, "\nUser=esxi-hva\n")
	assert.Contains(t, text, "\nGroup=esxi-hva\n")
	assert.NotContains(t, text, "DynamicUser=yes", "a dynamic user cannot read 0640 root:esxi-hva files")
	assert.NotContains(t, text, "\nEnvironmentFile", "secrets stay out of the environment")
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "ExecStart=") {
			assert.NotContains(t, line, "$", "no variables (and so no secrets) on the command line")
			assert.NotContains(t, line, "@", "no credentials on the command line")
		}
	}
	assert.Contains(t, text, "install -m 0640 -o root -g esxi-hva", "the documented modes")

	root := t.TempDir()
	sysUnits := "/usr/lib/systemd/system"
	if _, err := os.Stat(sysUnits); err != nil {
		sysUnits = "/lib/systemd/system"
	}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "usr/lib/systemd"), 0o755))
	out, err := exec.Command("cp", "-a", sysUnits, filepath.Join(root, "usr/lib/systemd/system")).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "usr/local/bin"), 0o755))
	bin, err := os.ReadFile(buildAgent(t))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "usr/local/bin/esxi-hva"), bin, 0o755))
	unitDir := filepath.Join(root, "etc/systemd/system")
	require.NoError(t, os.MkdirAll(unitDir, 0o755))
	unitPath := filepath.Join(unitDir, "esxi-hva.service")
	require.NoError(t, os.WriteFile(unitPath, unit, 0o644))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err = exec.CommandContext(ctx, analyze, "verify", "--root="+root, unitPath).CombinedOutput()
	require.NoError(t, err, "systemd-analyze verify:\n%s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "no warnings about the unit")
}
