package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/image"
	"github.com/esxi-hva/esxi-hva/image/imagetest"
)

func TestSimulateToDirectory(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	o, err := parse([]string{"--simulate", "-disk", "4", "-out", dir, "-name", "esxi-4M-image"}, &out)
	require.NoError(t, err)
	res, err := capture(context.Background(), o, &out)
	require.NoError(t, err, out.String())

	flat, err := os.ReadFile(filepath.Join(dir, "esxi-4M-image-flat.vmdk"))
	require.NoError(t, err)
	sum := md5.Sum(flat)
	assert.Equal(t, hex.EncodeToString(sum[:]), res.MD5, "the reported md5 is the file's")
	assert.Equal(t, imagetest.NewContent(7, 4<<20).MD5(), res.MD5, "the disk the installer wrote, byte for byte")
	desc, err := os.ReadFile(filepath.Join(dir, "esxi-4M-image.vmdk"))
	require.NoError(t, err)
	d, err := image.ParseDescriptor(desc)
	require.NoError(t, err)
	assert.Equal(t, "esxi-4M-image-flat.vmdk", d.Extent.File, "the descriptor names the flat beside it")
	assert.Contains(t, res.Command, "--md5sum "+res.MD5)
	assert.Contains(t, out.String(), "temporary VM esxi-4M-image destroyed")
	assert.Contains(t, out.String(), "Console")
}

func TestSimulateToWebDAV(t *testing.T) {
	dav := imagetest.NewPutServer(t)
	var out bytes.Buffer
	o, err := parse([]string{"--simulate", "-disk", "2", "-name", "img2", "-put", dav.URL() + "/images/img2-flat.vmdk"}, &out)
	require.NoError(t, err)
	res, err := capture(context.Background(), o, &out)
	require.NoError(t, err, out.String())
	require.Len(t, dav.File("/images/img2-flat.vmdk"), 2<<20)
	sum := md5.Sum(dav.File("/images/img2-flat.vmdk"))
	assert.Equal(t, hex.EncodeToString(sum[:]), res.MD5)
	assert.Contains(t, string(dav.File("/images/img2.vmdk")), `"img2-flat.vmdk"`)
	assert.Contains(t, res.Command, dav.URL()+"/images/img2-flat.vmdk")
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-out", "x"},  // no host
		{"--simulate"}, // nowhere to write
		{"--simulate", "-out", "x", "-put", "http://y"}, // both
		{"--simulate", "-out", "x", "-register"},        // no db
		{"--simulate", "-out", "x", "-disk", "0"},
	} {
		_, err := parse(args, io.Discard)
		assert.Error(t, err, "%v", args)
	}
}

func TestHelpExitsZero(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-h"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "usage: capture")
	assert.Contains(t, errOut.String(), "no subcommands")
	assert.Contains(t, errOut.String(), "-iso")
}
