package hva_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva/hvatest"
	"github.com/esxi-hva/esxi-hva/internal/testenv"
)

// The CD a launch uploads is what wakame-init reads: checked with
// isoinfo and mtools on the file in the datastore.
func TestMetadataCDOnTheDatastore(t *testing.T) {
	testenv.RequireCommand(t, "isoinfo")
	testenv.RequireCommand(t, "mtype")
	x := newHarness(t)
	const id = "i-cd000001"
	userData := strings.Repeat("#cloud-config\n", 80<<10) // ~1 MiB: the image grows to fit
	x.addSpec(hvatest.InstanceSpec{ID: id, Hostname: "web1", MACs: []string{"525400c0ffee"}, SSHKey: "ssh-rsa AAAA key", UserData: userData})
	require.NoError(t, x.h.RunLocalStore(context.Background(), id))

	iso := x.env.LocalPath(x.path(t, id, "metadata.iso"))
	info, err := exec.Command("isoinfo", "-d", "-i", iso).CombinedOutput()
	require.NoError(t, err, string(info))
	assert.Contains(t, string(info), "Volume id: META_CD")
	assert.Contains(t, string(info), "Rock Ridge")
	img, err := exec.Command("isoinfo", "-R", "-i", iso, "-x", "/metadata.img").Output()
	require.NoError(t, err)
	imgPath := filepath.Join(t.TempDir(), "metadata.img")
	require.NoError(t, os.WriteFile(imgPath, img, 0o600))

	read := func(p string) string {
		out, err := exec.Command("mtype", "-i", imgPath+"@@1M", "::"+p).Output()
		require.NoError(t, err, p)
		return string(out)
	}
	assert.Equal(t, id+"\n", read("meta-data/instance-id"))
	assert.Equal(t, "web1\n", read("meta-data/local-hostname"))
	assert.Equal(t, "52:54:00:c0:ff:ee\n", read("meta-data/mac"))
	assert.Equal(t, "10.0.0.1\n", read("meta-data/network/interfaces/macs/52-54-00-c0-ff-ee/x-gateway"))
	assert.Equal(t, "ssh-rsa AAAA key\n", read("meta-data/public-keys/0=ssh-test"))
	assert.Equal(t, userData, read("user-data"), "user-data at the image's root")
	label, err := exec.Command("mlabel", "-s", "-i", imgPath+"@@1M", "::").CombinedOutput()
	require.NoError(t, err)
	assert.Contains(t, string(label), "METADATA")
}
