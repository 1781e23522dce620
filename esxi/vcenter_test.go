package esxi_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/esxi-hva/esxi-hva/esxi"
	"github.com/esxi-hva/esxi-hva/esxi/esxitest"
	"github.com/esxi-hva/esxi-hva/internal/testlog"
)

// vmHost returns the name of the host the VM runs on, and the folder
// holding it, as vCenter reports them.
func vmHost(t *testing.T, c *esxi.Client, name string) (host, folder string) {
	t.Helper()
	ctx := ctxT(t)
	f := find.NewFinder(c.Vim25(), true)
	vms, err := f.VirtualMachineList(ctx, "/"+esxitest.VCDatacenter+"/vm/...")
	require.NoError(t, err)
	for _, v := range vms {
		if v.Name() != name {
			continue
		}
		var m mo.VirtualMachine
		require.NoError(t, v.Properties(ctx, v.Reference(), []string{"runtime.host", "parent"}, &m))
		require.NotNil(t, m.Runtime.Host)
		h, err := object.NewHostSystem(c.Vim25(), *m.Runtime.Host).ObjectName(ctx)
		require.NoError(t, err)
		p, err := find.InventoryPath(ctx, c.Vim25(), *m.Parent)
		require.NoError(t, err)
		return h, p
	}
	t.Fatalf("no VM %s in the vCenter", name)
	return "", ""
}

func TestVCenterPlacementOnNamedHost(t *testing.T) {
	env := esxitest.NewVCenter(t)
	hosts := env.Hosts()
	require.Len(t, hosts, esxitest.VCHosts)
	ctx := ctxT(t)
	for i, host := range hosts {
		c := env.ConnectHost(t, host)
		assert.True(t, c.IsVCenter())
		assert.Equal(t, esxi.Placement{
			Datacenter:   "/DC0",
			Host:         "/DC0/host/" + esxitest.VCCluster + "/" + host,
			ResourcePool: "/DC0/host/" + esxitest.VCCluster + "/Resources",
			VMFolder:     "/DC0/vm",
			Datastore:    esxitest.Datastore,
		}, c.Placement())

		name := fmt.Sprintf("i-vc%06d", i)
		iso := putFile(t, env, name+"/metadata.iso", []byte("iso"))
		disk := putDisk(t, env, name, name)
		env.ResetCalls()
		_, err := c.CreateVM(ctx, esxi.VMSpec{Name: name, CPUs: 1, MemoryMB: 64,
			NICs: []esxi.NICSpec{{MAC: fmt.Sprintf("52:54:00:00:01:%02x", i)}}, Disks: []esxi.DatastorePath{disk}, CDROM: &iso})
		require.NoError(t, err)
		req, ok := env.LastRequest("CreateVM_Task").(*types.CreateVM_Task)
		require.True(t, ok)
		require.NotNil(t, req.Host, "CreateVM names the host: DRS does not choose")
		onHost, folder := vmHost(t, c, name)
		assert.Equal(t, host, onHost)
		assert.Equal(t, "/DC0/vm", folder)

		// Power verbs and devices work as on a bare host; power-on names
		// the host too.
		require.NoError(t, c.PowerOn(ctx, name))
		on, ok := env.LastRequest("PowerOnVM_Task").(*types.PowerOnVM_Task)
		require.True(t, ok)
		require.NotNil(t, on.Host, "power-on names the host: DRS does not move it")
		assert.Equal(t, req.Host.Value, on.Host.Value)
		require.NoError(t, c.Reset(ctx, name))
		require.NoError(t, c.EjectCDROM(ctx, name))
		require.NoError(t, c.InsertCDROM(ctx, name, iso))
		require.NoError(t, c.AttachNIC(ctx, name, esxi.NICSpec{MAC: fmt.Sprintf("52:54:00:00:02:%02x", i)}))
		forced, err := c.SoftPowerOff(ctx, name, 10*time.Second)
		require.NoError(t, err)
		assert.False(t, forced)
		info, err := c.VM(ctx, name)
		require.NoError(t, err)
		assert.Equal(t, esxi.PoweredOff, info.PowerState)
		assert.Len(t, info.NICs, 2)
		require.NoError(t, c.DestroyVM(ctx, name))
		_, err = os.Stat(filepath.Join(env.DatastoreDir, name))
		assert.True(t, os.IsNotExist(err), "the VM's folder is gone")
	}
}

func TestVCenterVMFolderAndDefaults(t *testing.T) {
	env := esxitest.NewVCenter(t)
	ctx := ctxT(t)
	admin := env.Connect(t)
	f := find.NewFinder(admin.Vim25(), true)
	vmRoot, err := f.Folder(ctx, "/DC0/vm")
	require.NoError(t, err)
	_, err = vmRoot.CreateFolder(ctx, "wakame")
	require.NoError(t, err)

	cfg := env.HostConfig(env.Hosts()[1])
	cfg.Datacenter = "" // the vCenter's only one
	cfg.VMFolder = "/DC0/vm/wakame"
	c, err := esxi.Connect(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	assert.Equal(t, "/DC0", c.Placement().Datacenter)
	assert.Equal(t, "DC0", c.Config().Datacenter)
	_, err = c.CreateVM(ctx, esxi.VMSpec{Name: "i-folder01", CPUs: 1, MemoryMB: 64})
	require.NoError(t, err)
	host, folder := vmHost(t, c, "i-folder01")
	assert.Equal(t, env.Hosts()[1], host)
	assert.Equal(t, "/DC0/vm/wakame", folder)
	_, err = c.VM(ctx, "i-folder01")
	require.NoError(t, err, "VMs are found in the configured folder")
	require.NoError(t, c.DestroyVM(ctx, "i-folder01"))
}

func TestVCenterConfigErrors(t *testing.T) {
	env := esxitest.NewVCenter(t)
	ctx := ctxT(t)
	// A datastore on the second host only.
	admin := env.Connect(t)
	h1, err := find.NewFinder(admin.Vim25(), true).HostSystem(ctx, "/DC0/host/"+esxitest.VCCluster+"/"+env.Hosts()[1])
	require.NoError(t, err)
	dss, err := h1.ConfigManager().DatastoreSystem(ctx)
	require.NoError(t, err)
	_, err = dss.CreateLocalDatastore(ctx, "local1", t.TempDir())
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		edit func(*esxi.Config)
		want string
	}{
		{"no host with several", func(c *esxi.Config) { c.HostSystem = "" }, "set HostSystem"},
		{"unknown host", func(c *esxi.Config) { c.HostSystem = "esxi9" }, `host system "esxi9" not found`},
		{"datastore not on host", func(c *esxi.Config) { c.Datastore = "local1" }, `datastore "local1" is not mounted on host`},
		{"unknown folder", func(c *esxi.Config) { c.VMFolder = "/DC0/vm/nope" }, `VM folder "/DC0/vm/nope" not found`},
		{"not a VM folder", func(c *esxi.Config) { c.VMFolder = "/DC0/host" }, "is not a VM folder"},
		{"unknown pool", func(c *esxi.Config) { c.ResourcePool = "nope" }, `resource pool "nope" not found`},
		// hva.conf's default, ESXi's own datacenter, names the vCenter's.
		{"ESXi's datacenter", func(c *esxi.Config) { c.Datacenter = "ha-datacenter" }, `datacenter "ha-datacenter" not found; the server has "DC0"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := env.HostConfig(env.Hosts()[0])
			tc.edit(&cfg)
			c, err := esxi.Connect(ctx, cfg)
			if err == nil {
				_ = c.Close(ctx)
			}
			require.ErrorIs(t, err, esxi.ErrInvalidConfig)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	t.Run("pool of the cluster", func(t *testing.T) {
		cfg := env.HostConfig(env.Hosts()[0])
		cfg.ResourcePool = "/DC0/host/" + esxitest.VCCluster + "/Resources"
		c, err := esxi.Connect(ctx, cfg)
		require.NoError(t, err)
		_ = c.Close(ctx)
	})
}

// roundTrip uploads data to rel and downloads it back.
func roundTrip(t *testing.T, c *esxi.Client, rel string, data []byte) {
	t.Helper()
	ctx := ctxT(t)
	p := esxi.DatastorePath{Datastore: esxitest.Datastore, Path: rel}
	require.NoError(t, c.Upload(ctx, p, bytes.NewReader(data), int64(len(data))))
	var got bytes.Buffer
	n, err := c.Download(ctx, p, &got)
	require.NoError(t, err)
	assert.EqualValues(t, len(data), n)
	assert.Equal(t, md5hex(data), md5hex(got.Bytes()))
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func TestVCenterTransfersGoToTheHost(t *testing.T) {
	env := esxitest.NewVCenter(t)
	data := bytes.Repeat([]byte("vmdk"), 64<<10)
	for _, host := range env.Hosts() {
		c := env.ConnectHost(t, host)
		assert.Equal(t, env.HostAddress(host), c.TransferHost())
		env.ResetCalls()
		roundTrip(t, c, "xfer/"+host+"-flat.vmdk", data)
		missing := esxi.DatastorePath{Datastore: esxitest.Datastore, Path: "xfer/none"}
		_, err := c.Download(ctxT(t), missing, &bytes.Buffer{})
		require.ErrorIs(t, err, esxi.ErrNotFound)
		assert.Equal(t, []esxitest.Transfer{
			{Server: host, Method: "PUT", URL: "/folder/xfer/" + host + "-flat.vmdk?dsName=datastore1", Ticket: true},
			{Server: host, Method: "GET", URL: "/folder/xfer/" + host + "-flat.vmdk?dsName=datastore1", Ticket: true},
			{Server: host, Method: "GET", URL: "/folder/xfer/none?dsName=datastore1", Ticket: true},
		}, env.Transfers(), "every transfer goes to the placement host with a ticket, none through vCenter")
		assert.Equal(t, 3, env.Calls("AcquireGenericServiceTicket"), "one ticket per transfer")
	}
}

func TestVCenterTransferFallback(t *testing.T) {
	env := esxitest.NewVCenter(t)
	hosts := env.Hosts()
	data := []byte(strings.Repeat("fallback", 1000))

	t.Run("host unreachable from the start", func(t *testing.T) {
		require.NoError(t, env.UnreachableHost(hosts[0]))
		var logs testlog.Buffer
		c, err := esxi.Connect(ctxT(t), env.HostConfig(hosts[0]), esxi.WithLogger(logs.Logger()))
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close(context.Background()) })
		env.ResetCalls()
		roundTrip(t, c, "fb/a-flat.vmdk", data)
		roundTrip(t, c, "fb/b-flat.vmdk", data)
		for _, tr := range env.Transfers() {
			assert.Equal(t, esxitest.SDK, tr.Server, "through vCenter: %+v", tr)
			assert.Contains(t, tr.URL, "dcPath=%2FDC0")
		}
		assert.Len(t, env.Transfers(), 4)
		assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), "the fallback is logged once:\n%s", logs.String())
		assert.Contains(t, logs.String(), "go through vCenter")
		assert.Equal(t, 1, env.Calls("AcquireGenericServiceTicket"), "the host is not tried again at once")
	})

	t.Run("host goes away", func(t *testing.T) {
		var logs testlog.Buffer
		c, err := esxi.Connect(ctxT(t), env.HostConfig(hosts[1]), esxi.WithLogger(logs.Logger()))
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close(context.Background()) })
		env.ResetCalls()
		roundTrip(t, c, "fb/c-flat.vmdk", data)
		env.StopHost(hosts[1])
		roundTrip(t, c, "fb/d-flat.vmdk", data)
		var servers []string
		for _, tr := range env.Transfers() {
			servers = append(servers, tr.Server+" "+tr.Method)
		}
		assert.Equal(t, []string{hosts[1] + " PUT", hosts[1] + " GET", esxitest.SDK + " PUT", esxitest.SDK + " GET"}, servers)
		assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), logs.String())
	})

	t.Run("ticket refused", func(t *testing.T) {
		env2 := esxitest.NewVCenter(t)
		c := env2.ConnectHost(t, env2.Hosts()[0])
		env2.FailMethod("AcquireGenericServiceTicket", 1, &types.NotSupported{})
		env2.ResetCalls()
		roundTrip(t, c, "fb/e-flat.vmdk", data)
		for _, tr := range env2.Transfers() {
			assert.Equal(t, esxitest.SDK, tr.Server)
		}
	})
}

func TestESXTransfersStayOnTheSDKAddress(t *testing.T) {
	env := esxitest.New(t)
	c := env.Connect(t)
	assert.False(t, c.IsVCenter())
	assert.Empty(t, c.TransferHost())
	env.ResetCalls()
	roundTrip(t, c, "esx/a.txt", []byte("esx"))
	for _, tr := range env.Transfers() {
		assert.Equal(t, esxitest.SDK, tr.Server)
		assert.False(t, tr.Ticket)
	}
	assert.Len(t, env.Transfers(), 2)
	assert.Zero(t, env.Calls("AcquireGenericServiceTicket"))
}

// A lost vCenter session is found when the ticket is asked for: the client
// logs in again and the transfer still goes to the host.
func TestVCenterTransferAfterSessionLoss(t *testing.T) {
	env := esxitest.NewVCenter(t)
	host := env.Hosts()[0]
	c := env.ConnectHost(t, host)
	require.NoError(t, env.TerminateSessions(ctxT(t)))
	env.ResetCalls()
	roundTrip(t, c, "sess/a.txt", []byte("after a lost session"))
	assert.EqualValues(t, 2, c.Logins())
	for _, tr := range env.Transfers() {
		assert.Equal(t, host, tr.Server)
	}
	assert.Len(t, env.Transfers(), 2)
}
