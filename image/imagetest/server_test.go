package imagetest_test

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

func TestContent(t *testing.T) {
	c := imagetest.NewContent(3, 10_000)
	whole, err := io.ReadAll(c.Reader())
	require.NoError(t, err)
	require.Len(t, whole, 10_000)
	sum := md5.Sum(whole)
	assert.Equal(t, hex.EncodeToString(sum[:]), c.MD5())
	assert.NotEqual(t, c.MD5(), imagetest.NewContent(4, 10_000).MD5(), "the seed matters")

	// Any range reads the same bytes as the whole.
	for _, tc := range []struct{ off, n int }{{0, 1}, {1, 7}, {5, 8}, {7, 9}, {8, 16}, {9_990, 10}, {9_999, 1}, {3, 9_997}} {
		p := make([]byte, tc.n)
		n, err := c.ReadAt(p, int64(tc.off))
		if tc.off+tc.n == 10_000 {
			assert.True(t, err == nil || err == io.EOF)
		} else {
			require.NoError(t, err)
		}
		assert.Equal(t, tc.n, n)
		assert.Equal(t, whole[tc.off:tc.off+tc.n], p, "off %d n %d", tc.off, tc.n)
	}
	n, err := c.ReadAt(make([]byte, 10), 9_995)
	assert.Equal(t, 5, n)
	assert.ErrorIs(t, err, io.EOF)
	_, err = c.ReadAt(make([]byte, 1), 10_000)
	assert.ErrorIs(t, err, io.EOF)
	_, err = c.ReadAt(make([]byte, 1), -1)
	assert.Error(t, err)
}

func get(t *testing.T, s *imagetest.Server, url string, hdr map[string]string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestServer(t *testing.T) {
	s := imagetest.NewServer(t, 64<<10, imagetest.WithName("ubuntu"), imagetest.WithDir("/images/v1/"))
	assert.Equal(t, s.URL()+"/images/v1/ubuntu-flat.vmdk", s.FlatURL())
	assert.Equal(t, s.URL()+"/images/v1/ubuntu.vmdk", s.DescriptorURL())
	assert.Equal(t, int64(64<<10), s.Size())

	resp, b, err := get(t, s, s.FlatURL(), nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	sum := md5.Sum(b)
	assert.Equal(t, s.MD5(), hex.EncodeToString(sum[:]))
	assert.Equal(t, int64(64<<10), s.BytesServed())

	_, d, err := get(t, s, s.DescriptorURL(), nil)
	require.NoError(t, err)
	assert.Equal(t, s.Descriptor(), d)
	assert.Contains(t, string(d), `RW 128 VMFS "ubuntu-flat.vmdk"`)

	resp, b, err = get(t, s, s.FlatURL(), map[string]string{"Range": "bytes=100-"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusPartialContent, resp.StatusCode)
	assert.Len(t, b, 64<<10-100)

	resp, _, err = get(t, s, s.URL()+"/nothing", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, int64(4), s.Requests())
	assert.Equal(t, int64(2), s.FlatRequests())

	s.FailNext(2, http.StatusBadGateway)
	for range 2 {
		resp, _, err = get(t, s, s.DescriptorURL(), nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	}
	resp, _, err = get(t, s, s.DescriptorURL(), nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	s.ResetCounters()
	s.CutNext(1, 1000)
	_, b, err = get(t, s, s.FlatURL(), nil)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Len(t, b, 1000)
	assert.Equal(t, int64(1000), s.BytesServed())

	s.ResetNext(1, 2000)
	_, _, err = get(t, s, s.FlatURL(), nil)
	assert.Error(t, err)

	reached, release := s.HoldNext(10)
	done := make(chan error, 1)
	go func() { _, _, err := get(t, s, s.FlatURL(), nil); done <- err }()
	<-reached
	release()
	assert.Error(t, <-done, "a held response ends cut short")

	_, err = imagetest.Start(1000)
	assert.ErrorContains(t, err, "not a positive multiple of 512")
}

func TestServerTLSAndChunked(t *testing.T) {
	s := imagetest.NewServer(t, 4096, imagetest.WithTLS(), imagetest.WithoutLength())
	assert.NotNil(t, s.Certificate())
	resp, b, err := get(t, s, s.FlatURL(), nil)
	require.NoError(t, err)
	assert.Equal(t, int64(-1), resp.ContentLength)
	assert.Len(t, b, 4096)
}
