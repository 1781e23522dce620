package hva_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/hva"
	"github.com/esxi-hva/esxi-hva/hva/hvatest"
)

func TestMetadataItems(t *testing.T) {
	inst, err := hva.DecodeInstance(hvatest.NewInstance(hvatest.InstanceSpec{
		ID: "i-meta0001", State: "running", Hostname: "web1", ImageURI: "http://h/x-flat.vmdk", ImageMD5: "293bec7563280fe2934a3611a3e1dab2",
		MACs: []string{"525400123456", "525400abcdef"}, SSHKey: "ssh-rsa AAAAB3 key",
	}))
	require.NoError(t, err)
	items := hva.MetadataItems(inst, map[string]string{"x-extra/flavor": "esxi"})
	want := map[string]string{
		"ami-id":                    "wmi-test",
		"ami-launch-index":          "0",
		"ami-manifest-path":         "",
		"block-device-mapping/root": "/dev/sda",
		"hostname":                  "web1",
		"instance-action":           "running",
		"instance-id":               "i-meta0001",
		"instance-type":             "is-small",
		"local-ipv4":                "10.0.0.10",
		"mac":                       "52:54:00:12:34:56",
		"public-ipv4":               "",
		"x-account-id":              "a-shpoolxx",
		"x-extra/flavor":            "esxi",
		"public-keys/0=ssh-test":    "ssh-rsa AAAAB3 key",
		"public-keys/0/openssh-key": "ssh-rsa AAAAB3 key",

		"network/interfaces/macs/52-54-00-ab-cd-ef/mac":             "52:54:00:ab:cd:ef",
		"network/interfaces/macs/52-54-00-ab-cd-ef/local-ipv4s":     "10.0.1.10",
		"network/interfaces/macs/52-54-00-ab-cd-ef/security-groups": "sg-test1",
		"network/interfaces/macs/52-54-00-ab-cd-ef/x-gateway":       "10.0.1.1",
		"network/interfaces/macs/52-54-00-ab-cd-ef/x-netmask":       "255.255.255.0",
		"network/interfaces/macs/52-54-00-ab-cd-ef/x-network":       "10.0.1.0",
		"network/interfaces/macs/52-54-00-ab-cd-ef/x-broadcast":     "10.0.1.255",
		"network/interfaces/macs/52-54-00-ab-cd-ef/x-metric":        "100",
		"network/interfaces/macs/52-54-00-ab-cd-ef/x-dns":           "8.8.8.8",
		"network/interfaces/macs/52-54-00-12-34-56/local-hostname":  "web1",
	}
	for k, v := range want {
		got, ok := items[k]
		if assert.True(t, ok, "item %s missing", k) {
			assert.Equal(t, v, got, k)
		}
	}
	assert.Len(t, items, 20+2*12+1+2, "20 instance items, 12 per vif, 1 extra, 2 key items")
	_, empty := items["public-keys/"]
	assert.False(t, empty)

	inst.SSHKey = nil
	inst.Vifs[1].IPv4 = nil
	items = hva.MetadataItems(inst, nil)
	v, ok := items["public-keys/"]
	assert.True(t, ok, "an instance without a key gets an empty public-keys/ folder")
	assert.Equal(t, "", v)
	assert.NotContains(t, items, "network/interfaces/macs/52-54-00-ab-cd-ef/mac", "a vif without a lease has no interface items")
	assert.Len(t, items, 20+12+1)
}
