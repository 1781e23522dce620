package hva_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
)

func TestDecodeInstanceCurrentShape(t *testing.T) {
	raw := hvatest.NewInstance(hvatest.InstanceSpec{
		ID: "i-abc123", ImageURI: "http://img.example/lucid-flat.vmdk", ImageMD5: "293bec7563280fe2934a3611a3e1dab2", ImageSize: 1 << 20,
		MACs: []string{"525400123456", "52:54:00:AB:CD:EF"}, LocalVolumes: []int64{1 << 30}, SSHKey: "ssh-rsa AAAA test",
	})
	inst, err := hva.DecodeInstance(raw)
	require.NoError(t, err)
	assert.Equal(t, "i-abc123", inst.ID)
	assert.Equal(t, "initializing", inst.State)
	assert.Equal(t, 1, inst.CPUCores)
	assert.Equal(t, 256, inst.MemorySize)
	assert.Equal(t, "is-small", inst.InstanceType)
	assert.Equal(t, hva.Image{ID: "wmi-test", InstanceModelName: "esxi.small", URI: "http://img.example/lucid-flat.vmdk",
		MD5: "293bec7563280fe2934a3611a3e1dab2", Size: 1 << 20}, inst.Image)
	require.Len(t, inst.Vifs, 2)
	assert.Equal(t, "525400123456", inst.Vifs[0].MAC)
	assert.Equal(t, "525400abcdef", inst.Vifs[1].MAC, "MACs are normalized to Wakame's 12 lowercase digits")
	assert.Equal(t, []string{"sg-test1"}, inst.Vifs[1].SecurityGroups)
	require.NotNil(t, inst.Vifs[1].IPv4)
	assert.Equal(t, "10.0.1.10", inst.Vifs[1].IPv4.Address)
	assert.Equal(t, 24, inst.Vifs[1].IPv4.Network.Prefix)
	require.Len(t, inst.Volumes, 1)
	assert.Equal(t, hva.Volume{ID: "vol-test0000", State: "available", Size: 1 << 30, IsLocal: true}, inst.Volumes[0])
	assert.Equal(t, "vol-test0000", inst.BootVolumeID)
	assert.Equal(t, &hva.HostNode{NodeID: "hva.test"}, inst.HostNode)
	assert.Equal(t, &hva.SSHKey{ID: "ssh-test", PublicKey: "ssh-rsa AAAA test"}, inst.SSHKey)
	assert.Equal(t, []string{"10.0.0.10", "10.0.1.10"}, inst.IPs)
}

// The 2012 shape of the seed's era: image.source.uri and image.md5sum,
// numbers as Ruby's YAML columns may give them, string-kinded Symbols.
func TestDecodeInstance2012Shape(t *testing.T) {
	type sym string
	raw := map[string]any{
		"uuid": "i-old", "state": sym("initializing"), "cpu_cores": int64(2), "memory_size": 512.0,
		"image": map[string]any{
			"uuid":   "wmi-lucid",
			"source": map[string]any{"uri": "http://192.168.2.1/images/lucid-flat.vmdk"},
			"md5sum": "293bec7563280fe2934a3611a3e1dab2",
		},
		"vif": []any{map[string]any{"uuid": "vif-1", "mac_addr": "525400aabbcc"}},
	}
	inst, err := hva.DecodeInstance(raw)
	require.NoError(t, err)
	assert.Equal(t, "initializing", inst.State)
	assert.Equal(t, 2, inst.CPUCores)
	assert.Equal(t, 512, inst.MemorySize)
	assert.Equal(t, "http://192.168.2.1/images/lucid-flat.vmdk", inst.Image.URI)
	assert.Equal(t, "293bec7563280fe2934a3611a3e1dab2", inst.Image.MD5)
	assert.Nil(t, inst.Vifs[0].IPv4)
}

func TestDecodeInstanceErrorsNameTheField(t *testing.T) {
	base := func() map[string]any {
		return hvatest.NewInstance(hvatest.InstanceSpec{ID: "i-x", ImageURI: "http://h/x-flat.vmdk", ImageMD5: "293bec7563280fe2934a3611a3e1dab2", MACs: []string{"525400123456"}})
	}
	for _, tc := range []struct {
		name  string
		edit  func(m map[string]any)
		field string
	}{
		{"no uuid", func(m map[string]any) { delete(m, "uuid") }, "uuid: missing"},
		{"uuid with a slash", func(m map[string]any) { m["uuid"] = "i-../x" }, "uuid:"},
		{"state is a number", func(m map[string]any) { m["state"] = 3 }, "state: want a String or Symbol, got Integer"},
		{"no cpu_cores", func(m map[string]any) { delete(m, "cpu_cores") }, "cpu_cores: missing"},
		{"memory is text", func(m map[string]any) { m["memory_size"] = "lots" }, `memory_size: want an Integer, got String "lots"`},
		{"no image", func(m map[string]any) { delete(m, "image") }, "image: missing"},
		{"image is a list", func(m map[string]any) { m["image"] = []any{} }, "image: want a Hash, got Array"},
		{"vif not a hash", func(m map[string]any) { m["vif"] = []any{"x"} }, "vif[0]: want a Hash, got String"},
		{"bad MAC", func(m map[string]any) { m["vif"].([]any)[0].(map[string]any)["mac_addr"] = "zz" }, "vif[0].mac_addr:"},
		{"no MAC", func(m map[string]any) { delete(m["vif"].([]any)[0].(map[string]any), "mac_addr") }, "vif[0].mac_addr: missing"},
		{"bad prefix", func(m map[string]any) {
			m["vif"].([]any)[0].(map[string]any)["ipv4"].(map[string]any)["network"].(map[string]any)["prefix"] = 40
		}, "vif[0].ipv4.network.prefix: 40"},
		{"volume without state", func(m map[string]any) {
			m["volume"] = map[string]any{"vol-1": map[string]any{"size": 1}}
		}, "volume.vol-1.state: missing"},
		{"key without public key", func(m map[string]any) { m["ssh_key_data"] = map[string]any{"uuid": "ssh-1"} }, "ssh_key_data.public_key: missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(m)
			_, err := hva.DecodeInstance(m)
			require.ErrorIs(t, err, hva.ErrBadInstance)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
	_, err := hva.DecodeInstance(nil)
	require.ErrorIs(t, err, hva.ErrBadInstance)
}

func TestDecodeVolumeAndBackupObject(t *testing.T) {
	v, err := hva.DecodeVolume(map[string]any{"uuid": "vol-1", "state": "attached", "size": int64(10 << 20), "volume_type": "Dcmgr::Models::LocalVolume"})
	require.NoError(t, err)
	assert.True(t, v.IsLocal)
	assert.Equal(t, int64(10<<20), v.Size)
	_, err = hva.DecodeVolume(map[string]any{"state": "attached"})
	require.ErrorIs(t, err, hva.ErrBadInstance)

	bo, err := hva.DecodeBackupObject(map[string]any{"uuid": "bo-1", "object_key": "/x-flat.vmdk",
		"backup_storage": map[string]any{"base_uri": "http://dav.example/images/"}})
	require.NoError(t, err)
	assert.Equal(t, "http://dav.example/images/x-flat.vmdk", bo.URI, "base_uri + object_key with one slash")
	_, err = hva.DecodeBackupObject(map[string]any{"uuid": "bo-1"})
	require.ErrorContains(t, err, "backup_storage: missing")
}
