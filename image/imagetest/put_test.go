package imagetest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

func put(t *testing.T, url, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestPutServer(t *testing.T) {
	p := imagetest.NewPutServer(t)
	assert.Equal(t, http.StatusCreated, put(t, p.URL()+"/a/x-flat.vmdk", "flat"))
	assert.Equal(t, []byte("flat"), p.File("/a/x-flat.vmdk"))
	assert.Nil(t, p.File("/a/none"))

	resp, err := http.Get(p.URL() + "/a/x-flat.vmdk")
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, "flat", string(b), "what was put is served back")
	resp, err = http.Get(p.URL() + "/a/none")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	p.RefuseNext(2, http.StatusInsufficientStorage)
	assert.Equal(t, http.StatusInsufficientStorage, put(t, p.URL()+"/b", "1"))
	assert.Equal(t, http.StatusInsufficientStorage, put(t, p.URL()+"/b", "2"))
	assert.Equal(t, http.StatusCreated, put(t, p.URL()+"/b", "3"))
	assert.Equal(t, []byte("3"), p.File("/b"))

	p.Refuse(http.StatusForbidden)
	assert.Equal(t, http.StatusForbidden, put(t, p.URL()+"/c", "x"))
	assert.Equal(t, http.StatusForbidden, put(t, p.URL()+"/c", "y"))
	assert.Nil(t, p.File("/c"))
	p.Refuse(0)
	assert.Equal(t, http.StatusCreated, put(t, p.URL()+"/c", "z"))
}
