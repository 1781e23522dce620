package registry

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type countingTransport struct {
	n     atomic.Int64
	heads atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	if r.Method == http.MethodHead {
		c.heads.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestSQLOptions(t *testing.T) {
	forEachSchema(t, func(t *testing.T, sch testSchema) {
		ctx := context.Background()
		db := newTestDB(t, sch)
		files := pairFiles("", "disk", 100)
		srv := newImageServer(t, files)
		tr := &countingTransport{}
		var logs bytes.Buffer
		s := NewSQL(db, WithProbeClient(&http.Client{Transport: tr}),
			WithSQLLogger(slog.New(slog.NewTextHandler(&logs, nil))))

		_, err := s.RegisterImage(ctx, ImageSpec{FlatURI: srv.URL + "/disk-flat.vmdk", MD5: md5hex(files["disk-flat.vmdk"]), Verify: true})
		require.NoError(t, err)
		assert.Equal(t, int64(2), tr.heads.Load(), "the probe client made the HEAD requests")
		assert.Equal(t, int64(3), tr.n.Load(), "and the verifying GET")

		_, err = s.RegisterHost(ctx, HostSpec{NodeID: "hva.log", Hypervisor: "esxi", Force: true})
		require.NoError(t, err)
		assert.Contains(t, logs.String(), "image registered")
		assert.Contains(t, logs.String(), "host registered")
		assert.Contains(t, logs.String(), "node_id=hva.log")
	})
}

func TestClientWithHTTPClient(t *testing.T) {
	srv := newImageServer(t, map[string][]byte{})
	tr := &countingTransport{}
	c, err := NewClient(srv.URL, WithHTTPClient(&http.Client{Transport: tr}), WithRetries(0, 0))
	require.NoError(t, err)
	_, err = c.HostNode(context.Background(), "hn-x")
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, int64(1), tr.n.Load())
}

func TestNormalize(t *testing.T) {
	h, err := HostSpec{NodeID: "hva.esxi1", UUID: "hn-esxi1"}.Normalize()
	require.NoError(t, err)
	assert.Equal(t, HostSpec{NodeID: "hva.esxi1", UUID: "esxi1", CPUCores: 1, MemoryMB: 1024, Hypervisor: "kvm", Arch: "x86_64"}, h,
		"vdc-manage's defaults")

	im, pair, err := ImageSpec{FlatURI: "http://h/d/lucid-flat.vmdk", MD5: "293BEC7563280FE2934A3611A3E1DAB2", UUID: "wmi-lucid"}.Normalize()
	require.NoError(t, err)
	assert.Equal(t, "293bec7563280fe2934a3611a3e1dab2", im.MD5)
	assert.Equal(t, DefaultAccount, im.AccountID)
	assert.Equal(t, "lucid.vmdk", im.DisplayName)
	assert.Equal(t, "lucid", im.UUID)
	assert.Equal(t, "http://h/d/lucid.vmdk", pair.DescriptorURI)

	_, _, err = ImageSpec{FlatURI: "http://h/" + string(bytes.Repeat([]byte("a"), 300)) + "-flat.vmdk", MD5: im.MD5}.Normalize()
	assert.ErrorContains(t, err, "255")

	hv := Hypervisors()
	hv[0] = "changed"
	assert.Contains(t, Hypervisors(), "esxi")
	assert.NotContains(t, Hypervisors(), "changed", "callers get a copy")
	assert.Equal(t, []string{"x86", "x86_64"}, Arches())
}
