package esxitest_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"log"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
)

func TestFaultHooks(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	ctx := t.Context()
	spec := func(n string) esxi.VMSpec { return esxi.VMSpec{Name: n, CPUs: 1, MemoryMB: 64} }

	env.FailMethod("CreateVM_Task", 2, nil)
	_, err := c.CreateVM(ctx, spec("i-1"))
	require.Error(t, err)
	_, err = c.CreateVM(ctx, spec("i-1"))
	require.Error(t, err)
	_, err = c.CreateVM(ctx, spec("i-1"))
	require.NoError(t, err, "the fault ran out after 2 calls")
	assert.Equal(t, 3, env.Calls("CreateVM_Task"))

	env.DelayMethod("PowerOnVM_Task", 200*time.Millisecond)
	start := time.Now()
	require.NoError(t, c.PowerOn(ctx, "i-1"))
	assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)

	env.FailMethod("PowerOffVM_Task", -1, nil)
	for range 3 {
		assert.Error(t, c.PowerOff(ctx, "i-1"))
	}
	env.ClearFaults()
	require.NoError(t, c.PowerOff(ctx, "i-1"))

	names, err := env.VMNames(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"i-1"}, names)
	assert.Contains(t, env.Files(), "i-1/i-1.vmx")
}

func TestCloseRemovesEverything(t *testing.T) {
	env, err := esxitest.Start(context.Background())
	require.NoError(t, err)
	dir := env.DatastoreDir
	require.DirExists(t, dir)
	env.Close()
	_, err = os.Stat(dir)
	assert.True(t, os.IsNotExist(err))
	env.Close() // twice is fine
}

// Start a simulated ESXi host and connect to it.
func Example() {
	ctx := context.Background()
	env, err := esxitest.Start(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer env.Close()
	c, err := esxi.Connect(ctx, env.Config)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close(ctx)
	fmt.Println(c.Datastore(), env.Config.Datacenter, env.Config.PortGroup, len(env.Files()))
	// Output: datastore1 ha-datacenter VM Network 0
}

// The datastore's /folder endpoint needs a live session's cookie, as on
// ESXi: no cookie, or the cookie of a terminated session, is a 401.
func TestFolderNeedsALiveSession(t *testing.T) {
	env := esxitest.New(t)
	ctx := t.Context()
	u := *env.URL
	u.Path = "/folder/x.txt"
	u.RawQuery = "dsName=" + esxitest.Datastore
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // the simulator's own certificate
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	get := func(cookie string) int { return statusOf(t, hc, u.String(), "vmware_soap_session", cookie) }
	assert.Equal(t, http.StatusUnauthorized, get(""))
	assert.Equal(t, http.StatusUnauthorized, get("made-up"))

	c := env.Connect(t)
	cookie := c.Vim25().SessionCookie().Value
	assert.Equal(t, http.StatusNotFound, get(cookie), "a live session passes (the file does not exist)")
	require.NoError(t, env.TerminateSessions(ctx))
	assert.Equal(t, http.StatusUnauthorized, get(cookie), "a terminated session is refused")
}

// statusOf GETs u with hc, with the cookie name=value unless value is
// empty, and returns the status code.
func statusOf(t *testing.T, hc *http.Client, u, name, value string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	require.NoError(t, err)
	if value != "" {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	res, err := hc.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	return res.StatusCode
}
