package registry_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/esxi-hva/esxi-hva/registry"
	"github.com/esxi-hva/esxi-hva/registry/registrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newClient(t *testing.T, fake *registrytest.Server, opts ...registry.ClientOption) *registry.Client {
	t.Helper()
	opts = append([]registry.ClientOption{registry.WithRetries(2, time.Millisecond)}, opts...)
	c, err := registry.NewClient(fake.URL, opts...)
	require.NoError(t, err)
	return c
}

func ptr[T any](v T) *T { return &v }

func TestNewClient(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "http://127.0.0.1:9001", want: "http://127.0.0.1:9001/api/12.03/"},
		{in: "http://127.0.0.1:9001/", want: "http://127.0.0.1:9001/api/12.03/"},
		{in: "https://dcmgr/api/12.03", want: "https://dcmgr/api/12.03/"},
		{in: "ftp://dcmgr/", err: "http(s)"},
		{in: "dcmgr:9001", err: "http(s)"},
		{in: "http://admin:secret@dcmgr/", err: "user info"},
		{in: "http://[::1", err: "not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := registry.NewClient(tt.in)
			if tt.err != "" {
				require.ErrorIs(t, err, registry.ErrInvalid)
				assert.Contains(t, err.Error(), tt.err)
				assert.NotContains(t, err.Error(), "secret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.BaseURL())
		})
	}
}

func TestClientHostNodes(t *testing.T) {
	ctx := context.Background()
	fake := registrytest.New(t)
	c := newClient(t, fake, registry.WithAccount("a-shpoolxx"))

	h, err := c.CreateHostNode(ctx, registry.HostNodeFields{UUID: "hn-esxi1", NodeID: "hva.esxi1", DisplayName: "esxi host 1",
		Arch: "x86_64", Hypervisor: "esxi", OfferingCPUCores: ptr(100), OfferingMemorySize: ptr(400000)})
	require.NoError(t, err)
	assert.Equal(t, "hn-esxi1", h.ID)
	assert.Equal(t, "offline", h.Status)
	assert.True(t, h.SchedulingEnabled)
	assert.False(t, h.CreatedAt.IsZero())

	reqs := fake.Requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, "POST", last.Method)
	assert.Empty(t, last.Account, "POST /host_nodes must go without the account header")
	assert.Equal(t, "application/x-www-form-urlencoded", last.ContentType)
	assert.Equal(t, "100", last.Form.Get("offering_cpu_cores"))

	fake.SetNodeState("hva.esxi1", "online")
	got, err := c.HostNode(ctx, "hn-esxi1")
	require.NoError(t, err)
	assert.Equal(t, "online", got.Status)
	reqs = fake.Requests()
	assert.Equal(t, "a-shpoolxx", reqs[len(reqs)-1].Account, "reads carry the account header")

	up, err := c.UpdateHostNode(ctx, "hn-esxi1", registry.HostNodeFields{DisplayName: "renamed", OfferingCPUCores: ptr(8)})
	require.NoError(t, err)
	assert.Equal(t, "renamed", up.DisplayName)
	assert.Equal(t, 8, up.OfferingCPUCores)
	assert.Equal(t, 400000, up.OfferingMemorySize)

	_, err = c.CreateHostNode(ctx, registry.HostNodeFields{NodeID: "hva.esxi2", Arch: "x86", Hypervisor: "kvm",
		OfferingCPUCores: ptr(1), OfferingMemorySize: ptr(1)})
	require.NoError(t, err)

	for _, tt := range []struct {
		filter map[string]string
		want   []string
	}{
		{map[string]string{"node_id": "hva.esxi2"}, []string{"hva.esxi2"}},
		{map[string]string{"hypervisor": "esxi"}, []string{"hva.esxi1"}},
		{map[string]string{"arch": "x86"}, []string{"hva.esxi2"}},
		{map[string]string{"status": "online"}, []string{"hva.esxi1"}},
		{map[string]string{"status": "offline"}, []string{"hva.esxi2"}},
		{nil, []string{"hva.esxi2", "hva.esxi1"}},
	} {
		p, err := c.ListHostNodes(ctx, registry.ListOptions{Filter: tt.filter})
		require.NoError(t, err)
		var ids []string
		for _, h := range p.Results {
			ids = append(ids, h.NodeID)
		}
		assert.Equal(t, tt.want, ids, "filter %v", tt.filter)
		assert.Equal(t, len(tt.want), p.Total)
		assert.Equal(t, 250, p.Limit, "limit < 1 means 250")
	}

	require.NoError(t, c.DeleteHostNode(ctx, "hn-esxi1"))
	_, err = c.HostNode(ctx, "hn-esxi1")
	require.ErrorIs(t, err, registry.ErrNotFound)
	assert.Len(t, fake.HostNodes(), 1)
}

func TestClientErrors(t *testing.T) {
	ctx := context.Background()
	fake := registrytest.New(t)
	c := newClient(t, fake)
	tests := []struct {
		name   string
		call   func() error
		status int
		class  string
		code   string
		msg    string
	}{
		{"unknown host", func() error { _, err := c.HostNode(ctx, "hn-nothere"); return err },
			404, registry.ClassUnknownUUIDResource, "100", "hn-nothere"},
		{"malformed id", func() error { _, err := c.HostNode(ctx, "wmi-x"); return err },
			400, registry.ClassInvalidParameter, "143", "Invalid UUID Syntax"},
		{"bad node id is a generic 500", func() error {
			_, err := c.CreateHostNode(ctx, registry.HostNodeFields{NodeID: "esxi1", Arch: "x86_64", Hypervisor: "esxi"})
			return err
		}, 500, "", "", "node_id is invalid"},
		{"unknown storage", func() error {
			_, err := c.CreateBackupObject(ctx, registry.BackupObjectFields{BackupStorageID: "bkst-none", ObjectKey: "k", Size: ptr(int64(1)), Checksum: "x"})
			return err
		}, 404, registry.ClassUnknownBackupStorage, "153", "bkst-none"},
		{"bad paging", func() error { _, err := c.ListImages(ctx, registry.ListOptions{SortBy: "id;drop"}); return err },
			400, registry.ClassInvalidParameter, "143", "sort_by"},
		{"unknown image", func() error { return c.DeleteImage(ctx, "wmi-none") },
			404, registry.ClassUnknownUUIDResource, "100", "wmi-none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ae *registry.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.StatusCode)
			assert.Equal(t, tt.class, ae.Class)
			assert.Equal(t, tt.code, ae.Code)
			assert.Contains(t, ae.Message, tt.msg)
			assert.Equal(t, tt.status == 404, errors.Is(err, registry.ErrNotFound))
		})
	}
}

func TestClientAccountHeaderPitfall(t *testing.T) {
	// The fake answers POST /host_nodes with the header as dcmgr does (500);
	// the client must never send it there, whatever WithAccount says.
	ctx := context.Background()
	fake := registrytest.New(t)
	c := newClient(t, fake, registry.WithAccount("a-shpoolxx"))
	_, err := c.CreateHostNode(ctx, registry.HostNodeFields{NodeID: "hva.x", Arch: "x86_64", Hypervisor: "esxi"})
	require.NoError(t, err)

	raw, err := http.NewRequest("POST", fake.URL+"host_nodes", strings.NewReader("node_id=hva.y&arch=x86_64&hypervisor=esxi"))
	require.NoError(t, err)
	raw.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	raw.Header.Set(registry.AccountHeader, "a-shpoolxx")
	resp, err := http.DefaultClient.Do(raw)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 500, resp.StatusCode, "the fake mirrors dcmgr's pitfall")
}

func TestClientRetries(t *testing.T) {
	ctx := context.Background()
	fake := registrytest.New(t)
	c := newClient(t, fake)

	fake.Fail("GET", "host_nodes", http.StatusServiceUnavailable, 2)
	_, err := c.ListHostNodes(ctx, registry.ListOptions{})
	require.NoError(t, err, "two 503s are retried")

	fake.Fail("GET", "host_nodes", http.StatusServiceUnavailable, 3)
	_, err = c.ListHostNodes(ctx, registry.ListOptions{})
	var ae *registry.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 503, ae.StatusCode, "retries are bounded")

	fake.Fail("GET", "images", http.StatusBadRequest, 1)
	before := len(fake.Requests())
	_, err = c.ListImages(ctx, registry.ListOptions{})
	require.Error(t, err)
	assert.Equal(t, before+1, len(fake.Requests()), "a 400 is not retried")

	fake.Fail("POST", "backup_storages", http.StatusServiceUnavailable, 1)
	before = len(fake.Requests())
	_, err = c.CreateBackupStorage(ctx, registry.BackupStorageFields{StorageType: "webdav", BaseURI: "http://h/"})
	require.Error(t, err)
	assert.Equal(t, before+1, len(fake.Requests()), "writes are never retried")
	assert.Empty(t, fake.BackupStorages())

	ctx2, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.ListHostNodes(ctx2, registry.ListOptions{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestClientTimeout(t *testing.T) {
	fake := registrytest.New(t)
	c, err := registry.NewClient(fake.URL, registry.WithTimeout(time.Nanosecond), registry.WithRetries(0, 0))
	require.NoError(t, err)
	_, err = c.ListHostNodes(context.Background(), registry.ListOptions{})
	require.Error(t, err)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestClientPaging(t *testing.T) {
	ctx := context.Background()
	fake := registrytest.New(t)
	c := newClient(t, fake)
	for i := range 7 {
		_, err := c.CreateBackupStorage(ctx, registry.BackupStorageFields{StorageType: "webdav", BaseURI: fmt.Sprintf("http://h/%d/", i)})
		require.NoError(t, err)
	}
	p, err := c.ListBackupStorages(ctx, registry.ListOptions{Start: 5, Limit: 3, SortBy: "id.asc"})
	require.NoError(t, err)
	assert.Equal(t, 7, p.Total)
	assert.Equal(t, 5, p.Start)
	assert.Equal(t, 3, p.Limit)
	require.Len(t, p.Results, 2)
	assert.Equal(t, "http://h/5/", p.Results[0].BaseURI)

	var uris []string
	for b, err := range c.AllBackupStorages(ctx, registry.ListOptions{Limit: 2, SortBy: "id.asc"}) {
		require.NoError(t, err)
		uris = append(uris, b.BaseURI)
	}
	assert.Len(t, uris, 7)
	assert.Equal(t, "http://h/0/", uris[0])
	assert.Equal(t, "http://h/6/", uris[6])
	var gets int
	for _, r := range fake.Requests() {
		if r.Method == "GET" && r.Path == "backup_storages" {
			gets++
		}
	}
	assert.Equal(t, 1+4, gets, "one page read plus ceil(7/2) pages")

	n := 0
	for range c.AllBackupStorages(ctx, registry.ListOptions{Limit: 2}) {
		n++
		if n == 3 {
			break
		}
	}
	assert.Equal(t, 3, n, "breaking out of the iterator stops it")

	fake.Fail("GET", "backup_storages", http.StatusBadRequest, 1)
	var errs int
	for _, err := range c.AllBackupStorages(ctx, registry.ListOptions{}) {
		if err != nil {
			errs++
		}
	}
	assert.Equal(t, 1, errs)
}

func TestClientBackupStoragesAndObjects(t *testing.T) {
	ctx := context.Background()
	fake := registrytest.New(t)
	c := newClient(t, fake, registry.WithAccount("a-shpoolxx"))

	st, err := c.CreateBackupStorage(ctx, registry.BackupStorageFields{UUID: "bkst-http", DisplayName: "http",
		StorageType: "webdav", BaseURI: "http://192.168.2.98/"})
	require.NoError(t, err)
	assert.Equal(t, "bkst-http", st.ID)
	got, err := c.BackupStorage(ctx, "bkst-http")
	require.NoError(t, err)
	assert.Equal(t, "http://192.168.2.98/", got.BaseURI)
	st, err = c.UpdateBackupStorage(ctx, "bkst-http", registry.BackupStorageFields{Description: "images"})
	require.NoError(t, err)
	assert.Equal(t, "images", st.Description)
	_, err = c.CreateBackupStorage(ctx, registry.BackupStorageFields{StorageType: "s3", BaseURI: "x"})
	var ae *registry.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 500, ae.StatusCode)

	bo, err := c.CreateBackupObject(ctx, registry.BackupObjectFields{BackupStorageID: "bkst-http",
		ObjectKey: "ubuntu-lucid-esxi-64-flat.vmdk", Size: ptr(int64(1 << 30)), Checksum: "293bec7563280fe2934a3611a3e1dab2",
		DisplayName: "lucid", State: "available"})
	require.NoError(t, err)
	assert.Regexp(t, `^bo-[a-z0-9]{8}$`, bo.ID)
	assert.Equal(t, "a-shpoolxx", bo.AccountID, "account from the header")
	assert.Equal(t, "bkst-http", bo.BackupStorageID)
	assert.Equal(t, "bkst-http", bo.BackupStorage.ID)
	assert.Equal(t, int64(1<<30), bo.AllocationSize)

	objs, err := c.ListBackupObjects(ctx, registry.ListOptions{Filter: map[string]string{"backup_storage_id": "bkst-http"}})
	require.NoError(t, err)
	assert.Equal(t, 1, objs.Total)
	n := 0
	for o, err := range c.AllBackupObjects(ctx, registry.ListOptions{}) {
		require.NoError(t, err)
		assert.Equal(t, bo.ID, o.ID)
		n++
	}
	assert.Equal(t, 1, n)
	bo, err = c.UpdateBackupObject(ctx, bo.ID, registry.BackupObjectFields{Description: "d"})
	require.NoError(t, err)
	assert.Equal(t, "d", bo.Description)
	got2, err := c.BackupObject(ctx, bo.ID)
	require.NoError(t, err)
	assert.Equal(t, "d", got2.Description)

	other := newClient(t, fake, registry.WithAccount("a-other"))
	_, err = other.BackupObject(ctx, bo.ID)
	require.ErrorIs(t, err, registry.ErrNotFound, "another account's object does not exist for it")

	require.NoError(t, c.DeleteBackupObject(ctx, bo.ID))
	err = c.DeleteBackupObject(ctx, bo.ID)
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, registry.ClassInvalidBackupObjectState, ae.Class, "only available objects can be deleted")

	require.NoError(t, c.DeleteBackupStorage(ctx, "bkst-http"))
	assert.False(t, fake.BackupStorages()[0].DeletedAt.IsZero())
}

func TestClientImages(t *testing.T) {
	ctx := context.Background()
	fake := registrytest.New(t)
	mine := fake.AddImage(registry.Image{UUID: "wmi-lucid", AccountID: "a-shpoolxx", DisplayName: "lucid", Arch: "x86_64"})
	fake.AddImage(registry.Image{AccountID: "a-other", DisplayName: "public", IsPublic: true})
	fake.AddImage(registry.Image{AccountID: "a-other", DisplayName: "private"})
	c := newClient(t, fake, registry.WithAccount("a-shpoolxx"))

	p, err := c.ListImages(ctx, registry.ListOptions{})
	require.NoError(t, err)
	assert.Equal(t, 2, p.Total, "own and public images")

	im, err := c.Image(ctx, mine.ID)
	require.NoError(t, err)
	assert.Equal(t, "lucid", im.DisplayName)
	im, err = c.UpdateImage(ctx, mine.ID, registry.ImageFields{Description: ptr("esxi test image")})
	require.NoError(t, err)
	assert.Equal(t, "esxi test image", im.Description)
	assert.Equal(t, "lucid", im.DisplayName)

	var all []string
	for im, err := range c.AllImages(ctx, registry.ListOptions{Limit: 1}) {
		require.NoError(t, err)
		all = append(all, im.DisplayName)
	}
	assert.ElementsMatch(t, []string{"lucid", "public"}, all)

	require.NoError(t, c.DeleteImage(ctx, mine.ID))
	im, err = c.Image(ctx, mine.ID)
	require.NoError(t, err)
	assert.Equal(t, "deleted", im.State)
	alive, err := c.ListImages(ctx, registry.ListOptions{Filter: map[string]string{"state": "alive"}})
	require.NoError(t, err)
	assert.Equal(t, 1, alive.Total)
}

func TestClientRegisterHost(t *testing.T) {
	ctx := context.Background()
	fake := registrytest.New(t)
	c := newClient(t, fake, registry.WithAccount("a-shpoolxx"))
	spec := registry.HostSpec{NodeID: "hva.esxi1", UUID: "hn-esxi1", DisplayName: "esxi host 1",
		CPUCores: 100, MemoryMB: 400000, Hypervisor: "esxi"}

	_, err := c.RegisterHost(ctx, spec)
	require.ErrorIs(t, err, registry.ErrNodeNotSeen)
	assert.Empty(t, fake.HostNodes(), "the host created for the check is removed")

	fake.SetNodeState("hva.esxi1", "online")
	reg, err := c.RegisterHost(ctx, spec)
	require.NoError(t, err)
	assert.True(t, reg.Created)
	assert.Equal(t, "hn-esxi1", reg.Host.ID)
	assert.Equal(t, "online", reg.Host.Status)

	again, err := c.RegisterHost(ctx, spec)
	require.NoError(t, err)
	assert.False(t, again.Created)
	assert.Len(t, fake.HostNodes(), 1)

	changed := spec
	changed.MemoryMB = 1024
	_, err = c.RegisterHost(ctx, changed)
	var ce *registry.ConflictError
	require.ErrorAs(t, err, &ce)
	require.Len(t, ce.Fields, 1)
	assert.Equal(t, "memory size", ce.Fields[0].Field)

	taken := spec
	taken.NodeID, taken.Force = "hva.esxi2", true
	_, err = c.RegisterHost(ctx, taken)
	require.ErrorIs(t, err, registry.ErrConflict)
	assert.Contains(t, err.Error(), "hva.esxi1")

	forced, err := c.RegisterHost(ctx, registry.HostSpec{NodeID: "hva-esxi3", Hypervisor: "esxi", Force: true})
	require.NoError(t, err)
	assert.Equal(t, "offline", forced.Host.Status)

	_, err = c.RegisterHost(ctx, registry.HostSpec{NodeID: "esxi4", Hypervisor: "esxi", Force: true})
	require.ErrorIs(t, err, registry.ErrInvalid)
	_, err = c.RegisterHost(ctx, registry.HostSpec{NodeID: "hva.esxi4", Hypervisor: "hyperv", Force: true})
	require.ErrorIs(t, err, registry.ErrInvalid)
	assert.Contains(t, err.Error(), "esxi")

	hosts, err := c.Hosts(ctx)
	require.NoError(t, err)
	assert.Len(t, hosts, 2)
	assert.Len(t, fake.HostNodes(), 2)
}

func TestClientRegisterImageUnsupported(t *testing.T) {
	fake := registrytest.New(t)
	c := newClient(t, fake)
	_, err := c.RegisterImage(context.Background(), registry.ImageSpec{FlatURI: "http://h/a-flat.vmdk", MD5: strings.Repeat("a", 32)})
	require.ErrorIs(t, err, registry.ErrUnsupported)
	_, err = c.RegisterImage(context.Background(), registry.ImageSpec{FlatURI: "http://h/a.vmdk", MD5: strings.Repeat("a", 32)})
	require.ErrorIs(t, err, registry.ErrInvalid, "validation comes first")
	assert.Empty(t, fake.Requests())
}
