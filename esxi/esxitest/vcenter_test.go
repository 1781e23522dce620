package esxitest_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
)

func TestVCenterModeInventory(t *testing.T) {
	env := esxitest.NewVCenter(t)
	assert.True(t, env.IsVCenter())
	require.Len(t, env.Hosts(), esxitest.VCHosts)
	for _, h := range env.Hosts() {
		c := env.ConnectHost(t, h)
		assert.True(t, c.IsVCenter())
		assert.Equal(t, env.HostAddress(h), c.TransferHost(), "the model points the host's address at its server")
	}
	names, err := env.VMNames(t.Context())
	require.NoError(t, err)
	assert.Empty(t, names)
	assert.False(t, esxitest.New(t).IsVCenter())
}

// TestVCenterHostTickets checks the simulated ESXi host as a client other
// than esxi.Client would see it: a ticket from vCenter for this URL and
// method is required, and used once.
func TestVCenterHostTickets(t *testing.T) {
	env := esxitest.NewVCenter(t)
	host := env.Hosts()[0]
	require.NoError(t, os.MkdirAll(filepath.Join(env.DatastoreDir, "t"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(env.DatastoreDir, "t", "a.txt"), []byte("hi"), 0o644))
	c := env.ConnectHost(t, host)
	sm := session.NewManager(c.Vim25())
	target := "https://" + env.HostAddress(host) + "/folder/t/a.txt?dsName=datastore1"
	ticket := func(u, method string) string {
		tk, err := sm.AcquireGenericServiceTicket(t.Context(), &types.SessionManagerHttpServiceRequestSpec{Url: u, Method: method})
		require.NoError(t, err)
		assert.Len(t, tk.SslThumbprint, 59, "a SHA-1 thumbprint, as vCenter gives")
		return tk.Id
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // test of the fake host
	get := func(u, id string) int { return statusOf(t, hc, u, "vmware_cgi_ticket", id) }
	assert.Equal(t, http.StatusUnauthorized, get(target, ""), "no ticket")
	assert.Equal(t, http.StatusUnauthorized, get(target, "forged"), "unknown ticket")
	assert.Equal(t, http.StatusUnauthorized, get(target, ticket(target, "httpPut")), "ticket for another method")
	other, _ := url.Parse(target)
	other.Path = "/folder/t/b.txt"
	assert.Equal(t, http.StatusUnauthorized, get(target, ticket(other.String(), "httpGet")), "ticket for another file")
	id := ticket(target, "httpGet")
	assert.Equal(t, http.StatusOK, get(target, id))
	assert.Equal(t, http.StatusUnauthorized, get(target, id), "a ticket is used once")

	got := env.Transfers()
	require.NotEmpty(t, got)
	for _, tr := range got {
		assert.Equal(t, host, tr.Server)
	}
}

// An agent for the second host of the simulated vCenter: its VM lands on
// that host and its datastore upload goes straight to it with a ticket.
func ExampleStartVCenter() {
	ctx := context.Background()
	env, err := esxitest.StartVCenter(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer env.Close()
	host := env.Hosts()[1]
	c, err := esxi.Connect(ctx, env.HostConfig(host))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close(ctx)
	fmt.Println(c.Placement().Host)
	if err := c.Upload(ctx, esxi.DatastorePath{Path: "hello.txt"}, strings.NewReader("hi"), 2); err != nil {
		log.Fatal(err)
	}
	for _, tr := range env.Transfers() {
		fmt.Println(tr.Server, tr.Method, tr.URL, tr.Ticket)
	}
	// Output:
	// /DC0/host/DC0_C0/DC0_C0_H1
	// DC0_C0_H1 PUT /folder/hello.txt?dsName=datastore1 true
}
