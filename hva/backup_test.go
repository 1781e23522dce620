package hva_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

func TestBackupImage(t *testing.T) {
	x := newHarness(t)
	ctx := context.Background()
	dav := imagetest.NewPutServer(t)
	const id = "i-back0001"
	x.launched(t, id, "5254000000d0")
	x.col.AddBackupObject(map[string]any{"uuid": "bo-new00001", "object_key": "snap/new-flat.vmdk", "state": hva.Symbol("pending"),
		"backup_storage": map[string]any{"base_uri": dav.URL() + "/images/"}})

	// A running VM's disk is locked on ESXi: refused, nothing changes.
	err := x.h.BackupImage(ctx, id, "bo-new00001", "wmi-test")
	require.ErrorIs(t, err, hva.ErrInvalidState)
	assert.Equal(t, "pending", strings.TrimSpace(x.col.BackupObject("bo-new00001")["state"].(hva.Symbol).String()))

	require.NoError(t, x.h.PowerOff(ctx, id))
	x.col.ResetCalls()
	require.NoError(t, x.h.BackupImage(ctx, id, "bo-new00001", "wmi-test"))
	flat := dav.File("/images/snap/new-flat.vmdk")
	require.Len(t, flat, int(x.img.Size()))
	sum := md5.Sum(flat)
	assert.Equal(t, x.img.MD5(), hex.EncodeToString(sum[:]), "the deployed disk is the image, byte for byte")
	assert.Contains(t, string(dav.File("/images/snap/new.vmdk")), `"new-flat.vmdk"`, "the descriptor names the uploaded flat")
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
	dav := imagetest.NewPutServer(t)
	dav.Refuse(http.StatusInsufficientStorage)
	const id = "i-backf001"
	x.launched(t, id, "5254000000d1")
	require.NoError(t, x.h.PowerOff(ctx, id))
	x.col.AddBackupObject(map[string]any{"uuid": "bo-fail0001", "object_key": "f-flat.vmdk",
		"backup_storage": map[string]any{"base_uri": dav.URL() + "/"}})
	err := x.h.BackupImage(ctx, id, "bo-fail0001", "wmi-test")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "507")
	assert.Equal(t, hva.Symbol("deleted"), x.col.BackupObject("bo-fail0001")["state"])
	assert.Equal(t, hva.Symbol("deleted"), x.col.Image("wmi-test")["state"])
}
