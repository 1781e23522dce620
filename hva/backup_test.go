package hva_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva"
)

// davServer is a WebDAV-ish PUT target that keeps what it receives.
type davServer struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	fail  int
}

func newDAV(t *testing.T) *davServer {
	d := &davServer{files: map[string][]byte{}}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			http.Error(w, "PUT only", http.StatusMethodNotAllowed)
			return
		}
		d.mu.Lock()
		fail := d.fail > 0
		if fail {
			d.fail--
		}
		d.mu.Unlock()
		if fail {
			http.Error(w, "storage full", http.StatusInsufficientStorage)
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		d.mu.Lock()
		d.files[r.URL.Path] = b
		d.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *davServer) file(p string) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.files[p]
}

func TestBackupImage(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	dav := newDAV(t)
	const id = "i-back0001"
	x.launched(t, id, "5254000000d0")
	x.col.AddBackupObject(map[string]any{"uuid": "bo-new00001", "object_key": "snap/new-flat.vmdk", "state": hva.Symbol("pending"),
		"backup_storage": map[string]any{"base_uri": dav.URL + "/images/"}})

	// A running VM's disk is locked on ESXi: refused, nothing changes.
	err := x.h.BackupImage(ctx, id, "bo-new00001", "wmi-test")
	require.ErrorIs(t, err, hva.ErrInvalidState)
	assert.Equal(t, "pending", strings.TrimSpace(x.col.BackupObject("bo-new00001")["state"].(hva.Symbol).String()))

	require.NoError(t, x.h.PowerOff(ctx, id))
	x.col.ResetCalls()
	require.NoError(t, x.h.BackupImage(ctx, id, "bo-new00001", "wmi-test"))
	flat := dav.file("/images/snap/new-flat.vmdk")
	require.Len(t, flat, int(x.img.Size()))
	sum := md5.Sum(flat)
	assert.Equal(t, x.img.MD5(), hex.EncodeToString(sum[:]), "the deployed disk is the image, byte for byte")
	assert.Contains(t, string(dav.file("/images/snap/new.vmdk")), `"new-flat.vmdk"`, "the descriptor names the uploaded flat")
	bo := x.col.BackupObject("bo-new00001")
	assert.Equal(t, hva.Symbol("available"), bo["state"])
	assert.Equal(t, x.img.MD5(), bo["checksum"])
	assert.EqualValues(t, x.img.Size(), bo["size"])
	assert.Equal(t, hva.Symbol("available"), x.col.Image("wmi-test")["state"])
	assert.Equal(t, []map[string]any{{"state": hva.Symbol("creating")}}, x.col.Updates("update_image", "wmi-test")[:1])
}

func TestBackupFailureMarksDeleted(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	dav := newDAV(t)
	dav.fail = 100
	const id = "i-backf001"
	x.launched(t, id, "5254000000d1")
	require.NoError(t, x.h.PowerOff(ctx, id))
	x.col.AddBackupObject(map[string]any{"uuid": "bo-fail0001", "object_key": "f-flat.vmdk",
		"backup_storage": map[string]any{"base_uri": dav.URL + "/"}})
	err := x.h.BackupImage(ctx, id, "bo-fail0001", "wmi-test")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "507")
	assert.Equal(t, hva.Symbol("deleted"), x.col.BackupObject("bo-fail0001")["state"])
	assert.Equal(t, hva.Symbol("deleted"), x.col.Image("wmi-test")["state"])
}
